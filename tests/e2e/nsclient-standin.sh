#!/bin/sh
# nsclient-standin.sh: stands in for check_nrpe -> NSClient++ on the KM
# server, which cannot run here. Takes check_nrpe's arguments
# (-H HOST [-p PORT] [-t SECS] -c COMMAND [-a ARG...]), looks COMMAND up in
# the rendered contrib/nsclient/nsclient.ini ([/settings/external
# scripts/scripts]), substitutes $ARG1$.. as NSClient++ does (refusing the
# characters it calls nasty), maps scripts\kms\ to $KMS_AGENT_DIR and runs
# the program. Environment: NSCLIENT_INI, KMS_AGENT_DIR.
set -u
command="" timeout=10
while [ $# -gt 0 ]; do
	case $1 in
	-H | -p) shift 2 ;;
	-t) timeout=${2%%:*}; shift 2 ;;
	-c) command=$2; shift 2 ;;
	-a) shift; break ;;
	*) echo "nsclient-standin: unexpected argument '$1'"; exit 3 ;;
	esac
done
[ -n "$command" ] || { echo "nsclient-standin: no -c COMMAND"; exit 3; }
for arg in "$@"; do
	case $arg in
	*[!A-Za-z0-9_.:@~-]*) echo "UNKNOWN: Request contained illegal characters"; exit 3 ;;
	esac
done
line=$(awk -v want="$command" '
	/^\[/ { in_scripts = ($0 == "[/settings/external scripts/scripts]"); next }
	in_scripts && /^[ \t]*[^;#]/ {
		eq = index($0, "=")
		key = substr($0, 1, eq - 1); gsub(/^[ \t]+|[ \t]+$/, "", key)
		if (key == want) { value = substr($0, eq + 1); sub(/^[ \t]+/, "", value); print value; exit }
	}' "$NSCLIENT_INI")
[ -n "$line" ] || { echo "UNKNOWN: Unknown command(s): $command"; exit 3; }
i=1
for arg in "$@"; do
	line=$(printf '%s\n' "$line" | sed "s/\\\$ARG$i\\\$/$arg/g")
	i=$((i + 1))
done
line=$(printf '%s\n' "$line" | sed 's/\$ARG[0-9]*\$//g')
# scripts\kms\prog.exe -> $KMS_AGENT_DIR/prog.exe; the rest, split at
# blanks (contrib's lines need no quotes), are its arguments.
set -f
# shellcheck disable=SC2086
set -- $line
program=${1#scripts\\kms\\}
shift
timeout "$timeout" "$KMS_AGENT_DIR/$program" "$@"
status=$?
if [ "$status" -eq 124 ]; then
	echo "CHECK_NRPE STATE UNKNOWN: Socket timeout after $timeout seconds."
	exit 3
fi
exit "$status"
