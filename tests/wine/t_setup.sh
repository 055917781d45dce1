#!/bin/sh
# kms_setup under Wine: bad input (one UNKNOWN line, nothing changed or
# half-written), install (the registry values of each event source, read
# with Wine's reg; the state folder), password (Kmspwd.ini whole, closed to
# others, the password nowhere in the output, refused over an open file),
# check against the stand-in KM service, uninstall (registrations gone,
# files kept; --purge), and -t. Wine maps a file's access list to Unix
# modes: what is proven here is that the files and folders it makes are
# closed to Everyone (no "other" bits) and that files and folders open to
# Everyone are refused; the exact NTFS entries (SYSTEM, Administrators,
# inheritance) are not. Needs the win64 build as top_builddir.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"

svc_setup setup
setup() { timeout 60 $runner "$bin/plugins/kms_setup.exe" "$@"; }
key='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application'
# The values of a source's key; nothing when the key is absent (reg says so on stdout).
regq() { timeout 30 $runner reg query "$key\\$1" </dev/null 2>/dev/null | tr -d '\r' | grep -v '^reg: '; }
wplugins=$(printf 'Z:%s\\plugins' "$bin" | tr / '\\')
others() { stat -c %a "$1" | cut -c3; }
setup uninstall </dev/null >/dev/null 2>&1

# --- bad input: one line, exit 3, nothing changed ---
t_expect "no subcommand" 3 '^KMS_SETUP UNKNOWN - no subcommand: give install, uninstall, password or check$' setup </dev/null
t_expect "unknown subcommand" 3 "^KMS_SETUP UNKNOWN - unknown subcommand 'frob'" setup frob </dev/null
t_expect "two subcommands" 3 '^KMS_SETUP UNKNOWN - ' setup install check </dev/null
t_expect "install without --state-dir" 3 '^KMS_SETUP UNKNOWN - --state-dir: is required for install$' setup install </dev/null
t_expect "password without --password-file" 3 '^KMS_SETUP UNKNOWN - --password-file: is required for password$' setup password </dev/null
t_expect "--purge outside uninstall" 3 '^KMS_SETUP UNKNOWN - --purge: belongs to uninstall$' setup check --purge </dev/null
t_expect "an empty --state-dir" 3 '^KMS_SETUP UNKNOWN - --state-dir: is empty$' setup install --state-dir '' </dev/null
t_expect "a state folder in a missing folder" 3 "^KMS_SETUP UNKNOWN - --state-dir: cannot create the folder 'Z:$tmp/none/state'.*nothing was changed" \
	setup install --state-dir "$wtmp/none/state" </dev/null
[ -z "$(regq kms_backup)" ] && t_pass "a refused install registers nothing" || t_fail "a refused install registers nothing"
mkdir "$tmp/open"
chmod 777 "$tmp/open"
t_expect "a state folder others can write" 3 "^KMS_SETUP UNKNOWN - --state-dir: 'Z:$tmp/open' is changeable by Everyone.*nothing was changed" \
	setup install --state-dir "$wtmp/open" </dev/null
[ -z "$(regq handle_kms_restart)" ] && t_pass "...and registers nothing" || t_fail "...and registers nothing"
printf 'old\n' >"$tmp/open.ini"
chmod 644 "$tmp/open.ini"
t_expect "install over a password file others can read" 3 "^KMS_SETUP UNKNOWN - --password-file: 'Z:$tmp/open.ini' is readable by Everyone" \
	setup install --state-dir "$wtmp/state" --password-file "$wtmp/open.ini" </dev/null
[ ! -d "$tmp/state" ] && t_pass "...and makes no state folder" || t_fail "...and makes no state folder"

pw() { printf '%s\n' "$1" | setup password --password-file "$wtmp/$2"; }
t_expect "an empty password" 3 '^KMS_SETUP UNKNOWN - the password is empty: nothing was written$' pw '' p.ini
t_expect "no console and no input" 3 '^KMS_SETUP UNKNOWN - no password: no console and no input: nothing was written$' \
	setup password --password-file "$wtmp/p.ini" </dev/null
long=$(printf '%0256d' 0)
t_expect "a password of 256 bytes" 3 '^KMS_SETUP UNKNOWN - the password is longer than 255 bytes: nothing was written$' pw "$long" p.ini
t_expect "a password ending in a blank" 3 '^KMS_SETUP UNKNOWN - the password starts or ends with a blank' pw 'abc ' p.ini
t_expect "a password file in a missing folder" 3 "^KMS_SETUP UNKNOWN - --password-file: cannot create a file beside 'Z:$tmp/none/p.ini'.*nothing was written$" \
	pw "$password" none/p.ini
[ ! -e "$tmp/p.ini" ] && t_pass "no refused password left a file" || t_fail "no refused password left a file"
t_expect "a password file others can read is refused" 3 "^KMS_SETUP UNKNOWN - --password-file: 'Z:$tmp/open.ini' is readable by Everyone.*nothing was changed" \
	pw "$password" open.ini
[ "$(cat "$tmp/open.ini")" = old ] && t_pass "...and left as it was" || t_fail "...and left as it was"
t_expect "-t is honoured while waiting for input" 3 '^KMS_SETUP UNKNOWN - .*(timed out|timeout)' \
	sh -c "sleep 8 | timeout 60 $runner '$bin/plugins/kms_setup.exe' password -t 2 --password-file '$wtmp/slow.ini'"
[ ! -e "$tmp/slow.ini" ] && t_pass "...and writes nothing" || t_fail "...and writes nothing"

# --- install ---
t_expect "install" 0 "^KMS_SETUP OK - state folder Z:$tmp/state made \(SYSTEM and Administrators\), event source handle_kms_restart registered, event source kms_backup registered" \
	setup install --state-dir "$wtmp/state" </dev/null
for source in handle_kms_restart kms_backup kms_restore; do
	q=$(regq $source)
	printf '%s\n' "$q" | grep -Fq "EventMessageFile    REG_EXPAND_SZ    $wplugins\\$source.exe" &&
		printf '%s\n' "$q" | grep -Eq 'TypesSupported +REG_DWORD +0x7$' &&
		t_pass "$source: EventMessageFile (REG_EXPAND_SZ, its program) and TypesSupported 7" ||
		t_fail "$source: EventMessageFile and TypesSupported" "$q"
done
[ -d "$tmp/state" ] && [ "$(others "$tmp/state")" = 0 ] && t_pass "the state folder is closed to Everyone" ||
	t_fail "the state folder is closed to Everyone" "$(stat -c %a "$tmp/state")"
t_expect "install again keeps the folder" 0 "^KMS_SETUP OK - state folder Z:$tmp/state kept" setup install --state-dir "$wtmp/state" </dev/null

# --- password ---
t_expect "password from standard input" 0 "^KMS_SETUP OK - password stored in Z:$tmp/p.ini \(Kmspwd.ini form\), readable by SYSTEM and Administrators only$" \
	pw "$password" p.ini
t_no_password "kms_setup's output" "$t_out"
[ "$(od -An -c "$tmp/p.ini" | tr -d ' \n')" = "$(printf '[config]\r\npwd=%s\r\n' "$password" | od -An -c | tr -d ' \n')" ] &&
	t_pass "the file is [config] / pwd=, CRLF, nothing else" || t_fail "the file is [config] / pwd=" "$(od -c "$tmp/p.ini" | head -3)"
[ "$(others "$tmp/p.ini")" = 0 ] && t_pass "the password file is closed to Everyone" || t_fail "the password file is closed to Everyone" "$(stat -c %a "$tmp/p.ini")"
[ -z "$(ls "$tmp" | grep 'p.ini.new')" ] && t_pass "no temporary left beside it" || t_fail "no temporary left beside it" "$(ls "$tmp")"
t_expect "a password of 255 bytes, replacing the file" 0 '^KMS_SETUP OK - password stored' pw "$(printf '%0255d' 0)" p.ini
t_expect "and back" 0 '^KMS_SETUP OK - password stored' pw "$password" p.ini

# --- check, against the stand-in KM service ---
install_kms() { svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata"; }
install_kms
timeout 30 $runner "$bin/tests/tools/esegen.exe" "$wtmp/kmsdata/Kmsmdb.edb" state=3 </dev/null >/dev/null
check() { setup check --state-dir "$wtmp/state" --password-file "$wtmp/p.ini" --kmsdata "$wtmp/kmsdata" "$@" </dev/null; }
t_expect "check passes" 0 '^KMS_SETUP OK - ready' check
for line in "^OK: service MSExchangeKMS: '$kms_display', .*kms_standin.exe" "^OK: Kmsdata Z:$tmp/kmsdata and its Kmsmdb.edb are readable" \
	"^OK: password file Z:$tmp/p.ini holds a password" "^OK: state folder Z:$tmp/state is writable" \
	"^OK: event source handle_kms_restart registered" "^OK: event source kms_backup registered" "Performance Optimizer not checked"; do
	printf '%s\n' "$t_out" | grep -Eq -- "$line" && t_pass "check says: $line" || t_fail "check says: $line" "$t_out"
done
t_no_password "check's output" "$t_out"
t_expect "check: the handler reads the password kms_setup wrote (dry run)" 0 '^KMS_RESTART OK - dry run: every check passed' \
	timeout 60 $runner "$bin/plugins/handle_kms_restart.exe" --state-dir "$wtmp/state" --password-file "$wtmp/p.ini" \
	--kmsdata "$wtmp/kmsdata" --dry-run CRITICAL SOFT 3
t_expect "check: no such service is CRITICAL" 2 "^KMS_SETUP CRITICAL - service NoSuchService: " check --service NoSuchService
t_expect "check: an open password file is CRITICAL" 2 "^KMS_SETUP CRITICAL - password file: 'Z:$tmp/open.ini'" \
	setup check --state-dir "$wtmp/state" --password-file "$wtmp/open.ini" --kmsdata "$wtmp/kmsdata"
t_expect "check: no Kmsmdb.edb is CRITICAL" 2 "^KMS_SETUP CRITICAL - Kmsdata Z:$tmp: " \
	setup check --state-dir "$wtmp/state" --password-file "$wtmp/p.ini" --kmsdata "$wtmp" </dev/null
t_expect "check: a missing state folder is CRITICAL" 2 "^KMS_SETUP CRITICAL - state folder Z:$tmp/gone: no such folder" \
	setup check --state-dir "$wtmp/gone" --password-file "$wtmp/p.ini" --kmsdata "$wtmp/kmsdata" </dev/null

# --- uninstall ---
t_expect "uninstall" 0 '^KMS_SETUP OK - event sources removed, state folder, ledger and password file kept' setup uninstall </dev/null
[ -z "$(regq handle_kms_restart)$(regq kms_backup)" ] && t_pass "no event source is left" || t_fail "no event source is left"
[ -d "$tmp/state" ] && [ -f "$tmp/p.ini" ] && t_pass "state folder and password file kept" || t_fail "state folder and password file kept"
t_expect "check after uninstall warns of the sources" 1 '^KMS_SETUP WARNING - event source handle_kms_restart is not registered' check
: >"$tmp/state/kms-restart.ledger"
t_expect "uninstall --purge" 0 "password file Z:$tmp/p.ini removed, ledger .* removed, state folder Z:$tmp/state removed" \
	setup uninstall --purge --state-dir "$wtmp/state" --password-file "$wtmp/p.ini" </dev/null
[ ! -e "$tmp/p.ini" ] && [ ! -e "$tmp/state" ] && t_pass "--purge removed them" || t_fail "--purge removed them"
t_summary
