#!/bin/sh
# kms_backup's portable half on Linux (--no-service): copy, verify,
# manifest, rename, prune; refusals that leave no set (dirty or damaged
# database, not a Kmsdata, the deadline near, killed mid-copy); bad options.
. "$top_srcdir/tests/lib/harness.sh"
backup=$top_builddir/plugins/kms_backup$EXEEXT
check=$top_builddir/plugins/check_kms_backup$EXEEXT
esegen=$top_builddir/tests/tools/esegen$EXEEXT
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-backup-run.XXXXXX")
bgpid=
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; rm -rf "$work"' EXIT
now=$(date +%s)

# mklive DIR [esegen args...]: a live Kmsdata with a database, logs, a subfolder.
mklive() {
	d=$1
	shift
	mkdir -p "$d/sub"
	"$esegen" "$d/Kmsmdb.edb" pages=8 "$@" || echo "esegen failed"
	printf 'log records' >"$d/edb00001.log"
	printf 'checkpoint' >"$d/edb.chk"
	printf 'k' >"$d/sub/keys.dat"
	touch -d "@$((now - 3600))" "$d/edb00001.log"
}
sets_in() { find "$1" -mindepth 1 -maxdepth 1 -type d | wc -l; }
kb() { "$backup" "$@" </dev/null; }

# --- a good backup ---
mklive "$work/live"
mkdir "$work/out"
t_expect "a backup of an offline Kmsdata is OK" 0 "^KMS_BACKUP_RUN OK - backed up 4 files \([0-9.]+ KB\) from $work/live to set kmsdata-[0-9]{8}T[0-9]{6}Z \| duration=[0-9.]+s;;;0; files=4;;;0; bytes=[0-9]+B;;;0;$" kb -k "$work/live" -d "$work/out" --no-service
set=$(find "$work/out" -mindepth 1 -maxdepth 1 -type d -name 'kmsdata-*' | head -n 1)
if [ -n "$set" ] && cmp -s "$work/live/Kmsmdb.edb" "$set/Kmsmdb.edb" && cmp -s "$work/live/sub/keys.dat" "$set/sub/keys.dat"; then
	t_pass "files and subfolders copied byte for byte"
else
	t_fail "files and subfolders copied byte for byte" "set: $set"
fi
if [ "$(stat -c %Y "$work/live/edb00001.log")" = "$(stat -c %Y "$set/edb00001.log")" ]; then t_pass "modification times kept"; else t_fail "modification times kept"; fi
if grep -q "^file $(wc -c <"$work/live/Kmsmdb.edb") Kmsmdb.edb$" "$set/kms-backup.manifest" && grep -q '^end 4$' "$set/kms-backup.manifest" &&
	grep -q "^source $work/live$" "$set/kms-backup.manifest" && grep -q '^service not managed' "$set/kms-backup.manifest"; then
	t_pass "manifest lists every file with its size, the source and the service state"
else
	t_fail "manifest lists every file with its size" "$(cat "$set/kms-backup.manifest")"
fi
if [ "$(stat -c %a "$set/kms-backup.manifest")" = "$(stat -c %a "$set/Kmsmdb.edb")" ]; then t_pass "the manifest is as readable as the copied files"; else t_fail "the manifest is as readable as the copied files" "$(ls -l "$set")"; fi
t_expect "check_kms_backup accepts the new set (manifest, live files, pages)" 0 "^KMS_BACKUP OK - newest set kmsdata-.* 4 files, .*database clean shutdown" "$check" -d "$work/out" --kmsdata "$work/live" --verify-pages
t_expect "--dry-run says what it would do" 0 "^KMS_BACKUP_RUN OK - dry run: would copy 4 files .* keep 4 sets" kb -k "$work/live" -d "$work/out" --no-service --dry-run
t_expect "--dry-run made no set" 0 "sets=1;;;0;$" "$check" -d "$work/out"

mkdir "$work/out-link"
ln -s /etc/hostname "$work/live/hostname-link"
t_expect "links in Kmsdata are not followed, and said so" 0 "^1 link or special file in Kmsdata not copied \(first: hostname-link\)$" kb -k "$work/live" -d "$work/out-link" --no-service
if [ -z "$(find "$work/out-link" -name hostname-link)" ]; then t_pass "(the link is not in the set)"; else t_fail "(the link is not in the set)"; fi
rm "$work/live/hostname-link"

# --- two runs on one backup folder ---
# Another run's partial copy, named for this very second (and the next
# few): a run never fails on it nor removes it, and still makes its set.
mkdir "$work/out-same"
t0=$(date +%s)
for i in 0 1 2 3; do
	mkdir "$work/out-same/.kmsdata-partial-$(date -u -d "@$((t0 + i))" +%Y%m%dT%H%M%SZ)"
	printf 'theirs' >"$work/out-same/.kmsdata-partial-$(date -u -d "@$((t0 + i))" +%Y%m%dT%H%M%SZ)/Kmsmdb.edb"
done
t_expect "another run's partial copy of the same second: the backup is still made" 0 "^KMS_BACKUP_RUN OK - backed up 4 files" \
	kb -k "$work/live" -d "$work/out-same" --no-service
n=$(find "$work/out-same" -mindepth 2 -maxdepth 2 -path '*/.kmsdata-partial-*/Kmsmdb.edb' | wc -l)
if [ "$n" -eq 4 ]; then t_pass "a run never removes what it did not create"; else t_fail "a run never removes what it did not create" "$n of 4 left: $(ls -a "$work/out-same")"; fi
# A run holding the folder's lock: the next one says so and changes nothing.
backup_lock=$(find "$work/out-same" -maxdepth 1 -type f -name '*.lock' | head -n 1)
if [ -z "$backup_lock" ]; then
	t_fail "a lock file stands in the backup folder" "$(ls -a "$work/out-same")"
elif command -v flock >/dev/null 2>&1; then
	t_pass "a lock file stands in the backup folder"
	before=$(ls -a "$work/out-same" | tr '\n' ' ')
	t_expect "a second run while one is at work: UNKNOWN naming the folder" 3 \
		"^KMS_BACKUP_RUN UNKNOWN - another kms_backup is at work on $work/out-same: nothing was changed$" \
		flock "$backup_lock" "$backup" -k "$work/live" -d "$work/out-same" --no-service
	if [ "$(ls -a "$work/out-same" | tr '\n' ' ')" = "$before" ]; then t_pass "(nothing changed)"; else t_fail "(nothing changed)"; fi
fi
# Two runs started together: each makes its set or says the other is at work.
mkdir "$work/out-two"
kb -k "$work/live" -d "$work/out-two" --no-service >"$work/run1.out" &
bgpid=$!
kb -k "$work/live" -d "$work/out-two" --no-service >"$work/run2.out"
wait "$bgpid"
bgpid=
bad=$(cat "$work/run1.out" "$work/run2.out" | grep '^KMS_BACKUP_RUN' | grep -Evc '^KMS_BACKUP_RUN (OK - backed up|UNKNOWN - another kms_backup is at work on)')
if [ "$bad" -eq 0 ] && [ "$(sets_in "$work/out-two")" -ge 1 ] && [ -z "$(find "$work/out-two" -name '.kmsdata-partial-*')" ]; then
	t_pass "two runs together: a set made, no failure, no partial copy left"
else
	t_fail "two runs together: a set made, no failure, no partial copy left" "$(cat "$work/run1.out" "$work/run2.out"; ls -a "$work/out-two")"
fi
t_expect "--help says runs on one folder exclude each other" 3 "another kms_backup is at work" kb --help

# --- refusals: no set, no partial folder left ---
printf 'secret\n' >"$work/pwd"
chmod 600 "$work/pwd"
mklive "$work/dirty" state=2
mkdir "$work/out-dirty"
t_expect "a dirty database is refused" 2 "^KMS_BACKUP_RUN CRITICAL - backup failed: the copy of Kmsmdb.edb is in state dirty shutdown, not clean shutdown: the service was not stopped" kb -k "$work/dirty" -d "$work/out-dirty" --no-service
if [ "$(sets_in "$work/out-dirty")" -eq 0 ]; then t_pass "a refused copy leaves nothing behind"; else t_fail "a refused copy leaves nothing behind" "$(ls -a "$work/out-dirty")"; fi
mklive "$work/damaged" damage=page:6
mkdir "$work/out-damaged"
t_expect "a damaged page is refused" 2 "backup failed: the copy of Kmsmdb.edb 1 of 24 pages damaged \(first: page 5" kb -k "$work/damaged" -d "$work/out-damaged" --no-service
t_expect "check_kms_backup sees no set after a refused copy" 2 "no offline backup of Kmsdata in $work/out-damaged" "$check" -d "$work/out-damaged"
mkdir -p "$work/notkms"
printf x >"$work/notkms/readme.txt"
t_expect "a folder without Kmsmdb.edb is UNKNOWN, nothing done" 3 "^KMS_BACKUP_RUN UNKNOWN - --kmsdata: no Kmsmdb.edb in '$work/notkms': not a Kmsdata folder$" kb -k "$work/notkms" -d "$work/out-dirty" --no-service
mkdir -p "$work/garbage"
head -c 10000 /dev/urandom >"$work/garbage/Kmsmdb.edb"
t_expect "a live Kmsmdb.edb that is not ESE is refused before the service is touched" 3 "^KMS_BACKUP_RUN UNKNOWN - --kmsdata: $work/garbage/Kmsmdb.edb header not an ESE database .*: nothing was changed$" kb -k "$work/garbage" -d "$work/out-dirty" -f "$work/pwd"
t_expect "missing --kmsdata folder is UNKNOWN" 3 "^KMS_BACKUP_RUN UNKNOWN - --kmsdata: cannot read folder '$work/nothere'" kb -k "$work/nothere" -d "$work/out" --no-service
t_expect "missing --backup-dir is UNKNOWN" 3 "^KMS_BACKUP_RUN UNKNOWN - --backup-dir: '$work/noout' does not exist$" kb -k "$work/live" -d "$work/noout" --no-service
t_expect "without a service manager the service steps are refused before anything changes" 3 "^KMS_BACKUP_RUN UNKNOWN - cannot stop service 'MSExchangeKMS': this system has no Windows service manager .*nothing was changed$" kb -k "$work/live" -d "$work/out-dirty" -f "$work/pwd"
mkdir "$work/ro"
chmod 0555 "$work/ro"
chmod 0711 "$work"
if [ "$(id -u)" -eq 0 ]; then as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"; else as_other=""; fi
t_expect "a backup folder it cannot write to is UNKNOWN before anything changes" 3 "^KMS_BACKUP_RUN UNKNOWN - --backup-dir: cannot open the lock '$work/ro/[^']*': Permission denied$" $as_other "$backup" -k "$work/live" -d "$work/ro" --no-service
mkdir "$work/out-late"
t_expect "the copy stops when the deadline is near" 2 "^KMS_BACKUP_RUN CRITICAL - backup failed: stopped: the timeout is near" kb -k "$work/live" -d "$work/out-late" --no-service -t 1
if [ "$(find "$work/out-late" -mindepth 1 ! -name '.kms_backup-*.lock' | wc -l)" -eq 0 ]; then t_pass "a stopped copy leaves nothing behind"; else t_fail "a stopped copy leaves nothing behind"; fi

# --- killed mid-copy: the hidden partial folder is never a set ---
mkdir -p "$work/biglive" "$work/out-kill"
"$esegen" "$work/biglive/Kmsmdb.edb" pages=60000
"$backup" -k "$work/biglive" -d "$work/out-kill" --no-service >/dev/null 2>&1 &
bgpid=$!
i=0
while [ $i -lt 500 ] && [ -z "$(find "$work/out-kill" -mindepth 1 -maxdepth 1 -name '.kmsdata-partial-*' 2>/dev/null)" ]; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null
bgpid=
if [ -n "$(find "$work/out-kill" -mindepth 1 -maxdepth 1 -name 'kmsdata-*')" ]; then
	t_fail "killed mid-copy" "the backup finished before it could be killed: make the fixture bigger"
else
	t_expect "an interrupted backup leaves no set check_kms_backup accepts" 2 "^KMS_BACKUP CRITICAL - no offline backup of Kmsdata in $work/out-kill" "$check" -d "$work/out-kill"
fi
rm -rf "$work/biglive" "$work/out-kill"

# --- pruning ---
mkdir "$work/prune"
# mkset NAME AGE_DAYS [nomanifest]: a set dated AGE_DAYS ago.
# The sets go into $prune_dir (default $work/prune).
mkset() {
	p=${prune_dir:-$work/prune}
	mkdir "$p/$1"
	cp -r "$work/live/." "$p/$1/"
	t=$((now - $2 * 86400))
	if [ "${3:-}" != nomanifest ]; then
		{
			printf 'kms-backup-manifest 1\ntime %s %s\nsource /live\nservice STOPPED\n' $t "$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)"
			(cd "$p/$1" && find . -type f | sed 's|^\./||' | while read -r f; do printf 'file %s %s\n' "$(wc -c <"$f")" "$f"; done)
			printf 'end %s\n' "$(find "$p/$1" -type f | wc -l)"
		} >"$work/manifest.tmp"
		mv "$work/manifest.tmp" "$p/$1/kms-backup.manifest"
	else
		find "$p/$1" -type f -exec touch -d "@$t" {} +
	fi
}
mkset kmsdata-a 4
mkset kmsdata-b 3
mkset kmsdata-c 2 nomanifest
mkset kmsdata-d 1
mkdir "$work/prune/other" "$work/prune/.kmsdata-partial-x"
t_expect "check_kms_backup sees the hand-made sets" 0 "newest set kmsdata-d is 1d old" "$check" -d "$work/prune" --pattern 'kmsdata-*'
t_expect "--keep 2 removes the older sets" 0 "^KMS_BACKUP_RUN OK - backed up 4 files .*, 3 old sets removed" kb -k "$work/live" -d "$work/prune" --no-service --keep 2
printf '%s\n' "$t_out" >"$work/prune-run.out"
left=$(cd "$work/prune" && ls -a | grep -v '^\.\.\?$' | grep -v '^kmsdata-2' | grep -v '^\.kms_backup-.*\.lock$' | sort | tr '\n' ' ')
if [ "$left" = ".kmsdata-partial-x kmsdata-d other " ]; then t_pass "kept the newest good sets and what is not a set"; else t_fail "kept the newest good sets and what is not a set" "left: $left"; fi
t_expect "the long output names each removed set" 0 "^removed old set kmsdata-a$" cat "$work/prune-run.out"
t_expect "a dry run names what it would prune" 0 "^would remove old set kmsdata-d$" kb -k "$work/live" -d "$work/prune" --no-service --keep 2 --dry-run
t_first_line "a dry run's first line says so" "^KMS_BACKUP_RUN OK - dry run: .*, 1 old set would be removed"
if [ -d "$work/prune/kmsdata-d" ]; then t_pass "a dry run removes nothing"; else t_fail "a dry run removes nothing"; fi
# A set dated a year ahead (by its manifest) is no proof of a backup: it
# takes no --keep place (the new set was pruned for it) and is left alone.
prune_dir=$work/prune-future
mkdir "$prune_dir"
mkset kmsdata-zz-skewed -365
t_expect "a set dated a year ahead: the run warns, naming it" 1 \
	"^KMS_BACKUP_RUN WARNING - backed up 4 files .*set kmsdata-zz-skewed is dated [0-9T]+Z, 36[45]d( 23h)? ahead of this clock: left alone, not counted in --keep" \
	kb -k "$work/live" -d "$prune_dir" --no-service --keep 1
if [ -n "$(ls "$prune_dir" | grep '^kmsdata-2')" ]; then t_pass "the new set is kept, never pruned for a set dated ahead"; else t_fail "the new set is kept, never pruned for a set dated ahead" "left: $(ls "$prune_dir")"; fi
if [ -d "$prune_dir/kmsdata-zz-skewed" ]; then t_pass "the set dated ahead is left alone"; else t_fail "the set dated ahead is left alone"; fi
prune_dir=

# A link among the sets (to a set elsewhere) is not a set: it takes no
# --keep place (the new set was pruned for it) and is left as it is.
mkdir "$work/prune-link" "$work/linked-elsewhere"
kb -k "$work/live" -d "$work/linked-elsewhere" --no-service >/dev/null
ln -s "$(find "$work/linked-elsewhere" -mindepth 1 -maxdepth 1 -type d -name 'kmsdata-*' | head -n 1)" "$work/prune-link/kmsdata-zz-link"
t_expect "a link among the sets: the backup is kept, nothing pruned for it" 0 "^KMS_BACKUP_RUN OK - backed up 4 files [^,]*\\|" kb -k "$work/live" -d "$work/prune-link" --no-service --keep 1
if [ -n "$(find "$work/prune-link" -mindepth 1 -maxdepth 1 -type d -name 'kmsdata-2*')" ] && [ -L "$work/prune-link/kmsdata-zz-link" ]; then
	t_pass "the new set and the link are both still there"
else
	t_fail "the new set and the link are both still there" "$(ls -la "$work/prune-link")"
fi
t_expect "--help: a set that is a link is never followed" 3 "A set folder that is itself a link" kb --help

# --- options ---
t_expect "--help exits 3 and documents perfdata" 3 "duration=Ns;;;0;" kb --help
t_expect "--service and --no-service together: UNKNOWN naming both" 3 "^KMS_BACKUP_RUN UNKNOWN - --service: 'X' and --no-service exclude each other" kb -k "$work/live" -d "$work/out" --no-service --service X
t_expect "--keep given twice: UNKNOWN naming both" 3 "^KMS_BACKUP_RUN UNKNOWN - --keep: given twice \\('2' and '3'\\)" kb -k "$work/live" -d "$work/out" --no-service --keep 2 -n 3
t_expect "--keep 0 is refused" 3 "^KMS_BACKUP_RUN UNKNOWN - --keep: '0' is out of range" kb -k "$work/live" -d "$work/out" --no-service --keep 0
t_expect "--keep x is refused" 3 "^KMS_BACKUP_RUN UNKNOWN - --keep: 'x' is not a whole number" kb -k "$work/live" -d "$work/out" --no-service --keep x
t_expect "--password-file is required with a service" 3 "^KMS_BACKUP_RUN UNKNOWN - --password-file: is required" kb -k "$work/live" -d "$work/out"
t_expect "--backup-dir is required" 3 "^KMS_BACKUP_RUN UNKNOWN - --backup-dir: is required" kb -k "$work/live" --no-service
t_expect "--kmsdata is required off Windows" 3 "^KMS_BACKUP_RUN UNKNOWN - --kmsdata: is required on this system" kb -d "$work/out" --no-service
t_expect "timeouts must fit in -t" 3 "^KMS_BACKUP_RUN UNKNOWN - --timeout: 60 s leaves no time" kb -k "$work/live" -d "$work/out" -f "$work/pwd" -t 60
t_expect "bad --stop-timeout" 3 "^KMS_BACKUP_RUN UNKNOWN - --stop-timeout: '5x'" kb -k "$work/live" -d "$work/out" -f "$work/pwd" --stop-timeout 5x
t_summary
