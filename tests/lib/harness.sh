# harness.sh: the shell test vocabulary shared by every script test
# (tests/core, tests/wine, tests/e2e). Source it, call t_pass/t_fail/t_check,
# and end with t_summary, which prints "N passed, N failed" and sets the
# exit status. Scripts run under automake's test driver or on their own.
t_passed=0
t_failed=0

t_pass() {
	t_passed=$((t_passed + 1))
	echo "PASS: $1"
}

t_fail() {
	t_failed=$((t_failed + 1))
	echo "FAIL: $1"
	shift
	for line in "$@"; do printf '      %s\n' "$line"; done
}

# t_expect NAME EXPECTED_STATUS PATTERN COMMAND...: runs COMMAND, passes when
# its exit status is EXPECTED_STATUS and its output matches the extended
# regex PATTERN (first line and long output together).
t_expect() {
	name=$1 want_status=$2 pattern=$3
	shift 3
	t_out=$("$@" 2>&1)
	t_status=$?
	if [ "$t_status" -eq "$want_status" ] && printf '%s\n' "$t_out" | grep -Eq -- "$pattern"; then
		t_pass "$name"
	else
		t_fail "$name" "wanted status $want_status and /$pattern/" "got status $t_status:" "$(printf '%s\n' "$t_out" | head -n 8)"
	fi
}

# t_first_line NAME PATTERN: the first line of the last t_expect's output.
t_first_line() {
	if printf '%s\n' "$t_out" | head -n 1 | grep -Eq -- "$2"; then
		t_pass "$1"
	else
		t_fail "$1" "wanted first line /$2/" "got: $(printf '%s\n' "$t_out" | head -n 1)"
	fi
}

t_summary() {
	echo "$t_passed passed, $t_failed failed"
	[ "$t_failed" -eq 0 ]
}
