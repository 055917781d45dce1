#!/bin/sh
# kms_backup's whole cycle under Wine against the stand-in KM service
# (tests/tools/kms_standin): it stops the service, copies, restarts it with
# the password from the file; a failed copy still restarts it; a wrong
# password is reported; a killed backup leaves no set check_kms_backup takes.
# Env (quickstart's Wine runner): RUNNER=wine, WINEPREFIX with `wineserver -p`
# running, top_builddir = the win64 build, KMS_LINUX_BUILD = the Linux build.
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-wine}
win=$top_builddir
esegen=${KMS_LINUX_BUILD:?KMS_LINUX_BUILD must name the Linux build}/tests/tools/esegen
backup=$win/plugins/kms_backup.exe
check=$win/plugins/check_kms_backup.exe
standin=$win/tests/tools/kms_standin.exe
svc=KmsBackupTest$$
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-backup-wine.XXXXXX")
cleanup() {
	$runner "$standin" uninstall "$svc" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
w() { winepath -w "$1" 2>/dev/null; }
state() { $runner sc query "$svc" 2>/dev/null | tr -d '\r' | awk '/STATE/ {print $4}'; }

mkdir -p "$work/live/sub" "$work/out"
"$esegen" "$work/live/Kmsmdb.edb" pages=24
printf 'log records' >"$work/live/edb00001.log"
printf 'k' >"$work/live/sub/keys.dat"
printf '[config]\npwd=KmsPassword15c\n' >"$work/pwd.ini"
cp "$work/pwd.ini" "$work/expected.ini"
chmod 600 "$work/pwd.ini" "$work/expected.ini"
$runner "$standin" install "$svc" "KMS backup test" demand - --expect "$(w "$work/expected.ini")" \
	--kmsdata "$(w "$work/live")" --log "$(w "$work/svc.log")" >/dev/null 2>&1
$runner "$standin" start "$svc" KmsPassword15c >/dev/null 2>&1
i=0
while [ "$(state)" != RUNNING ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
if [ "$(state)" = RUNNING ]; then t_pass "stand-in KM service running"; else t_fail "stand-in KM service running" "state: $(state)"; fi

kb() {
	out=$1
	shift
	$runner "$backup" -k "$(w "$work/live")" -d "$(w "$out")" -f "$(w "$work/pwd.ini")" --service "$svc" \
		--stop-timeout 20s --start-timeout 20s -t 120 "$@"
}

t_expect "the whole cycle is OK" 0 "^KMS_BACKUP_RUN OK - backed up 3 files .* to set kmsdata-[0-9]{8}T[0-9]{6}Z \| duration=" kb "$work/out"
t_expect "the long output says the service runs again" 0 "^service $svc started again with its password" printf '%s\n' "$t_out"
if [ "$(state)" = RUNNING ]; then t_pass "the service runs after the backup"; else t_fail "the service runs after the backup" "state: $(state)"; fi
if grep -q '^pid [0-9]*: stopped' "$work/svc.log" && [ "$(grep -c 'started with 2 argument' "$work/svc.log")" -ge 2 ]; then
	t_pass "the service was stopped, then started with its password as startup parameter"
else
	t_fail "the service was stopped, then started with its password" "$(cat "$work/svc.log")"
fi
set=$(find "$work/out" -mindepth 1 -maxdepth 1 -name 'kmsdata-*' | head -n 1)
if [ -n "$set" ] && grep -q '^service STOPPED$' "$set/kms-backup.manifest"; then t_pass "the manifest records the service STOPPED at copy time"; else t_fail "the manifest records the service STOPPED" "$(cat "$set/kms-backup.manifest" 2>/dev/null)"; fi
if ! grep -rq KmsPassword15c "$work/out" "$work/svc.log"; then t_pass "the password is in no output file"; else t_fail "the password is in no output file"; fi
t_expect "check_kms_backup (Windows) accepts the set" 0 "^KMS_BACKUP OK - newest set kmsdata-.*database clean shutdown" $runner "$check" -d "$(w "$work/out")" --kmsdata "$(w "$work/live")" --verify-pages

# check_kms_backup's default --kmsdata on Windows: the registry, else C:\exchsrvr.
t_expect "without Exchange, completeness is skipped and said so" 0 "^no live Kmsdata at C:.exchsrvr.kmsdata: completeness not checked" \
	$runner "$check" -d "$(w "$work/out")"
mkdir -p "$work/exch/kmsdata"
cp "$work/live/Kmsmdb.edb" "$work/exch/kmsdata/"
printf 'only live' >"$work/exch/kmsdata/only-live.log"
$runner reg add 'HKLM\SOFTWARE\Microsoft\Exchange\Setup' /v Services /t REG_SZ /d "$(w "$work/exch")" /f >/dev/null 2>&1
t_expect "the registry's Exchange folder is the default live Kmsdata" 2 "^KMS_BACKUP CRITICAL - live file only-live.log is missing from set kmsdata-" \
	$runner "$check" -d "$(w "$work/out")"
$runner reg delete 'HKLM\SOFTWARE\Microsoft\Exchange' /f >/dev/null 2>&1

# A copy that fails verification still restarts the service.
cp "$work/live/Kmsmdb.edb" "$work/good.edb"
"$esegen" "$work/live/Kmsmdb.edb" pages=24 state=2
mkdir "$work/out-fail"
t_expect "a failed copy is CRITICAL" 2 "^KMS_BACKUP_RUN CRITICAL - backup failed: the copy of Kmsmdb.edb is in state dirty shutdown" kb "$work/out-fail"
if [ "$(state)" = RUNNING ]; then t_pass "a failed copy still restarts the service"; else t_fail "a failed copy still restarts the service" "state: $(state)"; fi
if [ -z "$(ls -A "$work/out-fail")" ]; then t_pass "a failed copy leaves nothing in the backup folder"; else t_fail "a failed copy leaves nothing" "$(ls -A "$work/out-fail")"; fi
cp "$work/good.edb" "$work/live/Kmsmdb.edb"

# A wrong password: the service does not come back, and the output says so first.
printf '[config]\npwd=WrongPassword\n' >"$work/pwd.ini"
t_expect "a service that does not start again is CRITICAL" 2 "^KMS_BACKUP_RUN CRITICAL - service $svc did not start again: " kb "$work/out"
printf '[config]\npwd=KmsPassword15c\n' >"$work/pwd.ini"
$runner "$standin" start "$svc" KmsPassword15c >/dev/null 2>&1
sleep 1

# A missing password file: refused before the service is touched.
t_expect "a missing password file changes nothing" 3 "^KMS_BACKUP_RUN UNKNOWN - --password-file: .*nothing was changed$" \
	$runner "$backup" -k "$(w "$work/live")" -d "$(w "$work/out")" -f "$(w "$work/nothere.ini")" --service "$svc"
if [ "$(state)" = RUNNING ]; then t_pass "the service is untouched by a refused run"; else t_fail "the service is untouched by a refused run" "state: $(state)"; fi

# Killed mid-copy: no set that check_kms_backup accepts.
"$esegen" "$work/live/big.edb" pages=60000
mkdir "$work/out-kill"
# Started directly (not through a function) so $! is the Windows program's own process.
$runner "$backup" -k "$(w "$work/live")" -d "$(w "$work/out-kill")" -f "$(w "$work/pwd.ini")" --service "$svc" \
	--stop-timeout 20s --start-timeout 20s -t 120 >/dev/null 2>&1 &
bg=$!
i=0
while [ $i -lt 1500 ] && [ -z "$(find "$work/out-kill" -mindepth 1 -maxdepth 1 -name '.kmsdata-partial-*')" ]; do sleep 0.02; i=$((i + 1)); done
kill -9 $bg 2>/dev/null
wait $bg 2>/dev/null
sleep 1
if [ -n "$(find "$work/out-kill" -mindepth 1 -maxdepth 1 -name 'kmsdata-*')" ]; then
	t_fail "killed mid-copy" "the backup finished first: make the fixture bigger"
else
	t_expect "an interrupted backup leaves no set check_kms_backup accepts" 2 "no offline backup of Kmsdata in" $runner "$check" -d "$(w "$work/out-kill")"
fi
# A start hung in START_PENDING (no password): "already started" (1056) is
# not RUNNING: kms_backup waits for RUNNING and says what it found.
$runner "$standin" kill "$svc" >/dev/null 2>&1
i=0
while [ "$(state)" != STOPPED ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
$runner "$standin" start "$svc" >/dev/null 2>&1
i=0
while [ "$(state)" != START_PENDING ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
mkdir -p "$work/out-hung"
t_expect "a start hung in START_PENDING is not taken for RUNNING" 2 \
	"^KMS_BACKUP_RUN CRITICAL - service $svc did not start again: the service did not reach RUNNING within 3 s \(it is START_PENDING\)" \
	$runner "$backup" -k "$(w "$work/live")" -d "$(w "$work/out-hung")" -f "$(w "$work/pwd.ini")" --service "$svc" \
	--stop-timeout 2s --start-timeout 3s -t 60
$runner "$standin" kill "$svc" >/dev/null 2>&1
t_summary
