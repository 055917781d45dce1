#!/bin/sh
# The Windows package under Wine: the win64 zip (make windows-dist) unpacked,
# its files copied to C:\kms\bin as README.txt says, install.cmd run by
# cmd.exe, the password stored with kms_setup,
# then the installed programs do the story against the stand-in KM service:
# check says ready, the handler restarts the service with the stored
# password, kms_backup takes a backup and starts it again, check_kms_service
# and check_kms_backup see it; the events they write render through the
# message file each source's registration names; uninstall.cmd leaves no
# registration behind (and, told purge, no state). Needs the win64 build as
# top_builddir and its zip (quickstart builds it before the Wine tests).
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"

zip=$(ls "$bin"/exchange-kms-plugins-*-win64.zip 2>/dev/null | head -n 1)
if [ -z "$zip" ]; then
	t_fail "the win64 zip is there (make windows-dist in $bin)"
	t_summary
	exit 1
fi
t_pass "the win64 zip: $(basename "$zip")"
name=$(basename "$zip" -win64.zip)
drive_c=${WINEPREFIX:-$HOME/.wine}/drive_c
pkg="C:\\kms\\bin"
rm -rf "$drive_c/$name" "$drive_c/kms"
unzip -q -o "$zip" -d "$drive_c" && t_pass "it unpacks into one folder" || t_fail "it unpacks into one folder"
for f in check_kms_service check_kms_startup check_kms_events check_kms_backup handle_kms_restart kms_backup kms_restore \
	kms_setup; do
	[ -f "$drive_c/$name/$f.exe" ] || missing="${missing:-} $f.exe"
done
[ -z "${missing:-}" ] && t_pass "one folder with the eight programs" || t_fail "one folder with the eight programs" "missing:$missing"
for f in README.txt install.cmd uninstall.cmd; do
	lines=$(wc -l <"$drive_c/$name/$f")
	crlf=$(grep -c "$(printf '\r')\$" "$drive_c/$name/$f")
	[ "$lines" -gt 0 ] && [ "$lines" -eq "$crlf" ] && t_pass "$f: every line ends in CRLF" || t_fail "$f: CRLF" "$crlf of $lines"
done
grep -q -- '--- kms_setup --help' "$drive_c/$name/README.txt" && grep -q '^Usage: kms_setup' "$drive_c/$name/README.txt" &&
	t_pass "README.txt holds kms_setup --help" || t_fail "README.txt holds kms_setup --help"
mkdir -p "$drive_c/kms/bin" && cp -p "$drive_c/$name"/* "$drive_c/kms/bin/" &&
	t_pass "its files copied to C:\\kms\\bin" || t_fail "its files copied to C:\\kms\\bin"
grep -hEiv '^rem' "$drive_c/$name/install.cmd" "$drive_c/$name/uninstall.cmd" | grep -Eiq 'powershell|reg(\.exe)? |exit /b' &&
	t_fail "the .cmd files use nothing NT 4.0 lacks (PowerShell, reg.exe, exit /b)" ||
	t_pass "the .cmd files use nothing NT 4.0 lacks (PowerShell, reg.exe, exit /b)"

svc_setup package
key='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application'
regq() { timeout 30 $runner reg query "$key\\$1" </dev/null 2>/dev/null | tr -d '\r' | grep -v '^reg: '; }
run_cmd() { timeout 120 $runner cmd /c "cd /d $pkg && $*" </dev/null 2>&1 | tr -d '\r'; }
prog() {
	p=$1
	shift
	timeout 120 $runner "$pkg\\$p.exe" "$@"
}
timeout 30 $runner "$pkg\\kms_setup.exe" uninstall </dev/null >/dev/null 2>&1

# --- install.cmd, the password, check ---
out=$(run_cmd install.cmd)
printf '%s\n' "$out" | grep -q '^KMS_SETUP OK - state folder C:\\kms\\state made' &&
	printf '%s\n' "$out" | grep -q 'kms_setup password --password-file C:\\kms\\state\\Kmspwd.ini' &&
	t_pass "install.cmd under cmd.exe: kms_setup install, then the next steps" || t_fail "install.cmd under cmd.exe" "$out"
for source in handle_kms_restart kms_backup; do
	regq $source | grep -Fq "EventMessageFile    REG_EXPAND_SZ    $pkg\\$source.exe" &&
		t_pass "$source registered with its program in the package folder" || t_fail "$source registered" "$(regq $source)"
done
t_expect "kms_setup password stores the password" 0 '^KMS_SETUP OK - password stored in C:.kms.state.Kmspwd.ini' \
	sh -c "printf '%s\n' '$password' | timeout 60 $runner '$pkg\\kms_setup.exe' password --password-file 'C:\\kms\\state\\Kmspwd.ini'"
install_kms() { svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" --log "$wtmp/standin.log"; }
install_kms
timeout 30 $runner "$bin/tests/tools/esegen.exe" "$wtmp/kmsdata/Kmsmdb.edb" state=3 </dev/null >/dev/null
t_expect "kms_setup check: ready" 0 '^KMS_SETUP OK - ready' \
	prog kms_setup check --state-dir 'C:\kms\state' --password-file 'C:\kms\state\Kmspwd.ini' --kmsdata "$wtmp/kmsdata" </dev/null

# traced PROGRAM ARGS...: run an installed program with Wine's ReportEventW
# trace; $out is its output, $event "TYPE ID" of its last event, $text its %1.
traced() {
	trace=$(WINEDEBUG=fixme+advapi,warn+eventlog prog "$@" </dev/null 2>&1 | tr -d '\r')
	out=$(printf '%s\n' "$trace" | grep '^KMS_' | head -n 1)
	event=$(printf '%s\n' "$trace" | grep 'fixme:advapi:ReportEventW' | tail -n 1 |
		sed -n 's/.*ReportEventW ([^,]*,\(0x[0-9a-f]*\),0x[0-9a-f]*,\(0x[0-9a-f]*\),.*/\1 \2/p')
	text=$(printf '%s\n' "$trace" | grep ':eventlog:ReportEventW' | tail -n 1 | sed 's/.*ReportEventW L"\(.*\)"$/\1/')
}
# renders SOURCE OPENING: the last event renders through the file its source's registration names.
renders() {
	file=$(regq "$1" | sed -n 's/.*EventMessageFile *REG_EXPAND_SZ *//p')
	shown=$(timeout 30 $runner "$bin/tests/tools/msgtext.exe" "$file" "${event#* }" "$text" </dev/null 2>&1 | tr -d '\r')
	case $shown in
	*" $2"*"$text"*) t_pass "$1's event ${event#* } renders through the registered file: $2..." ;;
	*) t_fail "$1's event renders through its registered file" "event $event file $file" "got: $shown" ;;
	esac
}

# --- the story: the handler restarts the stopped service with the stored password ---
[ "$(svc_state)" = STOPPED ] && t_pass "the KM service is stopped" || t_fail "the KM service is stopped" "$(svc_state)"
traced handle_kms_restart --state-dir 'C:\kms\state' --password-file 'C:\kms\state\Kmspwd.ini' --kmsdata "$wtmp/kmsdata" CRITICAL HARD 1
printf '%s\n' "$out" | grep -Eq '^KMS_RESTART OK - restarted MSExchangeKMS with its startup parameter: RUNNING' &&
	t_pass "the installed handler restarts the service with the stored password" || t_fail "the installed handler restarts" "$out"
[ "$(svc_state)" = RUNNING ] && t_pass "the service manager says RUNNING" || t_fail "RUNNING" "$(svc_state)"
t_no_password "the handler's output" "$trace"
[ "$event" = "0x0004 0x40000001" ] && t_pass "the handler wrote event 1, information" || t_fail "the handler wrote event 1" "$event"
renders handle_kms_restart "handle_kms_restart restarted the Key Management Server service"
t_expect "the installed check_kms_service: RUNNING" 0 '^KMS_SERVICE OK - MSExchangeKMS is running' prog check_kms_service </dev/null

# --- kms_backup: stops, copies, starts again with the stored password ---
mkdir -p "$tmp/sets"
traced kms_backup -k "$wtmp/kmsdata" -d "$wtmp/sets" -f 'C:\kms\state\Kmspwd.ini' --stop-timeout 20s --start-timeout 20s -t 60
printf '%s\n' "$out" | grep -Eq '^KMS_BACKUP_RUN OK - backed up 1 files' && t_pass "the installed kms_backup takes the backup" ||
	t_fail "the installed kms_backup takes the backup" "$out"
[ "$(svc_state)" = RUNNING ] && t_pass "...and the service runs again" || t_fail "...and the service runs again" "$(svc_state)"
[ "$event" = "0x0004 0x40000065" ] && t_pass "kms_backup wrote event 101, information" || t_fail "kms_backup wrote event 101" "$event"
renders kms_backup "kms_backup backed up the Key Management Server's data"
t_expect "the installed check_kms_backup sees the set" 0 '^KMS_BACKUP OK - newest set kmsdata-' \
	prog check_kms_backup -d "$wtmp/sets" --kmsdata "$wtmp/kmsdata" </dev/null
traced kms_backup -k "$wtmp/kmsdata" -d "$wtmp/sets" -f 'C:\kms\state\none.ini' --stop-timeout 5s --start-timeout 5s -t 60
[ "$event" = "0x0001 0xc0000066" ] && t_pass "a failed backup writes event 102, error" || t_fail "a failed backup writes event 102" "$event / $out"
renders kms_backup "kms_backup could not back up"

# --- uninstall.cmd ---
out=$(run_cmd uninstall.cmd)
printf '%s\n' "$out" | grep -q '^KMS_SETUP OK - event sources removed' && t_pass "uninstall.cmd" || t_fail "uninstall.cmd" "$out"
[ -z "$(regq handle_kms_restart)$(regq kms_backup)$(regq kms_restore)" ] && t_pass "no registration is left" ||
	t_fail "no registration is left"
[ -f "$drive_c/kms/state/Kmspwd.ini" ] && t_pass "the state folder and password file stay" || t_fail "the state folder and password file stay"
out=$(run_cmd uninstall.cmd purge)
[ ! -e "$drive_c/kms/state" ] && [ -f "$drive_c/kms/bin/kms_setup.exe" ] && t_pass "uninstall.cmd purge removes C:\\kms\\state, not the programs" ||
	t_fail "uninstall.cmd purge removes C:\\kms\\state, not the programs" "$out"
rm -rf "$drive_c/$name" "$drive_c/kms"
t_summary
