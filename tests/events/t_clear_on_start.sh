#!/bin/sh
# wine-too: quickstart also runs this on the Windows build under Wine (RUNNER=wine).
# check_kms_events --clear-on-start as NT 4.0 and Windows 2000 log a start:
# no 7036 in the System log (the service manager logs it from XP on), but
# the suite's own events in the Application log: handle_kms_restart 1,
# kms_backup 101, kms_restore 201 (the suite's message table). Each clears
# an earlier occurrence; a later occurrence still counts; the other ids of
# those sources (refused, failed...) and the same ids under another source
# clear nothing; with --service the event's text must name the service.
. "$top_srcdir/tests/events/lib-events.sh"
prog=$top_builddir/plugins/check_kms_events$EXEEXT
e() { $runner "$prog" "$@" </dev/null; }
f=$scratch

# A System log without any 7036 (NT 4.0, 2000): something else must clear.
{
	rec 5h "Service Control Manager" 7024 error "Microsoft Exchange Key Management Server|5058"
} | fixture sys-nt4
t_expect "help: the Application-log starts are named" 3 'handle_kms_restart 1, kms_backup 101' e --help
t_expect "help: 7036 is logged from XP on" 3 'Windows XP on' e --help

cleared() { # NAME SOURCE ID TEXT
	{
		rec 3h MSExchangeKMS 5058 error before-start
		rec 2h "$2" "$3" information "$4"
	} | fixture "app-$3"
	t_expect "$1 clears an earlier 5058" 0 \
		"^KMS_EVENTS OK - no Event 5058 in the last 24h, 1 earlier cleared by the KM service's start at $(iso 7200)" \
		e -f "$f/app-$3.evt" --clear-on-start --system-file "$f/sys-nt4.evt"
}
cleared "handle_kms_restart 1 (restarted)" handle_kms_restart 1 \
	"KMS_RESTART OK - restarted MSExchangeKMS with its startup parameter: RUNNING (pid 388) after 3s"
cleared "kms_backup 101 (backup taken, running again)" kms_backup 101 \
	"KMS_BACKUP_RUN OK - backed up Kmsdata; MSExchangeKMS RUNNING again"
cleared "kms_restore 201 (restored, running)" kms_restore 201 "KMS_RESTORE OK - Kmsdata restored; MSExchangeKMS RUNNING"

{
	rec 3h MSExchangeKMS 5058 error before-start
	rec 2h handle_kms_restart 1 information "KMS_RESTART OK - restarted MSExchangeKMS"
	rec 1h MSExchangeKMS 5058 error after-start
} | fixture app-after
t_expect "an occurrence after the handler's start still counts" 2 '1 x Event 5058 .*1 earlier cleared' \
	e -f "$f/app-after.evt" --clear-on-start --system-file "$f/sys-nt4.evt"

{
	rec 3h MSExchangeKMS 5058 error before-start
	rec 2h handle_kms_restart 2 warning "KMS_RESTART CRITICAL - refused: Kmsdata unsound"
	rec 2h handle_kms_restart 3 error "KMS_RESTART CRITICAL - restart failed"
	rec 2h kms_backup 102 error "KMS_BACKUP_RUN CRITICAL - backup failed"
	rec 2h kms_backup 103 error "KMS_BACKUP_RUN CRITICAL - MSExchangeKMS did not start again"
	rec 2h kms_restore 203 error "KMS_RESTORE CRITICAL - restore failed"
	rec 2h kms_backup 1 information "not the handler"
	rec 2h SomeOtherProgram 101 information "MSExchangeKMS RUNNING"
	rec 2h MSExchangeKMS 201 information "not kms_restore"
} | fixture app-none
t_expect "refusals, failures, and the ids under other sources clear nothing" 2 '^KMS_EVENTS CRITICAL - 1 x Event 5058' \
	e -f "$f/app-none.evt" --clear-on-start --system-file "$f/sys-nt4.evt"

t_expect "--service: a start naming it clears" 0 '1 earlier cleared' \
	e -f "$f/app-1.evt" --clear-on-start --system-file "$f/sys-nt4.evt" --service MSExchangeKMS
t_expect "--service: a start naming another service clears nothing" 2 '1 x Event 5058' \
	e -f "$f/app-1.evt" --clear-on-start --system-file "$f/sys-nt4.evt" --service OtherService
{
	rec 4h handle_kms_restart 1 information "KMS_RESTART OK - restarted MSExchangeKMS"
	rec 3h MSExchangeKMS 5058 error before-start
} | fixture app-older
{
	rec 3h MSExchangeKMS 5058 error before-start
} | fixture app-only
{
	rec 2h "Service Control Manager" 7036 information "Microsoft Exchange Key Management Server|running"
} | fixture sys-xp
t_expect "a start older than the occurrence clears nothing" 2 '1 x Event 5058' \
	e -f "$f/app-older.evt" --clear-on-start --system-file "$f/sys-nt4.evt"
t_expect "7036 in the System log (XP and later) still clears" 0 '1 earlier cleared' \
	e -f "$f/app-only.evt" --clear-on-start --system-file "$f/sys-xp.evt"
t_expect "the newer of 7036 and the suite's start is the one that clears" 0 "cleared by the KM service's start at $(iso 7200)" \
	e -f "$f/app-older.evt" --clear-on-start --system-file "$f/sys-xp.evt"
t_summary
