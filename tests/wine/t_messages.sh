#!/bin/sh
# The suite's message table under Wine: every event id a program writes
# renders, through FormatMessageW on the program loaded as a data file
# (tests/tools/msgtext.exe), into its text with the result line as %1, and
# with the severity bits of the table; an id outside the table does not
# render. Then the ids the programs really pass to ReportEventW (Wine's
# advapi32 traces each call: WINEDEBUG=fixme+advapi,warn+eventlog) render
# through the same program. Needs the win64 build as top_builddir.
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-wine}
bin=$top_builddir
tmp=$(mktemp -d /tmp/kms-messages.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
wbin=$(printf 'Z:%s' "$bin" | tr / '\\')
sample="KMS_SAMPLE OK - the result line"

msgtext() { timeout 30 $runner "$bin/tests/tools/msgtext.exe" "$@" </dev/null 2>&1 | tr -d '\r'; }

# render PROGRAM ID SEVERITY-DIGIT OPENING: the message of ID in PROGRAM.exe.
render() {
	out=$(msgtext "$wbin\\plugins\\$1.exe" "$2" "$sample")
	hex=$(printf '%04X' "$2")
	case $out in
	"0x${3}000${hex} $4"*"Result: $sample"* | "0x${3}000${hex} $4"*"Action: $sample"*)
		t_pass "$1 event $2 renders ($4...)" ;;
	*) t_fail "$1 event $2 renders" "wanted 0x${3}000${hex} $4 ... $sample" "got: $out" ;;
	esac
}

# Severity digits: 4 information, 8 warning, C error (kmsmsg.mc).
for program in handle_kms_restart kms_backup kms_restore; do
	render "$program" 1 4 "handle_kms_restart restarted the Key Management Server service"
	render "$program" 2 8 "handle_kms_restart refused to restart"
	render "$program" 3 C "handle_kms_restart failed to restart"
	render "$program" 4 8 "handle_kms_restart is about to act"
	render "$program" 5 8 "handle_kms_restart did not act: another handler or kms_backup"
	render "$program" 6 C "handle_kms_restart stopped restarting the Key Management Server service: its restart budget is spent"
	render "$program" 101 4 "kms_backup backed up the Key Management Server's data and started the service again"
	render "$program" 102 C "kms_backup could not back up"
	render "$program" 103 C "kms_backup stopped the Key Management Server service for a backup and the service did not start again"
	render "$program" 201 4 "kms_restore restored"
	render "$program" 202 8 "kms_restore refused"
	render "$program" 203 C "kms_restore failed"
done

# The check can fail: an id the table lacks, and a program without a table.
out=$(msgtext "$wbin\\plugins\\kms_backup.exe" 7 "$sample")
case $out in
*"no message"*) t_pass "an id outside the table does not render" ;;
*) t_fail "an id outside the table does not render" "got: $out" ;;
esac
out=$(msgtext "$wbin\\plugins\\check_kms_backup.exe" 101 "$sample")
case $out in
*"no message"*) t_pass "a program without the table renders nothing" ;;
*) t_fail "a program without the table renders nothing" "got: $out" ;;
esac

# written PROGRAM TYPE OPENING COMMAND...: run COMMAND traced; the event it
# reports has type TYPE and its id renders through PROGRAM.exe with OPENING.
written() {
	program=$1 type=$2 opening=$3
	shift 3
	trace=$(WINEDEBUG=fixme+advapi,warn+eventlog timeout 60 "$@" </dev/null 2>&1 | tr -d '\r')
	call=$(printf '%s\n' "$trace" | grep 'fixme:advapi:ReportEventW' | tail -n 1)
	id=$(printf '%s\n' "$call" | sed -n 's/.*ReportEventW ([^,]*,\(0x[0-9a-f]*\),0x[0-9a-f]*,\(0x[0-9a-f]*\),.*/\1 \2/p')
	text=$(printf '%s\n' "$trace" | grep ':eventlog:ReportEventW' | tail -n 1 | sed 's/.*ReportEventW L"\(.*\)"$/\1/')
	event_type=${id% *} event_id=${id#* }
	if [ -z "$id" ] || [ "$event_type" != "$type" ]; then
		t_fail "$program reports an event of type $type" "trace: $(printf '%s\n' "$trace" | grep ReportEvent | head -3)"
		return
	fi
	out=$(msgtext "$wbin\\plugins\\$program.exe" "$event_id" "$text")
	case $out in
	*" $opening"*"$text"*) t_pass "$program's event $event_id (type $type) renders: $opening..." ;;
	*) t_fail "$program's event $event_id renders" "wanted $opening ... $text" "got: $out" ;;
	esac
}

mkdir -p "$tmp/kmsdata" "$tmp/sets" "$tmp/state"
timeout 30 $runner "$bin/tests/tools/esegen.exe" "Z:$tmp/kmsdata/Kmsmdb.edb" state=3 </dev/null >/dev/null
printf '[config]\r\npwd=x\r\n' >"$tmp/Kmspwd.ini"
chmod 600 "$tmp/Kmspwd.ini"
written kms_backup 0x0001 "kms_backup could not back up" \
	$runner "$bin/plugins/kms_backup.exe" -k "Z:$tmp/kmsdata" -d "Z:$tmp/sets" -f "Z:$tmp/none"
written handle_kms_restart 0x0001 "handle_kms_restart failed to restart" \
	$runner "$bin/plugins/handle_kms_restart.exe" --state-dir "Z:$tmp/state" --password-file "Z:$tmp/Kmspwd.ini" \
	--kmsdata "Z:$tmp/kmsdata" --service NoSuchService CRITICAL SOFT 3
t_summary
