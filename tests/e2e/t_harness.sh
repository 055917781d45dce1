#!/bin/sh
# The e2e harness proves itself on plain plugins before the story runs: a
# broken config fails validation with the core's own message; each core
# comes up as a child, runs a check forced through its command pipe, walks
# SOFT -> HARD with its event handler, and is gone after the stop; a core
# that never comes up fails within its bound instead of hanging.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-icinga.sh"
. "$top_srcdir/tests/e2e/lib-nrpe.sh"
e2e_setup harness
plugins=/usr/lib/nagios/plugins
probe=$top_builddir/tests/tools/deadline_probe

# --- Nagios 4 --------------------------------------------------------------
# A switch file decides check_dummy's state, so the test drives the story.
cat >"$e2e_dir/nagios-site.cfg" <<EOF_SITE
define host {
    host_name               probe-host
    address                 127.0.0.1
    check_command           harness-switch
    max_check_attempts      1
    active_checks_enabled   0
}
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
    contact_name                    harness
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      harness-switch
    service_notification_commands   harness-switch
}
define command {
    command_name    harness-switch
    command_line    $plugins/check_dummy \$(cat $e2e_dir/switch) "switch is \$(cat $e2e_dir/switch)"
}
define command {
    command_name    harness-probe
    command_line    $probe -t 5
}
define command {
    command_name    harness-handler
    command_line    /bin/sh -c 'echo "\$SERVICESTATE\$ \$SERVICESTATETYPE\$ \$SERVICEATTEMPT\$" >>$e2e_dir/handler.log'
}
define service {
    use                     kms-service-state
    host_name               probe-host
    service_description     switch
    check_command           harness-switch
    event_handler           harness-handler
    check_interval          300
}
define service {
    use                     kms-service-eventlog
    host_name               probe-host
    service_description     probe
    check_command           harness-probe
    check_interval          300
}
EOF_SITE
echo 0 >"$e2e_dir/switch"

n=$e2e_dir/nagios
nagios_render "$n" "$plugins" "$e2e_dir/nagios-site.cfg"
if nagios_verify "$n"; then
	t_pass "nagios4 -v accepts contrib/nagios templates with a site file"
else
	t_fail "nagios4 -v accepts contrib/nagios templates with a site file" "$(nagios_verify_errors "$n")"
fi

# The same tree with a service pointing at a command nobody defined.
nb=$e2e_dir/nagios-broken
nagios_render "$nb" "$plugins" "$e2e_dir/nagios-site.cfg"
sed -i 's/check_command           harness-probe/check_command           harness-no-such-command/' "$nb/objects/nagios-site.cfg"
if nagios_verify "$nb"; then
	t_fail "nagios4 -v refuses a broken config" "it accepted it"
elif nagios_verify_errors "$nb" | grep -q "harness-no-such-command"; then
	t_pass "nagios4 -v refuses a broken config, naming the culprit in its own words"
else
	t_fail "nagios4 -v refuses a broken config, naming the culprit" "$(nagios_verify_errors "$nb")"
fi

if nagios_start "$n"; then
	t_pass "Nagios comes up as a child (status.dat and command FIFO)"
else
	t_fail "Nagios comes up as a child" "$(e2e_attach "$n/nagios.log")"
fi
t0=$(date +%s)
nagios_force probe-host switch
nagios_force probe-host probe
if e2e_wait_daemon "$nagios_pid" 20 nagios_result switch "$t0" 0 1; then
	t_pass "Nagios: forced check of the switch service: OK"
else
	t_fail "Nagios: switch service OK" "$(e2e_attach "$n/nagios.log")"
fi
if e2e_wait_daemon "$nagios_pid" 20 nagios_result probe "$t0" 0 1 &&
	[ "$(nagios_status probe plugin_output)" = "KMS_PROBE OK - standard input ended before the deadline" ]; then
	t_pass "Nagios runs a suite program (deadline_probe): plugin_output in status.dat"
else
	t_fail "Nagios runs a suite program (deadline_probe)" "plugin_output: $(nagios_status probe plugin_output)"
fi

# Flip to CRITICAL and force: SOFT 1, 2 then HARD 3, the handler each time.
echo 2 >"$e2e_dir/switch"
nagios_force probe-host switch
if e2e_wait_daemon "$nagios_pid" 30 nagios_state_is switch 2 1 3; then
	t_pass "Nagios: forced check, retries to HARD CRITICAL at attempt 3"
else
	t_fail "Nagios: forced check, retries to HARD CRITICAL at attempt 3" \
		"state $(nagios_status switch current_state) type $(nagios_status switch state_type) attempt $(nagios_status switch current_attempt)"
fi
e2e_wait 10 nagios_log_has 'SERVICE EVENT HANDLER: probe-host;switch;CRITICAL;HARD;3;harness-handler'
want=$(printf 'CRITICAL SOFT 1\nCRITICAL SOFT 2\nCRITICAL HARD 3')
if [ "$(cat "$e2e_dir/handler.log" 2>/dev/null)" = "$want" ]; then
	t_pass "Nagios: event handler on SOFT 1, SOFT 2, HARD 3 with its macros"
else
	t_fail "Nagios: event handler on SOFT 1, SOFT 2, HARD 3" "got: $(tr '\n' '|' <"$e2e_dir/handler.log" 2>/dev/null)"
fi
if nagios_log_has '^\[[0-9]+\] SERVICE ALERT: probe-host;switch;CRITICAL;HARD;3;CRITICAL: switch is 2$'; then
	t_pass "Nagios: the HARD alert is in nagios.log"
else
	t_fail "Nagios: the HARD alert is in nagios.log" "$(e2e_attach "$n/nagios.log")"
fi
pid=$nagios_pid
nagios_stop
if ! e2e_alive "$pid" && ! pgrep -f "$n/nagios.cfg" >/dev/null; then
	t_pass "Nagios stopped by pid, no process left"
else
	t_fail "Nagios stopped by pid, no process left" "$(pgrep -af "$n/nagios.cfg")"
fi

# --- Icinga 2 --------------------------------------------------------------
cat >"$e2e_dir/icinga-site.conf" <<EOF_SITE
object Host "probe-host" {
  address = "127.0.0.1"
  check_command = "dummy"
  enable_active_checks = false
}
object CheckCommand "harness-probe" {
  command = [ "$probe", "-t", "5" ]
}
object EventCommand "harness-handler" {
  command = [ "/bin/sh", "-c", "echo \"\$service.state\$ \$service.state_type\$ \$service.check_attempt\$\" >>$e2e_dir/icinga-handler.log" ]
}
object Service "probe" {
  host_name = "probe-host"
  check_command = "harness-probe"
  max_check_attempts = 3
  check_interval = 300s
  retry_interval = 1s
}
object Service "switch" {
  host_name = "probe-host"
  check_command = "dummy"
  vars.dummy_state = 2
  vars.dummy_text = "always 2"
  max_check_attempts = 3
  check_interval = 300s
  retry_interval = 1s
  event_command = "harness-handler"
}
EOF_SITE
i=$e2e_dir/icinga
icinga_render "$i" "$plugins" "$e2e_dir/icinga-site.conf"
if icinga_verify "$i"; then
	t_pass "icinga2 daemon -C accepts the rendered config"
else
	t_fail "icinga2 daemon -C accepts the rendered config" "$(icinga_verify_errors "$i")"
fi
ib=$e2e_dir/icinga-broken
icinga_render "$ib" "$plugins" "$e2e_dir/icinga-site.conf"
sed -i 's/check_command = "harness-probe"/check_command = "harness-no-such-command"/' "$ib/etc/site/icinga-site.conf"
if icinga_verify "$ib"; then
	t_fail "icinga2 daemon -C refuses a broken config" "it accepted it"
elif icinga_verify_errors "$ib" | grep -q "harness-no-such-command"; then
	t_pass "icinga2 daemon -C refuses a broken config, naming the culprit in its own words"
else
	t_fail "icinga2 daemon -C refuses a broken config, naming the culprit" "$(icinga_verify_errors "$ib")"
fi
if icinga_start "$i"; then
	t_pass "Icinga 2 comes up as a child (status.dat and command pipe)"
else
	t_fail "Icinga 2 comes up as a child" "$(e2e_attach "$i/icinga2.out")"
fi
t0=$(date +%s)
nagios_force probe-host probe
nagios_force probe-host switch
if e2e_wait_daemon "$icinga_pid" 20 nagios_result probe "$t0" 0 1 &&
	[ "$(nagios_status probe plugin_output)" = "KMS_PROBE OK - standard input ended before the deadline" ]; then
	t_pass "Icinga 2 runs a suite program (forced check): plugin_output in status.dat"
else
	t_fail "Icinga 2 runs a suite program (forced check)" "plugin_output: $(nagios_status probe plugin_output)" \
		"$(e2e_attach "$i/icinga2.log")"
fi
# Icinga 2 numbers the HARD state's attempt 1 (Nagios: max_check_attempts).
if e2e_wait_daemon "$icinga_pid" 30 nagios_state_is switch 2 1 1; then
	t_pass "Icinga 2: retries to HARD CRITICAL, reported as attempt 1"
else
	t_fail "Icinga 2: retries to HARD CRITICAL, reported as attempt 1" \
		"state $(nagios_status switch current_state) type $(nagios_status switch state_type) attempt $(nagios_status switch current_attempt)"
fi
e2e_wait 10 grep -qs 'HARD' "$e2e_dir/icinga-handler.log"
if grep -qx 'CRITICAL SOFT 2' "$e2e_dir/icinga-handler.log" && grep -qx 'CRITICAL HARD 1' "$e2e_dir/icinga-handler.log"; then
	t_pass "Icinga 2: event command on SOFT 2 and on HARD (attempt 1) with its macros"
else
	t_fail "Icinga 2: event command on SOFT 2 and HARD 1" "got: $(tr '\n' '|' <"$e2e_dir/icinga-handler.log" 2>/dev/null)"
fi
pid=$icinga_pid
icinga_stop
if ! e2e_alive "$pid" && ! pgrep -f "$i/etc/icinga2.conf" >/dev/null; then
	t_pass "Icinga 2 stopped by pid, no process left"
else
	t_fail "Icinga 2 stopped by pid, no process left" "$(pgrep -af "$i/etc/icinga2.conf")"
fi

# --- NRPE ------------------------------------------------------------------
r=$e2e_dir/nrpe
mkdir -p "$r"
printf 'command[harness_probe]=%s -t 5\n' "$probe" >"$r/harness.cfg"
nrpe_debian_policy "$r/policy.cfg"
nrpe_render "$r" "$r/policy.cfg" "$r/harness.cfg"
if nrpe_start "$r"; then
	t_pass "NRPE comes up as a child on port $nrpe_port"
else
	t_fail "NRPE comes up as a child" "$(e2e_attach "$r/nrpe.out")"
fi
nrpe_check harness_probe
if [ "$nrpe_status" -eq 0 ] && [ "$nrpe_out" = "KMS_PROBE OK - standard input ended before the deadline" ]; then
	t_pass "check_nrpe -> nrpe -> deadline_probe, a fixed command"
else
	t_fail "check_nrpe -> nrpe -> deadline_probe" "status $nrpe_status: $nrpe_out"
fi
nrpe_check no_such_command
if [ "$nrpe_status" -eq 3 ] && printf '%s' "$nrpe_out" | grep -q 'not defined'; then
	t_pass "NRPE refuses an undefined command (UNKNOWN)"
else
	t_fail "NRPE refuses an undefined command" "status $nrpe_status: $nrpe_out"
fi
pid=$nrpe_pid
nrpe_stop
if ! e2e_alive "$pid" && ! pgrep -f "$r/nrpe.cfg" >/dev/null; then
	t_pass "NRPE stopped by pid, no process left"
else
	t_fail "NRPE stopped by pid, no process left" "$(pgrep -af "$r/nrpe.cfg")"
fi

# --- a core that passes validation but cannot start --------------------------
nq=$e2e_dir/nagios-nosocket
nagios_render "$nq" "$plugins" "$e2e_dir/nagios-site.cfg"
sed -i "s|^query_socket=.*|query_socket=$e2e_dir/no/such/dir/nagios.qh|" "$nq/nagios.cfg"
start=$(date +%s)
nagios_start "$nq"
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 2 ] && [ "$took" -le 10 ] && grep -q "Failed to init socket '$e2e_dir/no/such/dir/nagios.qh'" "$nq/nagios.log"; then
	t_pass "a Nagios that cannot start is reported at once, its log naming the socket"
else
	t_fail "a Nagios that cannot start is reported at once" "status $rc after ${took} s" "$(e2e_attach "$nq/nagios.log" 3)"
fi

# --- a core that never comes up ---------------------------------------------
# A "daemon" that never writes status.dat: the wait must give up within its
# bound (here 2 s) and the stop must end it.
e2e_spawn stuck "$e2e_dir/stuck.out" sleep 300
stuck=$e2e_pid
nagios_pid=$stuck nagios_dir=$e2e_dir/nowhere
start=$(date +%s)
e2e_wait_daemon "$stuck" 2 nagios_up
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 1 ] && [ "$took" -le 10 ]; then
	t_pass "a core that never comes up fails its bounded wait (status 1)"
else
	t_fail "a core that never comes up fails its bounded wait" "status $rc after ${took} s"
fi
e2e_stop "$stuck" 5
if ! e2e_alive "$stuck"; then t_pass "the stuck core is stopped by pid"; else t_fail "the stuck core is stopped by pid"; fi
# A core that dies at once is noticed at once (status 2), not after the bound.
e2e_spawn dead "$e2e_dir/dead.out" sh -c 'exit 1'
dead=$e2e_pid
start=$(date +%s)
e2e_wait_daemon "$dead" 30 nagios_up
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 2 ] && [ "$took" -le 5 ]; then
	t_pass "a core that dies at start is reported at once (status 2)"
else
	t_fail "a core that dies at start is reported at once" "status $rc after ${took} s"
fi
t_summary
