# lib-e2e.sh: what every end-to-end test shares: a private temporary folder,
# daemons started as direct children and stopped by pid on every exit path,
# bounded polls instead of sleeps, and "not run" notes that count nothing.
# Source after tests/lib/harness.sh.

e2e_pids=""
e2e_dir=""
e2e_wine=no
e2e_outside=""

# e2e_setup NAME: make the test's folder (readable by the NRPE user) and
# arm the cleanup trap.
e2e_setup() {
	e2e_dir=$(mktemp -d "${TMPDIR:-/tmp}/kms-e2e-$1.XXXXXX") || exit 1
	chmod 755 "$e2e_dir"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# e2e_spawn NAME LOG COMMAND...: start COMMAND in the background as a child,
# output to LOG; remembers its pid in e2e_pid and for the cleanup.
e2e_spawn() {
	e2e_spawn_name=$1 e2e_spawn_log=$2
	shift 2
	"$@" >"$e2e_spawn_log" 2>&1 &
	e2e_pid=$!
	e2e_pids="$e2e_pids $e2e_pid"
}

# e2e_stop PID [SECONDS]: TERM, wait up to SECONDS (default 10), then KILL.
e2e_stop() {
	kill "$1" 2>/dev/null || return 0
	e2e_deadline=$(($(date +%s) + ${2:-10}))
	while kill -0 "$1" 2>/dev/null && [ "$(date +%s)" -lt "$e2e_deadline" ]; do
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# e2e_remove_at_exit FILE: a file the test wrote outside its folder (a
# sudoers drop-in), removed by the cleanup on every exit path.
e2e_remove_at_exit() {
	e2e_outside="$e2e_outside $1"
}

e2e_cleanup() {
	for pid in $e2e_pids; do e2e_stop "$pid" 10; done
	e2e_pids=""
	for ec_file in $e2e_outside; do rm -f "$ec_file"; done
	e2e_outside=""
	if [ "$e2e_wine" = yes ]; then
		e2e_wine_stop
	fi
	if [ -n "$e2e_dir" ] && [ -z "${KMS_E2E_KEEP:-}" ]; then
		rm -rf "$e2e_dir"
	elif [ -n "$e2e_dir" ]; then
		echo "(kept $e2e_dir)"
	fi
}

# e2e_wine_stop: end the Wine prefix's server and every process of this
# prefix (a check a core started just before its stop could restart the
# server, and the stand-in services with it): only processes whose
# environment names this test's own WINEPREFIX.
e2e_wine_stop() {
	for ews_round in 1 2 3; do
		wineserver -k >/dev/null 2>&1
		timeout 10 wineserver -w >/dev/null 2>&1
		ews_pids=$(grep -lzx "WINEPREFIX=$WINEPREFIX" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
		[ -z "$ews_pids" ] && return 0
		# shellcheck disable=SC2086
		kill -9 $ews_pids 2>/dev/null
	done
}

# e2e_wait SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
# (status 0) or SECONDS pass (status 1). Never longer than its bound.
e2e_wait() {
	e2e_wait_end=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	while :; do
		"$@" && return 0
		[ "$(($(date +%s%N) / 1000000))" -lt "$e2e_wait_end" ] || return 1
		sleep 0.1
	done
}

# e2e_wait_daemon PID SECONDS COMMAND...: like e2e_wait, but gives up at
# once (status 2) when the daemon PID has died.
e2e_wait_daemon() {
	ewd_pid=$1
	shift
	e2e_wait "$1" e2e_daemon_ready "$ewd_pid" "$@" || return 1
	e2e_alive "$ewd_pid" || return 2
}
e2e_daemon_ready() {
	ewd_p=$1
	shift 2
	e2e_alive "$ewd_p" || return 0
	"$@"
}

# e2e_free_port [FIRST]: a local TCP port nothing listens on (from FIRST,
# default 25666, a hundred ports on).
e2e_free_port() {
	for efp in $(seq "${1:-25666}" $((${1:-25666} + 100))); do
		if ! ss -Hltn "sport = :$efp" 2>/dev/null | grep -q .; then
			echo "$efp"
			return 0
		fi
	done
	return 1
}

# e2e_alive PID: the child still runs.
e2e_alive() { kill -0 "$1" 2>/dev/null; }

# e2e_not_run STEP WHY: a story step that cannot run yet; printed, not counted.
e2e_not_run() {
	echo "NOT RUN: $1 ($2)"
}

# e2e_attach FILE [LINES]: the tail of a log, indented, for a failure report.
e2e_attach() {
	echo "      --- ${1##*/} (last ${2:-20} lines)"
	tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/      | /'
}

# e2e_program NAME: path of a built Linux program (plugins/ or tests/tools/),
# or empty when it has not landed/built yet.
e2e_program() {
	for e2e_p in "$top_builddir/plugins/$1" "$top_builddir/tests/tools/$1"; do
		if [ -x "$e2e_p" ]; then
			echo "$e2e_p"
			return 0
		fi
	done
	return 1
}

# e2e_win_program NAME: path of a built Windows program, or empty.
e2e_win_program() {
	[ -n "${KMS_WIN64_BUILD:-}" ] || return 1
	for e2e_p in "$KMS_WIN64_BUILD/plugins/$1.exe" "$KMS_WIN64_BUILD/tests/tools/$1.exe"; do
		if [ -f "$e2e_p" ]; then
			echo "$e2e_p"
			return 0
		fi
	done
	return 1
}

# e2e_grep_count PATTERN FILE: how many lines match (0 when the file is missing).
e2e_grep_count() {
	grep -cE -- "$1" "$2" 2>/dev/null || true
}
