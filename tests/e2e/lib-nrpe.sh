# lib-nrpe.sh: an NRPE daemon as a child process (in the foreground, -f),
# dropping to an unprivileged user as NRPE demands, on a free local port,
# its debug log in DIR/nrpe.log. Debian's packaged daemon by default; the
# KM server's stand-in (lib-story.sh) runs the one built with command
# arguments. Source after lib-e2e.sh.

NRPE=${NRPE:-/usr/sbin/nrpe}
CHECK_NRPE=${CHECK_NRPE:-/usr/lib/nagios/plugins/check_nrpe}
NRPE_USER=${NRPE_USER:-nagios}

# nrpe_render DIR INCLUDE...: DIR/nrpe.cfg: the daemon's own setup (pid
# file, address, port, user, debug log), then each INCLUDE. Sets nrpe_port.
nrpe_render() {
	nr_dir=$1
	shift
	nrpe_port=$(e2e_free_port 25666) || return 1
	{
		cat <<NRPE_CFG
pid_file=$nr_dir/nrpe.pid
server_address=127.0.0.1
server_port=$nrpe_port
nrpe_user=$NRPE_USER
nrpe_group=$NRPE_USER
debug=1
log_file=$nr_dir/nrpe.log
NRPE_CFG
		for nr_include in "$@"; do echo "include=$nr_include"; done
	} >"$nr_dir/nrpe.cfg"
}

# nrpe_debian_policy FILE: the settings of Debian's packaged nrpe.cfg that
# matter here: no arguments, no command substitution, its timeouts.
nrpe_debian_policy() {
	cat >"$1" <<NRPE_POLICY
allowed_hosts=127.0.0.1,::1
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=60
connection_timeout=300
NRPE_POLICY
}

# nrpe_start DIR [OPTION...]: start "$NRPE" -c DIR/nrpe.cfg -f [OPTION...]
# as a child; wait (bounded) until check_nrpe (with $NRPE_CLIENT_OPTS, e.g.
# "-2 -n") gets its version. Sets nrpe_pid.
nrpe_start() {
	ns_dir=$1
	shift
	e2e_spawn nrpe "$ns_dir/nrpe.out" "$NRPE" -c "$ns_dir/nrpe.cfg" -f "$@"
	nrpe_pid=$e2e_pid
	e2e_wait_daemon "$nrpe_pid" 20 nrpe_answers
}

nrpe_answers() {
	# shellcheck disable=SC2086
	"$CHECK_NRPE" -H 127.0.0.1 -p "$nrpe_port" ${NRPE_CLIENT_OPTS:-} -t 5 >/dev/null 2>&1
}

# nrpe_check COMMAND: run a fixed remote command through check_nrpe;
# output in nrpe_out, status in nrpe_status.
nrpe_check() {
	nrpe_out=$("$CHECK_NRPE" -H 127.0.0.1 -p "$nrpe_port" -t 30 -c "$1" 2>&1)
	nrpe_status=$?
}

nrpe_stop() {
	e2e_stop "$nrpe_pid" 10
}
