#!/bin/sh
# The issue's story under Icinga 2, with contrib/icinga2 verbatim: the
# services are applied by the host variable kms_server; the Windows programs
# (vars.kms_windows_plugin_dir: Wine wrappers) and the handler run on an
# Icinga 2 agent through command_endpoint, as on a KM server; every attempt
# is forced through the master's command pipe. Besides the story it proves
# the config's handling of Icinga's numbering: the handler sees HARD at
# max_check_attempts, as under Nagios, and only OK HARD out of the pending start.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-icinga.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
. "$top_srcdir/tests/e2e/lib-story.sh"
e2e_setup icinga

if ! story_begin "the Icinga 2 story"; then
	t_summary
	exit
fi

# The admin's part: the KM server host, in the master's zone, its Windows
# programs run by its agent (command_endpoint). The pending thresholds are
# 1s/2s (default 60s/180s) so that the hung start alerts within seconds.
win_string() { # PATH: its Windows name as an Icinga string body
	wine_path "$1" | sed 's/\\/\\\\/g'
}
mkdir -p "$e2e_dir/state"
cat >"$e2e_dir/site.conf" <<EOF_SITE
object Host "kms1" {
  address = "127.0.0.1"
  check_command = "dummy"
  enable_active_checks = false
  zone = ZoneName
  vars.kms_server = true
  vars.kms_agent_endpoint = "kms-e2e-agent"
  vars.kms_windows_plugin_dir = "$agent"
  vars.kms_restart_password_file = "$(win_string "$site/kmspwd.ini")"
  vars.kms_restart_state_dir = "$(win_string "$e2e_dir/state")"
  vars.kms_restart_kmsdata = "$(win_string "$site/Kmsdata")"
  vars.kms_restart_backup_dir = "$(win_string "$site/backup")"
  vars.kms_restart_event_file = "$(win_string "$site/logs/AppEvent.evt")" /* Wine keeps no event log */
  vars.kms_restart_hung_after = "2s"
  vars.kms_events_file = "$site/logs/AppEvent.evt"
  vars.kms_startup_file = "$site/logs/SysEvent.evt"
  vars.kms_backup_dir = "$site/backup"
  vars.kms_service_pending_warning = "1s"
  vars.kms_service_pending_critical = "2s"
}
EOF_SITE
i=$e2e_dir/icinga ia=$e2e_dir/icinga-agent
if icinga_two_nodes "$i" "$ia"; then
	t_pass "a master and an agent with certificates from their own CA (icinga2 pki)"
else
	t_fail "a master and an agent with certificates (icinga2 pki)" "$(e2e_attach "$i/pki.out" 5)"
	t_summary
	exit
fi
icinga_render "$i" "$plugins" "$e2e_dir/site.conf"
icinga_render_agent "$ia" "$plugins"
if icinga_verify "$i" && grep -q 'Instantiated 4 Services' "$i/verify.out"; then
	t_pass "icinga2 daemon -C accepts contrib/icinga2: 4 services applied by vars.kms_server"
else
	t_fail "icinga2 daemon -C accepts contrib/icinga2 (4 services)" "$(icinga_verify_errors "$i")" \
		"$(grep Instantiated "$i/verify.out" | tr '\n' ' ')"
	t_summary
	exit
fi
if icinga_verify "$ia"; then
	t_pass "icinga2 daemon -C accepts the agent with contrib's commands"
else
	t_fail "icinga2 daemon -C accepts the agent" "$(icinga_verify_errors "$ia")"
fi
icinga_start_agent "$ia"
if icinga_start "$i" && e2e_wait_daemon "$icinga_agent_pid" 30 icinga_connected "$i"; then
	core_pid=$icinga_pid
	t_pass "Icinga 2 master and agent up and connected"
else
	t_fail "Icinga 2 master and agent up and connected" "$(e2e_attach "$i/icinga2.log" 8)" "$(e2e_attach "$ia/icinga2.out" 8)"
	t_summary
	exit
fi

# --- healthy ----------------------------------------------------------------
story_healthy
# Icinga orders the arguments by name.
if grep -q '^check_kms_service --pending-critical 2s --pending-warning 1s -t 20 -> 0: KMS_SERVICE OK' "$ledger"; then
	t_pass "Icinga ran check_kms_service with the arguments of its custom variables"
else
	t_fail "Icinga ran check_kms_service with the arguments of its custom variables" "$(cat "$ledger")"
fi
# Out of pending, Icinga runs the event command on the first result (a
# HARD state change): the handler must hear OK HARD and do nothing.
if [ "$have_handler" = no ] || { [ "$(grep -c '^handle_kms_restart ' "$ledger")" -eq 1 ] &&
	story_handler_runs 'OK HARD 3 -> 0: KMS_RESTART OK - skipped' >/dev/null; }; then
	t_pass "after the pending start the handler only heard OK HARD and did nothing"
else
	t_fail "after the pending start the handler only heard OK HARD" "$(grep '^handle_kms_restart' "$ledger")"
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
if story_force kms-service 2 0 1; then
	t_pass "hung start: kms-service SOFT 1 CRITICAL"
else
	t_fail "hung start: kms-service SOFT 1 CRITICAL" "$(nagios_status kms-service plugin_output)"
fi
story_expect kms-service 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is START_PENDING for [0-9]+s, checkpoint 1 not moving' \
	'^state=2;;;0;7 pending=[0-9.]+s;1;2;0;' "hung start: plugin_output names START_PENDING, pending perfdata"
if [ "$have_handler" = yes ]; then
	FW_BOUND=60 story_force kms-service 2 0 2
	e2e_wait 60 story_handler_runs 'CRITICAL SOFT 2 -> ' >/dev/null
	if story_handler_runs 'CRITICAL SOFT 2 -> 0: ' >/dev/null; then
		t_pass "hung start: the handler ran at SOFT 2 and restarted the service"
	else
		t_fail "hung start: the handler ran at SOFT 2 and restarted" "$(grep handle_kms_restart "$ledger")"
	fi
	if FW_BOUND=60 story_force kms-service 0 1; then
		t_pass "hung start: recovery to OK"
	else
		t_fail "hung start: recovery to OK" "$(nagios_status kms-service plugin_output)"
	fi
else
	e2e_not_run "hung start: the handler at SOFT 2, restart with password, recovery" "handle_kms_restart.exe not built"
fi

# --- Kmsdata damaged: Event 5058 -------------------------------------------------
if [ "$have_handler" = yes ]; then
	story_damage_kmsdata
	if e2e_wait 30 grep -qs 'Kmsdata is corrupt: event 5058' "$standin_log"; then
		t_pass "damaged Kmsdata: the stand-in logs Event 5058 and stops"
	else
		t_fail "damaged Kmsdata: the stand-in logs Event 5058" "$(e2e_attach "$standin_log" 5)"
	fi
	story_force kms-events 2 1
	story_expect kms-events 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h' '^events=1;;0;0;$' \
		"damaged Kmsdata: kms-events CRITICAL"
	for attempt in 1 2; do FW_BOUND=60 story_force kms-service 2 0 "$attempt"; done
	FW_BOUND=60 story_force kms-service 2 1 1
	story_expect kms-service 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped' '^state=1;' \
		"damaged Kmsdata: kms-service HARD CRITICAL, Icinga's attempt 1"
	e2e_wait 60 story_handler_runs 'CRITICAL HARD ' >/dev/null
	if story_handler_runs 'CRITICAL HARD 3 -> ' >/dev/null && ! story_handler_runs 'CRITICAL HARD 1 -> ' >/dev/null; then
		t_pass "the handler sees HARD at max_check_attempts (3), not Icinga's 1"
	else
		t_fail "the handler sees HARD at max_check_attempts (3)" "$(grep handle_kms_restart "$ledger" | tail -n 3)"
	fi
	if story_handler_runs 'CRITICAL HARD 3 -> [1-3]: .*(5058|Kmsdata)' >/dev/null; then
		t_pass "damaged Kmsdata: the handler refuses, naming 5058/Kmsdata"
	else
		t_fail "damaged Kmsdata: the handler refuses" "$(grep handle_kms_restart "$ledger" | tail -n 3)"
	fi
else
	e2e_not_run "damaged Kmsdata: 5058, CRITICAL, the handler refuses" "handle_kms_restart.exe not built"
fi

# --- a stale backup -------------------------------------------------------------
story_stale_backup
story_force kms-backup 1 0 1
story_expect kms-backup 1 '^KMS_BACKUP WARNING - newest set kmsdata-old is 10d old, .*older than 8d$' \
	'^age=86[0-9]{4}s;691200;1296000;0; ' "stale backup: kms-backup WARNING, age in perfdata"

if [ "$have_handler" = yes ]; then
	bad=$(grep '^handle_kms_restart ' "$ledger" | grep -Ev ' (OK|WARNING|CRITICAL|UNKNOWN) (SOFT|HARD) [0-9]+ -> ')
	if [ -z "$bad" ]; then
		t_pass "every handler run has state, type and attempt"
	else
		t_fail "every handler run has state, type and attempt" "$bad"
	fi
fi
# Where each program ran: the Windows ones on the agent, the file checks here.
on_agent=$(grep -c "Running command '[^']*/\(check_kms_service\|handle_kms_restart\)\.exe'" "$ia/icinga2.log")
on_master=$(grep -c "Running command '[^']*/\(check_kms_service\|handle_kms_restart\)\.exe'" "$i/icinga2.log")
files_on_agent=$(grep -c "Running command '[^']*/check_kms_\(events\|startup\|backup\)'" "$ia/icinga2.log")
if [ "$on_agent" -ge 6 ] && [ "$on_master" -eq 0 ] && [ "$files_on_agent" -eq 0 ]; then
	t_pass "command_endpoint: the agent ran the Windows programs ($on_agent times), the master none"
else
	t_fail "command_endpoint: the agent ran the Windows programs, the master none" \
		"agent $on_agent, master $on_master, file checks on the agent $files_on_agent"
fi
pid=$icinga_pid
icinga_stop
e2e_stop "$icinga_agent_pid" 20
if ! e2e_alive "$pid" && ! e2e_alive "$icinga_agent_pid"; then
	t_pass "Icinga 2 master and agent stopped by pid"
else
	t_fail "Icinga 2 master and agent stopped by pid"
fi
t_summary
