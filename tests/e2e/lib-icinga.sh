# lib-icinga.sh: Icinga 2 as a child process. Renders an icinga2.conf with
# the path constants (everything under the test's folder, running as root),
# a CheckerComponent, the command pipe and status.dat, around the
# contrib/icinga2 files (copied verbatim) and a site file; validates with
# `icinga2 daemon -C`, starts, forces checks, reads status.dat and its log.
# Source after lib-e2e.sh and lib-nagios.sh (status.dat reader).

ICINGA2=${ICINGA2:-icinga2}

# icinga_render DIR PLUGINDIR SITE_CONF...: DIR/etc/icinga2.conf and friends.
# A single node, or the master of icinga_two_nodes when DIR/zones.conf exists.
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
$(icinga_zones "$ir_dir")
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

# icinga_zones DIR: the node's endpoints and zones (and API listener).
icinga_zones() {
	if [ -f "$1/zones.conf" ]; then
		cat "$1/zones.conf"
	else
		printf 'object Endpoint NodeName { }\nobject Zone ZoneName { endpoints = [ NodeName ] }\n'
	fi
}

# icinga_run DIR ARGS...: icinga2 ARGS with the path constants of DIR and
# its node and zone name (DIR/node, DIR/zone; default kms-e2e)
# (icinga_exec: the same, replacing this shell).
icinga_run() {
	ir_dir=$1
	shift
	ir_node=$(cat "$ir_dir/node" 2>/dev/null || echo kms-e2e)
	ir_zone=$(cat "$ir_dir/zone" 2>/dev/null || echo kms-e2e)
	[ "$1" = daemon ] && set -- "$@" -c "$ir_dir/etc/icinga2.conf"
	$icinga_exec "$ICINGA2" "$@" -DConfigDir="$ir_dir/etc" -DDataDir="$ir_dir/data" \
		-DLogDir="$ir_dir/log" -DCacheDir="$ir_dir/cache" -DSpoolDir="$ir_dir/spool" \
		-DInitRunDir="$ir_dir/run" -DRunAsUser=root -DRunAsGroup=root -DNodeName="$ir_node" -DZoneName="$ir_zone"
}

# icinga_two_nodes MASTER_DIR AGENT_DIR: a master (zone master) and an agent
# (zone kms-agent, its child) on two free local ports, with a CA and a
# certificate each (icinga2 pki), the agent accepting commands: what
# command_endpoint needs. Endpoint names: kms-e2e-master, kms-e2e-agent.
icinga_two_nodes() {
	itn_mport=$(e2e_free_port 25701) || return 1
	itn_aport=$(e2e_free_port $((itn_mport + 1))) || return 1
	for itn in "$1:master:master:$itn_mport" "$2:agent:kms-agent:$itn_aport"; do
		itn_dir=${itn%%:*} itn_rest=${itn#*:}
		mkdir -p "$itn_dir/data/certs" "$itn_dir/etc" || return 1
		echo "kms-e2e-${itn_rest%%:*}" >"$itn_dir/node"
		itn_rest=${itn_rest#*:}
		echo "${itn_rest%%:*}" >"$itn_dir/zone"
	done
	icinga_run "$1" pki new-ca >"$1/pki.out" 2>&1 || return 1
	for itn_dir in "$1" "$2"; do
		itn_cn=$(cat "$itn_dir/node")
		icinga_run "$itn_dir" pki new-cert --cn "$itn_cn" --key "$itn_dir/data/certs/$itn_cn.key" \
			--csr "$itn_dir/data/certs/$itn_cn.csr" >>"$1/pki.out" 2>&1 &&
			icinga_run "$1" pki sign-csr --csr "$itn_dir/data/certs/$itn_cn.csr" \
				--cert "$itn_dir/data/certs/$itn_cn.crt" >>"$1/pki.out" 2>&1 &&
			cp "$1/data/ca/ca.crt" "$itn_dir/data/certs/ca.crt" || return 1
	done
	cat >"$1/zones.conf" <<ICINGA_ZONES
object Endpoint "kms-e2e-master" { }
object Endpoint "kms-e2e-agent" { host = "127.0.0.1"; port = $itn_aport }
object Zone "master" { endpoints = [ "kms-e2e-master" ] }
object Zone "kms-agent" { endpoints = [ "kms-e2e-agent" ]; parent = "master" }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = $itn_mport }
ICINGA_ZONES
	cat >"$2/zones.conf" <<ICINGA_ZONES
object Endpoint "kms-e2e-master" { host = "127.0.0.1"; port = $itn_mport }
object Endpoint "kms-e2e-agent" { }
object Zone "master" { endpoints = [ "kms-e2e-master" ] }
object Zone "kms-agent" { endpoints = [ "kms-e2e-agent" ]; parent = "master" }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = $itn_aport; accept_commands = true }
ICINGA_ZONES
}

# icinga_render_agent DIR PLUGINDIR: the agent's config: its zones, the
# contrib command definitions (an agent knows them from the global zone),
# no checker of its own.
icinga_render_agent() {
	mkdir -p "$1/etc/contrib" "$1/data" "$1/log" "$1/cache" "$1/spool" "$1/run" || return 1
	cp "$top_srcdir"/contrib/icinga2/kms-commands.conf "$1/etc/contrib/" || return 1
	cat >"$1/etc/icinga2.conf" <<ICINGA_CONF
/* Rendered by tests/e2e/lib-icinga.sh: the KM server's agent. */
const PluginDir = "$2"
$(icinga_zones "$1")
include <itl>
include <plugins>
object FileLogger "main" { path = "$1/icinga2.log"; severity = "notice" }
include "contrib/*.conf"
ICINGA_CONF
}

# icinga_start_agent DIR: start the agent as a child; wait (bounded) until
# the master's log says it is connected. Sets icinga_agent_pid.
icinga_start_agent() {
	e2e_spawn icinga-agent "$1/icinga2.out" icinga_daemon "$1"
	icinga_agent_pid=$e2e_pid
}

# icinga_connected MASTER_DIR: the master reports the agent connected.
icinga_connected() {
	grep -q 'Connected endpoints: kms-e2e-agent' "$1/icinga2.log" 2>/dev/null
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
