#!/bin/sh
# bench_service.sh: whole-process time of check_kms_service under Wine
# against `sc query MSExchangeKMS` under Wine, the stand-in KM service
# running. Runs each ROUNDS times (default 20), interleaved, and prints the
# two totals and their ratio (check / sc; target: no more than 1.0).
# Env: top_srcdir, top_builddir (the win64 build), a Wine prefix.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"
rounds=${ROUNDS:-20}

svc_setup bench
svc_install demand - --expect "$wtmp/expect"
standin start "$kms_service" "$password"
svc_wait_state RUNNING

now_ns() { date +%s%N; }
check_ns=0
sc_ns=0
i=0
while [ $i -lt "$rounds" ]; do
	t0=$(now_ns)
	timeout 30 $runner "$bin/plugins/check_kms_service.exe" </dev/null >/dev/null 2>&1
	t1=$(now_ns)
	timeout 30 $runner sc query "$kms_service" </dev/null >/dev/null 2>&1
	t2=$(now_ns)
	check_ns=$((check_ns + t1 - t0))
	sc_ns=$((sc_ns + t2 - t1))
	i=$((i + 1))
done
ratio=$(awk -v a="$check_ns" -v b="$sc_ns" 'BEGIN { printf "%.2f", a / b }')
echo "check_kms_service: $((check_ns / rounds / 1000000)) ms a run; sc query: $((sc_ns / rounds / 1000000)) ms a run ($rounds runs each)"
echo "ratio check_kms_service / sc query: $ratio"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.10) }' && t_pass "check_kms_service is no slower than sc query (ratio $ratio, 10% noise allowed)" ||
	t_fail "check_kms_service is no slower than sc query" "ratio $ratio"
svc_cleanup
t_summary
