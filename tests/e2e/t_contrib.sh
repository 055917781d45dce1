#!/bin/sh
# contrib/ against the programs: every option a contrib file passes to a
# program (nsclient.ini, nrpe/kms.cfg, nagios/kms-commands.cfg, the
# icinga2 arguments) is one that program's --help lists, and the handler's
# --soft-attempt stays below max_check_attempts in both cores' templates.
# Windows-only programs answer --help under Wine (a scratch prefix).
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
e2e_setup contrib
c=$top_srcdir/contrib

# uses: "PROGRAM OPTION" lines, one per option a contrib file passes.
{
	# nsclient.ini: name = scripts\kms\PROG.exe ARGS
	sed -n 's/^[a-z_]* = scripts\\kms\\\([a-z_]*\)\.exe \(.*\)/\1 \2/p' "$c/nsclient/nsclient.ini"
	# nrpe: command[x]=/usr/lib/nagios/plugins/PROG ARGS
	sed -n 's|^command\[[a-z_]*\]=/usr/lib/nagios/plugins/\([a-z_]*\) \(.*\)|\1 \2|p' "$c/nrpe/kms.cfg"
	# nagios: command_line $USER1$/PROG ARGS (not check_nrpe)
	sed -n 's|^ *command_line *\$USER1\$/\([a-z_]*\) \(.*\)|\1 \2|p' "$c/nagios/kms-commands.cfg" | grep -v '^check_nrpe '
} | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^-/) { sub(/=.*/, "", $i); print $1, $i } }' >"$e2e_dir/uses"
# icinga2: the argument keys of each command object whose command names PROG.
awk '
	/^(object|template) (CheckCommand|EventCommand)/ { prog = ""; name = $3; gsub(/"/, "", name) }
	/command = \[/ && match($0, /\/[a-z_]+(\.exe)?"/) { prog = substr($0, RSTART + 1, RLENGTH - 2); sub(/\.exe$/, "", prog); progs[name] = prog }
	/^ *"-/ { key = $1; gsub(/"/, "", key); args[name] = args[name] " " key }
	/^ *import "/ { imp = $2; gsub(/"/, "", imp); imports[name] = imports[name] " " imp }
	END {
		for (n in progs) {
			list = args[n]
			split(imports[n], im, " ")
			for (k in im) { list = list " " args[im[k]]; split(imports[im[k]], im2, " "); for (j in im2) list = list " " args[im2[j]] }
			split(list, a, " ")
			for (k in a) if (a[k] != "") print progs[n], a[k]
		}
	}' "$c/icinga2/kms-commands.conf" >>"$e2e_dir/uses"
sort -u "$e2e_dir/uses" -o "$e2e_dir/uses"

programs=$(cut -d' ' -f1 "$e2e_dir/uses" | sort -u)
# A Wine prefix only when a Windows-only program has to answer.
for prog in $programs; do
	if ! e2e_program "$prog" >/dev/null && e2e_win_program "$prog" >/dev/null; then
		wine_setup >/dev/null 2>&1 || t_fail "a Wine prefix for the Windows programs' --help"
		break
	fi
done
help_of() { # PROGRAM: its --help (which exits 3), from the Linux build or under Wine
	if hp=$(e2e_program "$1"); then
		"$hp" --help 2>&1
	elif hp=$(e2e_win_program "$1") && [ "$e2e_wine" = yes ]; then
		wine "$hp" --help 2>/dev/null | tr -d '\r'
	fi
	return 0
}
for prog in $programs; do
	help=$(help_of "$prog")
	if [ -z "$help" ]; then
		e2e_not_run "contrib's options of $prog" "$prog is not built"
		continue
	fi
	unknown=""
	for opt in $(awk -v p="$prog" '$1 == p { print $2 }' "$e2e_dir/uses"); do
		case $opt in
		--*) printf '%s\n' "$help" | grep -Eq -- "(^|[ ,])$opt([=, ]|$)" || unknown="$unknown $opt" ;;
		*) printf '%s\n' "$help" | grep -Eq -- "^ +$opt, --" || unknown="$unknown $opt" ;;
		esac
	done
	n=$(awk -v p="$prog" '$1 == p' "$e2e_dir/uses" | wc -l)
	if [ -z "$unknown" ]; then
		t_pass "contrib passes $prog only options it has ($n checked)"
	else
		t_fail "contrib passes $prog only options it has" "not in --help:$unknown"
	fi
done

# The handler acts at its SOFT attempt, before the HARD alert.
soft=$(sed -n 's/.*handle_kms_restart\.exe.*--soft-attempt \([0-9]*\).*/\1/p' "$c/nsclient/nsclient.ini")
max=$(awk '/name +kms-service-state/ { s = 1 } s && /max_check_attempts/ { print $2; exit }' "$c/nagios/kms-templates.cfg")
if [ -n "$soft" ] && [ -n "$max" ] && [ "$soft" -lt "$max" ]; then
	t_pass "Nagios: --soft-attempt $soft < max_check_attempts $max of kms-service-state"
else
	t_fail "Nagios: --soft-attempt below max_check_attempts" "soft '$soft', max '$max'"
fi
isoft=$(sed -n 's/^ *vars.kms_restart_soft_attempt = \([0-9]*\)/\1/p' "$c/icinga2/kms-commands.conf")
imax=$(awk '/template Service "kms-service"/ { s = 1 } s && /max_check_attempts/ { print $3; exit }' "$c/icinga2/kms-templates.conf")
istate=$(awk '/template Service "kms-service-state"/ { s = 1 } s && /^}/ { exit } s && /max_check_attempts/ { print $3 }' "$c/icinga2/kms-templates.conf")
imax=${istate:-$imax}
if [ -n "$isoft" ] && [ -n "$imax" ] && [ "$isoft" -lt "$imax" ]; then
	t_pass "Icinga 2: kms_restart_soft_attempt $isoft < max_check_attempts $imax of kms-service-state"
else
	t_fail "Icinga 2: kms_restart_soft_attempt below max_check_attempts" "soft '$isoft', max '$imax'"
fi
t_summary
