# lib-service.sh: what the service part's Wine tests share: a scratch folder
# (also as a Windows path), the stand-in KM service (kms_standin.exe: install,
# start, stop, kill by its pid, uninstall), bounded waits for a service state,
# and the assertion that the password appears nowhere. Sourced after harness.sh.
runner=${RUNNER:-wine}
bin=$top_builddir
kms_service=MSExchangeKMS
kms_display="Microsoft Exchange Key Management Server"

standin() { timeout 30 $runner "$bin/tests/tools/kms_standin.exe" "$@" </dev/null; }

# wine_server_persistent: is a persistent wineserver (-p) serving $WINEPREFIX?
wine_server_persistent() {
	for c in /proc/[0-9]*/cmdline; do
		d=${c%/cmdline}
		case $({ tr '\0' ' ' <"$c"; } 2>/dev/null) in
		*wineserver*" -p "*) ;;
		*) continue ;;
		esac
		prefix=$({ tr '\0' '\n' <"$d/environ"; } 2>/dev/null | sed -n 's/^WINEPREFIX=//p')
		[ "$prefix" = "${WINEPREFIX:-$HOME/.wine}" ] && return 0
	done
	return 1
}

# svc_persistent_server: Wine ends its services whenever only system processes
# are left, unless the server is persistent; `wineserver -p` cannot make a
# running server (one wineboot left) persistent, so wait for that one to end.
svc_persistent_server() {
	timeout 10 wineserver -p >/dev/null 2>&1 && return 0
	wine_server_persistent && return 0
	timeout 30 wineserver -w >/dev/null 2>&1
	timeout 10 wineserver -p >/dev/null 2>&1 || t_fail "a persistent wineserver for the service tests"
}

# svc_setup NAME: a persistent Wine server, scratch folder $tmp (Windows:
# $wtmp), password files, a sound Kmsdata, a running stand-in MSExchangeDS.
svc_setup() {
	svc_persistent_server
	tmp=$(mktemp -d "/tmp/kms-$1.XXXXXX")
	wtmp="Z:$tmp"
	password="Kms-Pa55-$$-word"
	printf '%s\n' "$password" >"$tmp/expect"
	printf '[config]\r\npwd=%s\r\n' "$password" >"$tmp/Kmspwd.ini"
	chmod 600 "$tmp/expect" "$tmp/Kmspwd.ini"
	mkdir -p "$tmp/kmsdata"
	svc_sound_edb "$tmp/kmsdata/Kmsmdb.edb"
	trap svc_cleanup EXIT
	# The directory service the KM service depends on: a stand-in that runs.
	standin uninstall MSExchangeDS >/dev/null 2>&1
	standin install MSExchangeDS "Microsoft Exchange Directory" demand - --plain &&
		standin start MSExchangeDS || t_fail "install and start a stand-in MSExchangeDS"
}

# svc_sound_edb FILE: a page whose ESE signature (offset 4) is right.
svc_sound_edb() {
	printf '\000\000\000\000\357\315\253\211' >"$1"
	head -c 4088 /dev/zero >>"$1"
}

# svc_install START_TYPE DEPENDENCY|- [RUN-OPTION...]: (re)register the stand-in.
svc_install() {
	standin kill "$kms_service" >/dev/null 2>&1
	standin uninstall "$kms_service" >/dev/null 2>&1
	standin install "$kms_service" "$kms_display" "$@" || t_fail "install the stand-in service"
}

svc_state() { timeout 10 $runner sc query "$kms_service" </dev/null 2>/dev/null | tr -d '\r' | awk '/STATE/ {print $4}'; }

# svc_wait_state STATE: at most 10 s.
svc_wait_state() {
	i=0
	while [ $i -lt 40 ]; do
		[ "$(svc_state)" = "$1" ] && return 0
		sleep 0.25
		i=$((i + 1))
	done
	t_fail "service reached $1 within 10 s" "it is $(svc_state)"
	return 1
}

# svc_wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
svc_wait_for() {
	limit=$(($1 * 4))
	shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.25
		i=$((i + 1))
	done
	return 1
}

# t_no_password WHAT TEXT: the password is not in TEXT.
t_no_password() {
	case $2 in
	*"$password"*) t_fail "the password is absent from $1" ;;
	*) t_pass "the password is absent from $1" ;;
	esac
}

svc_cleanup() {
	standin kill "$kms_service" >/dev/null 2>&1
	standin uninstall "$kms_service" >/dev/null 2>&1
	standin stop MSExchangeDS >/dev/null 2>&1
	standin uninstall MSExchangeDS >/dev/null 2>&1
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	tmp=
}
