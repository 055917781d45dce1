#!/bin/sh
# nsclient-standin.sh: the parts of NSClient++ 0.3.9 the real NRPE daemon
# (build-aux/build-nrpe-args.sh: Debian's NRPE 4.1.0 with command
# arguments) does not have, so that it stands in for 0.3.9 on the KM server
# running contrib/nsclient/NSC.ini as written. Two jobs:
#
#   nsclient-standin.sh nrpe-cfg NSC.INI RUNNER
#     prints the nrpe.cfg lines for NSC.INI's [NRPE], [External Script] and
#     [External Scripts] (0.3.9's keys and defaults from include/config.h of
#     tag 0.3.9 of github mickem/nscp, cited below), each command run as
#     `RUNNER 'LINE'` through `sudo -n` (0.3.9 runs as LocalSystem; the
#     agent's account here is root). What NRPE cannot do as 0.3.9 does
#     (its SSL, another string_length or packet_count, no perfdata, nasty
#     characters allowed) is refused with a line on stderr, status 1.
#
#   nsclient-standin.sh run AGENT_DIR LINE
#     what 0.3.9's CreateProcess does with an [External Scripts] line once
#     NRPE has put the arguments in: C:\kms\bin\X.exe runs as AGENT_DIR/X.exe
#     (the Wine wrappers of lib-wine.sh), the rest split at blanks (contrib's
#     lines have no quotes), stdout and stderr on one pipe
#     (include/execute_process.hpp:76-80).
set -u

# The characters 0.3.9 refuses in a command or an argument
# (include/config.h:59), in nrpe.cfg's escape syntax (a backslash doubled).
NSC_NASTY_METACHARS='|`&><'\''"\\[]{}'
# shellcheck disable=SC1003
NSC_PROGRAM_DIR='C:\kms\bin\'

# ini_get FILE SECTION KEY DEFAULT: GetPrivateProfileString's view (section
# and key case-insensitive, ';' comment lines, surrounding blanks dropped).
ini_get() {
	awk -v sec="$2" -v key="$3" -v def="$4" '
		function trim(s) { gsub(/^[ \t\r]+|[ \t\r]+$/, "", s); return s }
		/^[ \t]*;/ { next }
		/^[ \t]*\[/ { s = trim($0); cur = tolower(substr(s, 2, length(s) - 2)); next }
		cur == tolower(sec) {
			eq = index($0, "="); k = eq ? substr($0, 1, eq - 1) : $0
			if (tolower(trim(k)) == tolower(key)) { print eq ? trim(substr($0, eq + 1)) : ""; found = 1; exit }
		}
		END { if (!found) print def }' "$1"
}

# ini_keys FILE SECTION: "key=value" lines of SECTION, comments dropped.
ini_keys() {
	awk -v sec="$2" '
		function trim(s) { gsub(/^[ \t\r]+|[ \t\r]+$/, "", s); return s }
		/^[ \t]*;/ || /^[ \t\r]*$/ { next }
		/^[ \t]*\[/ { s = trim($0); cur = tolower(substr(s, 2, length(s) - 2)); next }
		cur == tolower(sec) { print trim($0) }' "$1"
}

lower() {
	printf '%s' "$1" | tr '[:upper:]' '[:lower:]'
}

# ini_has_module FILE DLL: [modules] loads DLL (names case-insensitive).
ini_has_module() {
	ini_keys "$1" modules | tr '[:upper:]' '[:lower:]' | grep -qx "$(lower "$2")"
}

refuse() {
	echo "nsclient-standin: $*" >&2
	exit 1
}

# must_be FILE SECTION KEY DEFAULT VALUE WHY: refuse a setting NRPE cannot emulate.
must_be() {
	[ "$(ini_get "$1" "$2" "$3" "$4")" = "$5" ] || refuse "[$2] $3 must be $5 here: $6"
}

# shell_quote TEXT: TEXT in single quotes for NRPE's /bin/sh -c.
shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# nrpe_command VALUE ARGS_ALLOWED: the line with every '$' doubled (NRPE's
# escape) except $ARGn$ when [External Script] allow_arguments=1; with 0,
# 0.3.9 leaves $ARGn$ in the line unreplaced
# (modules/CheckExternalScripts/CheckExternalScripts.cpp:194-208).
nrpe_command() {
	nc_line=$(printf '%s' "$1" | sed 's/\$/$$/g')
	[ "$2" = 1 ] && nc_line=$(printf '%s' "$nc_line" | sed 's/\$\$\(ARG[0-9][0-9]*\)\$\$/$\1$/g')
	printf '%s' "$nc_line"
}

nrpe_cfg() {
	ini=$1 runner=$2
	ini_has_module "$ini" NRPEListener.dll || refuse "NRPEListener.dll is not in [modules]: nothing listens"
	# config.h:103-104 (use_ssl 1), 107-114 (performance_data 1,
	# string_length 1024, packet_count 1), 101-102 and 126-127
	# (allow_nasty_meta_chars 0).
	must_be "$ini" NRPE use_ssl 1 0 "0.3.9's SSL is anonymous DH over 512 bits, which no OpenSSL 3 completes"
	must_be "$ini" NRPE string_length 1024 1024 "NRPE v2 packets carry 1024 bytes"
	must_be "$ini" NRPE packet_count 1 1 "NRPE answers with one packet"
	must_be "$ini" NRPE performance_data 1 1 "NRPE passes the perfdata on"
	must_be "$ini" NRPE allow_nasty_meta_chars 0 0 "NRPE always checks a set of characters"
	must_be "$ini" 'External Script' allow_nasty_meta_chars 0 0 "NRPE always checks a set of characters"
	hosts=$(ini_get "$ini" NRPE allowed_hosts "")
	[ -n "$hosts" ] || hosts=$(ini_get "$ini" Settings allowed_hosts "")
	[ -n "$hosts" ] && echo "allowed_hosts=$hosts"
	# config.h:99-100: [NRPE] allow_arguments, default 0.
	echo "dont_blame_nrpe=$(ini_get "$ini" NRPE allow_arguments 0)"
	echo "allow_bash_command_substitution=0"
	printf 'nasty_metachars=%s\n' "$NSC_NASTY_METACHARS"
	# config.h:93-94 ([NRPE] socket_timeout 30), 120-123 ([External Script]
	# command_timeout 60).
	echo "connection_timeout=$(ini_get "$ini" NRPE socket_timeout 30)"
	echo "command_timeout=$(ini_get "$ini" 'External Script' command_timeout 60)"
	echo "command_prefix=/usr/bin/sudo -n"
	ini_has_module "$ini" CheckExternalScripts.dll || return 0
	args_allowed=$(ini_get "$ini" 'External Script' allow_arguments 0)
	ini_keys "$ini" 'External Scripts' | while IFS= read -r entry; do
		name=$(printf '%s' "${entry%%=*}" | sed 's/[ \t]*$//')
		value=$(printf '%s' "${entry#*=}" | sed 's/^[ \t]*//')
		if [ -z "$name" ] || [ "$name" = "$entry" ]; then continue; fi
		printf 'command[%s]=%s %s\n' "$name" "$runner" "$(shell_quote "$(nrpe_command "$value" "$args_allowed")")"
	done
}

# run AGENT_DIR LINE: the program of LINE, its arguments split at blanks
# and tabs (as CreateProcess's C runtime splits them; contrib's lines hold
# no quotes).
run() {
	agent_dir=$1 line=$2
	set -f
	IFS=' 	'
	# shellcheck disable=SC2086
	set -- $line
	prefix_len=${#NSC_PROGRAM_DIR}
	head=$(lower "$(printf '%s' "${1:-}" | cut -c1-"$prefix_len")")
	program=$(printf '%s' "${1:-}" | cut -c"$((prefix_len + 1))"-)
	case $program in */* | '') program=/nonexistent ;; esac
	if [ "$head" != "$(lower "$NSC_PROGRAM_DIR")" ] || [ ! -x "$agent_dir/$program" ]; then
		# execute_process.hpp:153: CreateProcess failed.
		printf 'ExternalCommands: failed to create process (%s): The system cannot find the file specified.\n' "$line"
		exit 3
	fi
	shift
	cd "$agent_dir" || exit 3
	exec "$agent_dir/$program" "$@" </dev/null 2>&1
}

case ${1:-} in
nrpe-cfg)
	[ $# -eq 3 ] || refuse "usage: nrpe-cfg NSC.INI RUNNER"
	nrpe_cfg "$2" "$3"
	;;
run)
	[ $# -eq 3 ] || { echo "nsclient-standin: usage: run AGENT_DIR LINE"; exit 3; }
	run "$2" "$3"
	;;
*) refuse "usage: nrpe-cfg NSC.INI RUNNER | run AGENT_DIR LINE" ;;
esac
