#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# The common options as a user meets them: help and version exit 3, every
# malformed value is one UNKNOWN line naming option and value, a short usage
# follows a bad option. RUNNER/PROBE may point at the Windows build.
. "$top_srcdir/tests/lib/harness.sh"
probe=${PROBE:-$top_builddir/tests/tools/deadline_probe$EXEEXT}
runner=${RUNNER:-}
p() { $runner "$probe" "$@" </dev/null; }

t_expect "--help exits 3 with usage" 3 '^Usage: deadline_probe \[OPTION\]' p --help
t_expect "--help lists the common options" 3 '-t, --timeout=SECONDS\[:STATE\]' p --help
t_expect "-h is --help" 3 '^Common options:' p -h
t_expect "--version exits 3" 3 '^deadline_probe \(exchange-kms-plugins\) [0-9]' p --version
t_expect "-V is --version" 3 'exchange-kms-plugins' p -V
t_expect "unknown option" 3 "^KMS_PROBE UNKNOWN - unknown option '--bogus'" p --bogus
t_first_line "unknown option: one first line" "^KMS_PROBE UNKNOWN - unknown option '--bogus'$"
t_expect "unknown option: short usage follows" 3 "^Try 'deadline_probe --help'" p --bogus
lines=$(printf '%s\n' "$t_out" | wc -l)
if [ "$lines" -le 24 ]; then t_pass "short usage fits a screen ($lines lines)"; else t_fail "short usage fits a screen" "$lines lines"; fi
t_expect "bad value: usage follows too" 3 "^Usage: deadline_probe" p -w 1:12%
t_first_line "bad value: one first line" "^KMS_PROBE UNKNOWN - --warning: '1:12%' is not a number$"
t_expect "missing value" 3 "^KMS_PROBE UNKNOWN - option '-w' needs a value" p -w
t_expect "bad warning range" 3 "^KMS_PROBE UNKNOWN - --warning: '1:12%' is not a number" p -w 1:12%
t_expect "inverted critical range" 3 "^KMS_PROBE UNKNOWN - --critical: '5:1' is not a range: its start is greater than its end" p -c 5:1
t_expect "double colon" 3 "^KMS_PROBE UNKNOWN - --critical: '10::20'" p -c 10::20
t_expect "empty range" 3 "^KMS_PROBE UNKNOWN - --warning: '' is empty|--warning: is empty" p --warning=
t_expect "bad timeout" 3 "^KMS_PROBE UNKNOWN - --timeout: '10x' is not SECONDS\[:STATE\]" p -t 10x
t_expect "huge timeout" 3 "^KMS_PROBE UNKNOWN - --timeout: '99999999999999999999' is out of range" p -t 99999999999999999999
t_expect "zero timeout" 3 "^KMS_PROBE UNKNOWN - --timeout: '0' is out of range" p -t 0
t_expect "bad timeout state" 3 "^KMS_PROBE UNKNOWN - --timeout: 'BAD' is not a state" p -t 5:BAD
t_expect "unexpected argument" 3 "^KMS_PROBE UNKNOWN - unexpected argument 'extra'" p extra
t_expect "empty hostname" 3 "^KMS_PROBE UNKNOWN - --hostname: is empty" p -H ''
# A single-valued option given twice is refused naming both values.
t_expect "-w given twice: UNKNOWN naming both" 3 "^KMS_PROBE UNKNOWN - --warning: given twice \\('1' and '2'\\)" p -w 1 -w 2
t_expect "--timeout given twice: UNKNOWN naming both" 3 "^KMS_PROBE UNKNOWN - --timeout: given twice \\('5' and '6'\\)" p -t 5 --timeout=6
t_expect "-H given twice: UNKNOWN naming both" 3 "^KMS_PROBE UNKNOWN - --hostname: given twice \\('a' and 'b'\\)" p -H a -H b
t_expect "-w given twice with the same value: taken" 0 "^KMS_PROBE OK" p -w 1 -w 1 -t 1
# --usage prints the short usage as it is (no '|' neutralisation), exits 3.
t_expect "--usage prints the usage and exits 3" 3 "^Usage: deadline_probe \\[-h\\]" p --usage
case $t_out in
*KMS_PROBE*) t_fail "--usage is not a plugin result line" "$t_out" ;;
*) t_pass "--usage is not a plugin result line" ;;
esac
t_expect "--help documents --usage" 3 "--usage" p --help
t_expect "valid options run" 0 "^KMS_PROBE OK - standard input ended" p -vvv -w 10 -c @5:20 -t 5 -H host
t_summary
