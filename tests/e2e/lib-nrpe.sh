# lib-nrpe.sh: the NRPE daemon as a child process (in the foreground, -f),
# dropping to an unprivileged user as NRPE demands, on a free local port,
# with contrib/nrpe's fragment included verbatim. Source after lib-e2e.sh.

NRPE=${NRPE:-/usr/sbin/nrpe}
CHECK_NRPE=${CHECK_NRPE:-/usr/lib/nagios/plugins/check_nrpe}
NRPE_USER=${NRPE_USER:-nagios}

# nrpe_render DIR FRAGMENT: DIR/nrpe.cfg including FRAGMENT (a rendered
# copy of contrib/nrpe/kms.cfg). Sets nrpe_port.
nrpe_render() {
	nrpe_port=$(e2e_free_port 25666) || return 1
	cat >"$1/nrpe.cfg" <<NRPE_CFG
pid_file=$1/nrpe.pid
server_address=127.0.0.1
server_port=$nrpe_port
nrpe_user=$NRPE_USER
nrpe_group=$NRPE_USER
allowed_hosts=127.0.0.1,::1
dont_blame_nrpe=0
allow_bash_command_substitution=0
debug=1
command_timeout=60
connection_timeout=60
include=$2
NRPE_CFG
}

# nrpe_start DIR: start in the foreground as a child; wait (bounded) until
# check_nrpe gets its version. Sets nrpe_pid.
nrpe_start() {
	e2e_spawn nrpe "$1/nrpe.out" "$NRPE" -c "$1/nrpe.cfg" -f
	nrpe_pid=$e2e_pid
	e2e_wait_daemon "$nrpe_pid" 20 nrpe_answers
}

nrpe_answers() {
	"$CHECK_NRPE" -H 127.0.0.1 -p "$nrpe_port" -t 5 >/dev/null 2>&1
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
