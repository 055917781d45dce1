#!/bin/sh
# bench_events.sh [LINUX_BUILD]: check_kms_events against its peers on a
# 1M-record .evt file from the fixture writer (and one ten times smaller):
# whole-process wall time and peak RSS of `--window all` and of the default
# 24h window, a libevt-based counter (evtcount_libevt.c, built here with
# libevt-dev), and `cat FILE > /dev/null` as the floor. A benchmark, not a
# test: it prints figures, ratios and how they compare with the targets.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/_build/linux}
runs=${RUNS:-5}
prog=$build/plugins/check_kms_events
gen=$build/tests/tools/evtgen
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
[ -x "$prog" ] && [ -x "$gen" ] || {
	echo "build first: $prog, $gen"
	exit 1
}
cc -O2 -o "$work/evtcount_libevt" "$top/tests/bench/evtcount_libevt.c" -levt || {
	echo "cannot build the libevt counter: apt-get install libevt-dev libbfio-dev"
	exit 1
}

# best wall time in ms over $runs runs, and the peak RSS in KB
measure() { # RUNS COMMAND...
	n=$1
	shift
	best=""
	i=0
	while [ $i -lt "$n" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s%N)
		t=$(((e - s) / 1000))
		if [ -z "$best" ] || [ $t -lt "$best" ]; then best=$t; fi
		i=$((i + 1))
	done
	rss=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1)
	echo "$best $rss"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

printf '%-34s %10s %10s\n' "what" "wall ms" "peak RSS"
for n in 1000000 100000; do
	f=$work/app-$n.evt
	"$gen" --generate $n --spacing 60 "$f"
	cat "$f" >/dev/null # warm the page cache for every contender alike
	set -- $(measure "$runs" cat "$f")
	cat_t=$1 cat_rss=$2
	set -- $(measure "$runs" "$prog" -f "$f" --window all)
	all_t=$1 all_rss=$2
	set -- $(measure "$runs" "$prog" -f "$f")
	day_t=$1 day_rss=$2
	set -- $(measure 1 "$work/evtcount_libevt" "$f")
	lib_t=$1 lib_rss=$2
	ours=$("$prog" -f "$f" --window all | sed -n 's/.*events=\([0-9]*\);.*/\1/p')
	theirs=$("$work/evtcount_libevt" "$f")
	size=$(wc -c <"$f")
	echo "-- $n records, $((size / 1048576)) MiB (5058 events: ours $ours, libevt $theirs)"
	printf '%-34s %10s %8s KB\n' "cat FILE > /dev/null (floor)" "$(ms $cat_t)" "$cat_rss"
	printf '%-34s %10s %8s KB\n' "check_kms_events --window all" "$(ms $all_t)" "$all_rss"
	printf '%-34s %10s %8s KB\n' "check_kms_events (24h window)" "$(ms $day_t)" "$day_rss"
	printf '%-34s %10s %8s KB\n' "libevt counter" "$(ms $lib_t)" "$lib_rss"
	echo "   libevt / ours: $(ratio $lib_t $all_t)x faster (target >= 100x)"
	echo "   ours / cat:    $(ratio $all_t $cat_t)x the floor (target <= 3x)"
	echo "   peak RSS:      $all_rss KB (target < 8192 KB)"
	[ "$ours" = "$theirs" ] && echo "   counts agree" || echo "   COUNTS DIFFER"
	eval "day_$n=$day_t"
done
echo "24h window, 1M records vs 100k: $(ms $day_1000000) ms vs $(ms $day_100000) ms (target: independent of file size)"
