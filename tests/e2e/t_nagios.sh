#!/bin/sh
# The issue's story under Nagios 4, with contrib/nagios verbatim: healthy;
# the KM service restarted without its password (hung start) -> SOFT
# alerts -> handle_kms_restart at SOFT attempt 2 -> restarted with its
# password -> OK; Kmsdata damaged -> Event 5058 -> CRITICAL, the handler
# refuses; a stale backup -> WARNING. The Linux checks run on the demo
# site; check_kms_service and handle_kms_restart run under Wine against the
# stand-in KM service, reached the way Nagios reaches a KM server: check_nrpe
# to NSClient++ (here nsclient-standin.sh, which runs the fixed commands of
# the rendered contrib/nsclient/nsclient.ini).
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
. "$top_srcdir/tests/e2e/lib-story.sh"
e2e_setup nagios

if ! story_begin "the Nagios story"; then
	t_summary
	exit
fi

# The agent side: contrib/nsclient/nsclient.ini rendered for the site.
story_render_nsclient "$e2e_dir/nsclient.ini"
cat >"$plugins/check_nrpe" <<EOF_NRPE
#!/bin/sh
# check_nrpe to the KM server's NSClient++, stood in for.
NSCLIENT_INI='$e2e_dir/nsclient.ini' KMS_AGENT_DIR='$agent' exec '$top_srcdir/tests/e2e/nsclient-standin.sh' "\$@"
EOF_NRPE
chmod 755 "$plugins/check_nrpe"

# The admin's part: a time period, a contact, check-host-alive, the host.
cat >"$e2e_dir/site.cfg" <<EOF_SITE
define timeperiod {
    timeperiod_name 24x7
    alias           24x7
    monday 00:00-24:00
    tuesday 00:00-24:00
    wednesday 00:00-24:00
    thursday 00:00-24:00
    friday 00:00-24:00
    saturday 00:00-24:00
    sunday 00:00-24:00
}
define contact {
    contact_name                    admin
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      check-host-alive
    service_notification_commands   check-host-alive
}
define command {
    command_name    check-host-alive
    command_line    \$USER1\$/check_dummy 0 "host is up"
}
define host {
    use                 kms-server
    host_name           kms1
    address             127.0.0.1
    active_checks_enabled 0
    _KMS_APPLOG         $site/logs/AppEvent.evt
    _KMS_SYSLOG         $site/logs/SysEvent.evt
    _KMS_BACKUP_DIR     $site/backup
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
if grep -q '^check_kms_service -t 20 --pending-warning 1s --pending-critical 2s -> 0: KMS_SERVICE OK' "$ledger"; then
	t_pass "Nagios ran check_kms_service through check_nrpe with nsclient.ini's fixed command"
else
	t_fail "Nagios ran check_kms_service through nsclient.ini's fixed command" "$(cat "$ledger")"
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
pid=$nagios_pid
nagios_stop
if ! e2e_alive "$pid"; then t_pass "Nagios stopped by pid"; else t_fail "Nagios stopped by pid"; fi
t_summary
