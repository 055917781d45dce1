#!/bin/sh
# bench_backup.sh [LINUX_BUILD_DIR] [RUNS]: whole-process wall time of
# check_kms_backup on a backup folder of four sets, against monitoring-plugins'
# check_file_age on the newest Kmsmdb.edb and check_dummy (the floor of a
# process start). Prints per-run times and the ratios; not a test (times vary).
build=${1:-${top_builddir:-$(dirname "$0")/../../_build/linux}}
runs=${2:-200}
plugins=/usr/lib/nagios/plugins
check=$build/plugins/check_kms_backup
esegen=$build/tests/tools/esegen
for p in "$check" "$esegen" "$plugins/check_file_age" "$plugins/check_dummy"; do
	[ -x "$p" ] || { echo "missing $p (build first; Debian monitoring-plugins-basic)"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
now=$(date +%s)
for d in 1 8 15 22; do
	set=$work/kmsdata-$d
	mkdir -p "$set/sub"
	"$esegen" "$set/Kmsmdb.edb" pages=256 # 1 MiB
	for i in 1 2 3 4 5; do head -c 65536 /dev/zero >"$set/edb0000$i.log"; done
	printf 'chk' >"$set/edb.chk"
	printf 'k' >"$set/sub/keys.dat"
	find "$set" -type f -exec touch -d "@$((now - d * 86400))" {} +
done
newest=$work/kmsdata-1/Kmsmdb.edb

# time_runs LABEL COMMAND...: run COMMAND $runs times, print the mean in microseconds.
time_runs() {
	label=$1
	shift
	"$@" >/dev/null 2>&1 # warm the page cache
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$runs" ]; do
		"$@" >/dev/null 2>&1
		i=$((i + 1))
	done
	end=$(date +%s%N)
	us=$(((end - start) / runs / 1000))
	printf '%-44s %8d us/run\n' "$label" "$us" >&2
	echo "$us"
}

echo "runs: $runs each, folder: 4 sets of 8 files (1.3 MiB each)" >&2
dummy=$(time_runs "check_dummy 0" "$plugins/check_dummy" 0)
age=$(time_runs "check_file_age -w 691200 -c 1296000 FILE" "$plugins/check_file_age" -w 691200 -c 1296000 -f "$newest")
ours=$(time_runs "check_kms_backup -d DIR" "$check" -d "$work")
pages=$(time_runs "check_kms_backup -d DIR --verify-pages" "$check" -d "$work" --verify-pages)
all=$(time_runs "check_kms_backup -d DIR --all-sets --verify-pages" "$check" -d "$work" --all-sets --verify-pages)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo "check_file_age / check_kms_backup:           $(ratio "$age" "$ours")x (target >= 10x)"
echo "check_kms_backup / check_dummy:              $(ratio "$ours" "$dummy")x (target <= 2x)"
echo "check_kms_backup --verify-pages / check_dummy: $(ratio "$pages" "$dummy")x"
echo "--all-sets --verify-pages / check_dummy:     $(ratio "$all" "$dummy")x"
