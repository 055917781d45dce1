#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# The deadline ends a program blocked in read(2) on a FIFO that never
# delivers, within its timeout + 1 s, with the timeout line and state.
# RUNNER (e.g. "wine") and PROBE may be set to test the Windows build.
. "$top_srcdir/tests/lib/harness.sh"
probe=${PROBE:-$top_builddir/tests/tools/deadline_probe$EXEEXT}
runner=${RUNNER:-}
# Allowed lateness: 1 s, plus process start-up under an emulator (RUNNER).
slack=${SLACK_MS:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/fifo"
# Hold the FIFO's write end open without ever writing.
sleep 30 >"$dir/fifo" &
writer=$!

run_blocked() { # seconds-arg... : run the probe with stdin on the FIFO, timing it
	start=$(date +%s%N)
	t_out=$($runner "$probe" "$@" <"$dir/fifo" 2>/dev/null)
	t_status=$?
	t_elapsed_ms=$((($(date +%s%N) - start) / 1000000))
}

run_blocked -t 1
if [ "$t_status" -eq 3 ] && [ "$t_out" = "KMS_PROBE UNKNOWN - timed out after 1 s" ]; then
	t_pass "timeout 1 s: UNKNOWN line and status 3"
else
	t_fail "timeout 1 s: UNKNOWN line and status 3" "status $t_status, output '$t_out'"
fi
# A bound, not a benchmark: a hang would take the writer's 30 s.
if [ "$t_elapsed_ms" -le $((1000 + slack)) ]; then t_pass "timeout 1 s: returned within timeout + 1 s"; else t_fail "timeout 1 s: returned within timeout + 1 s" "took ${t_elapsed_ms} ms"; fi

run_blocked -t 2:CRITICAL
if [ "$t_status" -eq 2 ] && [ "$t_out" = "KMS_PROBE CRITICAL - timed out after 2 s" ]; then
	t_pass "timeout 2:CRITICAL: CRITICAL line and status 2"
else
	t_fail "timeout 2:CRITICAL: CRITICAL line and status 2" "status $t_status, output '$t_out'"
fi
if [ "$t_elapsed_ms" -le $((2000 + slack)) ]; then t_pass "timeout 2 s: returned within timeout + 1 s"; else t_fail "timeout 2 s: returned within timeout + 1 s" "took ${t_elapsed_ms} ms"; fi

run_blocked --timeout=1:warning
if [ "$t_status" -eq 1 ] && [ "$t_out" = "KMS_PROBE WARNING - timed out after 1 s" ]; then
	t_pass "timeout state is case-insensitive"
else
	t_fail "timeout state is case-insensitive" "status $t_status, output '$t_out'"
fi

kill "$writer" 2>/dev/null
t_summary
