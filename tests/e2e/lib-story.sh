# lib-story.sh: the KM server of the issue's story for both cores: the demo
# site (contrib/demo/site.sh), a Wine prefix with the stand-in KM service
# registered as MSExchangeKMS, the Windows programs behind logged wrappers
# (the "agent" folder), a stand-in MSExchangeDS, NSClient++ 0.3.9 stood in
# for by tests/e2e/nsclient-standin.py with contrib/nsclient/NSC.ini, and
# the events of the story: a restart without the password, Kmsdata damaged,
# a stale backup. Source after lib-e2e.sh and lib-wine.sh; needs
# top_builddir (Linux) and KMS_WIN64_BUILD.

KMS_LINUX_BUILD=$top_builddir
. "$top_srcdir/contrib/demo/site.sh"

# story_missing: the programs the story needs that are not built (empty: all).
story_missing() {
	for sm in check_kms_events check_kms_startup check_kms_backup kms_backup evtgen esegen; do
		e2e_program "$sm" >/dev/null || printf ' %s' "$sm"
	done
	for sm in check_kms_service check_kms_startup kms_standin; do
		e2e_win_program "$sm" >/dev/null || printf ' %s.exe' "$sm"
	done
}

story_host=kms1

# story_begin TITLE: the KM server ready for a core's story (story_setup),
# have_handler set, and $plugins holding the Linux checks and check_dummy.
# Returns non-zero when the story cannot run (said as not run or failed).
story_begin() {
	sb_missing=$(story_missing)
	if [ -n "$sb_missing" ]; then
		e2e_not_run "$1" "not built:$sb_missing"
		return 1
	fi
	if story_setup; then
		t_pass "KM server ready: demo site, Wine prefix, stand-in MSExchangeKMS running"
	else
		t_fail "KM server ready" "$(e2e_attach "$e2e_dir/wineboot.log" 5)" "$(e2e_attach "$standin_log" 5)"
		return 1
	fi
	have_handler=yes
	e2e_win_program handle_kms_restart >/dev/null || have_handler=no
	plugins=$e2e_dir/plugins
	mkdir -p "$plugins"
	for sb in check_kms_events check_kms_startup check_kms_backup; do
		ln -s "$(e2e_program "$sb")" "$plugins/$sb"
	done
	ln -s /usr/lib/nagios/plugins/check_dummy "$plugins/check_dummy"
	ln -s /usr/lib/nagios/plugins/check_nrpe "$plugins/check_nrpe"
	if story_agent_start; then
		t_pass "NSClient++ 0.3.9 stand-in up with contrib/nsclient/NSC.ini (port $agent_port, no SSL)"
	else
		t_fail "NSClient++ 0.3.9 stand-in up with NSC.ini" "$(e2e_attach "$e2e_dir/nsclient.out" 5)"
		return 1
	fi
}

# story_setup: site in $site, agent wrappers in $agent, ledger in $ledger,
# the stand-in installed and started with its password.
story_setup() {
	site=$e2e_dir/site agent=$e2e_dir/agent ledger=$e2e_dir/ledger
	standin_log=$e2e_dir/standin.log
	site_build "$site" || return 1
	wine_setup || return 1
	: >"$ledger"
	wine_wrappers "$agent" "$ledger" check_kms_service handle_kms_restart check_kms_events check_kms_startup \
		check_kms_backup kms_standin || return 1
	# The directory service the KM service depends on, plainly running.
	"$agent/kms_standin.exe" install MSExchangeDS "Microsoft Exchange Directory" demand - --plain >/dev/null &&
		"$agent/kms_standin.exe" start MSExchangeDS >/dev/null || return 1
	"$agent/kms_standin.exe" install MSExchangeKMS "$SITE_SERVICE_DISPLAY" demand MSExchangeDS \
		--expect "$(wine_path "$site/kmspwd.ini")" --kmsdata "$(wine_path "$site/Kmsdata")" \
		--evt "$(wine_path "$site/logs/AppEvent.evt")" --log "$(wine_path "$standin_log")" >/dev/null &&
		story_start_with_password
}

# story_render_nsc OUT: contrib/nsclient/NSC.ini for this KM server: its
# Windows paths (C:\kms, C:\exchsrvr\Kmsdata, D:\KmsBackup) on the site,
# the monitoring host 127.0.0.1, the event log checks and the handler told
# to read the site's exported logs (Wine keeps no event log), and the
# pending and hung thresholds shortened from 60s/180s to 1s/2s so that the
# hung start plays out in seconds. Everything else as written.
story_render_nsc() {
	mkdir -p "$e2e_dir/state"
	# Through the environment: awk -v would read the backslashes as escapes.
	R_PWD=$(wine_path "$site/kmspwd.ini") R_STATE=$(wine_path "$e2e_dir/state") \
		R_KMSDATA=$(wine_path "$site/Kmsdata") R_BACKUP=$(wine_path "$site/backup") \
		R_EVT=$(wine_path "$site/logs/AppEvent.evt") R_SYS=$(wine_path "$site/logs/SysEvent.evt") awk '
		function subst(from, to,   i, done) {
			done = ""
			while ((i = index($0, from)) > 0) {
				done = done substr($0, 1, i - 1) to
				$0 = substr($0, i + length(from))
			}
			$0 = done $0
		}
		{
			subst("C:\\kms\\state\\Kmspwd.ini", ENVIRON["R_PWD"]); subst("C:\\kms\\state", ENVIRON["R_STATE"])
			subst("C:\\exchsrvr\\Kmsdata", ENVIRON["R_KMSDATA"]); subst("D:\\KmsBackup", ENVIRON["R_BACKUP"])
			subst("192.0.2.5", "127.0.0.1")
			subst("--pending-warning 60s --pending-critical 180s", "--pending-warning 1s --pending-critical 2s")
			subst("--hung-after 180s", "--hung-after 2s")
			subst(" $ARG1$", " --event-file " ENVIRON["R_EVT"] " $ARG1$")
			if ($0 ~ /^check_kms_events=/) subst(" --window", " -f " ENVIRON["R_EVT"] " --window")
			if ($0 ~ /^check_kms_startup=/) subst(" --window", " -f " ENVIRON["R_SYS"] " --window")
			print
		}' "$top_srcdir/contrib/nsclient/NSC.ini" >"$1"
}

# story_agent_start [INI]: the NSClient++ 0.3.9 stand-in on a free port with
# the rendered NSC.ini (or INI), its C:\kms\bin\ the agent folder; waits
# (bounded) until check_nrpe gets its version. Sets agent_port, agent_pid.
story_agent_start() {
	agent_ini=${1:-$e2e_dir/NSC.ini}
	[ -n "${1:-}" ] || story_render_nsc "$agent_ini"
	agent_port=$(e2e_free_port 25766) || return 1
	agent_log=$e2e_dir/nsclient.log
	e2e_spawn nsclient "$e2e_dir/nsclient.out" python3 "$top_srcdir/tests/e2e/nsclient-standin.py" \
		--ini "$agent_ini" --port "$agent_port" --agent-dir "$agent" --log "$agent_log"
	agent_pid=$e2e_pid
	e2e_wait_daemon "$agent_pid" 20 agent_answers
}

agent_answers() {
	ss -Hltn "sport = :$agent_port" 2>/dev/null | grep -q .
}

# agent_nrpe ARGS...: check_nrpe to the stand-in as contrib calls it;
# output in agent_out, status in agent_status.
agent_nrpe() {
	agent_out=$(/usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p "$agent_port" "$@" 2>&1)
	agent_status=$?
}

# story_start_with_password: what an admin (or the handler) does.
story_start_with_password() {
	"$agent/kms_standin.exe" start MSExchangeKMS "$SITE_PASSWORD" >/dev/null
}

# story_service_says STATUS [ARGS]: check_kms_service, run here (not by a
# core, not logged), exits STATUS.
story_service_says() {
	sss=$1
	shift
	wine "$(e2e_win_program check_kms_service)" "$@" </dev/null >/dev/null 2>&1
	[ $? -eq "$sss" ]
}

# story_restart_without_password: Performance Optimizer's restart (Q263718):
# stop, start with no parameter, and the SCM events Windows would log.
story_restart_without_password() {
	"$agent/kms_standin.exe" stop MSExchangeKMS >/dev/null
	"$agent/kms_standin.exe" start MSExchangeKMS >/dev/null
	site_log_hung_start "$site"
}

# story_damage_kmsdata: Kmsdata broken, then the service restarted with its
# password: the stand-in logs Event 5058 and stops (Q190698).
story_damage_kmsdata() {
	"$agent/kms_standin.exe" stop MSExchangeKMS >/dev/null
	site_damage_kmsdata "$site" && story_start_with_password
}

# story_stale_backup: the backup share now holds only a 10-day-old set.
story_stale_backup() {
	mv "$site/backup" "$site/backup-fresh" && mv "$site/backup-stale" "$site/backup"
}

# story_handler_runs PATTERN: ledger lines of handle_kms_restart matching PATTERN.
story_handler_runs() {
	grep -E "^handle_kms_restart .*$1" "$ledger" 2>/dev/null
}

# story_expect SERVICE STATE OUTPUT_RE PERF_RE NAME: status.dat (Nagios' or
# Icinga's) shows the state, plugin_output and performance_data.
story_expect() {
	# Icinga 2 writes plugin_output with a trailing blank.
	se_out=$(nagios_status "$1" plugin_output | sed 's/ *$//') se_perf=$(nagios_status "$1" performance_data)
	if [ "$(nagios_status "$1" current_state)" = "$2" ] && printf '%s\n' "$se_out" | grep -Eq -- "$3" &&
		printf '%s\n' "$se_perf" | grep -Eq -- "$4"; then
		t_pass "$5"
	else
		t_fail "$5" "state $(nagios_status "$1" current_state), wanted $2" "plugin_output: $se_out" \
			"performance_data: $se_perf"
	fi
}

# story_force SERVICE STATE TYPE [ATTEMPT]: force a check of SERVICE on
# $story_host through the core's pipe and wait (FW_BOUND, default 30 s,
# given up at once if $core_pid dies) for a newer result in that state.
story_force() {
	sf_t0=$(date +%s)
	nagios_force "$story_host" "$1"
	e2e_wait_daemon "$core_pid" "${FW_BOUND:-30}" nagios_result "$1" "$sf_t0" "$2" "$3" ${4:+"$4"}
}

# story_healthy: every service forced once on the healthy site; each shows
# its OK first line and its perfdata (pending thresholds 1s/2s in the stories).
story_healthy() {
	for sh_svc in kms-service kms-events kms-startup kms-backup; do story_force "$sh_svc" 0 1; done
	story_expect kms-service 0 '^KMS_SERVICE OK - MSExchangeKMS is running \(pid [0-9]+, up ' \
		'^state=4;;;0;7 pending=0s;1;2;0; uptime=[0-9.]+s;;;0;$' "healthy: kms-service OK (running), perfdata"
	story_expect kms-events 0 '^KMS_EVENTS OK - no Event 5058 in the last 24h$' '^events=0;;0;0;$' \
		"healthy: kms-events OK, perfdata"
	story_expect kms-startup 0 '^KMS_STARTUP OK - KM service: 0 startup timeouts and 0 failed starts' \
		'^timeouts=0;0;2;0; failed_starts=0;0;2;0;$' "healthy: kms-startup OK, perfdata"
	story_expect kms-backup 0 '^KMS_BACKUP OK - newest set kmsdata-[0-9T]+Z is ' \
		'^age=[0-9]+s;691200;1296000;0; files=3;;;0; size=[0-9]+B;;;0; sets=1;;;0;$' "healthy: kms-backup OK, perfdata"
}
