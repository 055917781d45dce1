#!/bin/sh
# handle_kms_restart under Wine against the stand-in KM service: the skip
# rules, the restart with the password (absent from every process command
# line, the output and the logs), wrong password, hung start killed then
# restarted, budget, two handlers at once, the lock shared with kms_backup,
# refusals (password file too open, Performance Optimizer, unsound Kmsdata
# naming the newest backup, a Kmsdata it cannot find), a hung STOP_PENDING,
# dry run, bad input, and the timeout. Needs the win64 build as top_builddir.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"

svc_setup restart
state=$tmp/state
mkdir -p "$state"
# handler ARGS...: the handler with the test's folders and password file;
# handler_pw FILE ARGS...: with another password file (an option is given
# once: twice is refused).
handler_pw() {
	pw=$1
	shift
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/state" \
		--password-file "$pw" --log "$wtmp/handler.log" --kmsdata "$wtmp/kmsdata" "$@" </dev/null
}
handler() { handler_pw "$wtmp/Kmspwd.ini" "$@"; }
kms_backup() {
	timeout 60 $runner "$bin/plugins/kms_backup.exe" -k "$wtmp/kmsdata" -d "$wtmp/kb" -f "$wtmp/Kmspwd.ini" \
		--service "$kms_service" --stop-timeout 20s --start-timeout 20s -t 50 "$@" </dev/null
}
fresh_ledger() { rm -f "$state/kms-restart.ledger"; }
restarts() { cat "$state/kms-restart.ledger" 2>/dev/null | grep -c '^restart '; }
starts() { cat "$tmp/standin.log" 2>/dev/null | grep -c 'started with 2 argument'; }
install_kms() { svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" --evt "$wtmp/app.evt" --log "$wtmp/standin.log" "$@"; }
make_edb() { timeout 30 $runner "$bin/tests/tools/esegen.exe" "Z:$1" state=3 </dev/null >/dev/null; }
make_edb "$tmp/kmsdata/Kmsmdb.edb"

# --- bad input: one line, non-zero, no restart ---
install_kms
t_expect "--help exits 3 and documents the arguments" 3 'Nagios: \$SERVICESTATE\$ \$SERVICESTATETYPE\$ \$SERVICEATTEMPT\$' handler --help
t_expect "no state given" 3 '^KMS_RESTART UNKNOWN - --state: the service state, state type and attempt are all needed' handler
t_expect "bad state" 3 "^KMS_RESTART UNKNOWN - --state: 'BROKEN' is not a state" handler BROKEN SOFT 3
t_expect "bad state type" 3 "^KMS_RESTART UNKNOWN - --state-type: 'MEDIUM' is not SOFT or HARD" handler CRITICAL MEDIUM 3
t_expect "bad attempt" 3 "^KMS_RESTART UNKNOWN - --attempt: 'x' is not a whole number" handler CRITICAL SOFT x
t_expect "two positionals" 3 '^KMS_RESTART UNKNOWN - arguments: STATE STATE-TYPE ATTEMPT: all three are needed' handler CRITICAL SOFT
t_expect "malformed duration" 3 "^KMS_RESTART UNKNOWN - --per: '1hour' is not a duration" handler --per 1hour CRITICAL SOFT 3
t_expect "missing --state-dir" 3 '^KMS_RESTART UNKNOWN - --state-dir: is required' \
	timeout 30 $runner "$bin/plugins/handle_kms_restart.exe" --password-file "$wtmp/Kmspwd.ini" CRITICAL SOFT 3
t_expect "missing password file" 3 "^KMS_RESTART UNKNOWN - --password-file: cannot open 'Z:$tmp/none'" \
	handler_pw "$wtmp/none" CRITICAL SOFT 3
: >"$tmp/empty"
chmod 600 "$tmp/empty"
t_expect "empty password file" 3 "^KMS_RESTART UNKNOWN - --password-file: 'Z:$tmp/empty' is empty" \
	handler_pw "$wtmp/empty" CRITICAL SOFT 3
t_expect "a state folder that does not exist: UNKNOWN, before any action" 3 \
	"^KMS_RESTART UNKNOWN - refused: cannot keep the restart budget: cannot write 'Z:$tmp/nowhere/kms-restart.ledger'" \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/nowhere" --password-file "$wtmp/Kmspwd.ini" --kmsdata "$wtmp/kmsdata" CRITICAL SOFT 3
t_expect "--help names the default Kmsdata" 3 'value Services, else C:.exchsrvr, plus .kmsdata' handler --help
t_expect "no --kmsdata and no Kmsdata at the default place: UNKNOWN, never unchecked" 3 \
	"^KMS_RESTART UNKNOWN - --kmsdata: no Kmsdata folder 'C:.exchsrvr.kmsdata': cannot tell whether Kmsdata is sound: not restarting" \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/state" --password-file "$wtmp/Kmspwd.ini" CRITICAL SOFT 3
t_expect "--max-restarts beyond what the ledger can count" 3 "^KMS_RESTART UNKNOWN - --max-restarts: " handler --max-restarts 255 CRITICAL SOFT 3
t_expect "unknown service" 3 '^KMS_RESTART UNKNOWN - NoSuchService is not installed: nothing to restart' \
	handler --service NoSuchService CRITICAL SOFT 3
lines=$(printf '%s\n' "$t_out" | wc -l)
[ "$lines" -eq 1 ] && t_pass "a failure is one line" || t_fail "a failure is one line" "$lines lines"
[ "$(restarts)" -eq 0 ] && [ "$(svc_state)" = STOPPED ] && t_pass "bad input restarted nothing" ||
	t_fail "bad input restarted nothing" "state $(svc_state), $(restarts) restarts"

# Paths too long for the ledger's or Kmsmdb.edb's name: UNKNOWN, and in the
# event log (both once ended the handler without a record). The printed line
# is cut at 1 KiB (plugin_exit), the log holds all of it.
long=$(printf '%01100d' 0)
t_expect "a --state-dir too long for the ledger's name: UNKNOWN" 3 "^KMS_RESTART UNKNOWN - --state-dir: 'Z:$tmp/0{900}" \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/$long" --password-file "$wtmp/Kmspwd.ini" \
	--log "$wtmp/handler.log" --kmsdata "$wtmp/kmsdata" CRITICAL SOFT 3
grep -q "ERROR 3: --state-dir: 'Z:$tmp/0*' is too long" "$tmp/handler.log" && t_pass "the --state-dir too long is in the log" ||
	t_fail "the --state-dir too long is in the log"
t_expect "a --kmsdata too long for Kmsmdb.edb's name: UNKNOWN" 3 "^KMS_RESTART UNKNOWN - --kmsdata: 'Z:$tmp/0{900}" \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/state" --password-file "$wtmp/Kmspwd.ini" \
	--log "$wtmp/handler.log" --kmsdata "$wtmp/$long" CRITICAL SOFT 3
grep -q "ERROR 2: --kmsdata: 'Z:$tmp/0*' is too long" "$tmp/handler.log" && t_pass "the --kmsdata too long is in the log" ||
	t_fail "the --kmsdata too long is in the log"
[ "$(restarts)" -eq 0 ] && [ "$(svc_state)" = STOPPED ] && t_pass "paths too long restarted nothing" ||
	t_fail "paths too long restarted nothing" "state $(svc_state), $(restarts) restarts"

# --- skip rules ---
t_expect "OK: skipped" 0 '^KMS_RESTART OK - skipped \(OK HARD\)$' handler OK HARD 3
t_expect "WARNING: skipped, -v says why" 0 '^KMS_RESTART OK - skipped: MSExchangeKMS is WARNING SOFT; only CRITICAL starts a restart$' handler -v WARNING SOFT 1
t_expect "UNKNOWN: skipped" 0 '^KMS_RESTART OK - skipped \(UNKNOWN HARD\)' handler --state=UNKNOWN --state-type=HARD --attempt=1
t_expect "CRITICAL SOFT below the attempt: skipped" 0 '^KMS_RESTART OK - skipped: CRITICAL SOFT attempt 1; the restart is at attempt 3$' handler -v CRITICAL SOFT 1
t_expect "--soft-attempt moves it" 0 '^KMS_RESTART OK - skipped \(CRITICAL SOFT attempt 3\)' handler --soft-attempt 2 CRITICAL SOFT 3
[ "$(restarts)" -eq 0 ] && [ "$(svc_state)" = STOPPED ] && t_pass "skips restarted nothing" || t_fail "skips restarted nothing"

# --- dry run ---
t_expect "--dry-run says what it would do" 0 "^KMS_RESTART OK - dry run: every check passed; it would start MSExchangeKMS with its startup parameter from 'Z:$tmp/Kmspwd.ini'$" \
	handler --dry-run --kmsdata "$wtmp/kmsdata" CRITICAL SOFT 3
[ "$(restarts)" -eq 0 ] && [ "$(svc_state)" = STOPPED ] && t_pass "--dry-run changed nothing" || t_fail "--dry-run changed nothing"

# --- the restart, watching every process's command line meanwhile ---
: >"$tmp/cmdlines"
(
	while [ ! -f "$tmp/stop-watch" ]; do
		for f in /proc/[0-9]*/cmdline; do { tr '\0' ' ' <"$f" && echo; } 2>/dev/null; done >>"$tmp/cmdlines"
	done
) &
watcher=$!
install_kms --start-delay 1500
handler --kmsdata "$wtmp/kmsdata" CRITICAL SOFT 3 >"$tmp/out" 2>&1
status=$?
touch "$tmp/stop-watch"
wait "$watcher"
out=$(cat "$tmp/out")
t_out=$out
if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -Eq '^KMS_RESTART OK - restarted MSExchangeKMS with its startup parameter: RUNNING \(pid [0-9]+\) after [0-9]+s'; then
	t_pass "CRITICAL SOFT 3: restarted with the password, RUNNING"
else
	t_fail "CRITICAL SOFT 3: restarted with the password, RUNNING" "status $status: $out"
fi
[ "$(svc_state)" = RUNNING ] && t_pass "the service manager says RUNNING" || t_fail "the service manager says RUNNING" "$(svc_state)"
grep -q 'handle_kms_restart.exe.*Kmspwd.ini' "$tmp/cmdlines" && grep -q 'kms_standin.exe" *run\|kms_standin.exe run' "$tmp/cmdlines" &&
	t_pass "command lines were read during the restart (the handler's, with its file name, and the service's)" ||
	t_fail "command lines were read during the restart" "$(grep -c . "$tmp/cmdlines") lines"
t_no_password "every process command line during the restart" "$(cat "$tmp/cmdlines")"
t_no_password "the handler's output" "$out"
t_no_password "the handler's log" "$(cat "$tmp/handler.log")"
t_no_password "the service's log" "$(cat "$tmp/standin.log")"
grep -q 'INFO 1: restarted MSExchangeKMS' "$tmp/handler.log" && t_pass "the restart is in the handler's log" || t_fail "the restart is in the handler's log"
t_expect "RUNNING already: nothing to do" 0 '^KMS_RESTART OK - MSExchangeKMS is RUNNING \(pid [0-9]+\): nothing to do' handler CRITICAL SOFT 3

# --- HARD after the SOFT restart: not again; after a recovery: yes ---
standin stop MSExchangeKMS
svc_wait_state STOPPED
t_expect "CRITICAL HARD after a SOFT restart: skipped" 0 '^KMS_RESTART OK - skipped: CRITICAL HARD, but this problem was already met by a restart' handler -v CRITICAL HARD 4
t_expect "OK SOFT (a recovery from SOFT) notes the recovery" 0 '^KMS_RESTART OK - skipped' handler OK SOFT 1
grep -q '^recovered ' "$state/kms-restart.ledger" && t_pass "the recovery is in the ledger" || t_fail "the recovery is in the ledger"
t_expect "CRITICAL HARD of a new problem (Icinga 2 attempt 1): restarted" 0 '^KMS_RESTART OK - restarted MSExchangeKMS' handler CRITICAL HARD 1

# --- budget ---
standin stop MSExchangeKMS
svc_wait_state STOPPED
t_expect "budget spent: WARNING, nothing done" 1 '^KMS_RESTART WARNING - restart budget spent: 2 restarts of MSExchangeKMS in the last 1h \(--max-restarts 2\): doing nothing$' \
	handler --max-restarts 2 CRITICAL SOFT 3
[ "$(svc_state)" = STOPPED ] && t_pass "budget spent: the service was not started" || t_fail "budget spent: the service was not started"
grep -q 'WARNING 6: restart budget spent' "$tmp/handler.log" && t_pass "the spent budget is in the log" || t_fail "the spent budget is in the log"
t_expect "a short --per frees the budget" 0 '^KMS_RESTART OK - restarted' handler --max-restarts 2 --per 1s CRITICAL SOFT 3

# --- wrong password ---
fresh_ledger
standin stop MSExchangeKMS
svc_wait_state STOPPED
printf 'not-the-password\n' >"$tmp/wrong"
chmod 600 "$tmp/wrong"
t_expect "wrong password: CRITICAL, 5057 explained" 2 '^KMS_RESTART CRITICAL - restart failed: MSExchangeKMS stopped during its start, service-specific error 5057: the KMS password is not valid' \
	handler_pw "$wtmp/wrong" CRITICAL SOFT 3

# --- password file too open ---
fresh_ledger
chmod 644 "$tmp/Kmspwd.ini"
t_expect "password file readable by others: refused" 2 "^KMS_RESTART CRITICAL - refused: --password-file: 'Z:$tmp/Kmspwd.ini' is readable by " handler CRITICAL SOFT 3
chmod 602 "$tmp/Kmspwd.ini"
t_expect "password file writable by others: refused" 2 "^KMS_RESTART CRITICAL - refused: --password-file: 'Z:$tmp/Kmspwd.ini' is changeable \(write or access-list rights\) by " handler CRITICAL SOFT 3
chmod 600 "$tmp/Kmspwd.ini"
[ "$(svc_state)" = STOPPED ] && t_pass "too open: not started" || t_fail "too open: not started"

# --- Performance Optimizer running ---
timeout 60 $runner "$bin/tests/tools/perfwiz.exe" 50 </dev/null >/dev/null 2>&1 &
perfwiz_pid=$!
svc_wait_for 10 sh -c "timeout 10 $runner '$bin/plugins/check_kms_service.exe' --depends-on '' | grep -q 'Performance Optimizer'"
t_expect "perfwiz.exe running: refused" 2 '^KMS_RESTART CRITICAL - refused: Performance Optimizer \(perfwiz.exe, pid [0-9]+\) is running' handler CRITICAL SOFT 3
kill "$perfwiz_pid" 2>/dev/null
wait "$perfwiz_pid" 2>/dev/null
grep -q 'ERROR 2: refused: Performance Optimizer' "$tmp/handler.log" && t_pass "the refusal is in the log" || t_fail "the refusal is in the log"

# --- unsound Kmsdata, naming the newest backup set ---
# (a set dated ahead of the clock is no backup to name: the newest believable one is)
mkdir -p "$tmp/backup/KMS-20261101T000000Z" "$tmp/backup/KMS-20261120T000000Z" "$tmp/backup/KMS-20991231T000000Z"
make_edb "$tmp/backup/KMS-20261101T000000Z/Kmsmdb.edb"
make_edb "$tmp/backup/KMS-20261120T000000Z/Kmsmdb.edb"
make_edb "$tmp/backup/KMS-20991231T000000Z/Kmsmdb.edb"
touch -d '2026-11-01 00:00:00' "$tmp/backup/KMS-20261101T000000Z/Kmsmdb.edb"
touch -d '2026-11-20 00:00:00' "$tmp/backup/KMS-20261120T000000Z/Kmsmdb.edb"
touch -d '2099-12-31 00:00:00' "$tmp/backup/KMS-20991231T000000Z/Kmsmdb.edb"
before=$(starts)
mv "$tmp/kmsdata/Kmsmdb.edb" "$tmp/good.edb"
t_expect "Kmsmdb.edb missing: refused, newest backup named" 2 \
	"^KMS_RESTART CRITICAL - refused: 'Z:$tmp/kmsdata/Kmsmdb.edb' is missing: .*restore Kmsdata from the offline backup: the newest set is '.*KMS-20261120T000000Z' \(20261120T000000Z\)$" \
	handler --kmsdata "$wtmp/kmsdata" --backup-dir "$wtmp/backup" CRITICAL SOFT 3
printf 'this is no database' >"$tmp/kmsdata/Kmsmdb.edb"
t_expect "ESE header invalid: refused" 2 "^KMS_RESTART CRITICAL - refused: 'Z:$tmp/kmsdata/Kmsmdb.edb' is not a sound ESE database: .*restore Kmsdata from the offline backup" \
	handler --kmsdata "$wtmp/kmsdata" --backup-dir "$wtmp/backup" CRITICAL SOFT 3
rm -f "$tmp/kmsdata/Kmsmdb.edb"
mkdir "$tmp/kmsdata/Kmsmdb.edb"
t_expect "Kmsmdb.edb that cannot be read (not missing, not decoded): UNKNOWN, no restore advice" 3 \
	"^KMS_RESTART UNKNOWN - cannot tell whether Kmsdata is sound: .*: not restarting$" \
	handler --kmsdata "$wtmp/kmsdata" --backup-dir "$wtmp/backup" CRITICAL SOFT 3
rmdir "$tmp/kmsdata/Kmsmdb.edb"
mv "$tmp/good.edb" "$tmp/kmsdata/Kmsmdb.edb"
[ "$(starts)" -eq "$before" ] && [ "$(svc_state)" = STOPPED ] && t_pass "no start over an unsound Kmsdata" ||
	t_fail "no start over an unsound Kmsdata" "$(($(starts) - before)) starts"

# A Kmsdata the header check cannot fault but the service can: it traps the
# exception (5058, written to app.evt); the next handler refuses on the event.
fresh_ledger
mkdir -p "$tmp/damaged"
svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/damaged" --evt "$wtmp/app.evt" --log "$wtmp/standin.log"
t_expect "the start traps the exception: CRITICAL, restore advice" 2 \
	"^KMS_RESTART CRITICAL - restart failed: MSExchangeKMS stopped during its start, service-specific error 5058: .*restore Kmsdata from the offline backup: the newest set is '.*KMS-20261120T000000Z'" \
	handler --backup-dir "$wtmp/backup" CRITICAL SOFT 3
[ -s "$tmp/app.evt" ] && t_pass "the stand-in wrote Event 5058 to app.evt" || t_fail "the stand-in wrote Event 5058 to app.evt"
t_expect "Event 5058 since the last start: refused, newest backup named" 2 \
	"^KMS_RESTART CRITICAL - refused: Event 5058 \(the KM service trapped an exception\) was logged 1 time since .*restore Kmsdata from the offline backup: the newest set is" \
	handler --event-file "$wtmp/app.evt" --backup-dir "$wtmp/backup" CRITICAL SOFT 3
t_expect "an unreadable event file: UNKNOWN" 3 "^KMS_RESTART UNKNOWN - cannot look for Event 5058: " \
	handler --event-file "$wtmp/nothing.evt" CRITICAL SOFT 3
# Repaired and started by hand, seen OK by the core: the old event no longer counts.
sleep 1
t_expect "OK after a repair by hand notes the recovery" 0 '^KMS_RESTART OK - skipped' handler OK HARD 1
install_kms
sleep 1
t_expect "Event 5058 older than the last recovery: restarted" 0 '^KMS_RESTART OK - restarted' \
	handler --event-file "$wtmp/app.evt" --backup-dir "$wtmp/backup" CRITICAL SOFT 3
standin stop MSExchangeKMS
svc_wait_state STOPPED
t_expect "Event 5058 older than the last successful start: restarted" 0 '^KMS_RESTART OK - restarted' \
	handler --event-file "$wtmp/app.evt" --backup-dir "$wtmp/backup" CRITICAL SOFT 3

# --- hung in START_PENDING: left alone while young, then killed and restarted ---
fresh_ledger
install_kms
standin start MSExchangeKMS
svc_wait_state START_PENDING
t_expect "young START_PENDING: left alone" 1 '^KMS_RESTART WARNING - MSExchangeKMS is START_PENDING for [0-9]+s, less than --hung-after 1h: left alone' \
	handler --hung-after 1h CRITICAL SOFT 3
sleep 2
t_expect "--dry-run names the hung pid" 0 '^KMS_RESTART OK - dry run: every check passed; it would end its hung process \(pid [0-9]+, START_PENDING for [0-9]+s\), then start MSExchangeKMS' \
	handler --dry-run --hung-after 1s CRITICAL SOFT 3
t_expect "hung START_PENDING: killed, then restarted to RUNNING" 0 '^KMS_RESTART OK - restarted MSExchangeKMS with its startup parameter: RUNNING' \
	handler --hung-after 1s CRITICAL SOFT 3
grep -q 'WARNING 4: end its hung process' "$tmp/handler.log" && t_pass "the kill is in the log" || t_fail "the kill is in the log"
ds=$(timeout 10 $runner sc query MSExchangeDS </dev/null 2>/dev/null | tr -d '\r' | awk '/STATE/ {print $4}')
[ "$ds" = RUNNING ] && t_pass "only the hung pid was ended: MSExchangeDS (the same kms_standin.exe image) still runs" ||
	t_fail "only the hung pid was ended" "MSExchangeDS is $ds"

# --- a hung start beside a Kmsmdb.edb it cannot read: read again once the process is ended ---
fresh_ledger
install_kms
standin start MSExchangeKMS
svc_wait_state START_PENDING
sleep 2
mv "$tmp/kmsdata/Kmsmdb.edb" "$tmp/good.edb"
mkdir "$tmp/kmsdata/Kmsmdb.edb"
t_expect "--dry-run: Kmsmdb.edb unreadable beside a hung process: to be read again after its end" 0 \
	'^KMS_RESTART OK - dry run: every check passed; it would end its hung process \(pid [0-9]+, START_PENDING for [0-9]+s\), then read Kmsmdb.edb again \(now: .+\), then start MSExchangeKMS' \
	handler --dry-run --hung-after 1s CRITICAL SOFT 3
before=$(starts)
t_expect "still unreadable once the hung process is ended: UNKNOWN" 3 \
	'^KMS_RESTART UNKNOWN - cannot tell whether Kmsdata is sound: .+: not restarting \(its hung process was ended\)$' \
	handler --hung-after 1s CRITICAL SOFT 3
[ "$(starts)" -eq "$before" ] && t_pass "not started over a Kmsmdb.edb it cannot read" || t_fail "not started over a Kmsmdb.edb it cannot read"
rmdir "$tmp/kmsdata/Kmsmdb.edb"
mv "$tmp/good.edb" "$tmp/kmsdata/Kmsmdb.edb"

# --- a recovery is noted or the failure said ---
t_expect "OK with a state folder it cannot write: UNKNOWN, said" 3 "^KMS_RESTART UNKNOWN - cannot note the recovery of MSExchangeKMS: .*nowhere" \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/nowhere" --password-file "$wtmp/Kmspwd.ini" OK HARD 1

# --- two handlers at once: exactly one restart ---
fresh_ledger
install_kms --start-delay 2000
before=$(starts)
handler CRITICAL SOFT 3 >"$tmp/h1" 2>&1 &
h1=$!
handler CRITICAL SOFT 3 >"$tmp/h2" 2>&1 &
h2=$!
wait "$h1" "$h2"
both=$(cat "$tmp/h1" "$tmp/h2")
printf '%s\n' "$both" | sed 's/^/      /' 
n_restarted=$(printf '%s\n' "$both" | grep -c '^KMS_RESTART OK - restarted')
n_other=$(printf '%s\n' "$both" | grep -Ec '^KMS_RESTART OK - (another handle_kms_restart is at work: doing nothing|MSExchangeKMS is (RUNNING|START_PENDING))|^KMS_RESTART WARNING - MSExchangeKMS is START_PENDING')
if [ "$n_restarted" -eq 1 ] && [ "$n_other" -eq 1 ] && [ $(($(starts) - before)) -eq 1 ] && [ "$(restarts)" -eq 1 ]; then
	t_pass "two handlers at once: exactly one restart"
else
	t_fail "two handlers at once: exactly one restart" "$both" "service starts: $(($(starts) - before)), ledger: $(restarts)"
fi

# --- the lock shared with kms_backup: neither touches the service while the other works ---
fresh_ledger
mkdir -p "$tmp/kb"
install_kms --start-delay 4000
stops=$(grep -c 'stopped$' "$tmp/standin.log")
handler CRITICAL SOFT 3 >"$tmp/h1" 2>&1 &
h1=$!
svc_wait_state START_PENDING
t_expect "kms_backup while the handler restarts: UNKNOWN, nothing changed" 3 \
	"^KMS_BACKUP_RUN UNKNOWN - handle_kms_restart \(or another kms_backup\) is at work on the service \(lock 'kms-service' held\): nothing was changed" kms_backup
t_expect "an OK while a handler works waits for the ledger, then notes the recovery" 0 '^KMS_RESTART OK - skipped \(OK HARD\)$' handler OK HARD 1
wait "$h1"
grep -q '^recovered ' "$state/kms-restart.ledger" && grep -q '^started ' "$state/kms-restart.ledger" &&
	t_pass "the ledger keeps both the recovery and the handler's start" ||
	t_fail "the ledger keeps both the recovery and the handler's start" "$(cat "$state/kms-restart.ledger")"
grep -q '^KMS_RESTART OK - restarted' "$tmp/h1" && [ -z "$(ls "$tmp/kb")" ] && [ "$(grep -c 'stopped$' "$tmp/standin.log")" -eq "$stops" ] &&
	t_pass "the handler's restart went on; kms_backup stopped nothing, copied nothing" ||
	t_fail "the handler's restart went on; kms_backup stopped nothing" "$(cat "$tmp/h1"; ls "$tmp/kb")"
fresh_ledger
before=$(starts)
kms_backup >"$tmp/kb.out" 2>&1 &
kb=$!
svc_wait_state START_PENDING
t_expect "the handler while kms_backup works: does nothing" 0 \
	"^KMS_RESTART OK - kms_backup is at work on MSExchangeKMS \(lock 'kms-service' held\): doing nothing$" handler CRITICAL SOFT 3
wait "$kb"
grep -q '^KMS_BACKUP_RUN OK - backed up' "$tmp/kb.out" && [ $(($(starts) - before)) -eq 1 ] && [ "$(restarts)" -eq 0 ] &&
	t_pass "kms_backup's cycle went on; the handler started nothing (one start: kms_backup's)" ||
	t_fail "kms_backup's cycle went on; the handler started nothing" "$(cat "$tmp/kb.out"), $(($(starts) - before)) starts"
standin kill MSExchangeKMS

# --- a lock name squatted by another program (not SYSTEM, Administrators or this account) ---
timeout 30 $runner "$bin/tests/tools/kms_standin.exe" squat kms-service 8 </dev/null >"$tmp/squat" 2>&1 &
squatter=$!
svc_wait_for 10 grep -q holding "$tmp/squat"
t_expect "a squatted service lock: UNKNOWN, nothing done" 3 \
	"^KMS_RESTART UNKNOWN - the lock 'kms-service' exists but is not owned by SYSTEM, Administrators or this account: another program holds its name$" \
	handler CRITICAL SOFT 3
wait "$squatter"

# --- hung in STOP_PENDING: never by its process's age (the uptime), by its checkpoint ---
fresh_ledger
install_kms --stop-hang --moving-checkpoint
handler CRITICAL SOFT 3 >/dev/null
sleep 3
standin stop MSExchangeKMS
svc_wait_state STOP_PENDING
t_expect "STOP_PENDING, its checkpoint moving: left alone though its process is older than --hung-after" 1 \
	'^KMS_RESTART WARNING - MSExchangeKMS is STOP_PENDING and its checkpoint moves \(now [0-9]+\): left alone$' handler --hung-after 2s CRITICAL SOFT 3
[ "$(svc_state)" = STOP_PENDING ] && t_pass "a moving STOP_PENDING was not ended" || t_fail "a moving STOP_PENDING was not ended" "$(svc_state)"
t_expect "STOP_PENDING: no time for the watch within -t: left alone" 1 \
	'^KMS_RESTART WARNING - MSExchangeKMS is STOP_PENDING: watching its checkpoint for 30s .* leaves no time for the start within -t: left alone' \
	handler --hung-after 30s -t 40 --start-timeout 20s CRITICAL SOFT 3
standin kill MSExchangeKMS
fresh_ledger
install_kms --stop-hang
handler CRITICAL SOFT 3 >/dev/null
standin stop MSExchangeKMS
svc_wait_state STOP_PENDING
t_expect "STOP_PENDING, its checkpoint unmoved for --hung-after: ended, then restarted" 0 \
	'^KMS_RESTART OK - restarted MSExchangeKMS with its startup parameter: RUNNING' handler --hung-after 2s CRITICAL SOFT 3
grep -q 'WARNING 4: end its hung process (pid [0-9]*, STOP_PENDING, checkpoint [0-9]* unmoved for 2s)' "$tmp/handler.log" &&
	t_pass "the end of the STOP_PENDING process is in the log" || t_fail "the end of the STOP_PENDING process is in the log"
standin kill MSExchangeKMS

# --- the timeout: not started when -t leaves less than --start-timeout ---
fresh_ledger
install_kms --hang-always
before=$(starts)
t_expect "-t 4 with --start-timeout 60: UNKNOWN, not started" 3 \
	'^KMS_RESTART UNKNOWN - refused: not enough time left: waiting for RUNNING takes up to [0-9a-z .]+ \(--start-timeout\), -t leaves [0-9a-z .]+: raise -t or lower --start-timeout$' \
	handler -t 4 --start-timeout 60 CRITICAL SOFT 3
[ "$(starts)" -eq "$before" ] && [ "$(restarts)" -eq 0 ] && t_pass "no time: nothing started, no budget spent" ||
	t_fail "no time: nothing started, no budget spent"
t_out=$(handler -t 30 --start-timeout 3 CRITICAL SOFT 3)
t_status=$?
if [ $t_status -eq 2 ] && printf '%s\n' "$t_out" | grep -Eq '^KMS_RESTART CRITICAL - restart failed: MSExchangeKMS is still START_PENDING after [0-9]+s \(checkpoint 1, not moving\)$'; then
	t_pass "--start-timeout 3 ends the wait for RUNNING with its own answer"
else
	t_fail "--start-timeout 3 ends the wait for RUNNING with its own answer" "status $t_status: $t_out"
fi
standin kill MSExchangeKMS

# --- a wait hint too large for a long (0xFFFFFFFF ms): clamped, not taken for "stalled at once" ---
fresh_ledger
install_kms --hang-always --wait-hint 4294967295
t_expect "a huge wait hint: the wait runs to --start-timeout" 2 \
	'^KMS_RESTART CRITICAL - restart failed: MSExchangeKMS is still START_PENDING after [0-9]+s \(checkpoint 1, not moving\)$' \
	handler -t 30 --start-timeout 3 CRITICAL SOFT 3
standin kill MSExchangeKMS

# --- a start that makes no progress within its wait hint: given up early ---
fresh_ledger
install_kms --hang-always --wait-hint 1000
t_expect "no progress for the wait hint: CRITICAL before --start-timeout" 2 \
	'^KMS_RESTART CRITICAL - restart failed: MSExchangeKMS is still START_PENDING after [0-9]+s, its checkpoint 1 unmoved for its wait hint \(1s\): it hangs in its start$' \
	handler -t 60 --start-timeout 50 CRITICAL SOFT 3
standin kill MSExchangeKMS

svc_cleanup
t_summary
