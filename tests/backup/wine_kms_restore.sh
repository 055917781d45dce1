#!/bin/sh
# kms_restore under Wine against the stand-in KM service (tests/tools/kms_standin):
# the whole story after a 5058 (stopped with 5058 -> restore -> RUNNING with
# the password -> check_kms_service OK -> the handler's ledger notes the
# recovery, event 201 recorded, and so handle_kms_restart is no longer held
# back by the 5058 before the restore), a wrong password (the service does not
# start, the restored folder stays, the message says so), a service that will
# not stop, and the service lock held by another program.
# Env (quickstart's Wine runner): RUNNER=wine, WINEPREFIX with `wineserver -p`
# running, top_builddir = the win64 build, KMS_LINUX_BUILD = the Linux build.
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-wine}
win=$top_builddir
esegen=${KMS_LINUX_BUILD:?KMS_LINUX_BUILD must name the Linux build}/tests/tools/esegen
restore=$win/plugins/kms_restore.exe
backup=$win/plugins/kms_backup.exe
service_check=$win/plugins/check_kms_service.exe
handler=$win/plugins/handle_kms_restart.exe
standin=$win/tests/tools/kms_standin.exe
svc=KmsRestoreTest$$
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-restore-wine.XXXXXX")
cleanup() {
	for s in KmsRestoreTest$$ KmsRestoreHang$$; do
		$runner "$standin" kill "$s" >/dev/null 2>&1
		$runner "$standin" uninstall "$s" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
w() { winepath -w "$1" 2>/dev/null; }
state() { $runner sc query "$svc" 2>/dev/null | tr -d '\r' | awk '/STATE/ {print $4}'; }
wait_state() {
	i=0
	while [ "$(state)" != "$1" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
}
install() {
	$runner "$standin" kill "$svc" >/dev/null 2>&1
	$runner "$standin" uninstall "$svc" >/dev/null 2>&1
	$runner "$standin" install "$svc" "KMS restore test $svc" demand - --expect "$(w "$work/expected.ini")" \
		--kmsdata "$(w "$work/exch/kmsdata")" --evt "$(w "$work/app.evt")" --log "$(w "$work/svc.log")" "$@" >/dev/null 2>&1
}
# damage: Kmsmdb.edb as a 5058 finds it (no ESE signature), a log the set lacks.
damage() {
	printf 'garbage!' | dd of="$work/exch/kmsdata/Kmsmdb.edb" bs=1 seek=0 conv=notrunc 2>/dev/null
	printf 'newer log' >"$work/exch/kmsdata/edb00002.log"
}
# stop_with_5058: stop the service, damage Kmsdata, start it: it stops with 5058.
stop_with_5058() {
	$runner "$standin" stop "$svc" >/dev/null 2>&1
	wait_state STOPPED
	damage
	$runner "$standin" start "$svc" KmsPassword15c >/dev/null 2>&1
	wait_state STOPPED
	sleep 1
}

mkdir -p "$work/exch/kmsdata/sub" "$work/sets" "$work/state"
"$esegen" "$work/exch/kmsdata/Kmsmdb.edb" pages=24
printf 'log records' >"$work/exch/kmsdata/edb00001.log"
printf 'k' >"$work/exch/kmsdata/sub/keys.dat"
printf '[config]\npwd=KmsPassword15c\n' >"$work/pwd.ini"
cp "$work/pwd.ini" "$work/expected.ini"
chmod 600 "$work/pwd.ini" "$work/expected.ini"
install
$runner "$standin" start "$svc" KmsPassword15c >/dev/null 2>&1
wait_state RUNNING
# kr ARGS...: kms_restore on the test's site, waiting $stop (default 5s) for
# the stop; kr_stop_3s waits 3s (an option is given once: twice is refused).
kr() {
	$runner "$restore" -k "$(w "$work/exch/kmsdata")" -d "$(w "$work/sets")" -f "$(w "$work/pwd.ini")" --service "$svc" \
		--state-dir "$(w "$work/state")" --log-file "$(w "$work/events.log")" --stop-timeout "${stop:-5s}" \
		--start-timeout 20s -t 120 "$@"
}
kr_stop_3s() {
	stop=3s
	kr "$@"
	rc=$?
	unset stop
	return $rc
}
$runner "$backup" -k "$(w "$work/exch/kmsdata")" -d "$(w "$work/sets")" -f "$(w "$work/pwd.ini")" --service "$svc" \
	--stop-timeout 20s --start-timeout 20s -t 120 >/dev/null 2>&1
set=$(cd "$work/sets" && ls -d kmsdata-* 2>/dev/null | head -n 1)
if [ -n "$set" ] && [ "$(state)" = RUNNING ]; then t_pass "a backup set, the service running"; else t_fail "a backup set, the service running" "set '$set', state $(state)"; fi

# --- the story after a 5058 ---
stop_with_5058
if grep -q 'event 5058' "$work/svc.log" && [ "$(state)" = STOPPED ]; then t_pass "the damaged Kmsdata stops the service with 5058"; else t_fail "stopped with 5058" "state $(state)" "$(tail -3 "$work/svc.log")"; fi
t_expect "the dry run says what it would do and lose" 0 "^KMS_RESTORE OK - dry run: would stop $svc, restore .* from set $set: keys enrolled after .* are not in this set, move the damaged folder to .*kmsdata.damaged-[0-9]{8}T[0-9]{6}Z, then start it with its password$" kr --dry-run
t_expect "the restore brings the service back" 0 "^KMS_RESTORE OK - restored .* from set $set: .*, service $svc RUNNING with its password \| duration=[0-9.]+s;;;0; files=3;;;0; bytes=[0-9]+B;;;0;$" kr --yes
if [ "$(state)" = RUNNING ]; then t_pass "RUNNING after the restore"; else t_fail "RUNNING after the restore" "state $(state)" "$(tail -n 4 "$work/svc.log")"; fi
if grep 'started with' "$work/svc.log" | tail -n 1 | grep -q 'started with 2 argument'; then t_pass "started with the password as its startup parameter"; else t_fail "started with the password" "$(tail -3 "$work/svc.log")"; fi
t_expect "check_kms_service says OK" 0 "^KMS_SERVICE OK" $runner "$service_check" --service "$svc"
if diff -r -x kms-backup.manifest "$work/sets/$set" "$work/exch/kmsdata" >/dev/null && [ -n "$(find "$work/exch" -maxdepth 1 -name 'kmsdata.damaged-*')" ]; then
	t_pass "Kmsdata is the set, the damaged folder beside it"
else
	t_fail "Kmsdata is the set, the damaged folder beside it" "$(ls -A "$work/exch")"
fi
if grep -Eq '^recovered [0-9]+' "$work/state/kms-restart.ledger" 2>/dev/null; then t_pass "the handler's ledger notes the recovery"; else t_fail "the ledger notes the recovery" "$(cat "$work/state/kms-restart.ledger" 2>&1)"; fi
if grep -Eq 'kms_restore INFO 201: KMS_RESTORE OK - restored' "$work/events.log" 2>/dev/null; then t_pass "event 201 recorded with the result line"; else t_fail "event 201 recorded" "$(cat "$work/events.log" 2>&1)"; fi
# Why the ledger matters: the 5058 logged before the restore no longer holds
# back the handler (a control with an empty ledger is refused).
handle() {
	$runner "$handler" CRITICAL SOFT 2 --soft-attempt 2 --service "$svc" --password-file "$(w "$work/pwd.ini")" \
		--kmsdata "$(w "$work/exch/kmsdata")" --event-file "$(w "$work/app.evt")" --start-timeout 20s -t 60 "$@"
}
$runner "$standin" stop "$svc" >/dev/null 2>&1
wait_state STOPPED
mkdir "$work/state-empty"
t_expect "(control) without the restore in the ledger, the old 5058 holds back the handler" 2 "^KMS_RESTART CRITICAL - refused: Event 5058 .* was logged 1 time" handle --state-dir "$(w "$work/state-empty")"
t_expect "with the restore in the ledger, the handler restarts the service" 0 "^KMS_RESTART OK - restarted $svc with its startup parameter: RUNNING" handle --state-dir "$(w "$work/state")"
if ! grep -rq KmsPassword15c "$work/events.log" "$work/svc.log" "$work/state"; then t_pass "the password is in no output file"; else t_fail "the password is in no output file"; fi

# --- a wrong password: the restored folder stays, the message says so ---
stop_with_5058
printf '[config]\npwd=WrongPassword\n' >"$work/pwd.ini"
t_expect "a wrong password: the service does not start, and the text says the restored folder stays" 2 \
	"^KMS_RESTORE CRITICAL - restored .* but service $svc did not start: .*5057.*: the restored Kmsdata stays in place \(the damaged one beside it\); check the password file" kr --yes
if [ "$(state)" != RUNNING ] && diff -r -x kms-backup.manifest "$work/sets/$set" "$work/exch/kmsdata" >/dev/null; then
	t_pass "the restored folder stays, the service is not running"
else
	t_fail "the restored folder stays" "state $(state)" "$(ls -A "$work/exch/kmsdata")"
fi
if grep -Eq 'kms_restore ERROR 203: KMS_RESTORE CRITICAL' "$work/events.log"; then t_pass "event 203 recorded"; else t_fail "event 203 recorded" "$(cat "$work/events.log")"; fi
printf '[config]\npwd=KmsPassword15c\n' >"$work/pwd.ini"

# --- a service that will not stop: nothing changed ---
svc=KmsRestoreHang$$
install --stop-hang
$runner "$standin" start "$svc" KmsPassword15c >/dev/null 2>&1
wait_state RUNNING
damage
cp -a "$work/exch/kmsdata" "$work/before"
sleep 1
t_expect "a service that will not stop is refused, nothing changed" 2 "^KMS_RESTORE CRITICAL - refused: service $svc did not stop: .*: nothing was changed$" kr_stop_3s --yes
if diff -r "$work/before" "$work/exch/kmsdata" >/dev/null && [ -z "$(find "$work/exch" -maxdepth 1 -name '.kmsdata.restore-*')" ]; then t_pass "(Kmsdata exactly as it was)"; else t_fail "(Kmsdata exactly as it was)" "$(ls -A "$work/exch")"; fi
if grep -Eq 'kms_restore WARNING 202: KMS_RESTORE CRITICAL - refused: service' "$work/events.log"; then t_pass "event 202 recorded"; else t_fail "event 202 recorded" "$(tail -2 "$work/events.log")"; fi

# --- kms_backup at work (waiting for that stop, the lock held): refused ---
rm -rf "$work/exch/kmsdata" "$work/before"
cp -a "$work/sets/$set" "$work/exch/kmsdata"
rm "$work/exch/kmsdata/kms-backup.manifest"
mkdir "$work/sets-busy"
$runner "$backup" -k "$(w "$work/exch/kmsdata")" -d "$(w "$work/sets-busy")" -f "$(w "$work/pwd.ini")" --service "$svc" \
	--stop-timeout 8s --start-timeout 5s -t 60 >/dev/null 2>&1 </dev/null &
busy=$!
sleep 3
damage
cp -a "$work/exch/kmsdata" "$work/before"
t_expect "a restore while kms_backup is at work is refused by the lock" 3 "^KMS_RESTORE UNKNOWN - refused: handle_kms_restart \(or another kms_backup\) is at work on the service \(lock 'kms-service' held\): nothing was changed$" kr --yes
if diff -r "$work/before" "$work/exch/kmsdata" >/dev/null; then t_pass "(Kmsdata exactly as it was)"; else t_fail "(Kmsdata exactly as it was)" "$(ls -A "$work/exch")"; fi
wait $busy 2>/dev/null
$runner "$standin" kill "$svc" >/dev/null 2>&1
t_summary
