#!/bin/sh
# The issue's story under Icinga 2, with contrib/icinga2 verbatim: the
# services are applied by the host variable kms_server; the KM server's
# check and the event handler go through the ITL "nrpe" CheckCommand and
# contrib's "kms-restart-nrpe" EventCommand (the real check_nrpe, -2 -n) to
# NSClient++ 0.3.9, stood in for by the real NRPE daemon (built with command
# arguments) running the rendered contrib/nsclient/NSC.ini through
# nsclient-standin.sh; no Icinga agent (none runs on NT 4.0 or 2000). Every attempt is forced through the command pipe. Besides the
# story it proves the config's handling of Icinga's numbering: the handler
# sees HARD at max_check_attempts, as under Nagios, and only OK HARD out of
# the pending start.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-icinga.sh"
. "$top_srcdir/tests/e2e/lib-nrpe.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
. "$top_srcdir/tests/e2e/lib-story.sh"
e2e_setup icinga

if ! story_begin "the Icinga 2 story"; then
	t_summary
	exit
fi

# The admin's part: the KM server host with the ITL's nrpe_* variables.
# The pending thresholds (1s/2s) and the paths are in the rendered NSC.ini.
cat >"$e2e_dir/site.conf" <<EOF_SITE
object Host "kms1" {
  address = "127.0.0.1"
  check_command = "dummy"
  enable_active_checks = false
  vars.kms_server = true
  vars.nrpe_port = $agent_port
  vars.nrpe_version_2 = true
  vars.nrpe_no_ssl = true
  vars.nrpe_timeout_unknown = true
  vars.kms_events_file = "$site/logs/AppEvent.evt"
  vars.kms_startup_file = "$site/logs/SysEvent.evt"
  vars.kms_backup_dir = "$site/backup"
}
/* The KM server's live System log through NSC.ini's check_kms_startup,
 * with the host's nrpe_* variables; run only when forced. */
object Service "kms-startup-live" {
  host_name = "kms1"
  check_command = "nrpe"
  vars.nrpe_command = "check_kms_startup"
  max_check_attempts = 1
  enable_active_checks = false
}
EOF_SITE
i=$e2e_dir/icinga
icinga_render "$i" "$plugins" "$e2e_dir/site.conf"
if icinga_verify "$i" && grep -q 'Instantiated 5 Services' "$i/verify.out"; then
	t_pass "icinga2 daemon -C accepts contrib/icinga2: 4 services applied by vars.kms_server, 1 of the site's"
else
	t_fail "icinga2 daemon -C accepts contrib/icinga2 (4 + 1 services)" "$(icinga_verify_errors "$i")" \
		"$(grep Instantiated "$i/verify.out" | tr '\n' ' ')"
	t_summary
	exit
fi
if icinga_start "$i"; then
	core_pid=$icinga_pid
	t_pass "Icinga 2 up"
else
	t_fail "Icinga 2 up" "$(e2e_attach "$i/icinga2.log" 8)"
	t_summary
	exit
fi

# --- healthy ----------------------------------------------------------------
story_healthy
if grep -q '^check_kms_service -t 20 --max-output 1024 --pending-warning 1s --pending-critical 2s -> 0: KMS_SERVICE OK' "$ledger" &&
	agent_log_has "Host 127\.0\.0\.1 is asking for command 'check_kms_service' to be run"; then
	t_pass "Icinga ran check_kms_service through the ITL nrpe CheckCommand and NSC.ini's fixed command"
else
	t_fail "Icinga ran check_kms_service through the ITL nrpe CheckCommand" "$(cat "$ledger")"
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

# --- the 1 KiB limit ----------------------------------------------------------
for round in 1 2 3 4 5 6 7; do site_log_hung_start "$site"; done
story_force kms-startup-live 2 1
story_expect kms-startup-live 2 '^KMS_STARTUP CRITICAL - KM service: 24 startup timeouts \(7009: 8, 7022: 8, 7000/%%1053: 8\) and 0 failed starts in the last 24h' \
	'^timeouts=24;0;2;0; failed_starts=0;0;2;0;$' "1 KiB: the first line and its perfdata arrive whole through the ITL nrpe CheckCommand"
if nagios_status kms-startup-live long_plugin_output | grep -q 'more lines cut to fit the 1024-byte output limit'; then
	t_pass "1 KiB: the long output ends with the program's own marker (--max-output 1024)"
else
	t_fail "1 KiB: the long output ends with the program's marker" "$(nagios_status kms-startup-live long_plugin_output | tail -c 300)"
fi

if [ "$have_handler" = yes ]; then
	bad=$(grep '^handle_kms_restart ' "$ledger" | grep -Ev ' (OK|WARNING|CRITICAL|UNKNOWN) (SOFT|HARD) [0-9]+ -> ')
	if [ -z "$bad" ]; then
		t_pass "every handler run has state, type and attempt"
	else
		t_fail "every handler run has state, type and attempt" "$bad"
	fi
fi
# What crossed the network: check_nrpe -2 -n from the core, the handler's
# three arguments as NRPE arguments, nothing else (NRPE's log: the command
# asked for, then the line it ran with the arguments in place).
asked=$(sed -n "s/^\[[0-9]*\] Host 127\.0\.0\.1 is asking for command '\(.*\)' to be run\.\.\.$/\1/p" "$agent_log" | sort -u | tr '\n' ' ')
handler_args=$(sed -n "s/^\[[0-9]*\] Running command: .*handle_kms_restart\.exe .* --event-file [^ ]* \(.*\)'$/\1/p" "$agent_log" | sort -u | tr '\n' ',')
if icinga_log_has "Running command '[^']*/check_nrpe' .*'-2'.*'-c' 'check_kms_service'" &&
	[ "$asked" = '_NRPE_CHECK check_kms_service check_kms_startup handle_kms_restart ' ] &&
	printf '%s' "$handler_args" | grep -q 'CRITICAL SOFT 2,' && printf '%s' "$handler_args" | grep -q 'CRITICAL HARD 3,' &&
	! printf '%s' "$handler_args" | tr ',' '\n' | grep -Ev '^$|^(OK|WARNING|CRITICAL|UNKNOWN) (SOFT|HARD) [0-9]+$' | grep -q .; then
	t_pass "only fixed command names and handle_kms_restart STATE!TYPE!ATTEMPT crossed NRPE"
else
	t_fail "only the fixed commands and the handler's three arguments crossed NRPE" "asked: $asked" "handler: $handler_args"
fi
pid=$icinga_pid
icinga_stop
if ! e2e_alive "$pid"; then
	t_pass "Icinga 2 stopped by pid"
else
	t_fail "Icinga 2 stopped by pid"
fi
t_summary
