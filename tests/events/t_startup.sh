#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# check_kms_startup on .evt fixtures: which SCM events are timeouts and
# which failed starts, the right insertion string per id, service names in
# any case, both threshold pairs, perfdata, and bad input.
. "$top_srcdir/tests/events/lib-events.sh"
prog=$top_builddir/plugins/check_kms_startup$EXEEXT
s() { $runner "$prog" "$@" </dev/null; }
f=$scratch
KM="Microsoft Exchange Key Management Server"
SCM="Service Control Manager"

t_expect "--help exits 3" 3 '^Usage: check_kms_startup \[OPTION\]' s --help
for opt in --file --log --window --since --state-file --max-events --service --failed-warning \
	--failed-critical --warning --critical --hostname --timeout; do
	t_expect "--help documents $opt" 3 "$opt" s --help
done
t_expect "--help explains what counts" 3 '7000 whose error is %%1053' s --help
t_expect "--help names the perfdata" 3 'timeouts=N;WARN;CRIT;0; failed_starts=N;WARN;CRIT;0;' s --help
t_expect "--help gives the defaults" 3 'default 2: three or more' s --help
t_expect "--version exits 3" 3 '^check_kms_startup \(exchange-kms-plugins\)' s --version

printf '' | fixture none
t_expect "no events: OK" 0 '^KMS_STARTUP OK - KM service: 0 startup timeouts and 0 failed starts in the last 24h \| timeouts=0;0;2;0; failed_starts=0;0;2;0;$' \
	s -f "$f/none.evt"

# Each id alone: timeout (T) or failed start (F), with the service in the right string.
for c in "7009:0xC0001B61:30000|$KM:T" "7011:0xC0001B63:30000|$KM:T" "7022:0xC0001B6E:$KM:T" \
	"7000/%%1053:0xC0001B58:$KM|%%1053:T" "7000:0xC0001B58:$KM|%%2:F" "7023:0xC0001B6F:$KM|%%3:F" \
	"7024:0xC0001B70:$KM|2140:F" "7031:0xC0001B77:$KM|1:F" "7034:0xC0001B7A:$KM|1:F"; do
	label=${c%%:*}
	rest=${c#*:}
	id=${rest%%:*}
	rest=${rest#*:}
	strings=${rest%:*}
	kind=${rest##*:}
	rec 1h "$SCM" "$id" error "$strings" | fixture one
	if [ "$kind" = T ]; then
		t_expect "$label is a startup timeout" 1 "1 startup timeout \($label: 1\) and 0 failed starts.*timeouts=1;0;2;0; failed_starts=0;" s -f "$f/one.evt"
	else
		t_expect "$label is a failed start" 1 "0 startup timeouts and 1 failed start \($label: 1\).*timeouts=0;0;2;0; failed_starts=1;" s -f "$f/one.evt"
	fi
done

# The service must be in the string its id uses.
{
	rec 3h "$SCM" 0xC0001B61 error "$KM|30000"
	rec 3h "$SCM" 0xC0001B58 error "30000|$KM"
	rec 2h "$SCM" 0xC0001B58 error "Microsoft Exchange Information Store|%%1053"
	rec 2h "Other Source" 0xC0001B58 error "$KM|%%1053"
	rec 2h "$SCM" 7036 information "$KM|running"
} | fixture wrongplace
t_expect "service in the wrong string, other services and sources: not counted" 0 '0 startup timeouts and 0 failed starts' \
	s -f "$f/wrongplace.evt"

{
	rec 30h "$SCM" 0xC0001B58 error "$KM|%%1053"
	rec 5h "$SCM" 0xC0001B61 error "30000|$KM"
	rec 5h "$SCM" 0xC0001B58 error "$KM|%%1053"
	rec 4h "$SCM" 0xC0001B58 error "msexchangekms|%%1053"
	rec 3h "$SCM" 0xC0001B6E error "MICROSOFT EXCHANGE KEY MANAGEMENT SERVER"
	rec 2h "$SCM" 0xC0001B58 error "$KM|%%1067"
	rec 1h "$SCM" 0xC0001B77 error "$KM|1"
} | fixture mixed
t_expect "breakdown by id, any case, short name too" 2 \
	"^KMS_STARTUP CRITICAL - KM service: 4 startup timeouts \(7009: 1, 7022: 1, 7000/%%1053: 2\) and 2 failed starts \(7000: 1, 7031: 1\) in the last 24h, last at $(iso 3600)" \
	s -f "$f/mixed.evt"
{
	rec 2h "$SCM" 0xC0001B58 error "Microsoft Exchange Key Manager|%%1053"
	rec 1h "$SCM" 0xC0001B6E error "microsoft exchange key manager"
} | fixture old-name
t_expect "Exchange 4.0/5.0 name (Key Manager) counted by default" 1 '2 startup timeouts \(7022: 1, 7000/%%1053: 1\)' \
	s -f "$f/old-name.evt"
t_expect "--help names the Exchange 4.0/5.0 service name" 3 'Manager" \(Exchange 4.0/5.0\)' s --help
t_expect "long output explains the KMS case" 2 'startup parameter, the KMS password.*Q263718' s -f "$f/mixed.evt"
t_expect "long output lists the events" 2 "^$(iso 18000) event 7009 \(error\) from Service Control Manager.*timed out" s -f "$f/mixed.evt"
t_expect "--window all counts the old one" 2 '5 startup timeouts' s -f "$f/mixed.evt" --window all
t_expect "--window 150m" 1 '0 startup timeouts and 2 failed starts .*in the last 150m' s -f "$f/mixed.evt" --window 150m
t_expect "-w/-c on timeouts" 1 'timeouts=4;5;6;0;' s -f "$f/mixed.evt" -w 5 -c 6
t_expect "--failed-warning/--failed-critical" 0 'failed_starts=2;5;6;0;' s -f "$f/mixed.evt" -w 5 -c 6 --failed-warning 5 --failed-critical 6
t_expect "--failed-critical 1 makes it CRITICAL" 2 '^KMS_STARTUP CRITICAL' s -f "$f/mixed.evt" -w 5 -c 6 --failed-critical 1
t_expect "--service restricts" 1 '1 startup timeout \(7000/%%1053: 1\) and 0 failed starts' s -f "$f/mixed.evt" --service msexchangekms --service 'x' --failed-critical 0 -c 1
t_expect "--since" 1 '0 startup timeouts and 1 failed start' s -f "$f/mixed.evt" --since "$(iso 3600)"
t_expect "--max-events 1" 2 '\(5 more not listed' s -f "$f/mixed.evt" --max-events 1
st=$f/state
t_expect "bookmark first run" 2 '4 startup timeouts' s -f "$f/mixed.evt" --state-file "$st"
t_expect "bookmark second run" 0 '0 startup timeouts and 0 failed starts since the last check' s -f "$f/mixed.evt" --state-file "$st"

u() {
	u_name=$1 u_pattern=$2
	shift 2
	t_expect "$u_name" 3 "^KMS_STARTUP UNKNOWN - $u_pattern" s "$@"
	t_first_line "$u_name: on the first line" "^KMS_STARTUP UNKNOWN - $u_pattern"
}
u "missing file" "cannot open '$f/nothere.evt'" -f "$f/nothere.evt"
fixture damaged --poke 0x34=0x12345678 <<EOF2
$(rec 1h "$SCM" 0xC0001B58 error "$KM|%%1053")
EOF2
u "damaged file names the byte offset" "'$f/damaged.evt': damaged at byte offset [0-9]+" -f "$f/damaged.evt"
u "bad --failed-warning" "--failed-warning: '5:1'" -f "$f/mixed.evt" --failed-warning 5:1
u "bad --failed-critical" "--failed-critical: 'x'" -f "$f/mixed.evt" --failed-critical x
u "empty --service" "--service: is empty" -f "$f/mixed.evt" --service ''
u "bad -w" "--warning: '~'" -f "$f/mixed.evt" -w '~'
u "unknown log" "--log: 'Sys' is not a known event log" --log Sys
u "bad window" "--window: '1y'" -f "$f/mixed.evt" --window 1y
if [ -z "$runner" ]; then
	u "live log on Linux" "the live System log can only be read on Windows"
else # Wine's event log API is a stub: the live log reads as empty
	t_expect "live log (Wine: empty)" 0 '^KMS_STARTUP OK - KM service: 0 startup timeouts' s
	u "unreachable -H host: the log and host named" "cannot open the System log on nosuchhost\.invalid: " \
		-H nosuchhost.invalid
fi
t_summary
