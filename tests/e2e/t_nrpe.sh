#!/bin/sh
# check_nrpe -> NRPE -> the Linux checks, through contrib/nrpe/kms.cfg's
# fixed commands (rendered: the plugin folder and /srv/kms point at this
# build and a demo site). The story on the Linux side: healthy; the hung
# start's SCM events; Event 5058; a stale backup; bad input stays UNKNOWN.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nrpe.sh"
KMS_LINUX_BUILD=$top_builddir
. "$top_srcdir/contrib/demo/site.sh"
e2e_setup nrpe

missing=""
for prog in check_kms_events check_kms_startup check_kms_backup kms_backup evtgen esegen; do
	e2e_program "$prog" >/dev/null || missing="$missing $prog"
done
if [ -n "$missing" ]; then
	e2e_not_run "the NRPE story" "not built:$missing"
	t_summary
	exit
fi

site=$e2e_dir/site
if site_build "$site"; then t_pass "demo site built (Kmsdata, logs, backup sets)"; else t_fail "demo site built"; fi
sed -e "s|/usr/lib/nagios/plugins|$top_builddir/plugins|g" -e "s|/srv/kms|$site|g" \
	"$top_srcdir/contrib/nrpe/kms.cfg" >"$e2e_dir/kms.cfg"
nrpe_debian_policy "$e2e_dir/policy.cfg"
nrpe_render "$e2e_dir" "$e2e_dir/policy.cfg" "$e2e_dir/kms.cfg"
if nrpe_start "$e2e_dir"; then
	t_pass "NRPE up with contrib/nrpe/kms.cfg (as $NRPE_USER, port $nrpe_port)"
else
	t_fail "NRPE up with contrib/nrpe/kms.cfg" "$(e2e_attach "$e2e_dir/nrpe.out")"
	t_summary
	exit
fi

# nrpe_expect NAME COMMAND STATUS PATTERN: one remote check, output matched.
nrpe_expect() {
	nrpe_check "$2"
	if [ "$nrpe_status" -eq "$3" ] && printf '%s\n' "$nrpe_out" | grep -Eq -- "$4"; then
		t_pass "$1"
	else
		t_fail "$1" "wanted status $3 and /$4/" "got $nrpe_status: $(printf '%s\n' "$nrpe_out" | head -n 4)"
	fi
}

nrpe_expect "healthy: no Event 5058" check_kms_events 0 \
	'^KMS_EVENTS OK - no Event 5058 in the last 24h \| events=0;;0;0;$'
nrpe_expect "healthy: no startup timeouts" check_kms_startup 0 \
	'^KMS_STARTUP OK - KM service: 0 startup timeouts and 0 failed starts in the last 24h \| timeouts=0;0;2;0; failed_starts=0;0;2;0;$'
nrpe_expect "healthy: a fresh sound backup (kms_backup's set)" check_kms_backup 0 \
	'^KMS_BACKUP OK - newest set kmsdata-[0-9]{8}T[0-9]{6}Z is [0-9]+s old, 3 files, .*database clean shutdown \| age=[0-9]+s;691200;1296000;0; files=3;;;0; size=[0-9]+B;;;0; sets=1;;;0;$'

# The service restarted without its password: the SCM's timeouts.
site_log_hung_start "$site"
nrpe_expect "hung start: 3 startup timeouts are CRITICAL" check_kms_startup 2 \
	'^KMS_STARTUP CRITICAL - KM service: 3 startup timeouts \(7009: 1, 7022: 1, 7000/%%1053: 1\) and 0 failed starts in the last 24h, .*\| timeouts=3;0;2;0; failed_starts=0;0;2;0;$'
nrpe_expect "hung start: the long output names each event" check_kms_startup 2 \
	'event 7022 \(error\) from Service Control Manager, record [0-9]+: Microsoft Exchange Key Management Server - hung on starting'

# Kmsdata damaged: the KM service logs Event 5058.
site_record 0 MSExchangeKMS 5058 error \
	"Microsoft Exchange Key Management service has trapped an exception." >>"$site/logs/AppEvent.records"
site_write_log "$site" AppEvent
nrpe_expect "Event 5058 is CRITICAL, remedy named" check_kms_events 2 \
	'^KMS_EVENTS CRITICAL - 1 x Event 5058 in the last 24h, last at [0-9T:-]+Z: Kmsdata is corrupt or incomplete, restore it from an offline backup \| events=1;;0;0;$'

# The backup nobody refreshed.
mv "$site/backup" "$site/backup-fresh" && mv "$site/backup-stale" "$site/backup"
nrpe_expect "a backup 10 days old is WARNING (8d)" check_kms_backup 1 \
	'^KMS_BACKUP WARNING - newest set kmsdata-old is 10d old, .*older than 8d \| age=8640[0-9]{2}s;691200;1296000;0;'

# Bad input reaches the core as one UNKNOWN line naming the culprit.
mv "$site/backup" "$site/backup-gone"
nrpe_expect "missing backup folder: UNKNOWN naming it" check_kms_backup 3 \
	"^KMS_BACKUP UNKNOWN - --backup-dir: '$site/backup' does not exist\$"
printf 'not an event log, only forty-eight bytes long....' >"$site/logs/AppEvent.evt"
nrpe_expect "a damaged .evt file: UNKNOWN naming the file" check_kms_events 3 \
	"^KMS_EVENTS UNKNOWN - .*$site/logs/AppEvent.evt"
nrpe_check check_kms_events
lines=$(printf '%s\n' "$nrpe_out" | wc -l)
if [ "$lines" -eq 1 ]; then t_pass "the UNKNOWN is one line"; else t_fail "the UNKNOWN is one line" "$lines lines"; fi

# Why the KM server's stand-in (lib-story.sh) runs an NRPE built from
# Debian's source with --enable-command-args and not this daemon: Debian
# builds NRPE without it, so even dont_blame_nrpe=1 leaves the handler's
# three arguments refused.
nrpe_stop
sed -i 's/^dont_blame_nrpe=0$/dont_blame_nrpe=1/' "$e2e_dir/policy.cfg"
if nrpe_start "$e2e_dir"; then
	out=$("$CHECK_NRPE" -H 127.0.0.1 -p "$nrpe_port" -2 -t 10 -c check_kms_events -a CRITICAL SOFT 2 2>&1)
	status=$?
	if [ "$status" -eq 3 ] && printf '%s\n' "$out" | grep -q 'Receive header underflow' &&
		grep -q 'Error: Request contained command arguments!$' "$e2e_dir/nrpe.log"; then
		t_pass "Debian's NRPE refuses arguments even with dont_blame_nrpe=1"
	else
		t_fail "Debian's NRPE refuses arguments even with dont_blame_nrpe=1" "$status: $out" "$(e2e_attach "$e2e_dir/nrpe.log" 4)"
	fi
else
	t_fail "NRPE up again with dont_blame_nrpe=1" "$(e2e_attach "$e2e_dir/nrpe.out")"
fi
pid=$nrpe_pid
nrpe_stop
if ! e2e_alive "$pid"; then t_pass "NRPE stopped by pid"; else t_fail "NRPE stopped by pid"; fi
t_summary
