#!/bin/sh
# contrib/ against the programs: every option a contrib file passes to a
# program (NSC.ini, nsclient.ini, nrpe/kms.cfg, nagios/kms-commands.cfg,
# the icinga2 arguments, check_nrpe's included) is one that program's
# --help lists, every Windows program has its NSC.ini command with
# --max-output 1024, and the handler's
# --soft-attempt stays below max_check_attempts in both cores' templates.
# Windows-only programs answer --help under Wine (a scratch prefix).
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
e2e_setup contrib
c=$top_srcdir/contrib

# uses: "PROGRAM OPTION" lines, one per option a contrib file passes.
{
	# NSC.ini: name=C:\kms\bin\PROG.exe ARGS (kms_backup's line commented out)
	sed -n 's/^;\{0,1\}[a-z_]*=C:\\kms\\bin\\\([a-z_]*\)\.exe \(.*\)/\1 \2/p' "$c/nsclient/NSC.ini"
	# nsclient.ini: name = scripts\kms\PROG.exe ARGS
	sed -n 's/^[a-z_]* = scripts\\kms\\\([a-z_]*\)\.exe \(.*\)/\1 \2/p' "$c/nsclient/nsclient.ini"
	# nrpe: command[x]=/usr/lib/nagios/plugins/PROG ARGS
	sed -n 's|^command\[[a-z_]*\]=/usr/lib/nagios/plugins/\([a-z_]*\) \(.*\)|\1 \2|p' "$c/nrpe/kms.cfg"
	# nagios: command_line $USER1$/PROG ARGS (check_nrpe's up to -a)
	sed -n 's|^ *command_line *\$USER1\$/\([a-z_]*\) \(.*\)|\1 \2|p' "$c/nagios/kms-commands.cfg" | sed 's/ -a .*//'
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
	elif [ -x "/usr/lib/nagios/plugins/$1" ]; then
		"/usr/lib/nagios/plugins/$1" --help 2>&1
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

# NSC.ini: a command for every Windows program, each bounded to NRPE v2's 1 KiB.
missing=""
for prog in check_kms_service check_kms_startup check_kms_events check_kms_backup handle_kms_restart kms_backup; do
	grep -Eq "^;?$prog=C:\\\\kms\\\\bin\\\\$prog\.exe .*--max-output 1024( |$)" "$c/nsclient/NSC.ini" || missing="$missing $prog"
done
if [ -z "$missing" ]; then
	t_pass "NSC.ini runs every Windows program with --max-output 1024"
else
	t_fail "NSC.ini runs every Windows program with --max-output 1024" "missing or unbounded:$missing"
fi
# Only the handler takes arguments, and only $ARG1$..$ARG3$.
args=$(grep -o '\$ARG[0-9]*\$' "$c/nsclient/NSC.ini" | sort -u | tr '\n' ' ')
if [ "$args" = '$ARG1$ $ARG2$ $ARG3$ ' ] && [ "$(grep -c '\$ARG' "$c/nsclient/NSC.ini")" -eq 1 ]; then
	t_pass "NSC.ini: only the handler's line takes arguments (\$ARG1\$..\$ARG3\$)"
else
	t_fail "NSC.ini: only the handler takes arguments" "$args"
fi

# The handler acts at its SOFT attempt, before the HARD alert.
soft=$(sed -n 's/.*handle_kms_restart\.exe.*--soft-attempt \([0-9]*\).*/\1/p' "$c/nsclient/NSC.ini")
max=$(awk '/name +kms-service-state/ { s = 1 } s && /max_check_attempts/ { print $2; exit }' "$c/nagios/kms-templates.cfg")
if [ -n "$soft" ] && [ -n "$max" ] && [ "$soft" -lt "$max" ]; then
	t_pass "Nagios: NSC.ini's --soft-attempt $soft < max_check_attempts $max of kms-service-state"
else
	t_fail "Nagios: --soft-attempt below max_check_attempts" "soft '$soft', max '$max'"
fi
imax=$(awk '/template Service "kms-service"/ { s = 1 } s && /max_check_attempts/ { print $3; exit }' "$c/icinga2/kms-templates.conf")
istate=$(awk '/template Service "kms-service-state"/ { s = 1 } s && /^}/ { exit } s && /max_check_attempts/ { print $3 }' "$c/icinga2/kms-templates.conf")
imax=${istate:-$imax}
if [ -n "$soft" ] && [ -n "$imax" ] && [ "$soft" -lt "$imax" ]; then
	t_pass "Icinga 2: NSC.ini's --soft-attempt $soft < max_check_attempts $imax of kms-service-state"
else
	t_fail "Icinga 2: --soft-attempt below max_check_attempts" "soft '$soft', max '$imax'"
fi
t_summary
