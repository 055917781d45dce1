#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# check_kms_events on .evt fixtures: defaults, every option, window and
# bookmark, clear-on-start, every log shape, and every bad input as one
# UNKNOWN line naming the culprit.
. "$top_srcdir/tests/events/lib-events.sh"
prog=$top_builddir/plugins/check_kms_events$EXEEXT
e() { $runner "$prog" "$@" </dev/null; }
f=$scratch

# --- help and version -------------------------------------------------------
t_expect "--help exits 3" 3 '^Usage: check_kms_events \[OPTION\]' e --help
for opt in --file --log --window --since --state-file --max-events --source --id --type --match \
	--clear-on-start --system-file --service --warning --critical --hostname --timeout; do
	t_expect "--help documents $opt" 3 "$opt" e --help
done
t_expect "--help names the perfdata" 3 'events=N;WARN;CRIT;0;' e --help
t_expect "--help gives the defaults" 3 'default 5058' e --help
t_expect "--help gives the exit states" 3 '3 UNKNOWN' e --help
t_expect "--help has examples" 3 'check_kms_events -f AppEvent.evt --window all' e --help
t_expect "--version exits 3" 3 '^check_kms_events \(exchange-kms-plugins\)' e --version

# --- the default question: Event 5058 of MSExchangeKMS in 24 h ---------------
{
	rec 30h MSExchangeKMS 5058 error - data=16
	rec 5h MSExchangeKMS 5057 error "bad password"
	rec 3h MSExchangeIS 5058 error -
	rec 2h MSExchangeKMS 0xC00013C2 error "exception c0000005" data=64
	rec 1h MSExchangeKMS 1000 information started
} | fixture app
t_expect "one 5058 in 24h is CRITICAL" 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h' e -f "$f/app.evt"
t_first_line "first line: last occurrence and remedy" \
	"last at $(iso 7200): Kmsdata is corrupt or incomplete, restore it from an offline backup \| events=1;;0;0;$"
t_expect "long output lists the event" 2 "^$(iso 7200) event 5058 \(error\) from MSExchangeKMS, record 4: exception c0000005" \
	e -f "$f/app.evt"
t_expect "long output gives the remedy" 2 'Remedy \(article Q190698\)' e -f "$f/app.evt"
t_expect "--window all counts the older one too" 2 '2 x Event 5058 in the whole log.*events=2;;0;0;' \
	e -f "$f/app.evt" --window all
t_expect "--window 2h misses the one 2h ago? no: boundary is inclusive" 2 '1 x Event 5058' \
	e -f "$f/app.evt" --window 7300s
t_expect "--window 1h has none: OK" 0 '^KMS_EVENTS OK - no Event 5058 in the last 1h \| events=0;;0;0;$' \
	e -f "$f/app.evt" --window 1h
t_expect "--since at the event counts it" 2 '1 x Event 5058 since' e -f "$f/app.evt" --since "$(iso 7200)"
t_expect "--since a second later does not" 0 'no Event 5058 since' e -f "$f/app.evt" --since "$(iso 7199)"
t_expect "--since a date only" 2 '2 x Event 5058' e -f "$f/app.evt" --since 2000-01-01
t_expect "--source other (any case)" 2 '1 x Event 5058' e -f "$f/app.evt" -s msexchangeis
t_expect "--source repeatable" 2 '2 x Event 5058' e -f "$f/app.evt" -s MSExchangeIS -s MSEXCHANGEKMS
t_expect "--id list" 2 '^KMS_EVENTS CRITICAL - 2 x Events 5057,5058 in the last 24h' e -f "$f/app.evt" --id 5057,5058
t_expect "--id range" 2 '2 x Events 5050-5060' e -f "$f/app.evt" --id 5050-5060
t_expect "--id repeatable" 2 '3 x Events 5057,5058,1000' e -f "$f/app.evt" --id 5057 --id 5058 -i 1000
t_expect "--id meaning printed (5057)" 2 'event 5057 \(error\).*not valid' e -f "$f/app.evt" --id 5057
t_expect "--type information" 2 '1 x Events 1000-1000' e -f "$f/app.evt" --id 1000-1000 --type information
t_expect "--type excludes" 0 'no Event 5058' e -f "$f/app.evt" --type warning,information
t_expect "--match in an insertion string" 2 '1 x Event 5058' e -f "$f/app.evt" --match C0000005
t_expect "--match that is absent" 0 'no Event 5058' e -f "$f/app.evt" --match c0000006
t_expect "-w/-c: 1 in 0..1 warns? no: OK" 0 'events=1;2;3;0;' e -f "$f/app.evt" -w 2 -c 3
t_expect "-w 0 -c 5: WARNING" 1 '^KMS_EVENTS WARNING - 1 x' e -f "$f/app.evt" -w 0 -c 5
t_expect "-c @0 never critical on 2" 0 'events=2;;@0:0;0;' e -f "$f/app.evt" --window all -c @0
t_expect "--max-events 1 lists one" 2 '\(1 more not listed' e -f "$f/app.evt" --window all --max-events 1
lines=$(e -f "$f/app.evt" --window all --max-events 0 | grep -c ' event 5058 ')
[ "$lines" -eq 0 ] && t_pass "--max-events 0 lists none" || t_fail "--max-events 0 lists none" "$lines lines"
cp "$f/app.evt" "$f/app-copy.evt"
t_expect "several --file add up" 2 '6 x Event 5058 in the whole log' \
	e -f "$f/app.evt" -f "$f/app-copy.evt" --window all -s MSExchangeKMS -s MSExchangeIS --max-events 2
t_expect "-v says how much was read (stops past the window)" 2 'Read 5 records from 1 file' e -f "$f/app.evt" -v

# A clock stepped back: record 2 claims 48h ago between records of 2h and 1h ago.
{
	rec 2h MSExchangeKMS 5058 error before-step
	rec 48h "Service Control Manager" 7036 information "stepped clock"
	rec 1h MSExchangeKMS 5058 error after-step
} | fixture stepped
t_expect "--clock-slack all: a clock stepped back 2 days hides no event" 2 '^KMS_EVENTS CRITICAL - 2 x Event 5058 in the last 24h' \
	e -f "$f/stepped.evt" --clock-slack all
t_expect "default slack (1h): a 2-day step back ends the window's reading there" 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h' \
	e -f "$f/stepped.evt"
t_expect "--clock-slack 3d covers a 2-day step" 2 '^KMS_EVENTS CRITICAL - 2 x Event 5058 in the last 24h' \
	e -f "$f/stepped.evt" --clock-slack 3d
# A step back of 30 minutes past the window's start: within the default slack.
{
	rec 2h MSExchangeKMS 5058 error before-step
	rec 88200s "Service Control Manager" 7036 information "stepped clock"
	rec 1h MSExchangeKMS 5058 error after-step
} | fixture stepped-short
t_expect "default slack (1h): a 30-minute step back hides nothing" 2 '^KMS_EVENTS CRITICAL - 2 x Event 5058 in the last 24h' \
	e -f "$f/stepped-short.evt"
t_expect "--clock-slack: a bad value is UNKNOWN" 3 "^KMS_EVENTS UNKNOWN - --clock-slack: 'soon' is not a duration" \
	e -f "$f/stepped.evt" --clock-slack soon
# Beyond 2 GiB (sparse): offsets and the size are 64-bit on every platform.
{ rec 2h MSExchangeKMS 5058 error big; } | fixture big
if truncate -s 2500M "$f/big.evt" 2>/dev/null; then
	t_expect "a file beyond 2 GiB is read" 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h' e -f "$f/big.evt"
	rm -f "$f/big.evt"
fi

# --- log shapes -----------------------------------------------------------
i=0
while [ $i -lt 80 ]; do
	if [ $((i % 4)) -eq 0 ]; then rec $((80 - i))m MSExchangeKMS 5058 error "n$i" "data=$((i % 9))"; else
		rec $((80 - i))m MSExchangeKMS 1000 information "routine $i" "sid=$((i % 3 * 12))"; fi
	i=$((i + 1))
done >"$f/many.txt"
for shape in "clean:" "padding:--size 4000 --want padding" "split-record:--size 4000 --want split-record" \
	"split-eof:--size 4000 --want split-eof" "eof-at-start:--size 4000 --want eof-at-start" \
	"dirty:--size 4000 --want split-record --dirty" "dirty-no-eof:--size 4000 --want padding --dirty --no-eof"; do
	name=${shape%%:*}
	fixture "$name" ${shape#*:} <"$f/many.txt"
	want=$(grep -v '^#' "$f/$name.expected" | awk -F '\t' '$3 == 5058' | wc -l)
	t_expect "$name log: $want x 5058 as written" $([ "$want" -gt 0 ] && echo 2 || echo 0) \
		"(^KMS_EVENTS CRITICAL - $want x|no Event)" e -f "$f/$name.evt" --window all
done
t_expect "dirty log: the note says the header was stale" 2 'Note: .*header is stale' e -f "$f/dirty.evt" --window all
t_expect "no EOF record: the note says the chain was followed" 2 'Note: .*no EOF record.*followed the record chain' \
	e -f "$f/dirty-no-eof.evt" --window all
fixture stale-start --generate 400 --spacing 10 --no-eof --stale-start 200 </dev/null
t_expect "no EOF record, stale header start: every record is read" 0 'Read 400 records from 1 file' \
	e -f "$f/stale-start.evt" --window all -v --id 1
t_expect "no EOF record, stale header start: the note says so" 0 'Note: .*200 older records before it' \
	e -f "$f/stale-start.evt" --window all --id 1
printf '' | fixture empty
t_expect "empty log: OK" 0 'no Event 5058 in the whole log' e -f "$f/empty.evt" --window all

# An event dated in the future (a wrong clock) is counted, and said to be.
{
	rec 2h MSExchangeKMS 5058 error before
	rec "@$((now + 365 * 86400))" MSExchangeKMS 5058 error skewed
} | fixture ahead
t_expect "an event dated a year ahead is counted" 2 '^KMS_EVENTS CRITICAL - 2 x Event 5058 in the last 24h' e -f "$f/ahead.evt"
t_expect "... and the long output says it is dated ahead of the clock" 2 \
	"^Note: 1 matching record is dated ahead of this clock \\(record 2 of $f/ahead.evt, $(iso $((-365 * 86400)))\\): counted; the clock that wrote it, or this one, is wrong$" \
	e -f "$f/ahead.evt"

# --- bookmark ---------------------------------------------------------------
st=$f/state
{
	rec 3h MSExchangeKMS 5058 error one
	rec 2h MSExchangeKMS 5058 error two
} | fixture bm
t_expect "bookmark, first run: the window" 2 '2 x Event 5058 in the last 24h \(first run of --state-file\)' \
	e -f "$f/bm.evt" --state-file "$st"
t_expect "bookmark, second run: nothing new" 0 'no Event 5058 since the last check' e -f "$f/bm.evt" --state-file "$st"
{
	rec 3h MSExchangeKMS 5058 error one
	rec 2h MSExchangeKMS 5058 error two
	rec 1h MSExchangeKMS 5058 error three
} | fixture bm
t_expect "bookmark: one new event" 2 '1 x Event 5058 since the last check.*' e -f "$f/bm.evt" --state-file "$st"
t_expect "bookmark: the new one is listed" 2 'record 3: three' e -f "$f/bm.evt" --state-file "$f/state-copy" --window 90m
{
	rec 30m MSExchangeKMS 5058 error after-clear
} | fixture bm
t_expect "bookmark: a cleared log (numbering restarts) still counts new events" 2 '1 x Event 5058 since the last check' \
	e -f "$f/bm.evt" --state-file "$st"
i=0
while [ $i -lt 40 ]; do rec $((25 - i / 2))m MSExchangeKMS 5058 error "w$i"; i=$((i + 1)); done | fixture bm --size 1200 --first-number 2
cp "$st" "$f/state-wrap"
t_expect "bookmark: records overwritten by a wrap since the last check: a note says so" 2 \
	"Note: $f/bm.evt wrapped: records 2 to [0-9]+, after the last check's bookmark, were overwritten" \
	e -f "$f/bm.evt" --state-file "$f/state-wrap"
t_expect "bookmark: a wrapped log counts only the newer records" 2 '^KMS_EVENTS CRITICAL - [0-9]+ x Event 5058 since the last check' \
	e -f "$f/bm.evt" --state-file "$st"
e -f "$f/bm.evt" --state-file "$st" >/dev/null
t_expect "bookmark: and then nothing" 0 'no Event 5058 since the last check' e -f "$f/bm.evt" --state-file "$st"
# An older copy of the log never moves the bookmark backwards.
cp "$st" "$f/state-before"
{
	rec 3h MSExchangeKMS 5058 error one
	rec 2h MSExchangeKMS 5058 error two
} | fixture bm-old
cp "$f/bm.evt" "$f/bm-now.evt"
cp "$f/bm-old.evt" "$f/bm.evt"
e -f "$f/bm.evt" --state-file "$st" >/dev/null
cmp -s "$st" "$f/state-before" && t_pass "an older copy of the log leaves the bookmark" ||
	t_fail "an older copy of the log leaves the bookmark" "$(cat "$st")"
cp "$f/bm-now.evt" "$f/bm.evt"
t_expect "bookmark: after the older copy, still nothing new" 0 'no Event 5058 since the last check' e -f "$f/bm.evt" --state-file "$st"
# Two checks sharing one state file: the second waits for the first (lock).
# A state file alone in its folder, so the lock file beside it is the only one.
mkdir -p "$f/lockt"
e -f "$f/bm.evt" --state-file "$f/lockt/state" >/dev/null
state_lock=$(ls "$f"/lockt/*.lock 2>/dev/null | head -n 1)
if [ -z "$runner" ] && command -v flock >/dev/null 2>&1; then
	[ -n "$state_lock" ] && t_pass "a lock file stands beside the state file" ||
		t_fail "a lock file stands beside the state file" "$(ls "$f/lockt")"
	flock "$state_lock" sleep 7 &
	holder=$!
	sleep 1
	t_expect "a state file locked by another check: UNKNOWN after waiting" 3 \
		"^KMS_EVENTS UNKNOWN - --state-file: '$f/lockt/state' is in use by another check" e -f "$f/bm.evt" --state-file "$f/lockt/state"
	wait $holder
	flock "$state_lock" sleep 2 &
	holder=$!
	sleep 1
	t_expect "a state file freed within 5 s: the check goes on" 0 'no Event 5058 since the last check' \
		e -f "$f/bm.evt" --state-file "$f/lockt/state"
	wait $holder
fi
# A bookmark taken at a record dated in the future (a wrong clock) must not
# hide the events of a log cleared since: they were written after the check.
{
	rec 2h MSExchangeKMS 5058 error old
	rec "@$((now + 365 * 86400))" MSExchangeKMS 1000 information skewed
} | fixture skew
e -f "$f/skew.evt" --state-file "$f/state-skew" >/dev/null
sleep 1
rec "@$(($(date +%s) + 1))" MSExchangeKMS 5058 error after-clear | fixture skew
t_expect "bookmark at a future-dated record: a cleared log's new event still counts" 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 since the last check' \
	e -f "$f/skew.evt" --state-file "$f/state-skew"
t_expect "... and once read, it is not counted again" 0 'no Event 5058 since the last check' e -f "$f/skew.evt" --state-file "$f/state-skew"
{
	rec 2h MSExchangeKMS 5058 error old
	rec "@$((now + 365 * 86400))" MSExchangeKMS 5058 error skewed
} | fixture skew2
e -f "$f/skew2.evt" --state-file "$f/state-skew2" >/dev/null
t_expect "bookmark at a future-dated record: that record is never counted twice" 0 'no Event 5058 since the last check' \
	e -f "$f/skew2.evt" --state-file "$f/state-skew2"
grep -q '^kms-evt-bookmarks 2$' "$st" && t_pass "state file has its header" || t_fail "state file has its header"
ls "$f" | grep -q 'state.tmp' && t_fail "no temporary state left" || t_pass "no temporary state left"
echo garbage >"$f/bad-state"
t_expect "damaged state file: UNKNOWN naming it" 3 "^KMS_EVENTS UNKNOWN - --state-file: state file '$f/bad-state' is not a bookmark file" \
	e -f "$f/bm.evt" --state-file "$f/bad-state"
printf 'kms-evt-bookmarks 1\n12 x file y\n' >"$f/bad-state"
t_expect "malformed bookmark line: UNKNOWN naming the line" 3 'is damaged at line 2' e -f "$f/bm.evt" --state-file "$f/bad-state"
t_expect "state file in a missing folder: UNKNOWN" 3 "^KMS_EVENTS UNKNOWN - --state-file: cannot (lock|write) '$f/no/dir/state'" \
	e -f "$f/bm.evt" --state-file "$f/no/dir/state"
# A bookmark key is never cut short: two logs whose paths share their first
# 506 characters once shared one bookmark (the second counted nothing).
long=$f/$(printf 'd%.0s' $(seq 200))/$(printf 'e%.0s' $(seq 200))/$(printf 'g%.0s' $(seq 200))
mkdir -p "$long"
cp "$f/bm.evt" "$long/serverA.evt"
cp "$f/bm.evt" "$long/serverB.evt"
plain=$(e -f "$long/serverA.evt" -f "$long/serverB.evt" --window all | head -n 1 | sed 's/ in the whole log.*//')
t_expect "a path too long for a bookmark is refused, never cut short" 3 \
	"^KMS_EVENTS UNKNOWN - --file: '$long/serverA.evt' is too long to keep a bookmark for in --state-file \(at most [0-9]+ bytes\)" \
	e -f "$long/serverA.evt" -f "$long/serverB.evt" --state-file "$f/state-long"
[ ! -e "$f/state-long" ] && t_pass "a refused long path writes no state file" ||
	t_fail "a refused long path writes no state file" "$(cat "$f/state-long") (without a bookmark: $plain)"
# A path holding a line break cannot be a bookmark key: say that, not "full".
nl_path="$f/line
break.evt"
cp "$f/bm.evt" "$nl_path"
t_expect "a path with a line break and --state-file: UNKNOWN naming the line break" 3 \
	"^KMS_EVENTS UNKNOWN - --file: .* holds a line break: --state-file cannot keep a bookmark for it" \
	e -f "$nl_path" --state-file "$f/state-nl"

t_expect "--help names the Exchange 4.0/5.0 service name" 3 '"Microsoft Exchange Key Manager"' e --help
# --- clear on start ---------------------------------------------------------
{
	rec 3h MSExchangeKMS 5058 error before-start
} | fixture cos-app
{
	rec 4h "Service Control Manager" 7036 information "Microsoft Exchange Key Management Server|running"
	rec 2h "Service Control Manager" 7036 information "Microsoft Exchange Key Management Server|stopped"
	rec 2h "Service Control Manager" 7036 information "Microsoft Exchange Key Management Server|running"
	rec 90m "Service Control Manager" 7036 information "Microsoft Exchange Information Store|running"
} | fixture cos-sys
t_expect "--clear-on-start: a later start clears it" 0 \
	"^KMS_EVENTS OK - no Event 5058 in the last 24h, 1 earlier cleared by the KM service's start at $(iso 7200)" \
	e -f "$f/cos-app.evt" --clear-on-start --system-file "$f/cos-sys.evt"
t_expect "without --clear-on-start it counts" 2 '1 x Event 5058' e -f "$f/cos-app.evt"
{
	rec 3h MSExchangeKMS 5058 error before-start
	rec 1h MSExchangeKMS 5058 error after-start
} | fixture cos-app
t_expect "--clear-on-start: an occurrence after the start counts" 2 '1 x Event 5058 .*1 earlier cleared' \
	e -f "$f/cos-app.evt" --clear-on-start --system-file "$f/cos-sys.evt"
t_expect "--service names another service" 2 '2 x Event 5058' \
	e -f "$f/cos-app.evt" --clear-on-start --system-file "$f/cos-sys.evt" --service "Some Other Service"
t_expect "--service matches any case" 2 '1 x Event 5058' \
	e -f "$f/cos-app.evt" --clear-on-start --system-file "$f/cos-sys.evt" --service "microsoft exchange key management server"
{
	rec 2h "Service Control Manager" 7036 information "Microsoft Exchange Key Manager|running"
} | fixture cos-sys-old
t_expect "--clear-on-start: the Exchange 4.0/5.0 name (Key Manager) counts as the KM service" 2 '1 x Event 5058 .*1 earlier cleared' \
	e -f "$f/cos-app.evt" --clear-on-start --system-file "$f/cos-sys-old.evt"

# --- bad input: one UNKNOWN line naming the culprit -------------------------
u() { # NAME PATTERN ARGS...: UNKNOWN, and the first line says why
	u_name=$1 u_pattern=$2
	shift 2
	t_expect "$u_name" 3 "^KMS_EVENTS UNKNOWN - $u_pattern" e "$@"
	t_first_line "$u_name: on the first line" "^KMS_EVENTS UNKNOWN - $u_pattern"
}
u "missing file" "cannot open '$f/nothere.evt'" -f "$f/nothere.evt"
u "a folder" "cannot (read|open) '$f'" -f "$f"
printf 'not an event log, just text that is long enough for a header\n' >"$f/text.evt"
u "not an event log" "'$f/text.evt' is not an event log file" -f "$f/text.evt"
head -c 20 "$f/app.evt" >"$f/short.evt"
u "a truncated header" "'$f/short.evt' is not an event log file.*shorter" -f "$f/short.evt"
fixture damaged --poke 0x30=0x99 <"$f/many.txt"
u "a damaged record: file and byte offset" "'$f/damaged.evt': damaged at byte offset [0-9]+" -f "$f/damaged.evt" --window all
size=$(wc -c <"$f/app.evt")
head -c $((size - 100)) "$f/app.evt" >"$f/cut.evt"
u "a file cut short" "'$f/cut.evt': damaged at byte offset [0-9]+" -f "$f/cut.evt" --window all
if [ -z "$runner" ]; then
	u "live log on Linux" "the live Application log can only be read on Windows" --window all
	u "-H on Linux" "the live Application log can only be read on Windows" -H kmshost
else # Wine's event log API is a stub: the live log reads as empty
	t_expect "live log (Wine: empty)" 0 '^KMS_EVENTS OK - no Event 5058 in the whole log' e --window all
	t_expect "live System log for --clear-on-start (Wine: empty)" 2 '1 x Event 5058' \
		e -f "$f/app.evt" --clear-on-start
	u "unreachable -H host: the log and host named" "cannot open the Application log on nosuchhost\.invalid: " \
		-H nosuchhost.invalid
fi
u "unknown log" "--log: 'Applicaton' is not a known event log" -l Applicaton
for ids in 50a8 5058, ,5058 5059-5058 70000 -5 '' 5058-; do
	u "malformed id list '$ids'" "--id: '$ids' is not a list of event ids" -f "$f/app.evt" --id "$ids"
done
for w in 24x 0 -1 '' 1.5.2; do
	u "bad window '$w'" "--window: '$w'" -f "$f/app.evt" --window "$w"
done
for s in 2026-02-30 yesterday 2026-11-21T25:00:00Z 2026-11-21T10:00:00-02:00 1969-12-31 2026-1-1; do
	u "bad time '$s'" "--since: '$s' is (not|outside)" -f "$f/app.evt" --since "$s"
done
u "--since without an offset (ISO 8601: local time) is refused, naming the form wanted" \
	"--since: '2026-11-27T10:00:00' has no offset: ISO 8601 reads it as local time; write it in UTC with Z \\(e.g. 2026-11-21T09:30:00Z\\)" \
	-f "$f/app.evt" --since 2026-11-27T10:00:00
u "--since without an offset, minutes only, is refused" "--since: '2026-11-27 10:00' has no offset" -f "$f/app.evt" --since '2026-11-27 10:00'
u "--window given twice: UNKNOWN naming both" "--window: given twice \\('1w' and '2d'\\)" -f "$f/app.evt" --window 1w --window 2d
u "--state-file given twice: UNKNOWN naming both" "--state-file: given twice" -f "$f/app.evt" --state-file "$f/s1" --state-file "$f/s2"
u "-l beside -f: UNKNOWN naming both" "--log: 'System' and --file '$f/app.evt' exclude each other" -l System -f "$f/app.evt"
t_expect "--usage shows 'DURATION|all' as written" 3 '\[--window=DURATION\|all\]' e --usage
u "--since and --window together" "--since: .* exclude each other" -f "$f/app.evt" --since 2026-01-01 --window 1h
u "--file and -H together" "--hostname: 'kms1' and --file exclude each other" -f "$f/app.evt" -H kms1
u "empty --source" "--source: is empty" -f "$f/app.evt" -s ''
u "empty --file" "--file: is empty" -f ''
u "the same --file twice" "--file: '$f/app.evt' is given twice" -f "$f/app.evt" -f "$f/app.evt"
u "--max-events too many" "--max-events: '101' is out of range" -f "$f/app.evt" --max-events 101
u "--max-events not a number" "--max-events: 'ten'" -f "$f/app.evt" --max-events ten
u "bad --type" "--type: 'fatal' is not a list of event types" -f "$f/app.evt" --type fatal
u "--system-file without --clear-on-start" "--system-file: .* only read with --clear-on-start" -f "$f/app.evt" --system-file x
u "--clear-on-start, damaged System file" "'$f/damaged.evt': damaged at byte offset" \
	-f "$f/app.evt" --clear-on-start --system-file "$f/damaged.evt"
u "bad -c" "--critical: '1:12%'" -f "$f/app.evt" -c 1:12%
u "empty --state-file" "--state-file: is empty" -f "$f/app.evt" --state-file ''

# --- a FIFO: refused at once as not a regular file, never waited on ---------
if [ -z "$runner" ] && mkfifo "$f/fifo.evt" 2>/dev/null; then
	t_expect "a FIFO as --file: not a regular file, at once" 3 "^KMS_EVENTS UNKNOWN - cannot open '$f/fifo.evt': not a regular file" \
		timeout 20 "$prog" -f "$f/fifo.evt" -t 10
	t_expect "a FIFO as --state-file: not a regular file, at once" 3 "^KMS_EVENTS UNKNOWN - --state-file: cannot read '$f/fifo.evt': it is not a regular file" \
		timeout 20 "$prog" -f "$f/app.evt" --state-file "$f/fifo.evt" -t 10
fi
t_summary
