#!/bin/sh
# check-imports-nt4.sh OBJDUMP EXE...: every function each (i686) EXE imports
# must be known on Windows NT 4.0 SP6a: kernel32 and advapi32 from
# nt4-win32.list (each entry with its source), msvcrt from nt4-msvcrt.list
# (mingw-w64's msvcrt.def.in, its NT 4.0 list). Anything else, ntdll,
# psapi.dll and shlwapi.dll included, is absent. Prints one PASS/FAIL line
# per exe and "N passed, N failed".
dir=$(dirname "$0")
. "$dir/../lib/harness.sh"
. "$dir/imports-of.sh"
objdump=$1
shift
known=$( (grep -v '^#' "$dir/nt4-win32.list" | awk 'NF >= 2 { print toupper($1) ":" $2 }'
	grep -v '^#' "$dir/nt4-msvcrt.list" | awk 'NF { print "MSVCRT.DLL:" $1 }') | sort -u)
win2000=$(cat "$dir"/*.imports | grep -v '^#' | awk '{ dll = toupper($1); for (i = 2; i <= NF; i++) print dll ":" $i }')
for exe in "$@"; do
	imports=$(imports_of "$objdump" "$exe")
	missing=""
	for imp in $imports; do
		printf '%s\n' "$known" | grep -qx -- "$imp" && continue
		why="(no source shows it on NT 4.0)"
		printf '%s\n' "$win2000" | grep -qx -- "$imp" &&
			why="(Windows 2000: look it up at run time, plugins/lib/os/winapi.h)"
		missing="$missing
$imp $why"
	done
	if [ -z "$imports" ]; then
		t_fail "$(basename "$exe"): imports readable" "objdump -p listed no imports"
	elif [ -z "$missing" ]; then
		t_pass "$(basename "$exe"): $(printf '%s\n' $imports | wc -l) imports, all on NT 4.0 SP6a"
	else
		t_fail "$(basename "$exe"): imports not known on NT 4.0 SP6a:" "$missing"
	fi
done
t_summary
