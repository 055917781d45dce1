# lib-events.sh: shared by the event log script tests: where the programs
# and the fixture writer are, a scratch directory, and fixture helpers.
# Runs natively, or under Wine with RUNNER=wine (top_builddir = the win64
# build, KMS_LINUX_BUILD = the Linux build holding evtgen).
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-}
linux_build=${KMS_LINUX_BUILD:-$top_builddir}
evtgen=$linux_build/tests/tools/evtgen
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kms-events.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
now=$(date +%s)

# fixture NAME [evtgen options] < records: writes $scratch/NAME.evt
fixture() {
	name=$1
	shift
	"$evtgen" --now "$now" "$@" "$scratch/$name.evt" || t_fail "evtgen $name" "the fixture writer failed"
}

# rec AGE SOURCE ID TYPE STRINGS [EXTRAS]: one tab-separated record line
rec() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}"
}

# iso SECONDS-AGO: the UTC ISO-8601 time that long before $now
iso() {
	date -u -d "@$((now - $1))" +%Y-%m-%dT%H:%M:%SZ
}
