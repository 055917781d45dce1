#!/bin/sh
# The issue's story under Nagios 4, with contrib/nagios verbatim: healthy;
# the KM service restarted without its password (hung start) -> SOFT
# alerts -> handle_kms_restart at SOFT attempt 2 -> restarted with its
# password -> OK; Kmsdata damaged -> Event 5058 -> CRITICAL, the handler
# refuses; a stale backup -> WARNING. The Linux checks run on the demo
# site; check_kms_service and handle_kms_restart run under Wine against the
# stand-in KM service, reached the way Nagios reaches a KM server: the real
# check_nrpe (-2 -n) to NSClient++ 0.3.9, here the real NRPE daemon (built
# with command arguments) running the rendered contrib/nsclient/NSC.ini
# through nsclient-standin.sh. Then the 1 KiB limit and what the core shows
# when the agent is not there, is asked without -n, refuses arguments, knows
# no such command, or would cut an unbounded answer.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-nrpe.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
. "$top_srcdir/tests/e2e/lib-story.sh"
e2e_setup nagios

if ! story_begin "the Nagios story"; then
	t_summary
	exit
fi

# Agents that go wrong the ways the troubleshooting section describes:
# [NRPE] allow_arguments=0, and one command without --max-output. 0.3.9's
# own SSL (use_ssl=1, its default) the stand-in refuses to render: its
# 512-bit anonymous DH is what no OpenSSL 3 completes. Nothing listens on
# $dead_port.
awk '/^\[NRPE\]/ { nrpe = 1 } /^\[/ && !/^\[NRPE\]/ { nrpe = 0 }
	nrpe && /^allow_arguments=/ { print "allow_arguments=0"; next } { print }' "$e2e_dir/NSC.ini" >"$e2e_dir/NSC-noargs.ini"
sed 's/^use_ssl=0/use_ssl=1/' "$e2e_dir/NSC.ini" >"$e2e_dir/NSC-ssl.ini"
sed -n 's/^check_kms_startup=\(.*\) --max-output 1024\(.*\)$/check_kms_startup_unbounded=\1\2/p' "$e2e_dir/NSC.ini" >>"$e2e_dir/NSC.ini"
if ! sh "$top_srcdir/tests/e2e/nsclient-standin.sh" nrpe-cfg "$e2e_dir/NSC-ssl.ini" "$agent_runner" >/dev/null 2>"$e2e_dir/ssl.err" &&
	grep -q 'use_ssl must be 0' "$e2e_dir/ssl.err"; then
	t_pass "use_ssl=1 (0.3.9's 512-bit ADH): the stand-in says it cannot stand in for it"
else
	t_fail "use_ssl=1: the stand-in refuses it" "$(cat "$e2e_dir/ssl.err")"
fi
main_pid=$agent_pid
story_agent_start "$e2e_dir/NSC-noargs.ini" && noargs_port=$agent_port noargs_log=$agent_log
e2e_stop "$main_pid" 10
story_agent_start "$e2e_dir/NSC.ini" && main_port=$agent_port
dead_port=$(e2e_free_port 25900)
if [ -n "${noargs_port:-}" ] && [ -n "${main_port:-}" ] && [ -n "$dead_port" ]; then
	t_pass "two NRPE stand-ins up: NSC.ini (+ one unbounded command), [NRPE] allow_arguments=0"
else
	t_fail "two NRPE stand-ins up" "$(e2e_attach "$e2e_dir/agent-2/nrpe.out" 5)" "$(e2e_attach "$e2e_dir/agent-3/nrpe.out" 5)"
fi

# The admin's part: a time period, a contact, check-host-alive, the host.
nagios_site_basics >"$e2e_dir/site.cfg"
cat >>"$e2e_dir/site.cfg" <<EOF_SITE
define host {
    use                 kms-server
    host_name           kms1
    address             127.0.0.1
    active_checks_enabled 0
    _KMS_APPLOG         $site/logs/AppEvent.evt
    _KMS_SYSLOG         $site/logs/SysEvent.evt
    _KMS_BACKUP_DIR     $site/backup
    _KMS_NRPE_PORT      $main_port
}
# The KM server's own startup check through NRPE (contrib's command), and
# bad input, each a service only a forced check runs.
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description kms-startup-agent
    check_command       check_kms_startup_nrpe
}
define command {
    command_name    nrpe_raw
    command_line    \$USER1\$/check_nrpe -H \$HOSTADDRESS\$ -p \$ARG1\$ -2 -n -u -t 30 -c \$ARG2\$ \$ARG3\$
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description kms-startup-unbounded
    check_command       nrpe_raw!$main_port!check_kms_startup_unbounded
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description bad-unknown-command
    check_command       nrpe_raw!$main_port!check_kms_nothing
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description bad-handler-input
    check_command       nrpe_raw!$main_port!handle_kms_restart!-a BOGUS SOFT x
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description bad-no-arguments
    check_command       nrpe_raw!$noargs_port!handle_kms_restart!-a OK HARD 3
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description bad-not-answering
    check_command       nrpe_raw!$dead_port!check_kms_service
}
define service {
    use                 kms-service-eventlog
    host_name           kms1
    active_checks_enabled 0
    service_description bad-ssl
    check_command       check_nrpe_ssl_default!$main_port
}
define command {
    command_name    check_nrpe_ssl_default
    command_line    \$USER1\$/check_nrpe -H \$HOSTADDRESS\$ -p \$ARG1\$ -2 -u -t 30 -c check_kms_service
}
EOF_SITE

# Ten seconds per interval unit: a retry (1 unit) leaves the handler, which
# ends the hung process and starts the service under Wine (a few seconds on
# a loaded machine), time to finish before the next attempt, as a minute
# does in production.
n=$e2e_dir/nagios
NAGIOS_INTERVAL_LENGTH=10 nagios_render "$n" "$plugins" "$e2e_dir/site.cfg"
if nagios_verify "$n"; then
	t_pass "nagios4 -v accepts contrib/nagios with the site's host"
else
	t_fail "nagios4 -v accepts contrib/nagios with the site's host" "$(nagios_verify_errors "$n")"
	t_summary
	exit
fi
if nagios_start "$n"; then
	core_pid=$nagios_pid
	t_pass "Nagios up"
else
	t_fail "Nagios up" "$(e2e_attach "$n/nagios.log")"
	t_summary
	exit
fi

# --- healthy ----------------------------------------------------------------
story_healthy
if grep -q '^check_kms_service -t 20 --max-output 1024 --pending-warning 1s --pending-critical 2s -> 0: KMS_SERVICE OK' "$ledger" &&
	agent_log_has "Host 127\.0\.0\.1 is asking for command 'check_kms_service' to be run" &&
	agent_log_has "Running command: /usr/bin/sudo -n $agent_runner 'C:\\\\kms\\\\bin\\\\check_kms_service\.exe -t 20 "; then
	t_pass "Nagios ran check_kms_service through check_nrpe -2 -n and NSC.ini's fixed command"
else
	t_fail "Nagios ran check_kms_service through check_nrpe and NSC.ini's fixed command" "$(cat "$ledger")" \
		"$(grep 'Running command' "$agent_log" | tail -n 2)"
fi

# --- the hung start -----------------------------------------------------------
story_restart_without_password
if e2e_wait 30 story_service_says 2 --pending-warning 1s --pending-critical 2s; then
	t_pass "restarted without its password, the KM service hangs in START_PENDING"
else
	t_fail "restarted without its password, the KM service hangs" "$(e2e_attach "$standin_log" 5)"
fi
story_force kms-startup 2 1
story_expect kms-startup 2 '^KMS_STARTUP CRITICAL - KM service: 3 startup timeouts \(7009: 1, 7022: 1, 7000/%%1053: 1\)' \
	'^timeouts=3;0;2;0; failed_starts=0;0;2;0;$' "hung start: kms-startup CRITICAL, 3 timeouts counted"
# Nagios retries by itself (retry_interval 10 s here): SOFT 1, SOFT 2 and,
# with the handler's restart, back to OK.
story_force kms-service 2 0 1
[ "$have_handler" = yes ] && e2e_wait_daemon "$core_pid" 90 nagios_state_is kms-service 0 0 ||
	[ "$have_handler" = no ] || e2e_wait_daemon "$core_pid" 5 nagios_state_is kms-service 0 1
if nagios_log_has '^\[[0-9]+\] SERVICE ALERT: kms1;kms-service;CRITICAL;SOFT;1;KMS_SERVICE CRITICAL - MSExchangeKMS is START_PENDING for [0-9]+s, checkpoint 1 not moving'; then
	t_pass "hung start: SOFT 1 CRITICAL alert in nagios.log, START_PENDING named"
else
	t_fail "hung start: SOFT 1 CRITICAL alert in nagios.log" "$(grep 'kms-service' "$n/nagios.log" | tail -n 8)"
fi
if [ "$have_handler" = yes ]; then
	if nagios_log_has 'SERVICE EVENT HANDLER: kms1;kms-service;CRITICAL;SOFT;2;handle_kms_restart'; then
		t_pass "hung start: Nagios ran the handler at SOFT 2"
	else
		t_fail "hung start: Nagios ran the handler at SOFT 2" "$(grep 'EVENT HANDLER' "$n/nagios.log")"
	fi
	if story_handler_runs 'CRITICAL SOFT 2 -> 0: ' >/dev/null; then
		t_pass "hung start: handle_kms_restart got CRITICAL SOFT 2 and restarted the service"
	else
		t_fail "hung start: handle_kms_restart got CRITICAL SOFT 2 and restarted" "$(grep handle_kms_restart "$ledger")"
	fi
	if story_handler_runs 'CRITICAL SOFT 1 -> ' >/dev/null && ! story_handler_runs 'CRITICAL SOFT 1 -> 0: .*restart' >/dev/null; then
		t_pass "hung start: at SOFT 1 the handler did not restart yet"
	else
		t_fail "hung start: at SOFT 1 the handler did not restart yet" "$(grep handle_kms_restart "$ledger")"
	fi
	if grep -q 'started with 2 argument' "$standin_log" && tail -n 1 "$standin_log" | grep -q 'running'; then
		t_pass "hung start: the stand-in got its password and runs"
	else
		t_fail "hung start: the stand-in got its password and runs" "$(e2e_attach "$standin_log" 6)"
	fi
	if nagios_log_has 'SERVICE ALERT: kms1;kms-service;OK;(SOFT|HARD);[0-9];KMS_SERVICE OK - MSExchangeKMS is running'; then
		t_pass "hung start: recovery to OK in nagios.log"
	else
		t_fail "hung start: recovery to OK in nagios.log" "$(grep 'kms-service' "$n/nagios.log" | tail -n 8)"
	fi
	if ! nagios_log_has 'SERVICE ALERT: kms1;kms-service;CRITICAL;HARD'; then
		t_pass "hung start: repaired before any HARD alert"
	else
		t_fail "hung start: repaired before any HARD alert" "$(grep 'kms-service;CRITICAL;HARD' "$n/nagios.log")"
	fi
else
	e2e_not_run "hung start: the handler at SOFT 2, restart with password, recovery" "handle_kms_restart.exe not built"
fi

# --- Kmsdata damaged: Event 5058 -------------------------------------------------
# It needs the service running again, which only the handler can do here (a
# hung START_PENDING accepts no stop).
if [ "$have_handler" = yes ]; then
	story_damage_kmsdata
	if e2e_wait 30 grep -qs 'Kmsdata is corrupt: event 5058' "$standin_log"; then
		t_pass "damaged Kmsdata: the stand-in traps it, logs Event 5058 and stops"
	else
		t_fail "damaged Kmsdata: the stand-in logs Event 5058" "$(e2e_attach "$standin_log" 5)"
	fi
	story_force kms-events 2 1
	story_expect kms-events 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h, last at [0-9T:-]+Z: Kmsdata is corrupt or incomplete, restore it from an offline backup$' \
		'^events=1;;0;0;$' "damaged Kmsdata: kms-events CRITICAL, 5058 and its remedy"
	FW_BOUND=60 story_force kms-service 2 1 3
	story_expect kms-service 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped' '^state=1;' \
		"damaged Kmsdata: kms-service HARD CRITICAL (stopped)"
	e2e_wait 20 story_handler_runs 'CRITICAL HARD 3 -> ' >/dev/null
	if story_handler_runs 'CRITICAL (SOFT 2|HARD 3) -> [1-3]: .*(5058|Kmsdata)' >/dev/null; then
		t_pass "damaged Kmsdata: the handler refuses to restart, naming 5058/Kmsdata"
	else
		t_fail "damaged Kmsdata: the handler refuses" "$(grep handle_kms_restart "$ledger" | tail -n 4)"
	fi
	if story_handler_runs 'backup' >/dev/null; then
		t_pass "damaged Kmsdata: the handler names the backup to restore"
	else
		t_fail "damaged Kmsdata: the handler names the backup" "$(grep handle_kms_restart "$ledger" | tail -n 3)"
	fi
else
	e2e_not_run "damaged Kmsdata: 5058, CRITICAL, the handler refuses and names the backup" "handle_kms_restart.exe not built"
fi

# --- a stale backup -------------------------------------------------------------
story_stale_backup
story_force kms-backup 1 0 || story_force kms-backup 1 1
story_expect kms-backup 1 '^KMS_BACKUP WARNING - newest set kmsdata-old is 10d old, .*older than 8d$' \
	'^age=86[0-9]{4}s;691200;1296000;0; ' "stale backup: kms-backup WARNING, age in perfdata"

# Every handler invocation carried the three macros.
if [ "$have_handler" = yes ]; then
	bad=$(grep '^handle_kms_restart ' "$ledger" | grep -Ev ' (OK|WARNING|CRITICAL|UNKNOWN) (SOFT|HARD) [0-9]+ -> ')
	runs=$(grep -c '^handle_kms_restart ' "$ledger")
	handler_lines=$(grep -c 'SERVICE EVENT HANDLER: kms1;kms-service;' "$n/nagios.log")
	if [ -z "$bad" ] && [ "$runs" -eq "$handler_lines" ] && [ "$runs" -ge 3 ]; then
		t_pass "every handler run ($runs) has state, type, attempt and matches nagios.log"
	else
		t_fail "every handler run has its macros and matches nagios.log" "ledger $runs, nagios.log $handler_lines" "$bad"
	fi
fi
# --- the 1 KiB limit ----------------------------------------------------------
# Twenty-four startup timeouts: the long output (one line per event) is far
# past what an NRPE v2 packet carries.
for i in 1 2 3 4 5 6 7; do site_log_hung_start "$site"; done
story_force kms-startup-agent 2 1
story_expect kms-startup-agent 2 '^KMS_STARTUP CRITICAL - KM service: 24 startup timeouts \(7009: 8, 7022: 8, 7000/%%1053: 8\) and 0 failed starts in the last 24h' \
	'^timeouts=24;0;2;0; failed_starts=0;0;2;0;$' "1 KiB: the first line and its perfdata arrive whole through NRPE"
long=$(nagios_status kms-startup-agent long_plugin_output)
if printf '%s' "$long" | grep -Eq '\\n\.\.\. [0-9]+ more lines cut to fit the 1024-byte output limit(\\n)?$' &&
	! printf '%s' "$long" | grep -q 'Truncat'; then
	t_pass "1 KiB: whole long-output lines, then the program's own marker (--max-output 1024)"
else
	t_fail "1 KiB: whole long-output lines, then the marker" "long_plugin_output: $(printf '%s' "$long" | tail -c 300)"
fi
agent_nrpe -2 -n -t 30 -c check_kms_startup
bytes=$(printf '%s\n' "$agent_out" | wc -c)
if [ "$agent_status" -eq 2 ] && [ "$bytes" -le 1024 ] &&
	printf '%s\n' "$agent_out" | tail -n 1 | grep -Eq '^\.\.\. [0-9]+ more lines cut to fit the 1024-byte output limit$'; then
	t_pass "1 KiB: check_nrpe receives $bytes bytes ending in the program's own last line: the agent cut nothing"
else
	t_fail "1 KiB: the agent cut nothing" "status $agent_status, $bytes bytes" "$(printf '%s\n' "$agent_out" | tail -n 2)"
fi
# The same program without --max-output: the agent keeps the first 1023
# bytes, cut wherever they end, without a word.
story_force kms-startup-unbounded 2 1
long=$(nagios_status kms-startup-unbounded long_plugin_output)
agent_nrpe -2 -n -t 30 -c check_kms_startup_unbounded
bytes=$(printf '%s' "$agent_out" | wc -c)
if [ "$bytes" -ge 1022 ] && [ "$bytes" -le 1023 ] && ! printf '%s' "$long" | grep -q 'more lines cut' &&
	[ "$(nagios_status kms-startup-unbounded performance_data)" = 'timeouts=24;0;2;0; failed_starts=0;0;2;0;' ]; then
	t_pass "past 1 KiB without --max-output: 1023 bytes, the last line cut blind, no marker (perfdata survives only because it is on the first line)"
else
	t_fail "past 1 KiB without --max-output: a blind cut at 1023 bytes" "$bytes bytes" "$(printf '%s' "$long" | tail -c 200)"
fi

# --- bad input: what the core shows ----------------------------------------------
# nagios_bad SERVICE STATE OUTPUT_RE NAME: one forced check, state and output.
nagios_bad() {
	story_force "$1" "$2" 1
	nb_out=$(nagios_status "$1" plugin_output | sed 's/ *$//')
	if [ "$(nagios_status "$1" current_state)" = "$2" ] && printf '%s\n' "$nb_out" | grep -Eq -- "$3"; then
		t_pass "$4"
	else
		t_fail "$4" "state $(nagios_status "$1" current_state), wanted $2" "plugin_output: $nb_out"
	fi
}
nagios_bad bad-not-answering 3 "connect to address 127\.0\.0\.1 port $dead_port: Connection refused" \
	"KM server not answering: UNKNOWN (-u) with check_nrpe's reason"
nagios_bad bad-ssl 3 '^CHECK_NRPE: Error - Could not connect to 127\.0\.0\.1: Connection reset by peer$' \
	"check_nrpe without -n to use_ssl=0: UNKNOWN (-u), the agent resets the connection"
if agent_log_has 'Error: \(use_ssl == false\): Request packet version was invalid!'; then
	t_pass "without -n: the agent's log says the request was not an NRPE packet"
else
	t_fail "without -n: the agent's log says why" "$(e2e_attach "$agent_log" 5)"
fi
nagios_bad bad-no-arguments 3 '^CHECK_NRPE: Receive header underflow - only 0 bytes received' \
	"[NRPE] allow_arguments=0: the agent hangs up, UNKNOWN"
if grep -Eq '^\[[0-9]+\] Error: Request contained command arguments, but argument option is not enabled!$' "$noargs_log"; then
	t_pass "allow_arguments=0: the agent's log names the setting (dont_blame_nrpe=0 here)"
else
	t_fail "allow_arguments=0: the agent's log names the setting" "$(e2e_attach "$noargs_log" 5)"
fi
nagios_bad bad-unknown-command 3 "^NRPE: Command 'check_kms_nothing' not defined\$" \
	"unknown command: UNKNOWN, NRPE's 'Command ... not defined' (0.3.9: 'No handler for that command')"
restarts_before=$(grep -c 'started with 2 argument' "$standin_log")
nagios_bad bad-handler-input 3 "^KMS_RESTART UNKNOWN - --state: 'BOGUS' is not a state" \
	"the handler through NRPE with a state it does not understand: one UNKNOWN line naming it"
if [ "$(grep -c 'started with 2 argument' "$standin_log")" -eq "$restarts_before" ] &&
	story_handler_runs 'BOGUS SOFT x -> 3: KMS_RESTART UNKNOWN' >/dev/null; then
	t_pass "the handler given BOGUS SOFT x did nothing (no start, status 3)"
else
	t_fail "the handler given BOGUS SOFT x did nothing" "$(grep handle_kms_restart "$ledger" | tail -n 2)"
fi
# Each of 0.3.9's refused characters (include/config.h:59) in an argument.
handler_runs_before=$(grep -c '^handle_kms_restart ' "$ledger")
refused=""
for nasty in 'C:\kms' 'a|b' 'a`b' 'a&b' 'a>b' 'a<b' "a'b" 'a"b' 'a[b' 'a]b' 'a{b' 'a}b'; do
	agent_nrpe -2 -n -t 10 -c handle_kms_restart -a "$nasty" SOFT 2
	printf '%s\n' "$agent_out" | grep -q '^CHECK_NRPE: Receive header underflow' || refused="$refused [$nasty: $agent_status $agent_out]"
done
nasty_logged=$(grep -c 'Error: Request contained illegal metachars!$' "$agent_log")
if [ -z "$refused" ] && [ "$nasty_logged" -eq 12 ] && [ "$(grep -c '^handle_kms_restart ' "$ledger")" -eq "$handler_runs_before" ]; then
	t_pass "each of 0.3.9's twelve refused characters in an argument: the agent hangs up, logs it, runs nothing"
else
	t_fail "0.3.9's refused characters are refused" "logged $nasty_logged of 12" "$refused"
fi
# A character 0.3.9 lets through (NRPE's own default set refuses it) reaches
# the program inside its argument, never a shell: the line runs in single
# quotes, and a quote is one of the refused characters.
agent_nrpe -2 -n -t 30 -c handle_kms_restart -a 'a;b' SOFT 2
if [ "$agent_status" -eq 3 ] && printf '%s\n' "$agent_out" | grep -q "^KMS_RESTART UNKNOWN - --state: 'a;b' is not a state"; then
	t_pass "';' (allowed by 0.3.9) reaches the handler inside its argument, which it names"
else
	t_fail "';' reaches the handler inside its argument" "$agent_status: $agent_out"
fi
pid=$nagios_pid
nagios_stop
if ! e2e_alive "$pid"; then t_pass "Nagios stopped by pid"; else t_fail "Nagios stopped by pid"; fi
t_summary
