#!/bin/sh
# check-imports.sh OBJDUMP EXE...: every function each (i686) EXE imports
# must be known to exist on Windows 2000 (tests/win2000/*.imports: one file per part of the suite). Prints one
# PASS/FAIL line per exe and "N passed, N failed".
dir=$(dirname "$0")
. "$dir/../lib/harness.sh"
. "$dir/imports-of.sh"
objdump=$1
shift
known=$(cat "$dir"/*.imports | grep -v "^#" | awk '{dll=toupper($1); for (i = 2; i <= NF; i++) print dll ":" $i}')
for exe in "$@"; do
	imports=$(imports_of "$objdump" "$exe")
	missing=""
	for imp in $imports; do
		if ! printf '%s\n' "$known" | grep -qx -- "$imp"; then
			name=${imp#*:}
			why=$(awk -v n="$name" '$1 == n { $1 = ""; print "(introduced in" $0 ")" }' "$dir/win2000-absent.txt")
			missing="$missing
$imp${why:+ $why}"
		fi
	done
	if [ -z "$imports" ]; then
		t_fail "$(basename "$exe"): imports readable" "objdump -p listed no imports"
	elif [ -z "$missing" ]; then
		t_pass "$(basename "$exe"): $(printf '%s\n' $imports | wc -l) imports, all on Windows 2000"
	else
		t_fail "$(basename "$exe"): imports not known on Windows 2000:" "$missing"
	fi
done
t_summary
