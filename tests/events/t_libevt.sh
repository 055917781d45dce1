#!/bin/sh
# Cross-check against libevt's evtexport (Debian libevt-utils): on every
# fixture libevt reads correctly, both list the same records (number and
# displayed id); on the three shapes where libevt drops records (the
# 0x27 tail padding of a wrapped log, a record with a SID and neither
# strings nor data, a dirty wrapped log without an EOF record) this
# project must still return exactly the records written.
. "$top_srcdir/tests/events/lib-events.sh"
dump=$linux_build/tests/tools/evtdump
f=$scratch
if ! command -v evtexport >/dev/null 2>&1; then
	t_fail "evtexport is installed" "apt-get install libevt-utils (build-aux/packages/events.txt)"
	t_summary
	exit
fi

# "number<TAB>displayed id" per record, sorted, from each reader.
ours() { "$dump" "$1" | grep -v '^NOTE' | awk -F '\t' '{print $1 "\t" $3}' | sort -n; }
expected() { grep -v '^#' "$1" | awk -F '\t' '{print $1 "\t" $3}' | sort -n; }
libevt() {
	evtexport "$1" 2>/dev/null | awk '
		function hex(s, v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
		/^Event number/ { n = $NF }
		/^Event identifier/ { h = tolower($(NF - 1)); print n "\t" hex(substr(h, length(h) - 3)) }' | sort -n
}

i=0
while [ $i -lt 50 ]; do
	if [ $((i % 5)) -eq 0 ]; then rec $((60 - i))m MSExchangeKMS 0xC00013C2 error "exception $i" "data=$((i % 7))"; else
		rec $((60 - i))m "Service Control Manager" 0xC0001B58 error "Microsoft Exchange Key Management Server|%%1053" "sid=12"; fi
	i=$((i + 1))
done >"$f/recs.txt"

# name : evtgen options : does libevt read it correctly?
for c in "clean::yes" "split-record:--size 3000 --want split-record:yes" "split-eof:--size 3000 --want split-eof:yes" \
	"eof-at-start:--size 3000 --want eof-at-start:yes" "dirty-header-current:--dirty --header-current --size 3000 --want split-record:yes" \
	"padding:--size 3000 --want padding:no" "dirty-wrapped-no-eof:--dirty --no-eof --size 3000 --want padding:no"; do
	name=${c%%:*}
	rest=${c#*:}
	opts=${rest%:*}
	libevt_ok=${rest##*:}
	# shellcheck disable=SC2086
	fixture "$name" $opts <"$f/recs.txt"
	want=$(expected "$f/$name.expected")
	got=$(ours "$f/$name.evt")
	lib=$(libevt "$f/$name.evt")
	n=$(printf '%s\n' "$want" | grep -c .)
	if [ "$got" = "$want" ]; then t_pass "$name: ours returns the $n records written"; else
		t_fail "$name: ours returns the $n records written" "got $(printf '%s\n' "$got" | grep -c .)"; fi
	if [ "$libevt_ok" = yes ]; then
		if [ "$lib" = "$got" ]; then t_pass "$name: same records as evtexport"; else
			t_fail "$name: same records as evtexport" "evtexport: $(printf '%s\n' "$lib" | grep -c .) records"; fi
	else
		lib_n=$(printf '%s\n' "$lib" | grep -c .)
		if [ "$lib" != "$want" ]; then t_pass "$name: the fixture reproduces libevt's bug ($lib_n of $n records)"; else
			t_fail "$name: the fixture reproduces libevt's bug" "libevt now reads all $n records: update this test"; fi
	fi
done

# The SID-only record: libevt drops it; ours reads it, strings empty.
{
	rec 3h Security 560 audit-success - sid=28
	rec 2h MSExchangeKMS 5058 error - sid=12
	rec 1h MSExchangeKMS 5058 error "after"
} | fixture sid-only
want=$(expected "$f/sid-only.expected")
got=$(ours "$f/sid-only.evt")
[ "$got" = "$want" ] && t_pass "sid-only: ours returns the 3 records written" || t_fail "sid-only: ours returns the 3 records written" "$got"
lib=$(libevt "$f/sid-only.evt")
if [ "$lib" != "$want" ]; then t_pass "sid-only: the fixture reproduces libevt's bug ($(printf '%s\n' "$lib" | grep -c .) of 3 records)"; else
	t_fail "sid-only: the fixture reproduces libevt's bug" "libevt now reads all 3 records: update this test"; fi
t_expect "sid-only: check_kms_events counts both 5058" 2 '2 x Event 5058' \
	"$linux_build/plugins/check_kms_events" -f "$f/sid-only.evt" --window all
t_summary
