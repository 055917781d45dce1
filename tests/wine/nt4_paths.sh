#!/bin/sh
# nt4_paths.sh: the NT 4.0 paths give the same answers as the Windows 2000
# ones. Needs a --enable-test-hooks build as top_builddir (quickstart's
# _build/win64-nt4): each scenario runs once as Windows 2000 (what Wine has)
# and once with KMS_TEST_WINDOWS=nt4, where every Windows 2000 function the
# suite looks up at run time is taken as absent (plugins/lib/os/winapi.h):
# the service's pid from the process running its image (ntdll's process
# list) instead of QueryServiceStatusEx, perfwiz.exe found in that list
# instead of Toolhelp, the lock under its plain name instead of Global\.
# Compared: the pid and uptime check_kms_service reports, perfwiz detection,
# the hung-start age and the kill of that very pid, a pid that is ambiguous
# (never a kill on a guess), file sizes and reads past 4 GiB, SID text, the
# lock between the handler and kms_backup. KMS_RELEASE_BUILD (a release
# build) must ignore KMS_TEST_WINDOWS.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"

svc_setup nt4
mkdir -p "$tmp/state" "$tmp/kb"
probe() { timeout 30 $runner "$bin/tests/tools/winapi_probe.exe" "$@" </dev/null 2>/dev/null | tr -d '\r'; }
check() { timeout 30 $runner "$bin/plugins/check_kms_service.exe" "$@" </dev/null 2>&1 | tr -d '\r'; }
handler_status() {
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/state" \
		--password-file "$wtmp/Kmspwd.ini" --log "$wtmp/handler.log" --kmsdata "$wtmp/kmsdata" "$@" </dev/null
}
handler() { handler_status "$@" 2>&1 | tr -d '\r'; }
kms_backup() {
	timeout 60 $runner "$bin/plugins/kms_backup.exe" -k "$wtmp/kmsdata" -d "$wtmp/kb" -f "$wtmp/Kmspwd.ini" \
		--service "$kms_service" --stop-timeout 20s --start-timeout 20s -t 50 "$@" </dev/null 2>&1 | tr -d '\r'
}
timeout 30 $runner "$bin/tests/tools/esegen.exe" "$wtmp/kmsdata/Kmsmdb.edb" state=3 </dev/null >/dev/null
# The KM service as kmserver.exe (its real image name): its own image, so
# the NT 4.0 path can name its process; the stand-in MSExchangeDS runs
# kms_standin.exe.
cp "$bin/tests/tools/kms_standin.exe" "$tmp/kmserver.exe"
kmserver() { timeout 30 $runner "$wtmp/kmserver.exe" "$@" </dev/null; }
install_kmserver() {
	standin kill "$kms_service" >/dev/null 2>&1
	standin uninstall "$kms_service" >/dev/null 2>&1
	kmserver install "$kms_service" "$kms_display" demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" \
		--log "$wtmp/standin.log" "$@" || t_fail "install kmserver.exe as $kms_service"
}
as_windows() { # 2000|nt4
	if [ "$1" = nt4 ]; then KMS_TEST_WINDOWS=nt4; else KMS_TEST_WINDOWS=; fi
	export KMS_TEST_WINDOWS
}
# same WHAT A B: the two paths' answers agree.
same() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then t_pass "$1: the same on both paths ($2)"; else t_fail "$1: the same on both paths" "2000: $2" "nt4:  $3"; fi
}
# toolhelp_pid IMAGE: the pid Windows 2000's own list gives.
toolhelp_pid() { KMS_TEST_WINDOWS= probe procs "$1" | sed -n 's/^count=1 pid=//p'; }

# --- the switch ---
as_windows 2000
t_out=$(probe which)
t_first_line "Windows 2000 paths: QueryServiceStatusEx, Global\\, Toolhelp" \
	'^windows=2000 QueryServiceStatusEx=present Global=yes processes=Toolhelp$'
as_windows nt4
t_out=$(probe which)
t_first_line "forced NT 4.0 paths: no QueryServiceStatusEx, no Global\\, ntdll's process list" \
	'^windows=nt4 \(forced\) QueryServiceStatusEx=absent Global=no processes=NtQuerySystemInformation$'
if [ -n "${KMS_RELEASE_BUILD:-}" ]; then
	t_out=$(KMS_TEST_WINDOWS=nt4 timeout 30 $runner "$KMS_RELEASE_BUILD/tests/tools/winapi_probe.exe" which </dev/null 2>&1 | tr -d '\r')
	t_first_line "a release build ignores KMS_TEST_WINDOWS=nt4" '^windows=2000 QueryServiceStatusEx=present'
	hooked=$(grep -l KMS_TEST_WINDOWS "$KMS_RELEASE_BUILD"/plugins/*.exe 2>/dev/null)
	[ -z "$hooked" ] && t_pass "no release program holds the name KMS_TEST_WINDOWS" ||
		t_fail "no release program holds the name KMS_TEST_WINDOWS" "$hooked"
else
	t_fail "KMS_RELEASE_BUILD names a release build to compare with"
fi

# --- a running service: its pid and uptime ---
install_kmserver
standin start "$kms_service" "$password"
svc_wait_state RUNNING
real_pid=$(toolhelp_pid kmserver.exe)
running_pid() { as_windows "$1" && check | sed -n 's/^KMS_SERVICE OK - MSExchangeKMS is running (pid \([0-9]*\), up [0-9]*s).*/\1/p'; }
pid_2000=$(running_pid 2000)
pid_nt4=$(running_pid nt4)
same "check_kms_service: the running service's pid" "$pid_2000" "$pid_nt4"
[ "$pid_nt4" = "$real_pid" ] && t_pass "that pid is kmserver.exe's process" || t_fail "that pid is kmserver.exe's process" "$pid_nt4 vs $real_pid"

# --- Performance Optimizer ---
timeout 60 $runner "$bin/tests/tools/perfwiz.exe" 40 </dev/null >/dev/null 2>&1 &
perfwiz=$!
svc_wait_for 10 sh -c "KMS_TEST_WINDOWS= timeout 10 $runner '$bin/tests/tools/winapi_probe.exe' procs perfwiz.exe | grep -q count=1"
perfwiz_pid() { as_windows "$1" && check | sed -n 's/.*Performance Optimizer (perfwiz.exe, pid \([0-9]*\)) is running.*/\1/p' | head -n 1; }
perfwiz_refusal() { as_windows "$1" && handler CRITICAL SOFT 3 | grep '^KMS_RESTART' | sed 's/pid [0-9]*/pid N/'; }
pw_2000=$(perfwiz_pid 2000)
pw_nt4=$(perfwiz_pid nt4)
standin stop "$kms_service" >/dev/null 2>&1
svc_wait_state STOPPED
refused_2000=$(perfwiz_refusal 2000)
refused_nt4=$(perfwiz_refusal nt4)
same "check_kms_service finds perfwiz.exe" "$pw_2000" "$pw_nt4"
case $refused_nt4 in
"KMS_RESTART CRITICAL - refused: Performance Optimizer (perfwiz.exe, pid N) is running"*) t_pass "nt4: the handler refuses while perfwiz.exe runs" ;;
*) t_fail "nt4: the handler refuses while perfwiz.exe runs" "$refused_nt4" ;;
esac
same "the handler's refusal while perfwiz.exe runs" "$refused_2000" "$refused_nt4"
kill "$perfwiz" 2>/dev/null
wait "$perfwiz" 2>/dev/null
standin kill "$kms_service" >/dev/null 2>&1

# --- a hung start: its age, then the kill of its own pid ---
for w in 2000 nt4; do
	as_windows $w
	rm -f "$tmp/state/kms-restart.ledger" "$tmp/handler.log"
	install_kmserver
	standin start "$kms_service"
	svc_wait_state START_PENDING
	hung_pid=$(toolhelp_pid kmserver.exe)
	sleep 2
	dry=$(handler --dry-run --hung-after 1s CRITICAL SOFT 3)
	named=$(printf '%s\n' "$dry" | sed -n 's/.*it would end its hung process (pid \([0-9]*\), START_PENDING for \([0-9]*\)s).*/\1 \2/p')
	[ "${named% *}" = "$hung_pid" ] && [ "${named#* }" -ge 2 ] 2>/dev/null &&
		t_pass "$w: the dry run names the hung process (pid $hung_pid) and its age (${named#* }s)" ||
		t_fail "$w: the dry run names the hung process and its age" "$dry" "wanted pid $hung_pid, age >= 2s"
	printf '%s\n' "$dry" | sed 's/pid [0-9]*/pid N/; s/for [0-9]*s/for Ns/' >"$tmp/dry-$w"
	handler --hung-after 1s CRITICAL SOFT 3 | sed 's/pid [0-9]*/pid N/; s/after [0-9]*s/after Ns/' >"$tmp/kill-$w"
	grep -q "end its hung process (pid $hung_pid," "$tmp/handler.log" && t_pass "$w: the process ended is that pid" ||
		t_fail "$w: the process ended is that pid" "$(cat "$tmp/handler.log")"
	ds=$(timeout 10 $runner sc query MSExchangeDS </dev/null 2>/dev/null | tr -d '\r' | awk '/STATE/ {print $4}')
	[ "$ds" = RUNNING ] && t_pass "$w: MSExchangeDS still runs" || t_fail "$w: MSExchangeDS still runs" "it is $ds"
done
same "the dry run over a hung start" "$(cat "$tmp/dry-2000")" "$(cat "$tmp/dry-nt4")"
same "the hung start ended and restarted" "$(cat "$tmp/kill-2000")" "$(cat "$tmp/kill-nt4")"
standin kill "$kms_service" >/dev/null 2>&1

# --- NT 4.0: two processes run the service's image: no pid, no kill ---
rm -f "$tmp/state/kms-restart.ledger"
svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" --log "$wtmp/standin.log"
standin start "$kms_service"
svc_wait_state START_PENDING
sleep 2
as_windows nt4
t_expect "nt4: an ambiguous pid (MSExchangeDS runs the same image): UNKNOWN, said in one line, nothing ended" 3 \
	'^KMS_RESTART UNKNOWN - MSExchangeKMS is START_PENDING: no process to open: 2 processes run its image kms_standin.exe: its pid is ambiguous and none is ended on a guess$' \
	handler_status --hung-after 1s CRITICAL SOFT 3
[ "$(svc_state)" = START_PENDING ] && t_pass "nt4: the hung service was left as it was" || t_fail "nt4: the hung service was left as it was" "$(svc_state)"
standin kill "$kms_service" >/dev/null 2>&1

# --- files past 4 GiB (sparse), read by the same fsys calls ---
big=$tmp/big.bin
truncate -s $((5 * 1024 * 1024 * 1024)) "$big" && printf 'K' | dd of="$big" bs=1 seek=$((4 * 1024 * 1024 * 1024 + 7)) conv=notrunc 2>/dev/null
size_at() { as_windows "$1" && probe size "$wtmp/big.bin" $((4 * 1024 * 1024 * 1024 + 7)); }
size_2000=$(size_at 2000)
size_nt4=$(size_at nt4)
[ "$size_nt4" = "size=5368709120 byte=0x4b" ] && t_pass "GetFileSize/SetFilePointer with the high word: 5 GiB, the byte at 4 GiB + 7" ||
	t_fail "a 5 GiB file's size and its byte at 4 GiB + 7" "$size_nt4"
same "size and read past 4 GiB" "$size_2000" "$size_nt4"
rm -f "$big"

# --- SID text from the SID's fields ---
sid_texts() { as_windows "$1" && probe sid | tr '\n' ' '; }
sid_2000=$(sid_texts 2000)
sid_nt4=$(sid_texts nt4)
case $sid_2000 in
"S-1-5-18 same S-1-5-32-544 same S-1-0x010203040506-1-2-3-4-5-6-7-4294967295 "*) t_pass "SID text: as ConvertSidToStringSidW writes it, hex for a 48-bit authority" ;;
*) t_fail "SID text" "$sid_2000" ;;
esac
same "SID text" "$(printf '%s' "$sid_2000" | awk '{print $1, $3, $5}')" "$(printf '%s' "$sid_nt4" | awk '{print $1, $3, $5}')"

# --- the lock between the handler and kms_backup ---
for w in 2000 nt4; do
	as_windows $w
	rm -f "$tmp/state/kms-restart.ledger"
	install_kmserver --start-delay 4000
	handler CRITICAL SOFT 3 >"$tmp/h1" 2>&1 &
	h1=$!
	svc_wait_state START_PENDING
	kms_backup | head -n 1 >"$tmp/busy-$w"
	wait "$h1"
	head -n 1 "$tmp/h1" | sed 's/pid [0-9]*/pid N/g; s/after [0-9]*s/after Ns/' >"$tmp/h1-$w"
	standin kill "$kms_service" >/dev/null 2>&1
done
busy_nt4=$(cat "$tmp/busy-nt4")
case $busy_nt4 in
"KMS_BACKUP_RUN UNKNOWN - handle_kms_restart (or another kms_backup) is at work on the service (lock 'kms-service' held)"*)
	t_pass "nt4: kms_backup meets the handler's lock (its plain name)" ;;
*) t_fail "nt4: kms_backup meets the handler's lock" "$busy_nt4" ;;
esac
same "kms_backup while the handler restarts" "$(cat "$tmp/busy-2000")" "$busy_nt4"
same "the handler's restart beside it" "$(cat "$tmp/h1-2000")" "$(cat "$tmp/h1-nt4")"

t_summary
