#!/bin/sh
# demo.sh: the suite's main job told on the bundled demo site, with each
# program's real output. Run by `./quickstart demo` with KMS_LINUX_BUILD,
# KMS_WIN64_BUILD and KMS_BUILD set. The KM server is the stand-in service
# (tests/tools/kms_standin.exe) under Wine; the site (Kmsdata, exported event
# logs, backup sets) is built by contrib/demo/site.sh into $KMS_BUILD/demo.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=${KMS_LINUX_BUILD:?}
KMS_WIN64_BUILD=${KMS_WIN64_BUILD:?}
build=${KMS_BUILD:-$top_builddir/..}
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-wine.sh"
. "$top_srcdir/tests/e2e/lib-story.sh"

# The demo keeps its site for a look afterwards; Wine is still stopped.
e2e_dir=$build/demo
KMS_E2E_KEEP=1
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir" || exit 1
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM HUP
states="OK WARNING CRITICAL UNKNOWN"

say() { printf '\n== %s\n' "$*"; }
note() { printf '   (%s)\n' "$*"; }
# show COMMAND...: print it (site paths shortened), run it, print its output
# and exit status.
show() {
	printf '$ %s\n' "$(echo "$*" | sed -e 's/^linux //' -e "s|$e2e_dir/site/|site/|g" -e "s|$agent/||")"
	show_out=$("$@" 2>&1)
	show_status=$?
	printf '%s\n' "$show_out" | sed 's/^/  /'
	printf '  [exit %s: %s]\n' "$show_status" "$(echo "$states" | cut -d' ' -f$((show_status + 1)) 2>/dev/null)"
}
linux() { # PROGRAM ARGS...: a Linux program of the build
	lp=$1
	shift
	"$top_builddir/plugins/$lp" "$@"
}

missing=$(story_missing)
echo "exchange-kms-plugins demo: the Exchange Key Management Server, watched and repaired"
if [ -n "$missing" ]; then
	echo "cannot tell the story, not built:$missing"
	exit 1
fi
start=$(date +%s)
printf 'Setting up the demo KM server (site in %s, Wine prefix, stand-in MSExchangeKMS) ...\n' "$e2e_dir"
story_setup || {
	echo "setup failed"
	e2e_attach "$e2e_dir/wineboot.log"
	exit 1
}
handler=$(e2e_win_program handle_kms_restart) || handler=""
wine_wrappers "$agent" "$ledger" kms_restore
mkdir -p "$e2e_dir/state"
pw=$(wine_path "$site/kmspwd.ini") kd=$(wine_path "$site/Kmsdata") bk=$(wine_path "$site/backup")
evt=$(wine_path "$site/logs/AppEvent.evt") state=$(wine_path "$e2e_dir/state")
handle_kms_restart() { # STATE TYPE ATTEMPT: the handler as the core calls it
	"$agent/handle_kms_restart.exe" -t 100 --state-dir "$state" --password-file "$pw" --kmsdata "$kd" \
		--backup-dir "$bk" --event-file "$evt" --soft-attempt 2 --hung-after 5s --start-timeout 60s "$@"
}
cd "$e2e_dir" || exit 1

say "1. A healthy KM server"
show "$agent/check_kms_service.exe"
show linux check_kms_startup -f "$site/logs/SysEvent.evt"
show linux check_kms_events -f "$site/logs/AppEvent.evt"
show linux check_kms_backup -d "$site/backup"

say "2. Performance Optimizer restarts the KM service without its password (Q263718)"
story_restart_without_password
note "the service was stopped and started with no startup parameter; it hangs in START_PENDING"
e2e_wait 30 story_service_says 2 --pending-warning 2s --pending-critical 5s
show "$agent/check_kms_service.exe" --pending-warning 2s --pending-critical 5s
note "Windows logged the service manager's timeouts; Wine keeps no event log, evtgen wrote them"
show linux check_kms_startup -f "$site/logs/SysEvent.evt"
note "Nagios runs the event handler at each SOFT attempt; it waits for attempt 2"
note "handle_kms_restart runs with NSC.ini's options (--state-dir --password-file --kmsdata --backup-dir --soft-attempt 2), --hung-after cut to 5s"
show handle_kms_restart CRITICAL SOFT 1
show handle_kms_restart CRITICAL SOFT 2
show "$agent/check_kms_service.exe"
note "the recovery reaches the handler too, which notes it"
show handle_kms_restart OK HARD 3

say "3. Kmsdata is damaged: Event 5058 (Q190698)"
story_damage_kmsdata
e2e_wait 30 grep -qs 'Kmsdata is corrupt' "$standin_log"
note "Kmsmdb.edb lost its ESE signature; the service, started with its password, traps the exception"
show linux check_kms_events -f "$site/logs/AppEvent.evt"
show "$agent/check_kms_service.exe"
note "the handler refuses to restart over a damaged Kmsdata and names the backup to restore"
show handle_kms_restart CRITICAL SOFT 2
if [ -x "$agent/kms_restore.exe" ]; then
	note "the remedy, by the admin: kms_restore, a dry run first (it says what the set lacks), then --yes"
	kms_restore() { "$agent/kms_restore.exe" -t 200 -k "$kd" -d "$bk" -f "$pw" --state-dir "$state" --start-timeout 60s "$@"; }
	show kms_restore --dry-run
	show kms_restore --yes
	show "$agent/check_kms_service.exe"
	note "the damaged folder stays beside the restored one: $(cd "$site" && ls -d Kmsdata.damaged-* 2>/dev/null)"
fi

say "4. The offline backups: age and soundness"
note "at setup kms_backup took the first set: copy, verify, manifest (Kmsdata was offline already)"
sed 's/^/  /' "$site/kms_backup.out"
show linux check_kms_backup -d "$site/backup"
show linux check_kms_backup -d "$site/backup-stale"
dirty=$site/backup/kmsdata-copied-while-running
site_kmsdata "$dirty" && "$(site_tool esegen)" "$dirty/Kmsmdb.edb" state=2 pages=8
note "a newer set, copied by hand while the database was open (dirty shutdown)"
show linux check_kms_backup -d "$site/backup"

echo
echo "The demo took $(($(date +%s) - start)) s; the site stays in $e2e_dir."
