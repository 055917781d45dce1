#!/bin/sh
# kms_restore's portable half on Linux (--no-service): choosing and listing
# sets, every refusal (nothing changed), a restore byte-identical to the set
# with the damaged folder kept whole beside it and none of its *.log/edb.chk
# carried over, SIGKILL at every step (tests/tools/kms_restore_paused stops
# at a named step) leaving the old Kmsdata or the restored one, the lock, and
# bad input (one line, exit 3, or 2 after a failed attempt; Kmsdata as it was).
. "$top_srcdir/tests/lib/harness.sh"
restore=$top_builddir/plugins/kms_restore$EXEEXT
paused=$top_builddir/tests/tools/kms_restore_paused$EXEEXT
backup=$top_builddir/plugins/kms_backup$EXEEXT
esegen=$top_builddir/tests/tools/esegen$EXEEXT
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-restore-run.XXXXXX")
bgpid=
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
now=$(date +%s)

# A sound set from a live Kmsdata (kms_backup writes it), then the live one damaged.
mkdir -p "$work/site/kmsdata/sub" "$work/sets"
"$esegen" "$work/site/kmsdata/Kmsmdb.edb" pages=8 || echo "esegen failed"
printf 'log of the set' >"$work/site/kmsdata/edb00001.log"
printf 'checkpoint of the set' >"$work/site/kmsdata/edb.chk"
printf 'k' >"$work/site/kmsdata/sub/keys.dat"
"$backup" -k "$work/site/kmsdata" -d "$work/sets" --no-service >/dev/null || echo "kms_backup failed"
good=$(cd "$work/sets" && ls -d kmsdata-* | head -n 1)
# damage SITE: the live Kmsdata as a 5058 finds it: a damaged page, logs the set lacks.
damage() {
	"$esegen" "$1/kmsdata/Kmsmdb.edb" pages=8 damage=page:3 state=2
	printf 'newer log' >"$1/kmsdata/edb00002.log"
	printf 'stale checkpoint' >"$1/kmsdata/edb.chk"
}
damage "$work/site"
cp -a "$work/site/kmsdata" "$work/before"
# same DIR: the live Kmsdata is exactly as it was before the run.
same() { diff -r "$work/before" "$1" >/dev/null 2>&1; }
kr() { "$restore" -k "$work/site/kmsdata" -d "$work/sets" --no-service "$@" </dev/null; }
check_untouched() {
	if same "$work/site/kmsdata" && [ -z "$(find "$work/site" -mindepth 1 -maxdepth 1 -name '*damaged*' -o -mindepth 1 -maxdepth 1 -name '.kmsdata.restore-*')" ]; then
		t_pass "$1: Kmsdata exactly as it was, nothing beside it"
	else
		t_fail "$1: Kmsdata exactly as it was" "$(ls -A "$work/site")"
	fi
}

# A second, older set that is sound, one newer that is dirty, one in the future.
cp -a "$work/sets/$good" "$work/sets/kmsdata-20200101T000000Z"
sed -i 's/^time .*/time 1577836800 20200101T000000Z/' "$work/sets/kmsdata-20200101T000000Z/kms-backup.manifest"
mkdir "$work/sets/kmsdata-29990101T000000Z-dirty"
"$esegen" "$work/sets/kmsdata-29990101T000000Z-dirty/Kmsmdb.edb" pages=8 state=2
touch -d "@$((now + 60))" "$work/sets/kmsdata-29990101T000000Z-dirty/Kmsmdb.edb" 2>/dev/null
touch -d "@$((now - 60))" "$work/sets/kmsdata-29990101T000000Z-dirty/Kmsmdb.edb"

# --- choosing and listing ---
t_expect "--list shows every set, newest first, and marks the one it would restore" 0 \
	"^KMS_RESTORE OK - 3 sets in $work/sets, would restore $good \(marked \*\)$" "$restore" -d "$work/sets" --list
if printf '%s\n' "$t_out" | sed -n 3p | grep -Eq '^  kmsdata-29990101T000000Z-dirty: 1m( [0-9]+s)? old, 1 file, database dirty shutdown \(no manifest\), NOT sound: .*not clean shutdown' &&
	printf '%s\n' "$t_out" | sed -n 2p | grep -Eq "^\* $good: [0-9]+s old, 4 files, database clean shutdown, sound$" &&
	printf '%s\n' "$t_out" | sed -n 4p | grep -Eq '^  kmsdata-20200101T000000Z: [0-9]+d( [0-9]+h)? old, 4 files, database clean shutdown, sound$'; then
	t_pass "--list: age, file count, database state, soundness, in that order"
else
	t_fail "--list lines" "$t_out"
fi
t_expect "the dry run names the set and what it loses" 0 \
	"^KMS_RESTORE OK - dry run: would restore $work/site/kmsdata from set $good: keys enrolled after [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z \([0-9]+s ago\) are not in this set, move the damaged folder to $work/site/kmsdata.damaged-[0-9]{8}T[0-9]{6}Z$" kr --dry-run
t_expect "--set chooses an older sound set" 0 "from set kmsdata-20200101T000000Z: keys enrolled after 2020-01-01T00:00:00Z \([0-9]+d" kr --dry-run --set kmsdata-20200101T000000Z
check_untouched "dry runs"

# --- refusals: exit 3, nothing changed ---
t_expect "without --yes nothing is done" 3 "^KMS_RESTORE UNKNOWN - refused without --yes \(or --dry-run\): would restore .* from set $good: keys enrolled after" kr
t_expect "a set that is not sound is refused" 3 "^KMS_RESTORE UNKNOWN - refused: set kmsdata-29990101T000000Z-dirty is not sound: .*not clean shutdown.*: nothing was changed$" kr --yes --set kmsdata-29990101T000000Z-dirty
cp -a "$work/sets/$good" "$work/sets/kmsdata-29991231T000000Z"
sed -i 's/^time .*/time 32503593600 29991231T000000Z/' "$work/sets/kmsdata-29991231T000000Z/kms-backup.manifest"
t_expect "a set dated in the future is refused when named" 3 "^KMS_RESTORE UNKNOWN - refused: set kmsdata-29991231T000000Z is dated in the future \(clock skew\?\): nothing was changed$" kr --yes --set kmsdata-29991231T000000Z
t_expect "and stops the automatic choice" 3 "^KMS_RESTORE UNKNOWN - refused: set kmsdata-29991231T000000Z is dated in the future \(clock skew\?\): name the set to restore with --set in $work/sets: nothing was changed$" kr --yes
rm -rf "$work/sets/kmsdata-29991231T000000Z"
mkdir "$work/sets/kmsdata-29991231T000000Z"
"$esegen" "$work/sets/kmsdata-29991231T000000Z/Kmsmdb.edb" pages=8 damage=page:2
t_expect "a newer damaged set is passed over for the newest sound one" 0 "from set $good:" kr --dry-run
rm -rf "$work/sets/kmsdata-29991231T000000Z"
printf 'not a folder' >"$work/kmsfile"
t_expect "a Kmsdata that is a file is refused" 3 "^KMS_RESTORE UNKNOWN - refused: --kmsdata '$work/kmsfile' is a file, not a folder: nothing was changed$" "$restore" -k "$work/kmsfile" -d "$work/sets" --no-service --yes
ln -s "$work/site/kmsdata" "$work/kmslink"
t_expect "a Kmsdata that is a link is refused" 3 "^KMS_RESTORE UNKNOWN - refused: --kmsdata '$work/kmslink' is a link, not a folder" "$restore" -k "$work/kmslink" -d "$work/sets" --no-service --yes
t_expect "a missing Kmsdata is refused" 3 "^KMS_RESTORE UNKNOWN - refused: --kmsdata '$work/site/nothere' does not exist: nothing was changed$" "$restore" -k "$work/site/nothere" -d "$work/sets" --no-service --yes
t_expect "--dry-run and --yes together are refused" 3 "^KMS_RESTORE UNKNOWN - --dry-run: and --yes contradict each other|^KMS_RESTORE UNKNOWN - --dry-run and --yes contradict" kr --dry-run --yes
check_untouched "refusals"

# --- bad input: one line, exit 3, Kmsdata as it was ---
t_expect "a missing backup folder" 3 "^KMS_RESTORE UNKNOWN - --backup-dir: '$work/nosets' does not exist: nothing was changed$" "$restore" -k "$work/site/kmsdata" -d "$work/nosets" --no-service --yes
t_expect "an unknown --set" 3 "^KMS_RESTORE UNKNOWN - --set: '$work/sets/kmsdata-nosuch' does not exist in --backup-dir: nothing was changed$" kr --yes --set kmsdata-nosuch
ln -s "$work/sets/$good" "$work/sets/kmsdata-link"
t_expect "--set naming a link" 3 "^KMS_RESTORE UNKNOWN - --set: '$work/sets/kmsdata-link' is a link, not a set folder: nothing was changed$" kr --yes --set kmsdata-link
rm "$work/sets/kmsdata-link"
cp -a "$work/sets/$good" "$work/outside"
t_expect "--set naming a folder outside --backup-dir" 3 "^KMS_RESTORE UNKNOWN - --set: '../outside' is not the name of a set in --backup-dir" kr --yes --set ../outside
t_expect "--set naming an absolute path" 3 "^KMS_RESTORE UNKNOWN - --set: '$work/outside' is not the name of a set" kr --yes --set "$work/outside"
mkdir "$work/locked"
chmod 0300 "$work/locked"
if [ "$(id -u)" -eq 0 ]; then as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"; else as_other=""; fi
chmod 0711 "$work"
t_expect "an unreadable backup folder" 3 "^KMS_RESTORE UNKNOWN - --backup-dir: .*'$work/locked'.*Permission denied.*nothing was changed$" $as_other "$restore" -k "$work/site/kmsdata" -d "$work/locked" --no-service --yes --state-dir "$work/locked"
t_expect "every line of bad input is one line" 3 "" kr --yes --set kmsdata-nosuch
if [ "$(printf '%s\n' "$t_out" | wc -l)" -eq 1 ]; then t_pass "(one line)"; else t_fail "(one line)" "$t_out"; fi
# A full disk, simulated by a file size limit (writes fail with EFBIG): exit 2, Kmsdata as it was.
t_expect "a copy that cannot be written fails, exit 2" 2 "^KMS_RESTORE CRITICAL - restore failed: cannot write '$work/site/.kmsdata.restore-[0-9TZ]+/Kmsmdb.edb': File too large: Kmsdata '$work/site/kmsdata' is as it was$" \
	sh -c 'trap "" XFSZ; ulimit -f 16; exec "$@"' sh "$restore" -k "$work/site/kmsdata" -d "$work/sets" --no-service --yes
check_untouched "a failed copy"

# --- the lock: a second kms_restore while one is at work ---
KMS_RESTORE_PAUSE_AT=copied KMS_RESTORE_PAUSE_FILE="$work/paused" "$paused" -k "$work/site/kmsdata" -d "$work/sets" --no-service --yes >/dev/null 2>&1 &
bgpid=$!
i=0
while [ ! -f "$work/paused" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_expect "a second kms_restore is refused by the lock" 3 "^KMS_RESTORE UNKNOWN - refused: handle_kms_restart, kms_backup or another kms_restore is at work \(lock 'kms-service' held\): nothing was changed$" kr --yes
kill -9 "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null
bgpid=
rm -f "$work/paused"
t_expect "a dry run names the hidden copy a killed run left" 0 "^would remove 1 hidden copy a killed restore left \(first: $work/site/.kmsdata.restore-[0-9TZ]+\)$" kr --dry-run

# --- SIGKILL at every step: the old Kmsdata or the restored one, never a mix ---
# consistent: Kmsdata is the damaged folder byte for byte, or the set byte for
# byte with the damaged folder whole beside it.
is_set() { diff -r -x kms-backup.manifest "$work/sets/$good" "$1" >/dev/null 2>&1; }
for step in stopped copied ready moved swapped; do
	rm -f "$work/paused"
	KMS_RESTORE_PAUSE_AT=$step KMS_RESTORE_PAUSE_FILE="$work/paused" "$paused" -k "$work/site/kmsdata" -d "$work/sets" --no-service --yes >/dev/null 2>&1 &
	bgpid=$!
	i=0
	while [ ! -f "$work/paused" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$bgpid" 2>/dev/null
	wait "$bgpid" 2>/dev/null
	bgpid=
	if [ ! -f "$work/paused" ]; then
		t_fail "killed at '$step'" "the step was never reached"
		continue
	fi
	damaged=$(find "$work/site" -mindepth 1 -maxdepth 1 -name 'kmsdata.damaged-*' | head -n 1)
	if same "$work/site/kmsdata" && [ -z "$damaged" ]; then
		t_pass "killed at '$step': the old Kmsdata is in place, untouched"
	elif [ -d "$work/site/kmsdata" ] && is_set "$work/site/kmsdata" && [ -n "$damaged" ] && same "$damaged"; then
		t_pass "killed at '$step': the restored Kmsdata is complete, the damaged one whole beside it"
	elif [ ! -e "$work/site/kmsdata" ] && [ -n "$damaged" ] && same "$damaged"; then
		t_pass "killed at '$step': between the renames: Kmsdata missing, the damaged folder whole"
	else
		t_fail "killed at '$step': a consistent state" "$(ls -A "$work/site")"
	fi
	# The next run recovers: it finishes a swap or starts over, and ends restored.
	sleep 1 # a new second: a new damaged-folder name
	t_expect "after the kill at '$step', the next run ends restored" 0 "^KMS_RESTORE OK - (restored|finished the interrupted restore of) $work/site/kmsdata" kr --yes
	if is_set "$work/site/kmsdata" && [ -z "$(find "$work/site" -mindepth 1 -maxdepth 1 -name '.kmsdata.restore-*')" ]; then
		t_pass "(step '$step': Kmsdata is the set, no hidden copy left)"
	else
		t_fail "(step '$step': Kmsdata is the set, no hidden copy left)" "$(ls -A "$work/site")"
	fi
	if [ -z "$damaged" ] || same "$damaged"; then t_pass "(step '$step': the damaged folder kept whole)"; else t_fail "(step '$step': the damaged folder kept whole)" "$damaged"; fi
	# Back to the damaged state for the next step.
	rm -rf "$work/site/kmsdata" "$work/site"/kmsdata.damaged-*
	cp -a "$work/before" "$work/site/kmsdata"
	sleep 1 # a new second: a new damaged-folder name
done

# --- the second rename fails: the damaged folder goes back (or, if it cannot, the text says what to do) ---
# pause_then STEP ACTION: run to STEP, do ACTION (shell code) there, let it go on.
pause_then() {
	rm -f "$work/paused"
	KMS_RESTORE_PAUSE_AT=$1 KMS_RESTORE_PAUSE_FILE="$work/paused" "$paused" -k "$work/site/kmsdata" -d "$work/sets" --no-service --yes >"$work/out" 2>&1 &
	bgpid=$!
	i=0
	while [ ! -f "$work/paused" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	eval "$2"
	rm -f "$work/paused"
	wait "$bgpid"
	status=$?
	bgpid=
}
pause_then moved 'mv "$work/site"/.kmsdata.restore-*.ready "$work/stolen"'
if [ "$status" -eq 2 ] && grep -Eq "^KMS_RESTORE CRITICAL - restore failed: cannot rename '$work/site/.kmsdata.restore-[0-9TZ]+.ready' to '$work/site/kmsdata': .*: Kmsdata '$work/site/kmsdata' is as it was \(moved back\)" "$work/out"; then
	t_pass "the copy gone before the second rename: CRITICAL, the damaged folder moved back"
else
	t_fail "the copy gone before the second rename" "status $status" "$(cat "$work/out")"
fi
check_untouched "a failed second rename"
rm -rf "$work/stolen"
sleep 1
pause_then moved 'mv "$work/site"/.kmsdata.restore-*.ready "$work/stolen"; mkdir -p "$work/site/kmsdata/x"'
if [ "$status" -eq 2 ] && grep -Eq "^KMS_RESTORE CRITICAL - restore failed and could not be undone: cannot rename .* nor the damaged folder '$work/site/kmsdata.damaged-[0-9TZ]+' back \(.*\): Kmsdata is missing: rename one of them to '$work/site/kmsdata' by hand before starting the service" "$work/out"; then
	t_pass "neither rename possible: CRITICAL, and the text names both folders and what to do"
else
	t_fail "neither rename possible" "status $status" "$(cat "$work/out")"
fi
damaged=$(find "$work/site" -mindepth 1 -maxdepth 1 -name 'kmsdata.damaged-*' | head -n 1)
if [ -n "$damaged" ] && same "$damaged"; then t_pass "(the damaged folder is whole where the text says)"; else t_fail "(the damaged folder is whole)" "$(ls -A "$work/site")"; fi
rm -rf "$work/stolen" "$work/site/kmsdata"
mv "$damaged" "$work/site/kmsdata"
check_untouched "(the admin's rename by hand)"
sleep 1

# --- -t: the deadline ends a run wherever it is (here held between the renames) ---
rm -f "$work/paused"
t_expect "-t ends the run at its deadline, even between the renames" 3 "^KMS_RESTORE UNKNOWN - .*2 s" \
	env KMS_RESTORE_PAUSE_AT=moved KMS_RESTORE_PAUSE_FILE="$work/paused" "$paused" -k "$work/site/kmsdata" -d "$work/sets" --no-service --yes -t 2
damaged=$(find "$work/site" -mindepth 1 -maxdepth 1 -name 'kmsdata.damaged-*' | head -n 1)
if [ -f "$work/paused" ] && [ ! -e "$work/site/kmsdata" ] && [ -n "$damaged" ] && same "$damaged"; then t_pass "(timed out between the renames: the damaged folder whole)"; else t_fail "(timed out between the renames)" "$(ls -A "$work/site")"; fi
t_expect "a dry run says it would finish the interrupted restore" 0 "^KMS_RESTORE OK - dry run: would finish the restore killed between its renames: rename $work/site/.kmsdata.restore-[0-9TZ]+.ready to $work/site/kmsdata$" kr --dry-run
sleep 1
t_expect "the next run finishes the interrupted restore" 0 "^KMS_RESTORE OK - finished the interrupted restore of $work/site/kmsdata; start the KM service with its password$" kr --yes
if is_set "$work/site/kmsdata" && same "$damaged"; then t_pass "(the restored Kmsdata is the set, the damaged folder kept)"; else t_fail "(finished restore)" "$(ls -A "$work/site")"; fi
rm -rf "$work/site/kmsdata" "$work/site"/kmsdata.damaged-*
cp -a "$work/before" "$work/site/kmsdata"
sleep 1

# --- the restore itself ---
t_expect "a restore from the newest sound set" 0 "^KMS_RESTORE OK - restored $work/site/kmsdata from set $good: keys enrolled after .* are not in this set; the damaged folder is kept as $work/site/kmsdata.damaged-[0-9]{8}T[0-9]{6}Z; start the KM service with its password \| duration=[0-9.]+s;;;0; files=4;;;0; bytes=[0-9]+B;;;0;$" kr --yes
damaged=$(find "$work/site" -mindepth 1 -maxdepth 1 -name 'kmsdata.damaged-*' | head -n 1)
if is_set "$work/site/kmsdata"; then t_pass "the restored Kmsdata is byte-identical to the set (without its manifest)"; else t_fail "restored Kmsdata byte-identical to the set" "$(diff -r "$work/sets/$good" "$work/site/kmsdata" 2>&1 | head -5)"; fi
if [ -n "$damaged" ] && same "$damaged"; then t_pass "the damaged folder is intact beside it"; else t_fail "the damaged folder is intact beside it" "$(ls -A "$work/site")"; fi
if [ ! -e "$work/site/kmsdata/edb00002.log" ] && [ "$(cat "$work/site/kmsdata/edb.chk")" = "checkpoint of the set" ]; then
	t_pass "the damaged folder's *.log and edb.chk are not carried over"
else
	t_fail "the damaged folder's *.log and edb.chk are not carried over" "$(ls "$work/site/kmsdata")"
fi
if [ ! -e "$work/site/kmsdata/kms-backup.manifest" ]; then t_pass "the set's manifest stays in the set"; else t_fail "the set's manifest stays in the set"; fi
t_first_line "(without --state-dir the output says the ledger was not told)" "^KMS_RESTORE OK"
if printf '%s\n' "$t_out" | grep -q "^no --state-dir: handle_kms_restart's ledger was not told of the restore$"; then t_pass "without --state-dir, the ledger not told is said"; else t_fail "ledger not told is said" "$t_out"; fi
# A second restore keeps the first damaged folder: never deleted, never overwritten.
sleep 1
mkdir -p "$work/state"
t_expect "a second restore moves the first restored folder aside too" 0 "^KMS_RESTORE OK - restored" kr --yes --state-dir "$work/state"
if [ "$(find "$work/site" -mindepth 1 -maxdepth 1 -name 'kmsdata.damaged-*' | wc -l)" -eq 2 ] && same "$damaged"; then
	t_pass "both folders moved aside are kept, the first unchanged"
else
	t_fail "both folders moved aside are kept" "$(ls -A "$work/site")"
fi
if grep -Eq "^recovered [0-9]+$" "$work/state/kms-restart.ledger" 2>/dev/null; then t_pass "the handler's ledger notes the restore as a recovery"; else t_fail "the ledger notes a recovery" "$(cat "$work/state/kms-restart.ledger" 2>&1)"; fi
touch "$work/site/kmsdata.damaged-$(date -u +%Y%m%dT%H%M%SZ)" "$work/site/kmsdata.damaged-$(date -u -d @$(($(date +%s) + 1)) +%Y%m%dT%H%M%SZ)"
t_expect "a damaged-folder name already taken is never overwritten" 3 "^KMS_RESTORE UNKNOWN - refused: '$work/site/kmsdata.damaged-[0-9TZ]+' exists already" kr --yes
t_expect "--help names the exit states and examples" 3 "Examples:" "$restore" --help
t_summary
