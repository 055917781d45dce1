#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# The fixture writers and stand-ins are programs too: each tool built in
# tests/tools answers --help (status 0, or 3 for a plugin-shaped tool) and
# refuses an unknown option without writing anything (esegen once wrote a
# database named '--help').
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-}
tools=$top_builddir/tests/tools
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-tools.XXXXXX")
trap 'rm -rf "$work"' EXIT
found=0
for tool in "$tools"/*; do
	case $tool in *.o | *.obj | *.c | *.h) continue ;; esac
	[ -f "$tool" ] && [ -x "$tool" ] || continue
	case $tool in *$EXEEXT) ;; *) continue ;; esac
	found=$((found + 1))
	name=$(basename "$tool")
	mkdir "$work/$name" && cd "$work/$name" || continue
	out=$(timeout 20 $runner "$tool" --help </dev/null 2>&1)
	status=$?
	if { [ $status -eq 0 ] || [ $status -eq 3 ]; } && printf '%s\n' "$out" | grep -qi '^usage:'; then
		t_pass "$name --help answers with its usage"
	else
		t_fail "$name --help answers with its usage" "status $status: $(printf '%s\n' "$out" | head -n 3)"
	fi
	out=$(timeout 20 $runner "$tool" --no-such-option </dev/null 2>&1)
	status=$?
	if [ $status -ne 0 ] && [ -z "$(ls -A)" ]; then
		t_pass "$name refuses an unknown option and writes nothing"
	else
		t_fail "$name refuses an unknown option and writes nothing" "status $status, left: $(ls -A) $(printf '%s\n' "$out" | head -n 2)"
	fi
	cd "$work" || exit 1
done
[ "$found" -ge 2 ] && t_pass "tools found ($found)" || t_fail "tools found" "$found in $tools"
t_summary
