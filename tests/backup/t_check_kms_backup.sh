#!/bin/sh
# check_kms_backup on backup folders built here with esegen: every branch
# (no set, empty set, no database, dirty, damaged header, shadow, pages,
# incomplete, manifest mismatch, not ESE, truncated, unreadable, links,
# FIFOs, thousands of files), the thresholds, perfdata and bad options.
. "$top_srcdir/tests/lib/harness.sh"
check=$top_builddir/plugins/check_kms_backup$EXEEXT
esegen=$top_builddir/tests/tools/esegen$EXEEXT
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-backup-t.XXXXXX")
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
now=$(date +%s)

# mkset DIR NAME AGE_SECONDS [esegen args...]: a set of three files, all
# dated AGE_SECONDS ago, Kmsmdb.edb written by esegen with the args.
mkset() {
	d=$1/$2 age=$3
	shift 3
	mkdir -p "$d"
	"$esegen" "$d/Kmsmdb.edb" pages=6 "$@" || echo "esegen failed: $*"
	printf 'checkpoint' >"$d/edb.chk"
	printf 'log records' >"$d/edb00001.log"
	for f in "$d"/*; do touch -d "@$((now - age))" "$f"; done
}
c() { "$check" "$@" </dev/null; }
isotime() { date -u -d "@$1" +%Y%m%dT%H%M%SZ; }

# --- no set, missing or unreadable folder ---
mkdir "$work/empty"
t_expect "no set at all is CRITICAL" 2 "^KMS_BACKUP CRITICAL - no offline backup of Kmsdata in $work/empty \| sets=0;;;0;$" c -d "$work/empty"
t_expect "missing backup folder is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: '$work/nowhere' does not exist$" c -d "$work/nowhere"
printf x >"$work/plainfile"
t_expect "a file as backup folder is UNKNOWN" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: '$work/plainfile' is not a folder$" c -d "$work/plainfile"
mkdir -p "$work/locked/kmsdata-1"
chmod 0700 "$work/locked"
chmod 0711 "$work"
if [ "$(id -u)" -eq 0 ]; then as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"; else as_other=""; chmod 0 "$work/locked"; fi
t_expect "unreadable backup folder is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: cannot read '$work/locked': Permission denied$" $as_other "$check" -d "$work/locked"
chmod 0700 "$work/locked"

# --- a good set, its age and perfdata ---
b=$work/good
mkset "$b" kmsdata-20261101T000000Z 3600
t_expect "a fresh sound set is OK" 0 "^KMS_BACKUP OK - newest set kmsdata-20261101T000000Z is 1h( [0-9]+m)? old, 3 files, [0-9.]+ KB, database clean shutdown \| " c -d "$b"
t_first_line "perfdata labels and thresholds" "\| age=36[0-9][0-9]s;691200;1296000;0; files=3;;;0; size=[0-9]+B;;;0; sets=1;;;0;$"
size=$(cat "$b"/kmsdata-20261101T000000Z/* | wc -c)
t_first_line "size perfdata is the sum of the files" "size=${size}B;"
mkset "$work/old" kmsdata-a $((10 * 86400))
t_expect "a set 10 days old warns (default -w 8d)" 1 "^KMS_BACKUP WARNING - newest set kmsdata-a is 10d old, .*older than 8d" c -d "$work/old"
t_expect "a set 10 days old is critical with -c 9d" 2 "^KMS_BACKUP CRITICAL - .*older than 9d" c -d "$work/old" -c 9d
t_expect "thresholds accept hours" 0 "^KMS_BACKUP OK" c -d "$work/old" -w 250h -c 300h
mkset "$work/ancient" kmsdata-a $((20 * 86400))
t_expect "a set 20 days old is critical (default -c 15d)" 2 "^KMS_BACKUP CRITICAL - newest set kmsdata-a is 20d old, .*older than 15d" c -d "$work/ancient"

# --- the newest set is the one judged; --all-sets judges all ---
mkset "$work/two" kmsdata-old $((3 * 86400)) state=2
mkset "$work/two" kmsdata-new 600
t_expect "newest set chosen by time" 0 "^KMS_BACKUP OK - newest set kmsdata-new is 10m( [0-9]+s)? old" c -d "$work/two"
t_first_line "sets perfdata counts both" "sets=2;;;0;$"
t_expect "--all-sets finds the dirty older set" 2 "^KMS_BACKUP CRITICAL - .*kmsdata-old/Kmsmdb.edb database state is dirty shutdown, not clean shutdown: the copy was not taken offline" c -d "$work/two" --all-sets
t_expect "-v lists the other sets" 0 "^set kmsdata-old: 3d old, 3 files" c -d "$work/two" -v
t_expect "--pattern selects sets" 0 "newest set kmsdata-old .*sets=1;;;0;" c -d "$work/two" --pattern 'kmsdata-o*' --dirty-state OK
# A set dated in the future is no proof of a backup: the newest set with a
# believable date is judged, and the future date is a WARNING of its own.
mkset "$work/future" kmsdata-20261107T000000Z $((20 * 86400)) state=2
mkset "$work/future" kmsdata-zz-skewed $((-365 * 86400))
t_expect "a set dated a year ahead does not hide the real newest set (20d old, dirty)" 2 \
	"^KMS_BACKUP CRITICAL - .*kmsdata-20261107T000000Z/Kmsmdb.edb database state is dirty shutdown.*newest set kmsdata-20261107T000000Z is 20d old" \
	c -d "$work/future"
t_expect "... and the future set is named, not taken as a backup" 2 \
	"^WARNING: set kmsdata-zz-skewed is dated [0-9T]+Z, 36[45]d( 23h)? ahead of this clock: not taken as a backup" c -d "$work/future"
mkset "$work/future2" kmsdata-good 600
mkset "$work/future2" kmsdata-skewed $((-2 * 86400))
t_expect "a future set beside a fresh sound one: WARNING naming it" 1 \
	"^KMS_BACKUP WARNING - set kmsdata-skewed is dated [0-9T]+Z, (2d|1d 23h) ahead of this clock: not taken as a backup.*newest set kmsdata-good is 10m" \
	c -d "$work/future2"
mkset "$work/future2" kmsdata-slightly $((-600))
t_expect "a set 10 minutes ahead (within the hour allowed) is still the newest" 1 "newest set kmsdata-slightly is 0s old" c -d "$work/future2"
mkset "$work/futureonly" kmsdata-skewed $((-2 * 86400))
t_expect "only sets dated in the future: CRITICAL, no believable backup" 2 \
	"^KMS_BACKUP CRITICAL - no offline backup of Kmsdata with a believable date in $work/futureonly \(1 set dated ahead of this clock\)" \
	c -d "$work/futureonly"
t_expect "--help says what a set dated in the future is" 3 "dated more than 1h ahead of this clock" c --help
# Sets with equal times: the newest name is judged (a kms_backup set's name is its time).
for day in 01 08 15 22; do mkset "$work/tie" kmsdata-202611${day}T000000Z 3600; done
"$esegen" "$work/tie/kmsdata-20261122T000000Z/Kmsmdb.edb" pages=6 state=2
touch -d "@$((now - 3600))" "$work/tie/kmsdata-20261122T000000Z/Kmsmdb.edb"
t_expect "a tie in time is broken by the name, newest name first" 2 \
	"^KMS_BACKUP CRITICAL - .*kmsdata-20261122T000000Z/Kmsmdb.edb database state is dirty shutdown.*newest set kmsdata-20261122T000000Z is 1h" \
	c -d "$work/tie"
t_expect "--help states the tie rule" 3 "the one whose name sorts last" c --help
# A set that is itself a link is not a set in this folder: never followed.
mkset "$work/linked" kmsdata-a $((5 * 86400)) state=2
mkset "$work/elsewhere" kmsdata-fresh 60
ln -s "$work/elsewhere/kmsdata-fresh" "$work/linked/kmsdata-zz-link"
t_expect "a link to a fresh set elsewhere is not the newest set" 2 \
	"^KMS_BACKUP CRITICAL - .*kmsdata-a/Kmsmdb.edb database state is dirty shutdown.*newest set kmsdata-a is 5d old.*sets=1;;;0;$" c -d "$work/linked"
t_expect "... and the long output says the link was not followed" 2 "^kmsdata-zz-link is a link: not a set in this folder \\(never followed\\)$" c -d "$work/linked"
t_expect "--help: a set that is a link is never followed" 3 "A set folder that is itself a link" c --help
mkdir "$work/two/.kmsdata-partial-1"
"$esegen" "$work/two/.kmsdata-partial-1/Kmsmdb.edb" state=2
t_expect "a hidden (interrupted) backup is not a set" 0 "newest set kmsdata-new .*sets=2;;;0;$" c -d "$work/two"

# Names from outside are made safe UTF-8 where the output is written: bytes
# that are not UTF-8 become '?', a line break in a set name never starts a
# line of its own.
mkset "$work/names" "kmsdata-$(printf '\377\376')" 60
mkset "$work/names" "kmsdata-b
UNKNOWN: forged" 600
c -d "$work/names" -v >"$work/names.out"
if iconv -f UTF-8 -t UTF-8 "$work/names.out" >/dev/null 2>&1; then t_pass "output with a non-UTF-8 set name is valid UTF-8"; else t_fail "output with a non-UTF-8 set name is valid UTF-8" "$(od -c "$work/names.out" | head -5)"; fi
t_expect "a set name's bytes that are not UTF-8 show as '?'" 0 "^KMS_BACKUP OK - newest set kmsdata-\\?\\? is 1m" c -d "$work/names" -v
t_expect "a line break in a set name stays on its line" 0 "^set kmsdata-b UNKNOWN: forged: 10m( [0-9]+s)? old" c -d "$work/names" -v
if grep -q '^UNKNOWN: forged' "$work/names.out"; then t_fail "no line forged by a set name" "$(cat "$work/names.out")"; else t_pass "no line forged by a set name"; fi

# --- soundness of the newest set ---
mkdir -p "$work/emptyset/kmsdata-1"
t_expect "an empty set is CRITICAL" 2 "^KMS_BACKUP CRITICAL - set kmsdata-1 is empty: no Kmsmdb.edb" c -d "$work/emptyset"
mkset "$work/nodb" kmsdata-1 60
rm "$work/nodb/kmsdata-1/Kmsmdb.edb"
t_expect "a set without Kmsmdb.edb is CRITICAL" 2 "^KMS_BACKUP CRITICAL - no Kmsmdb.edb in set kmsdata-1" c -d "$work/nodb"
mkset "$work/dirty" kmsdata-1 60 state=2
t_expect "a dirty database is CRITICAL, in those words" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb database state is dirty shutdown, not clean shutdown: the copy was not taken offline, newest set kmsdata-1 is 1m( [0-9]+s)? old, 3 files, .*database dirty shutdown" c -d "$work/dirty"
t_expect "--dirty-state WARNING" 1 "^KMS_BACKUP WARNING - .*not taken offline" c -d "$work/dirty" --dirty-state WARNING
mkset "$work/hdr" kmsdata-1 60 damage=header
t_expect "header checksum damage is CRITICAL" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb header has a bad checksum" c -d "$work/hdr"
mkset "$work/shadow" kmsdata-1 60 damage=shadow-differs
t_expect "shadow disagreement is CRITICAL" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb shadow header \(page 1\) disagrees with the header" c -d "$work/shadow"
mkset "$work/shadowsum" kmsdata-1 60 damage=shadow
t_expect "shadow checksum damage is CRITICAL" 2 "^KMS_BACKUP CRITICAL - .*shadow header \(page 1\) has a bad checksum" c -d "$work/shadowsum"
mkset "$work/page" kmsdata-1 60 damage=page:5
t_expect "page damage unseen without --verify-pages" 0 "^KMS_BACKUP OK" c -d "$work/page"
t_expect "page damage found with --verify-pages" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb 1 of 24 pages damaged \(first: page 4, bad checksum\)" c -d "$work/page" --verify-pages
mkset "$work/pagenum" kmsdata-1 60 damage=pagenum:12
t_expect "a misplaced page found with --verify-pages" 2 "first: page 11, holds another page's number" c -d "$work/pagenum" --verify-pages
mkset "$work/zero" kmsdata-1 60 empty=12
t_expect "an all-zero (unwritten) page outside the system pages is not damage" 0 "^KMS_BACKUP OK" c -d "$work/zero" --verify-pages
mkset "$work/ecc" kmsdata-1 60 revision=0x0c
t_expect "format revision 0x0c (newer page checksums): pages not called damaged" 0 "^KMS_BACKUP OK" c -d "$work/ecc" --verify-pages
t_expect "format revision 0x0c: a note says the pages were not verified" 0 "Note: Kmsmdb.edb has format revision 0xc: .*not verify" c -d "$work/ecc" --verify-pages
mkset "$work/ecc11" kmsdata-1 60 revision=0x0b
t_expect "format revision 0x0b: pages verified as before" 0 "^KMS_BACKUP OK" c -d "$work/ecc11" --verify-pages

# --- not a database, truncated ---
mkset "$work/notese" kmsdata-1 60
head -c 20000 /dev/urandom >"$work/notese/kmsdata-1/Kmsmdb.edb"
t_expect "a Kmsmdb.edb that is not ESE is CRITICAL naming it" 2 "^KMS_BACKUP CRITICAL - $work/notese/kmsdata-1/Kmsmdb.edb header not an ESE database" c -d "$work/notese"
mkset "$work/trunc" kmsdata-1 60 damage=truncate:6000
t_expect "a truncated Kmsmdb.edb is CRITICAL naming it" 2 "^KMS_BACKUP CRITICAL - $work/trunc/kmsdata-1/Kmsmdb.edb is truncated" c -d "$work/trunc"
mkset "$work/trunc2" kmsdata-1 60 damage=truncate:100
t_expect "a Kmsmdb.edb cut inside its header is CRITICAL" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb header truncated" c -d "$work/trunc2"
: >"$work/trunc2/kmsdata-1/Kmsmdb.edb"
t_expect "an empty Kmsmdb.edb is CRITICAL" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb" c -d "$work/trunc2"
t_expect "an unreadable header is said once: 'database header unreadable'" 2 ", database header unreadable" c -d "$work/trunc2"
case $(c -d "$work/trunc2") in
*"database database"*) t_fail "never 'database database'" ;;
*) t_pass "never 'database database'" ;;
esac
t_expect "--help: an empty or truncated Kmsmdb.edb is CRITICAL" 3 "Kmsmdb.edb missing, empty, truncated or not an ESE database" c --help
# --verify-pages proves the structure: the database holds the pages it uses.
# A file cut at a page boundary (the header and shadow only; 3 or 10 of 52
# pages; 30 of 52, past the catalogs but short of what its space tree
# owns) is truncated; used pages all zero are damage.
"$esegen" "$work/fifty.edb" pages=50
cut_set() { # NAME BYTES
	mkset "$work/$1" kmsdata-1 60
	head -c "$2" "$work/fifty.edb" >"$work/$1/kmsdata-1/Kmsmdb.edb"
}
cut_set cut40k-nv 40960
t_expect "without --verify-pages too: a database cut at a page boundary is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: .*page 24 \\(the backup catalog\\)" c -d "$work/cut40k-nv"
cut_set cut8k 8192
t_expect "--verify-pages: only the header and shadow (cut at 8 KiB) is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: " c -d "$work/cut8k" --verify-pages
cut_set cut12k 12288
t_expect "--verify-pages: cut at 12 KiB (no catalog page) is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: .*page 4 \(the catalog\)" c -d "$work/cut12k" --verify-pages
cut_set cut40k 40960
t_expect "--verify-pages: cut at 40 KiB (no backup catalog) is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: .*page 24 \(the backup catalog\)" c -d "$work/cut40k" --verify-pages
cut_set cut30p $((32 * 4096))
t_expect "--verify-pages: fewer pages than its space tree owns is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: its space tree owns 50 pages, the file holds 30" c -d "$work/cut30p" --verify-pages
mkset "$work/zeroed" kmsdata-1 60
cp "$work/fifty.edb" "$work/zeroed/kmsdata-1/Kmsmdb.edb"
dd if=/dev/zero of="$work/zeroed/kmsdata-1/Kmsmdb.edb" bs=4096 seek=2 count=48 conv=notrunc 2>/dev/null
t_expect "--verify-pages: used pages all zero are damage" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb page 1 \(the database root\) is all zero" c -d "$work/zeroed" --verify-pages
mkset "$work/moved" kmsdata-1 60
cp "$work/fifty.edb" "$work/moved/kmsdata-1/Kmsmdb.edb"
dd if="$work/fifty.edb" of="$work/moved/kmsdata-1/Kmsmdb.edb" bs=4096 skip=10 seek=5 count=1 conv=notrunc 2>/dev/null
t_expect "--verify-pages: another page in the catalog's place is damage, named by its ESE page number" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb 1 of 50 pages damaged \(first: page 4, holds another page's number\)" c -d "$work/moved" --verify-pages
mkset "$work/stream" kmsdata-1 60 type=1
t_expect "an ESE streaming file is not the database" 2 "is an ESE file of type 1, not a database" c -d "$work/stream"

# --- completeness against the live Kmsdata ---
mkset "$work/inc" kmsdata-1 60
mkdir -p "$work/live/sub"
cp "$work/inc/kmsdata-1/"* "$work/live/"
printf 'more' >"$work/live/edb00002.log"
printf 'x' >"$work/live/sub/keys.dat"
t_expect "a live file missing from the set is CRITICAL" 2 "^KMS_BACKUP CRITICAL - live file edb00002.log is missing from set kmsdata-1 \(and more problems" c -d "$work/inc" --kmsdata "$work/live"
t_expect "long output lists each missing file" 2 "^CRITICAL: live file sub/keys.dat is missing from set kmsdata-1$" c -d "$work/inc" --kmsdata "$work/live"
rm "$work/live/edb00002.log" "$work/live/sub/keys.dat"
: >"$work/inc/kmsdata-1/edb.chk"
t_expect "a file empty in the set but not live is CRITICAL" 2 "edb.chk is empty in set kmsdata-1 \(10 bytes live\)" c -d "$work/inc" --kmsdata "$work/live"
t_expect "a missing --kmsdata is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --kmsdata: cannot read folder '$work/nolive'" c -d "$work/inc" --kmsdata "$work/nolive"

# --- manifest ---
mkset "$work/man" kmsdata-1 60
db=$(wc -c <"$work/man/kmsdata-1/Kmsmdb.edb")
printf 'kms-backup-manifest 1\ntime %s %s\nsource /live\nservice STOPPED\nfile %s Kmsmdb.edb\nfile 10 edb.chk\nfile 11 edb00001.log\nend 3\n' \
	$((now - 7200)) "$(isotime $((now - 7200)))" "$db" >"$work/man/kmsdata-1/kms-backup.manifest"
t_expect "a matching manifest dates the set" 0 "^KMS_BACKUP OK - newest set kmsdata-1 is 2h( [0-9]+m)? old, 3 files" c -d "$work/man"
printf 'grown' >>"$work/man/kmsdata-1/edb00001.log"
printf 'new' >"$work/man/kmsdata-1/extra.log"
t_expect "a size mismatch with the manifest is CRITICAL" 2 "^KMS_BACKUP CRITICAL - edb00001.log in set kmsdata-1 is 16 bytes, the manifest says 11" c -d "$work/man"
t_expect "a file not in the manifest is listed" 2 "^CRITICAL: extra.log in set kmsdata-1 is not in its manifest$" c -d "$work/man"
chmod 0755 "$work/man" "$work/man/kmsdata-1"
chmod 0600 "$work/man/kmsdata-1/kms-backup.manifest"
[ -z "$as_other" ] && chmod 0 "$work/man/kmsdata-1/kms-backup.manifest"
t_expect "an unreadable manifest is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - .*kms-backup.manifest.*Permission denied" $as_other "$check" -d "$work/man"
chmod 0644 "$work/man/kmsdata-1/kms-backup.manifest"
printf 'kms-backup-manifest 1\ntime 5 19700101T000005Z\nfile 3 a\n' >"$work/man/kmsdata-1/kms-backup.manifest"
t_expect "a cut manifest is CRITICAL" 2 "manifest '.*kms-backup.manifest' incomplete \(no end line\)" c -d "$work/man"

# A manifest's time line is "time SECONDS YYYYMMDDTHHMMSSZ", both the same
# time: anything else is a malformed manifest, named as damage.
good_time="$((now - 7200)) $(isotime $((now - 7200)))"
for bad in "2099-01-01T00:00:00Z" "1795779914junk" "1795779914 garbage" "$((now - 7200)) $(isotime $((now - 7100)))" "$good_time extra"; do
	printf 'kms-backup-manifest 1\ntime %s\nsource /live\nservice STOPPED\nfile %s Kmsmdb.edb\nfile 10 edb.chk\nfile 11 edb00001.log\nend 3\n' \
		"$bad" "$db" >"$work/man/kmsdata-1/kms-backup.manifest"
	t_expect "a manifest time line 'time $bad' is damage, named" 2 \
		"^KMS_BACKUP CRITICAL - manifest '.*kms-backup.manifest' line 2 is malformed: want 'time SECONDS YYYYMMDDTHHMMSSZ'" c -d "$work/man"
done
printf 'kms-backup-manifest 1\ntime %s\ntime %s\nsource /live\nservice STOPPED\nend 0\n' "$good_time" "$good_time" >"$work/man/kmsdata-1/kms-backup.manifest"
t_expect "a manifest with two time lines is damage" 2 "^KMS_BACKUP CRITICAL - manifest '.*kms-backup.manifest' line 3 is malformed: a second time line" c -d "$work/man"

# --- links, loops, special files, unreadable set, size ---
mkset "$work/loop" kmsdata-1 60
ln -s "$work/loop/kmsdata-1" "$work/loop/kmsdata-1/again"
ln -s "$work/loop" "$work/loop/kmsdata-1/up"
mkfifo "$work/loop/kmsdata-1/pipe"
t_expect "symlink loops and FIFOs end within the timeout" 0 "^KMS_BACKUP OK - newest set kmsdata-1 is 1m( [0-9]+s)? old, 3 files" c -d "$work/loop" -t 5
t_expect "skipped links are counted" 0 "^set kmsdata-1: 3 links or special files not followed" c -d "$work/loop"
mkset "$work/fifo" kmsdata-1 60
rm "$work/fifo/kmsdata-1/Kmsmdb.edb"
mkfifo "$work/fifo/kmsdata-1/Kmsmdb.edb"
t_expect "a FIFO named Kmsmdb.edb does not hang" 2 "no Kmsmdb.edb in set kmsdata-1" c -d "$work/fifo" -t 5
mkset "$work/lockset" kmsdata-1 60
mkdir "$work/lockset/kmsdata-1/private"
chmod 0755 "$work/lockset" "$work/lockset/kmsdata-1"
if [ -z "$as_other" ]; then chmod 0 "$work/lockset/kmsdata-1/private"; else chmod 0700 "$work/lockset/kmsdata-1/private"; fi
t_expect "an unreadable folder in a set is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - cannot read folder '$work/lockset/kmsdata-1/private': Permission denied" $as_other "$check" -d "$work/lockset"
mkset "$work/lockedset" kmsdata-new 60
mkset "$work/lockedset" kmsdata-old 600
chmod 0755 "$work/lockedset"
if [ -z "$as_other" ]; then chmod 0 "$work/lockedset/kmsdata-new"; else chmod 0700 "$work/lockedset/kmsdata-new"; fi
t_expect "an unreadable set (maybe the newest) is UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - cannot read folder '$work/lockedset/kmsdata-new': Permission denied, newest set kmsdata-old" $as_other "$check" -d "$work/lockedset"
t_expect "--all-sets names an unreadable set once" 3 "^UNKNOWN: cannot read folder '$work/lockedset/kmsdata-new': Permission denied$" $as_other "$check" -d "$work/lockedset" --all-sets
n=$(printf '%s\n' "$t_out" | grep -c "kmsdata-new': Permission denied$")
if [ "$n" -eq 1 ]; then t_pass "(once)"; else t_fail "(once)" "$n times"; fi
chmod 0700 "$work/lockedset/kmsdata-old"
t_expect "no readable set at all is UNKNOWN" 3 "^KMS_BACKUP UNKNOWN - cannot read folder '$work/lockedset/kmsdata-[a-z]+': Permission denied$" $as_other "$check" -d "$work/lockedset"
mkset "$work/big" kmsdata-1 60
mkdir "$work/big/kmsdata-1/many"
(cd "$work/big/kmsdata-1/many" && seq 1 5000 | xargs touch)
start=$(date +%s)
t_expect "5000 files in a set" 0 "^KMS_BACKUP OK - newest set kmsdata-1 is .* old, 5003 files" c -d "$work/big" -t 20
if [ $(($(date +%s) - start)) -le 20 ]; then t_pass "5000 files within the timeout"; else t_fail "5000 files within the timeout"; fi
printf 'kms-backup-manifest 1\ntime %s %s\nsource /k\nservice STOPPED\nend 0\n' "$now" "$(isotime "$now")" >"$work/big/kmsdata-1/kms-backup.manifest"
t_expect "5003 manifest problems: one first line" 2 "^KMS_BACKUP CRITICAL - [^ ]+ in set kmsdata-1 is not in its manifest \(and more problems, see below\), newest set kmsdata-1 is [0-9]+s old, 5003 files" c -d "$work/big"
t_expect "... long output cut to Nagios's 8 KiB with a marker" 2 "^\.\.\. [0-9]+ more lines cut to fit the 8192-byte output limit$" c -d "$work/big"
bytes=$(printf '%s\n' "$t_out" | wc -c)
if [ "$bytes" -le 8193 ]; then t_pass "output within 8 KiB ($bytes bytes)"; else t_fail "output within 8 KiB" "$bytes bytes"; fi

mkset "$work/deep" kmsdata-1 60
d="$work/deep/kmsdata-1"
i=0
while [ $i -lt 40 ]; do d=$d/n; i=$((i + 1)); done
mkdir -p "$d"
t_expect "folders nested beyond 32 levels are UNKNOWN, not a crash" 3 "^KMS_BACKUP UNKNOWN - folders nested too deep at '$work/deep/kmsdata-1/n/n/" c -d "$work/deep"
# A 16 GiB (sparse) Kmsmdb.edb: without --verify-pages only its header and
# structure (a few pages) are read;
# with it, the deadline ends the page scan with the timeout line.
mkset "$work/huge" kmsdata-1 60
truncate -s 16G "$work/huge/kmsdata-1/Kmsmdb.edb"
t_expect "a 16 GiB database without --verify-pages reads only the header and structure" 0 "^KMS_BACKUP OK - newest set kmsdata-1 .*16.0 GB" c -d "$work/huge" -t 5
t_expect "--verify-pages on 16 GiB honours the timeout" 3 "^KMS_BACKUP UNKNOWN - timed out after 1 s$" c -d "$work/huge" --verify-pages -t 1
rm -rf "$work/huge"

# --- options ---
t_expect "--help exits 3 and documents perfdata" 3 "age=Ns;w;c;0;" c --help
t_expect "--help documents the defaults" 3 "default 8d" c --help
t_expect "--backup-dir is required" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: is required" c
t_expect "bad --dirty-state" 3 "^KMS_BACKUP UNKNOWN - --dirty-state: 'BAD' is not a state" c -d "$b" --dirty-state BAD
t_expect "bad -w" 3 "^KMS_BACKUP UNKNOWN - --warning: '1:12%'" c -d "$b" -w 1:12%
t_expect "bad duration" 3 "^KMS_BACKUP UNKNOWN - --critical: '3x'" c -d "$b" -c 3x
t_expect "--backup-dir given twice: UNKNOWN naming both" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: given twice \\('$b' and '/x'\\)" c -d "$b" -d /x
mkset "$work/edge" kmsdata-a $((8 * 86400 + 30))
t_expect "an age just past -w is shown as compared, never '8d old, older than 8d'" 1 "^KMS_BACKUP WARNING - newest set kmsdata-a is 8d 3[0-9]s old, .*older than 8d \\|" c -d "$work/edge"
t_expect "a huge threshold is a plain decimal in perfdata" 0 "age=[0-9]+s;100000000000000000000000;100000000000000000000000;0;" c -d "$b" -w 99999999999999999999999 -c 99999999999999999999999
t_expect "-c 0.5s says 'older than 0.5s', the value compared" 2 "older than 0.5s \\| age=[0-9]+s;691200;0.5;0;" c -d "$b" -c 0.5s
t_expect "-c 90061s is shown whole, not rounded to 1d 1h" 2 "older than 1d 1h 1m 1s \\|" c -d "$work/old" -c 90061s
t_expect "empty --pattern" 3 "^KMS_BACKUP UNKNOWN - --pattern: is empty" c -d "$b" --pattern ''
t_expect "--pattern '[' (no closing bracket): UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --pattern: '\\[' has a '\\[' without its '\\]'" c -d "$b" --pattern '['
t_expect "--pattern '*/*' (a path): UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --pattern: '\\*/\\*' holds a path separator: it matches one folder name" c -d "$b" --pattern '*/*'
t_expect "--pattern '[z-a]*' (an empty range): UNKNOWN naming it" 3 "^KMS_BACKUP UNKNOWN - --pattern: '\\[z-a\\]\\*' has the range 'z-a', which is empty" c -d "$b" --pattern '[z-a]*'
t_summary
