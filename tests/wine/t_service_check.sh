#!/bin/sh
# check_kms_service under Wine against the stand-in KM service (kms_standin):
# running, hung start (pending thresholds crossed, checkpoint still or
# moving), stopped with each kind of exit code, not installed, disabled, a
# missing dependency, Performance Optimizer present, bad input, timeouts.
# Needs the win64 build as top_builddir and a Wine prefix (quickstart sets both).
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/wine/lib-service.sh"

svc_setup check
check() { timeout 30 $runner "$bin/plugins/check_kms_service.exe" "$@" </dev/null; }

# --- help and bad input ---
t_expect "--help exits 3 and lists the options" 3 '--pending-critical=DURATION' check --help
t_expect "--help documents the perfdata codes" 3 'state=N +0 not installed, 1 STOPPED' check --help
t_expect "--help gives examples" 3 '^Examples:' check --help
t_expect "bad duration" 3 "^KMS_SERVICE UNKNOWN - --pending-warning: '5x' is not a duration" check --pending-warning 5x
t_expect "negative duration" 3 "^KMS_SERVICE UNKNOWN - --pending-critical: '-5' is negative" check --pending-critical=-5
t_expect "bad state" 3 "^KMS_SERVICE UNKNOWN - --not-found: 'MAYBE' is not a state" check --not-found MAYBE
t_expect "empty service name" 3 "^KMS_SERVICE UNKNOWN - --service: is empty" check --service ''

# --- not installed ---
standin uninstall MSExchangeKMS >/dev/null 2>&1
t_expect "not installed: CRITICAL" 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is not installed \| state=0;' check
t_expect "not installed, --not-found WARNING" 1 '^KMS_SERVICE WARNING - MSExchangeKMS is not installed' check --not-found WARNING
long_name=$(printf '%0300d' 0)
t_expect "a name the service manager cannot take: UNKNOWN" 3 "^KMS_SERVICE UNKNOWN - service '0+.*\\(123\\)$" check --service "$long_name"
t_expect "unknown service name" 2 "^KMS_SERVICE CRITICAL - NoSuchService is not installed" check --service NoSuchService

# --- stopped, never started ---
svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" --evt "$wtmp/app.evt" --log "$wtmp/standin.log"
t_expect "stopped (never started): CRITICAL with the Win32 exit code explained" 2 \
	'^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped, last exit code 1077: .* \| state=1;' check
t_expect "display name in the long output" 2 '^display name: Microsoft Exchange Key Management Server$' check

# --- running ---
standin start MSExchangeKMS "$password"
svc_wait_state RUNNING
t_expect "running: OK with pid and uptime" 0 '^KMS_SERVICE OK - MSExchangeKMS is running \(pid [0-9]+, up [0-9]+s\) \| state=4;;;0;7 pending=0s;60;180;0; uptime=[0-9.]+s' check
t_expect "-v adds the status details" 0 '^state RUNNING, pid [0-9]+, checkpoint 0' check -v

# --- Performance Optimizer while running ---
timeout 60 $runner "$bin/tests/tools/perfwiz.exe" 50 </dev/null >/dev/null 2>&1 &
perfwiz_pid=$!
svc_wait_for 10 sh -c "timeout 10 $runner '$bin/plugins/check_kms_service.exe' | grep -q Performance"
t_expect "perfwiz.exe running: WARNING with the advice" 1 \
	"^KMS_SERVICE WARNING - MSExchangeKMS is running .*Performance Optimizer \(perfwiz.exe, pid [0-9]+\) is running: Performance Optimizer will try to restart the KM service without its password: stop the KM service first or choose 'Do not restart these services'" check
t_expect "--perfwiz names another image" 0 '^KMS_SERVICE OK - MSExchangeKMS is running' check --perfwiz other.exe
kill "$perfwiz_pid" 2>/dev/null
wait "$perfwiz_pid" 2>/dev/null

# --- disabled (while running) ---
standin config MSExchangeKMS disabled
t_expect "start type disabled: WARNING" 1 '^KMS_SERVICE WARNING - MSExchangeKMS is running .*its start type is disabled' check
standin config MSExchangeKMS demand

# --- stopped cleanly ---
standin stop MSExchangeKMS
svc_wait_state STOPPED
t_expect "stopped cleanly: CRITICAL, exit code 0" 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped, last exit code 0 ' check

# --- stopped: service-specific 5057 (wrong password) ---
standin start MSExchangeKMS "not-the-password"
svc_wait_state STOPPED
t_expect "wrong password: service-specific error 5057 explained" 2 \
	'^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped, last service-specific error 5057: the KMS password is not valid' check
t_no_password "check output" "$t_out"

# --- stopped: a Win32 exit code ---
svc_install demand - --exit-win32 1067
standin start MSExchangeKMS "$password"
svc_wait_state STOPPED
t_expect "Win32 exit code 1067 explained" 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is stopped, last exit code 1067: .+ \| state=1' check
svc_install demand - --exit-specific 5085
standin start MSExchangeKMS
svc_wait_state STOPPED
t_expect "service-specific 5085 explained" 2 'last service-specific error 5085: the KM service cannot mount its key database' check

# --- its dependency not running, or not there ---
# (Wine's QueryServiceConfigW lists no dependencies: --depends-on stands in.)
svc_install demand MSExchangeDS --expect "$wtmp/expect"
standin start MSExchangeKMS "$password"
svc_wait_state RUNNING
standin stop MSExchangeDS
t_expect "dependency stopped: WARNING, said in the first line" 1 \
	'^KMS_SERVICE WARNING - MSExchangeKMS is running .*, the service it depends on, MSExchangeDS, is STOPPED' check
t_expect "dependency in the long output" 1 '^depends on: MSExchangeDS \(STOPPED\)' check
t_expect "--depends-on another service, not installed: long output only" 0 '^depends on: MSExchangeIS \(NOT_INSTALLED\)' \
	check --depends-on MSExchangeIS
t_first_line "--depends-on not installed: not in the first line" '^KMS_SERVICE OK - MSExchangeKMS is running \(pid [0-9]+, up [0-9]+s\) \|'
t_expect "--depends-on '' checks only the configured ones" 0 '^KMS_SERVICE OK - MSExchangeKMS is running' check --depends-on ''
standin start MSExchangeDS

# --- hung in START_PENDING (started without its password) ---
svc_install demand - --expect "$wtmp/expect" --log "$wtmp/standin.log"
standin start MSExchangeKMS
svc_wait_state START_PENDING
t_expect "young START_PENDING: OK, checkpoint not moving, Q263718 named" 0 \
	'^KMS_SERVICE OK - MSExchangeKMS is START_PENDING for [0-9]+s, checkpoint 1 not moving, a KM service hanging in its start was most likely started without its startup parameter, the KMS password \(article Q263718\) \| state=2;' \
	check --pending-warning 1h --pending-critical 2h
sleep 2
t_expect "START_PENDING past --pending-warning: WARNING" 1 '^KMS_SERVICE WARNING - MSExchangeKMS is START_PENDING for [0-9]+s' \
	check --pending-warning 1s --pending-critical 1h
t_expect "START_PENDING past --pending-critical: CRITICAL" 2 '^KMS_SERVICE CRITICAL - MSExchangeKMS is START_PENDING .*pending=[0-9.]+s;1;2;0;' \
	check --pending-warning 1s --pending-critical 2s
t_expect "the timeout bounds the checkpoint sampling" 0 '^KMS_SERVICE OK - MSExchangeKMS is START_PENDING' \
	check -t 1 --pending-warning 1h --pending-critical 2h
standin kill MSExchangeKMS

svc_install demand - --moving-checkpoint
standin start MSExchangeKMS
svc_wait_state START_PENDING
t_expect "a moving checkpoint is said" 0 '^KMS_SERVICE OK - MSExchangeKMS is START_PENDING for [0-9]+s, checkpoint [0-9]+ moving \|' \
	check --pending-warning 1h --pending-critical 2h
standin kill MSExchangeKMS

# A start that finishes while its checkpoint is sampled: reported as it ends.
svc_install demand - --expect "$wtmp/expect" --kmsdata "$wtmp/kmsdata" --start-delay 1500
standin start MSExchangeKMS "$password"
svc_wait_state START_PENDING
t_expect "RUNNING reached during the checkpoint sample: reported RUNNING" 0 '^KMS_SERVICE OK - MSExchangeKMS is running \(pid [0-9]+, up [0-9]+s\) \| state=4;' check
standin kill MSExchangeKMS

# --- remote host ---
# Windows answers an unreachable host with an RPC error (UNKNOWN); Wine's
# OpenSCManager ignores the machine name and answers for this machine.
t_out=$(check -H nosuchhost.invalid -t 5)
t_status=$?
if [ "$t_status" -le 3 ] && printf '%s\n' "$t_out" | head -n 1 |
	grep -Eq '^KMS_SERVICE (UNKNOWN - cannot open the service manager on nosuchhost.invalid|[A-Z]+ - MSExchangeKMS)'; then
	t_pass "-H: one answer within the timeout, status $t_status"
else
	t_fail "-H: one answer within the timeout" "status $t_status: $(printf '%s\n' "$t_out" | head -n 1)"
fi

svc_cleanup
t_summary
