# lib-icinga.sh: Icinga 2 as a child process. Renders an icinga2.conf with
# the path constants (everything under the test's folder, running as root),
# a CheckerComponent, the command pipe and status.dat, around the
# contrib/icinga2 files (copied verbatim) and a site file; validates with
# `icinga2 daemon -C`, starts, forces checks, reads status.dat and its log.
# Source after lib-e2e.sh and lib-nagios.sh (status.dat reader).

ICINGA2=${ICINGA2:-icinga2}

# icinga_render DIR PLUGINDIR SITE_CONF...: DIR/etc/icinga2.conf and friends.
icinga_render() {
	ir_dir=$1 ir_plugins=$2
	shift 2
	mkdir -p "$ir_dir/etc/contrib" "$ir_dir/etc/site" "$ir_dir/data" "$ir_dir/log" "$ir_dir/cache" \
		"$ir_dir/spool" "$ir_dir/run" || return 1
	cp "$top_srcdir"/contrib/icinga2/*.conf "$ir_dir/etc/contrib/" || return 1
	for ir_site in "$@"; do cp "$ir_site" "$ir_dir/etc/site/" || return 1; done
	cat >"$ir_dir/etc/icinga2.conf" <<ICINGA_CONF
/* Rendered by tests/e2e/lib-icinga.sh: a single-node Icinga 2. */
const PluginDir = "$ir_plugins"
const PluginContribDir = "$ir_plugins"
const ManubulonPluginDir = "$ir_plugins"
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
include <itl>
include <plugins>
object CheckerComponent "checker" { }
object ExternalCommandListener "command" { command_path = "$ir_dir/icinga2.cmd" }
object StatusDataWriter "status" {
  status_path = "$ir_dir/status.dat"
  objects_path = "$ir_dir/objects.cache"
  update_interval = 1s
}
object FileLogger "main" { path = "$ir_dir/icinga2.log"; severity = "notice" }
include "contrib/*.conf"
include "site/*.conf"
ICINGA_CONF
}

# icinga_run DIR ARGS...: icinga2 ARGS with the path constants of DIR
# (icinga_exec: the same, replacing this shell).
icinga_run() {
	ir_dir=$1
	shift
	$icinga_exec "$ICINGA2" "$@" -c "$ir_dir/etc/icinga2.conf" -DConfigDir="$ir_dir/etc" -DDataDir="$ir_dir/data" \
		-DLogDir="$ir_dir/log" -DCacheDir="$ir_dir/cache" -DSpoolDir="$ir_dir/spool" \
		-DInitRunDir="$ir_dir/run" -DRunAsUser=root -DRunAsGroup=root -DNodeName=kms-e2e -DZoneName=kms-e2e
}

# icinga_verify DIR: `icinga2 daemon -C`; its output stays in DIR/verify.out.
icinga_verify() {
	timeout 60 sh -c '. "$1"; shift; icinga_run "$@"' sh "$top_srcdir/tests/e2e/lib-icinga.sh" "$1" daemon -C \
		>"$1/verify.out" 2>&1
}

# icinga_verify_errors DIR: the core's own error lines from the last verify.
icinga_verify_errors() {
	grep -E 'critical/|Error' -A 3 "$1/verify.out" | head -n 10
}

# icinga_start DIR: start as a child; wait (bounded) for status.dat and the
# command pipe. Sets icinga_pid; lib-nagios's status readers and
# nagios_force then work on this core.
icinga_start() {
	e2e_spawn icinga "$1/icinga2.out" icinga_daemon "$1"
	icinga_pid=$e2e_pid
	nagios_dir=$1
	nagios_cmd=$1/icinga2.cmd
	e2e_wait_daemon "$icinga_pid" 60 nagios_up
}

# The daemon replaces the spawned shell, so its pid is the child's pid.
icinga_exec=""
icinga_daemon() {
	icinga_exec=exec
	icinga_run "$1" daemon
}

icinga_stop() {
	e2e_stop "$icinga_pid" 20
}

# icinga_log_has PATTERN: icinga2.log has a matching line.
icinga_log_has() {
	grep -qE -- "$1" "$nagios_dir/icinga2.log" 2>/dev/null
}
