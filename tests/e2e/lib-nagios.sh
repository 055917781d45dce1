# lib-nagios.sh: Nagios 4 as a child process. Renders a main nagios.cfg
# around the contrib/nagios object files (copied verbatim) and a site file,
# validates with `nagios4 -v`, starts, forces checks through the command
# FIFO, and reads status.dat and nagios.log. Source after lib-e2e.sh.

NAGIOS=${NAGIOS:-nagios4}

# nagios_render DIR PLUGINDIR SITE_CFG...: write DIR/nagios.cfg (one second
# per interval unit, or NAGIOS_INTERVAL_LENGTH seconds, so contrib's
# intervals, in minutes, run in seconds), DIR/resource.cfg
# ($USER1$ = PLUGINDIR), copy contrib/nagios/*.cfg and the site files.
nagios_render() {
	nr_dir=$1 nr_plugins=$2
	shift 2
	mkdir -p "$nr_dir/objects" "$nr_dir/checkresults" || return 1
	cp "$top_srcdir"/contrib/nagios/*.cfg "$nr_dir/objects/" || return 1
	for nr_site in "$@"; do cp "$nr_site" "$nr_dir/objects/" || return 1; done
	printf '$USER1$=%s\n' "$nr_plugins" >"$nr_dir/resource.cfg"
	cat >"$nr_dir/nagios.cfg" <<NAGIOS_CFG
log_file=$nr_dir/nagios.log
cfg_dir=$nr_dir/objects
resource_file=$nr_dir/resource.cfg
object_cache_file=$nr_dir/objects.cache
precached_object_file=$nr_dir/objects.precache
status_file=$nr_dir/status.dat
status_update_interval=1
nagios_user=root
nagios_group=root
check_external_commands=1
command_file=$nr_dir/nagios.cmd
query_socket=$nr_dir/nagios.qh
lock_file=$nr_dir/nagios.pid
temp_file=$nr_dir/nagios.tmp
temp_path=$nr_dir
check_result_path=$nr_dir/checkresults
check_result_reaper_frequency=1
state_retention_file=$nr_dir/retention.dat
retain_state_information=0
use_retained_program_state=0
interval_length=${NAGIOS_INTERVAL_LENGTH:-1}
max_service_check_spread=1
max_host_check_spread=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
service_interleave_factor=s
execute_service_checks=1
execute_host_checks=0
enable_event_handlers=1
enable_notifications=0
enable_flap_detection=0
log_event_handlers=1
log_initial_states=1
log_service_retries=1
log_external_commands=1
log_passive_checks=0
use_syslog=0
service_check_timeout=60
event_handler_timeout=140
soft_state_dependencies=0
enable_environment_macros=0
debug_level=0
check_for_updates=0
bare_update_check=1
illegal_macro_output_chars=\`~\$&|'"<>
NAGIOS_CFG
}

# nagios_site_basics: what an admin's configuration has besides contrib,
# on stdout: the 24x7 time period, a contact, check-host-alive.
nagios_site_basics() {
	cat <<'NAGIOS_SITE'
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
    command_line    $USER1$/check_dummy 0 "host is up"
}
NAGIOS_SITE
}

# nagios_verify DIR: `nagios4 -v`; its own output stays in DIR/verify.out.
nagios_verify() {
	timeout 60 "$NAGIOS" -v "$1/nagios.cfg" >"$1/verify.out" 2>&1
}

# nagios_verify_errors DIR: the core's own error lines from the last verify.
nagios_verify_errors() {
	grep -E 'Error|error|Warning' "$1/verify.out" | head -n 8
}

# nagios_start DIR: start the core as a child; wait (bounded) until it has
# written status.dat and opened its command FIFO. Sets nagios_pid.
nagios_start() {
	e2e_spawn nagios "$1/nagios.out" "$NAGIOS" "$1/nagios.cfg"
	nagios_pid=$e2e_pid
	nagios_dir=$1
	nagios_cmd=$1/nagios.cmd
	e2e_wait_daemon "$nagios_pid" 30 nagios_up
}

nagios_up() {
	[ -p "$nagios_cmd" ] && [ -s "$nagios_dir/status.dat" ]
}

# nagios_command LINE: one external command, written to the FIFO under a
# timeout (a FIFO blocks when the core is gone). Icinga 2 reads the same.
nagios_command() {
	timeout 5 sh -c 'printf "[%s] %s\n" "$(date +%s)" "$2" >"$1"' sh "$nagios_cmd" "$1"
}

# nagios_force HOST SERVICE: check it now.
nagios_force() {
	nagios_command "SCHEDULE_FORCED_SVC_CHECK;$1;$2;$(date +%s)"
}

# nagios_status SERVICE FIELD: a field of the service's block in status.dat.
nagios_status() {
	awk -v svc="$1" -v field="$2" '
		/^servicestatus \{/ { inblock = 1; match_svc = 0; value = ""; next }
		inblock && /^\t}/ { if (match_svc) { print value; exit } inblock = 0; next }
		inblock {
			line = $0; sub(/^\t/, "", line)
			eq = index(line, "=")
			key = substr(line, 1, eq - 1)
			if (key == "service_description" && substr(line, eq + 1) == svc) match_svc = 1
			if (key == field) value = substr(line, eq + 1)
		}' "$nagios_dir/status.dat" 2>/dev/null
}

# nagios_checked_since SERVICE EPOCH: the service has a result newer than
# EPOCH. Icinga 2's status.dat says last_check=-1: there the newest of the
# last_time_<state> fields is the time of the last result.
nagios_checked_since() {
	nc_last=$(nagios_status "$1" last_check)
	if [ "${nc_last:--1}" -le 0 ]; then
		nc_last=0
		for nc_field in last_time_ok last_time_warn last_time_critical last_time_unknown; do
			nc_t=$(nagios_status "$1" "$nc_field")
			[ "${nc_t:-0}" -gt "$nc_last" ] && nc_last=$nc_t
		done
	fi
	[ "$nc_last" -ge "$2" ]
}

# nagios_result SERVICE EPOCH STATE TYPE [ATTEMPT]: a result newer than
# EPOCH in that state (what a forced check waits for).
nagios_result() {
	nagios_checked_since "$1" "$2" && nagios_state_is "$1" "$3" "$4" ${5:+"$5"}
}

# nagios_state_is SERVICE STATE TYPE [ATTEMPT]: status.dat shows it
# (STATE 0..3, TYPE 0 soft / 1 hard).
nagios_state_is() {
	[ "$(nagios_status "$1" current_state)" = "$2" ] &&
		[ "$(nagios_status "$1" state_type)" = "$3" ] &&
		{ [ -z "${4:-}" ] || [ "$(nagios_status "$1" current_attempt)" = "$4" ]; }
}

# nagios_log_has PATTERN: nagios.log has a matching line.
nagios_log_has() {
	grep -qE -- "$1" "$nagios_dir/nagios.log" 2>/dev/null
}

# nagios_stop: by pid; the log tail is attached if it does not go.
nagios_stop() {
	e2e_stop "$nagios_pid" 15
}
