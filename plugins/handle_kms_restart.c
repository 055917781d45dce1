/* handle_kms_restart: the event handler that restarts the Exchange KM service
 * safely: only on CRITICAL (SOFT at one attempt, or HARD when that did not
 * happen), one at a time, within a budget, never beside Performance
 * Optimizer or over an unsound Kmsdata, and always with its password given as
 * a service argument. Every action and refusal also goes to the event log.
 * The rules are restartpolicy's (plugins/lib/service); this file parses the
 * options, gathers what the rules need (the ledger under the locks, the
 * service through svc.h, Kmsdata, Event 5058, Performance Optimizer, the
 * password file), acts, and reports: every outcome goes through finish(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deadline.h"
#include "ese.h"
#include "eventsink.h"
#include "evtfile.h"
#include "evtlog.h"
#include "evtquery.h"
#include "exchsetup.h"
#include "fsys.h"
#include "kms.h"
#include "kmsdata.h"
#include "ledger.h"
#include "lock.h"
#include "options.h"
#include "plugin.h"
#include "proc.h"
#include "range.h"
#include "restartpolicy.h"
#include "secret.h"
#include "svc.h"

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_SOFT_ATTEMPT   "3"
#define DEFAULT_MAX_RESTARTS   "3"
#define DEFAULT_PER            "1h"
#define DEFAULT_HUNG_AFTER     "180s"
#define DEFAULT_START_TIMEOUT  "120s"
#define DEFAULT_EVENT_WINDOW   "24h"
#define DEFAULT_SERVICE        KMS_SERVICE_NAME
#define DEFAULT_BACKUP_PATTERN "*"
#define DEFAULT_EVENT_SOURCE   KMS_SERVICE_NAME
#define DEFAULT_PERFWIZ        "perfwiz.exe"
#define DEFAULT_TIMEOUT        170 /* seconds (-t) */
#define MAX_RESTARTS_TEXT      "254"
_Static_assert(LEDGER_MAX_BUDGET == 254, "--max-restarts' help names the ledger's largest budget");

static const char purpose[] =
    "Event handler that restarts the Exchange Key Management Server service (MSExchangeKMS) with its "
    "startup parameter, the KMS password, read from a protected file and handed to the service as a "
    "service argument (never on a command line). It acts only when it is safe: on CRITICAL, once per "
    "problem, one handler at a time, within a restart budget, not while Performance Optimizer runs, "
    "not over a corrupt Kmsdata (restore it from the offline backup instead).";

static const char notes[] =
    "Arguments: --state, --state-type and --attempt, or the same three as positional arguments\n"
    "(Nagios: $SERVICESTATE$ $SERVICESTATETYPE$ $SERVICEATTEMPT$; Icinga 2: $service.state$\n"
    "$service.state_type$ $service.check_attempt$).\n"
    "\n"
    "When it acts: CRITICAL and SOFT at attempt --soft-attempt; or CRITICAL and HARD when no\n"
    "restart was made since the last recovery within --per (Icinga 2 reports HARD at attempt 1).\n"
    "OK, WARNING and UNKNOWN never restart (an OK, SOFT or HARD, notes the recovery in the\n"
    "ledger).\n"
    "\n"
    "Before it acts, in order: the locks (a second handler does nothing; while kms_backup\n"
    "stops, copies and starts the service, the handler does nothing, and kms_backup does not\n"
    "touch the service while a handler is at work), the budget (--max-restarts per --per, in\n"
    "<state-dir>/kms-restart.ledger), the service state (RUNNING: nothing to do; START_PENDING\n"
    "younger than --hung-after, by its process's age: left alone, older: its own process is\n"
    "terminated, only when the service runs alone in it; STOP_PENDING: its checkpoint is\n"
    "watched for the longer of its wait hint and --hung-after, and its process ended only when\n"
    "the checkpoint did not move), perfwiz.exe (refused), Kmsdata (refused when Kmsmdb.edb\n"
    "is missing or its ESE header invalid, or Event 5058 was logged since the later of the\n"
    "handler's last seen start and the last recovery, or within --event-window when neither\n"
    "is known; UNKNOWN when Kmsdata or Kmsmdb.edb cannot be read, and read again once a hung\n"
    "process is ended), the password file (refused when ordinary users may read it), the time\n"
    "left (UNKNOWN when -t leaves less than --start-timeout). Then it starts the service with\n"
    "the password and waits for RUNNING at most --start-timeout, giving up earlier when the\n"
    "checkpoint does not move for the service's wait hint, within its own timeout (-t, default\n" KMS_TEXT(
        DEFAULT_TIMEOUT) " s: raise Nagios's event_handler_timeout, default 30 s, or lower "
                         "--start-timeout).\n"
                         "\n"
                         "Output: one line. Exit status: 0 restarted, nothing to do, or skipped; 1 budget "
                         "spent, or\n"
                         "a pending start left alone; 2 refused (Performance Optimizer, Kmsdata, password "
                         "file too\n"
                         "open) or the start failed (wrong password: service-specific error 5057; corrupt "
                         "Kmsdata:\n"
                         "5058; no RUNNING in time); 3 bad arguments or a failure to read what it needs.\n"
                         "Every action and refusal is written to the Application event log under the source\n"
                         "handle_kms_restart (and to --log FILE).\n"
                         "\n"
                         "Examples:\n"
                         "  handle_kms_restart --state-dir C:\\kms\\state --password-file "
                         "C:\\kms\\Kmspwd.ini \\\n"
                         "    --kmsdata C:\\exchsrvr\\Kmsdata --backup-dir D:\\KmsBackup CRITICAL SOFT 3\n"
                         "  handle_kms_restart --state=CRITICAL --state-type=HARD --attempt=1 --dry-run -v "
                         "\\\n"
                         "    --state-dir C:\\kms\\state --password-file A:\\Kmspwd.ini\n";

static const struct program_info info = {
    .name = "RESTART",
    .progname = "handle_kms_restart",
    .purpose = purpose,
    .args = "[STATE STATE-TYPE ATTEMPT]",
    .max_positionals = 3,
    .notes = notes,
    .default_timeout = DEFAULT_TIMEOUT,
};

struct config {
	struct restart_event event;     /* what the monitoring core reported */
	struct restart_settings policy; /* what the rules use */
	const char *state_dir, *kmsdata, *backup_dir, *backup_pattern;
	const char *event_file, *event_source, *perfwiz, *log_file;
	bool dry_run;
	struct common_options common;
};

/* The options as given, starting from their defaults. */
static struct {
	char *state, *type, *attempt, *soft_attempt, *max_restarts, *per, *hung_after, *start_timeout,
	    *event_window;
	char *service, *state_dir, *password_file, *kmsdata, *backup_dir, *backup_pattern, *event_file,
	    *event_source, *perfwiz, *log_file;
	int dry_run;
} given = {
    .soft_attempt = DEFAULT_SOFT_ATTEMPT,
    .max_restarts = DEFAULT_MAX_RESTARTS,
    .per = DEFAULT_PER,
    .hung_after = DEFAULT_HUNG_AFTER,
    .start_timeout = DEFAULT_START_TIMEOUT,
    .event_window = DEFAULT_EVENT_WINDOW,
    .service = DEFAULT_SERVICE,
    .backup_pattern = DEFAULT_BACKUP_PATTERN,
    .event_source = DEFAULT_EVENT_SOURCE,
    .perfwiz = DEFAULT_PERFWIZ,
};

static const struct poptOption own[] = {
    {"state", 0, POPT_ARG_STRING, &given.state, 0, "The service's state: OK, WARNING, CRITICAL, UNKNOWN",
     "STATE"},
    {"state-type", 0, POPT_ARG_STRING, &given.type, 0, "SOFT or HARD", "TYPE"},
    {"attempt", 0, POPT_ARG_STRING, &given.attempt, 0, "The check attempt (1, 2, ...)", "N"},
    {"soft-attempt", 0, POPT_ARG_STRING, &given.soft_attempt, 0,
     "Restart on this SOFT attempt (default " DEFAULT_SOFT_ATTEMPT ")", "N"},
    {"service", 0, POPT_ARG_STRING, &given.service, 0, "Service name (default " DEFAULT_SERVICE ")", "NAME"},
    {"state-dir", 0, POPT_ARG_STRING, &given.state_dir, 0,
     "Folder for the restart ledger (required; only administrators should write it)", "DIR"},
    {"max-restarts", 0, POPT_ARG_STRING, &given.max_restarts, 0,
     "At most N restarts per --per (default " DEFAULT_MAX_RESTARTS ", at most " MAX_RESTARTS_TEXT ")", "N"},
    {"per", 0, POPT_ARG_STRING, &given.per, 0, "The budget's period (default " DEFAULT_PER ")", "DURATION"},
    {"password-file", 0, POPT_ARG_STRING, &given.password_file, 0,
     "Kmspwd.ini ([config] pwd=...) or a file whose first line is the KMS password; ordinary users "
     "must not be able to read it (required)",
     "FILE"},
    {"kmsdata", 0, POPT_ARG_STRING, &given.kmsdata, 0,
     "The live Kmsdata folder: refuse when its Kmsmdb.edb is missing or not a sound ESE database "
     "(default: the Exchange install folder from the registry, HKLM\\" EXCHSETUP_KEY " value " EXCHSETUP_VALUE
     ", else " EXCHSETUP_FALLBACK ", plus \\kmsdata, as kms_backup)",
     "DIR"},
    {"backup-dir", 0, POPT_ARG_STRING, &given.backup_dir, 0,
     "Folder of offline Kmsdata backup sets: a refusal names the newest", "DIR"},
    {"backup-pattern", 0, POPT_ARG_STRING, &given.backup_pattern, 0,
     "Glob of the backup set folder names (default " DEFAULT_BACKUP_PATTERN ")", "GLOB"},
    {"event-file", 0, POPT_ARG_STRING, &given.event_file, 0,
     "Look for Event 5058 in this .evt file instead of the live Application log", "FILE"},
    {"event-source", 0, POPT_ARG_STRING, &given.event_source, 0,
     "Source of the KM service's events (default " DEFAULT_EVENT_SOURCE ")", "NAME"},
    {"event-window", 0, POPT_ARG_STRING, &given.event_window, 0,
     "How far back to look for Event 5058 when the handler never saw the service start "
     "(default " DEFAULT_EVENT_WINDOW ")",
     "DURATION"},
    {"hung-after", 0, POPT_ARG_STRING, &given.hung_after, 0,
     "A START_PENDING older than this (its process's age), or a STOP_PENDING whose checkpoint does "
     "not move "
     "for this long (or its wait hint, if longer), is hung: its process is ended (default " DEFAULT_HUNG_AFTER
     ")",
     "DURATION"},
    {"start-timeout", 0, POPT_ARG_STRING, &given.start_timeout, 0,
     "Wait at most this long for RUNNING (default " DEFAULT_START_TIMEOUT ")", "DURATION"},
    {"perfwiz", 0, POPT_ARG_STRING, &given.perfwiz, 0,
     "Image name of Performance Optimizer (default " DEFAULT_PERFWIZ ")", "NAME"},
    {"dry-run", 0, POPT_ARG_NONE, &given.dry_run, 0, "Do every check, change nothing, say what it would do",
     NULL},
    {"log", 0, POPT_ARG_STRING, &given.log_file, 0, "Also append every action and refusal to FILE", "FILE"},
    POPT_TABLEEND};

static void parse_event(const char *state, const char *type, const char *attempt, struct restart_event *ev)
{
	if (!state || !type || !attempt)
		option_fail("--state", "the service state, state type and attempt are all needed "
		                       "(--state --state-type --attempt, or three arguments)");
	ev->state = option_state("--state", state);
	if (strcmp(type, "SOFT") == 0 || strcmp(type, "soft") == 0 || strcmp(type, "0") == 0)
		ev->hard = false;
	else if (strcmp(type, "HARD") == 0 || strcmp(type, "hard") == 0 || strcmp(type, "1") == 0)
		ev->hard = true;
	else
		option_fail("--state-type", "'%s' is not SOFT or HARD", type);
	ev->attempt = option_integer("--attempt", attempt, 1, 1000000);
}

/* The event as three positionals or as --state --state-type --attempt. */
static void parse_event_arguments(struct config *cfg)
{
	const char **pos = cfg->common.positionals;
	bool positional = pos[0] != NULL;
	if (positional && (!pos[1] || !pos[2]))
		option_fail("arguments", "STATE STATE-TYPE ATTEMPT: all three are needed");
	if (positional && (given.state || given.type || given.attempt))
		option_fail("arguments", "give the state as options or as arguments, not both");
	parse_event(positional ? pos[0] : given.state, positional ? pos[1] : given.type,
	            positional ? pos[2] : given.attempt, &cfg->event);
}

static void check_paths_given(void)
{
	const char *required[][2] = {{"--state-dir", given.state_dir},
	                             {"--password-file", given.password_file}};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!required[i][1] || !*required[i][1])
			option_fail(required[i][0], "is required");
	const char *nonempty[][2] = {{"--service", given.service},       {"--kmsdata", given.kmsdata},
	                             {"--backup-dir", given.backup_dir}, {"--event-file", given.event_file},
	                             {"--log", given.log_file},          {"--perfwiz", given.perfwiz}};
	for (size_t i = 0; i < sizeof nonempty / sizeof nonempty[0]; i++)
		if (nonempty[i][1] && !*nonempty[i][1])
			option_fail(nonempty[i][0], "is empty");
}

static void parse(int argc, char **argv, struct config *cfg)
{
	options_parse(argc, argv, &info, own, &cfg->common);
	parse_event_arguments(cfg);
	struct restart_settings *p = &cfg->policy;
	p->soft_attempt = option_integer("--soft-attempt", given.soft_attempt, 1, 1000);
	p->max_restarts = option_integer("--max-restarts", given.max_restarts, 0, LEDGER_MAX_BUDGET);
	p->per = option_duration("--per", given.per);
	p->hung_after = option_duration("--hung-after", given.hung_after);
	p->start_timeout = option_duration("--start-timeout", given.start_timeout);
	p->event_window = option_duration("--event-window", given.event_window);
	check_paths_given();
	p->service = given.service;
	p->password_file = given.password_file;
	p->verbose = cfg->common.verbose > 0;
	static char default_kmsdata[1024];
	if (!given.kmsdata && !exchsetup_kmsdata_dir(default_kmsdata, sizeof default_kmsdata))
		option_fail("--kmsdata",
		            "no default Kmsdata folder on this system: name it (the handler never "
		            "restarts without checking Kmsdata)");
	cfg->state_dir = given.state_dir;
	cfg->kmsdata = given.kmsdata ? given.kmsdata : default_kmsdata;
	cfg->backup_dir = given.backup_dir;
	cfg->backup_pattern = given.backup_pattern;
	cfg->event_file = given.event_file;
	cfg->event_source = given.event_source;
	cfg->perfwiz = given.perfwiz;
	cfg->log_file = given.log_file;
	cfg->dry_run = given.dry_run != 0;
}

/* --- the one report --- */

static struct eventsink *sink;
static struct secret password; /* wiped at every exit (finish, atexit) and right after the start */

static void wipe_password(void)
{
	secret_clear(&password);
}

static void record(plugin_state s, unsigned id, const char *text)
{
	if (id != RESTART_EV_NONE && sink)
		eventsink_write(sink,
		                s == STATE_OK        ? EVENTSINK_INFO
		                : s == STATE_WARNING ? EVENTSINK_WARNING
		                                     : EVENTSINK_ERROR,
		                id, text);
}

/* Every outcome ends here: into the event log (unless a skip or "nothing to
 * do"), then the one line and the exit status. */
static _Noreturn void finish(const struct restart_outcome *o)
{
	secret_clear(&password);
	record(o->state, o->event_id, o->text);
	plugin_exit(o->state, "%s", o->text);
}

static void open_sink(const struct config *cfg)
{
	struct restart_outcome out;
	sink = eventsink_open("handle_kms_restart", cfg->log_file, out.text, sizeof out.text);
	if (!sink) {
		out.state = STATE_UNKNOWN;
		out.event_id = RESTART_EV_NONE; /* there is no event log to write to */
		finish(&out);
	}
}

/* --- gathering: the ledger --- */

/* What one run holds from its gathering to its action. */
struct run {
	int64_t now;
	struct lock *handler_lock, *service_lock; /* held to the exit */
	char ledger_path[1024];
	struct ledger ledger;
	struct svc *svc;
	struct svc_process *hung; /* the process held by the service interface */
	struct restart_service service;
	struct restart_plan plan;
	struct restart_refusals refusals;
};

static bool ledger_path(const struct config *cfg, char *path, size_t cap, struct restart_outcome *out)
{
	if (fsys_join(path, cap, cfg->state_dir, LEDGER_FILE_NAME))
		return false;
	return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "--state-dir: '%s' is too long",
	                           cfg->state_dir);
}

/* An OK (SOFT after a SOFT problem, HARD after a HARD one) is a recovery:
 * note it, so the next problem may restart on HARD. */
static bool note_recovery(const struct config *cfg, int64_t now, struct restart_outcome *out)
{
	if (!restart_is_recovery(&cfg->event) || cfg->dry_run)
		return false;
	struct lock *lock;
	char err[512], path[1024];
	/* A handler at work holds the lock for a few seconds at most, or for its
	 * start: wait for it a little, within the deadline, and say so if not. */
	long wait_ms = deadline_remaining_ms() - RESTART_RECOVERY_MARGIN_MS;
	wait_ms = wait_ms < 0 ? 0 : wait_ms > RESTART_RECOVERY_WAIT_MS ? RESTART_RECOVERY_WAIT_MS : wait_ms;
	enum lock_result locked =
	    lock_take_within(KMS_HANDLER_LOCK, cfg->state_dir, wait_ms, &lock, err, sizeof err);
	if (locked == LOCK_BUSY)
		return restart_outcome_set(
		    out, STATE_UNKNOWN, RESTART_EV_FAILED,
		    "cannot note the recovery of %s: another handle_kms_restart holds the ledger",
		    cfg->policy.service);
	if (locked == LOCK_ERROR)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED,
		                           "cannot note the recovery of %s: %s", cfg->policy.service, err);
	static struct ledger l;
	bool decided = ledger_path(cfg, path, sizeof path, out);
	if (!decided) {
		bool saved = ledger_load(path, &l, err, sizeof err) != ATOMICFILE_ERROR;
		if (saved) {
			ledger_add(&l, LEDGER_RECOVERED, now, false);
			ledger_prune(&l, now - (int64_t)cfg->policy.per);
			saved = ledger_save(path, &l, err, sizeof err);
		}
		if (!saved)
			decided = restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED,
			                              "cannot note the recovery of %s: %s",
			                              cfg->policy.service, err);
	}
	lock_release(lock);
	return decided;
}

/* The skip rules; an OK notes the recovery first. */
static bool decide_on_event(const struct config *cfg, int64_t now, struct restart_outcome *out)
{
	return note_recovery(cfg, now, out) || restart_decide_event(&cfg->policy, &cfg->event, out);
}

/* Held to the end: a second handler does nothing, and kms_backup does not
 * stop the service meanwhile. */
static bool take_locks(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	char err[1024];
	enum lock_result locked =
	    lock_take(KMS_HANDLER_LOCK, cfg->state_dir, &run->handler_lock, err, sizeof err);
	if (locked == LOCK_ERROR)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err);
	if (locked == LOCK_BUSY)
		return restart_outcome_set(out, STATE_OK, RESTART_EV_BUSY,
		                           "another handle_kms_restart is at work: doing nothing");
	locked = lock_take(KMS_SERVICE_LOCK, cfg->state_dir, &run->service_lock, err, sizeof err);
	if (locked == LOCK_ERROR)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err);
	if (locked == LOCK_BUSY)
		return restart_outcome_set(out, STATE_OK, RESTART_EV_BUSY,
		                           "kms_backup is at work on %s (lock '%s' held): doing nothing",
		                           cfg->policy.service, KMS_SERVICE_LOCK);
	return false;
}

/* The locks, then the ledger: the episode and the budget. */
static bool gather_ledger(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	char err[1024];
	if (take_locks(cfg, run, out) || ledger_path(cfg, run->ledger_path, sizeof run->ledger_path, out))
		return true;
	if (ledger_load(run->ledger_path, &run->ledger, err, sizeof err) == ATOMICFILE_ERROR)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "--state-dir: %s", err);
	return restart_decide_ledger(&cfg->policy, &cfg->event, &run->ledger, run->now, out);
}

/* --- gathering: the service, through the policy's interface over svc.h --- */

static struct run *run_of(void *ctx)
{
	return ctx;
}
static bool op_query(void *ctx, struct svc_status *out, struct svc_error *err)
{
	return svc_query_status(run_of(ctx)->svc, out, err);
}
static bool op_own_process(void *ctx, const struct svc_status *st)
{
	(void)ctx;
	return svc_status_own_process(st);
}
static bool op_hold_process(void *ctx, unsigned long pid, struct svc_error *err)
{
	run_of(ctx)->hung = svc_process_open(pid, err);
	return run_of(ctx)->hung != NULL;
}
static bool op_process_age(void *ctx, double *seconds, struct svc_error *err)
{
	return svc_process_handle_age(run_of(ctx)->hung, seconds, err);
}
static bool op_end_process(void *ctx, long timeout_ms, struct svc_error *err)
{
	return svc_process_end(run_of(ctx)->hung, timeout_ms, err);
}
static void op_release_process(void *ctx)
{
	svc_process_close(run_of(ctx)->hung);
	run_of(ctx)->hung = NULL;
}
static bool op_start(void *ctx, struct svc_error *err)
{
	const char *args[1] = {password.value};
	bool ok = svc_start(run_of(ctx)->svc, 1, args, err);
	secret_clear(&password);
	return ok;
}
static enum svc_wait_result op_wait(void *ctx, svc_state want, long timeout_ms, struct svc_status *last,
                                    bool *moved, bool *stalled, struct svc_error *err)
{
	struct svc *s = run_of(ctx)->svc;
	return stalled ? svc_wait_progress(s, want, timeout_ms, last, moved, stalled, err)
	               : svc_wait(s, want, timeout_ms, last, moved, err);
}
static long op_remaining_ms(void *ctx)
{
	(void)ctx;
	return deadline_remaining_ms();
}
static int64_t op_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

/* Open the service; then what to do with it as it is (RUNNING, pending, hung). */
static bool gather_service(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	struct svc_error err;
	run->svc = svc_open(NULL, cfg->policy.service, true, &err);
	if (!run->svc && err.kind == SVC_FAIL_NOT_FOUND)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED,
		                           "%s is not installed: nothing to restart", cfg->policy.service);
	if (!run->svc)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err.text);
	run->service = (struct restart_service){
	    .ctx = run,
	    .query = op_query,
	    .own_process = op_own_process,
	    .hold_process = op_hold_process,
	    .process_age = op_process_age,
	    .end_process = op_end_process,
	    .release_process = op_release_process,
	    .start = op_start,
	    .wait = op_wait,
	    .remaining_ms = op_remaining_ms,
	    .now = op_now,
	    .state_name = svc_state_name,
	    .describe_exit = svc_describe_exit,
	};
	return restart_judge_service(&run->service, &cfg->policy, &run->plan, out);
}

/* --- gathering: what a refusal rests on --- */

/* "restore Kmsdata from the offline backup", naming its newest set. */
static void backup_advice(const void *ctx, char *buf, size_t cap)
{
	const struct config *cfg = ctx;
	int n = snprintf(buf, cap, "restore Kmsdata from the offline backup");
	if (!cfg->backup_dir || n < 0 || (size_t)n >= cap)
		return;
	struct kms_names names;
	char err[512];
	if (!kms_sets_find(cfg->backup_dir, cfg->backup_pattern, &names, err, sizeof err)) {
		snprintf(buf + n, cap - (size_t)n, " (%s)", err);
		return;
	}
	/* The newest set by the rule check_kms_backup and kms_restore use
	 * (kms_sets_newest: ties by name); one dated ahead of the clock is no
	 * backup to point an admin at. */
	struct kms_set *sets = calloc(names.count ? names.count : 1, sizeof *sets);
	bool *future = calloc(names.count ? names.count : 1, sizeof *future);
	if (!sets || !future) {
		free(sets);
		free(future);
		kms_names_free(&names);
		return; /* out of memory: the advice without the set */
	}
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < names.count; i++) {
		kms_set_load(cfg->backup_dir, names.names[i], &sets[i]);
		future[i] = sets[i].listed && kms_set_from_future(&sets[i], now);
	}
	size_t newest = kms_sets_newest(sets, names.count, future);
	if (newest < names.count) {
		char when[32];
		kms_time_iso(sets[newest].time, when, sizeof when);
		snprintf(buf + n, cap - (size_t)n, ": the newest set is '%s' (%s)", sets[newest].path, when);
	} else {
		snprintf(buf + n, cap - (size_t)n, " (no backup set found in '%s')", cfg->backup_dir);
	}
	for (size_t i = 0; i < names.count; i++)
		kms_set_free(&sets[i]);
	free(sets);
	free(future);
	kms_names_free(&names);
}

static void kmsdata_verdict(struct restart_refusals *r, enum restart_kmsdata verdict, const char *fmt, ...)
    KMS_PRINTF(3, 4);
static void kmsdata_verdict(struct restart_refusals *r, enum restart_kmsdata verdict, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->kmsdata_why, sizeof r->kmsdata_why, fmt, ap);
	va_end(ap);
	r->kmsdata = verdict;
}

/* Kmsdata's folder and its database: sound, corrupt (missing, or decoded but
 * unsound), unreadable, or cannot tell. */
static void read_kmsdata(const struct config *cfg, struct restart_refusals *r)
{
	char path[1024], problem[512], ferr[FSYS_ERR_MAX];
	struct fsys_info entry;
	static struct ese_file_check check;
	if (!fsys_join(path, sizeof path, cfg->kmsdata, KMS_DB_NAME))
		kmsdata_verdict(r, RESTART_KMSDATA_UNKNOWN, "--kmsdata: '%s' is too long", cfg->kmsdata);
	else if (!fsys_stat(cfg->kmsdata, &entry, ferr))
		kmsdata_verdict(r, RESTART_KMSDATA_UNKNOWN,
		                "cannot tell whether Kmsdata is sound: %s: not restarting", ferr);
	else if (entry.kind != FSYS_DIR)
		kmsdata_verdict(
		    r, RESTART_KMSDATA_UNKNOWN,
		    "--kmsdata: no Kmsdata folder '%s': cannot tell whether Kmsdata is sound: not "
		    "restarting (name the live Kmsdata with --kmsdata)",
		    cfg->kmsdata);
	else if (!fsys_lstat(path, &entry, ferr))
		kmsdata_verdict(r, RESTART_KMSDATA_UNKNOWN,
		                "cannot tell whether Kmsdata is sound: %s: not restarting", ferr);
	else if (entry.kind == FSYS_MISSING)
		kmsdata_verdict(r, RESTART_KMSDATA_CORRUPT, "'%s' is missing", path);
	else if (!ese_file_check(path, false, &check))
		kmsdata_verdict(r, RESTART_KMSDATA_UNREADABLE, "%s", check.error);
	else if (!ese_file_header_sound(&check)) {
		ese_file_problem(&check, problem, sizeof problem);
		kmsdata_verdict(r, RESTART_KMSDATA_CORRUPT, "'%s' is not a sound ESE database: %s", path,
		                problem);
	} else
		kmsdata_verdict(r, RESTART_KMSDATA_SOUND, "sound");
}

/* Event 5058 since the later of the last start the handler saw and the last recovery. */
static void count_exception_events(const struct config *cfg, const struct run *run,
                                   struct restart_refusals *r)
{
	int64_t since =
	    restart_exception_since(&cfg->policy, &run->ledger, run->now, &r->exception_since_what);
	kms_time_iso(since, r->exception_since, sizeof r->exception_since);
	char *err = r->exception_error;
	size_t cap = sizeof r->exception_error;
	struct evt_source *src = cfg->event_file ? evtfile_open(cfg->event_file, err, cap)
	                                         : evtlog_open(NULL, "Application", err, cap);
	if (!src)
		return;
	r->exception_read =
	    evtquery_count_since(src, cfg->event_source, RESTART_KMS_EXCEPTION,
	                         since < 0 ? 0 : (uint32_t)since, &r->exception_count, err, cap);
	evt_source_close(src);
}

/* Perfwiz, Kmsdata, Event 5058, the password file, the time left: gathered,
 * then judged in that order; --dry-run ends there. */
static bool decide_refusals(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	struct restart_refusals *r = &run->refusals;
	r->perfwiz = cfg->perfwiz;
	r->perfwiz_found =
	    proc_find_by_name(cfg->perfwiz, &r->perfwiz_pid, r->perfwiz_error, sizeof r->perfwiz_error);
	read_kmsdata(cfg, r);
	count_exception_events(cfg, run, r);
	atexit(wipe_password);
	r->password =
	    secret_read_file(cfg->policy.password_file, &password, r->password_why, sizeof r->password_why);
	r->time_left_ms = deadline_remaining_ms();
	r->dry_run = cfg->dry_run;
	r->advice = (struct restart_advice){backup_advice, cfg};
	return restart_decide_refusals(&cfg->policy, r, &run->plan, out);
}

/* --- acting --- */

/* The restart counts against the budget before it is made. */
static bool note_restart(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	char err[1024];
	ledger_add(&run->ledger, LEDGER_RESTART, run->now, !cfg->event.hard);
	ledger_prune(&run->ledger, run->now - (int64_t)cfg->policy.per);
	if (ledger_save(run->ledger_path, &run->ledger, err, sizeof err))
		return false;
	return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED,
	                           "refused: cannot keep the restart budget: %s", err);
}

/* Note the restart, end a hung process (and read Kmsmdb.edb again if it
 * could not be read beside it), start with the password, wait for RUNNING. */
static void act(const struct config *cfg, struct run *run, struct restart_outcome *out)
{
	if (note_restart(cfg, run, out))
		return;
	if (run->plan.hung) {
		if (restart_end_hung(&run->service, &cfg->policy, &run->plan, out))
			return;
		record(STATE_WARNING, RESTART_EV_ACTION, run->plan.what);
	}
	if (run->plan.recheck_database) {
		read_kmsdata(cfg, &run->refusals);
		if (restart_decide_recheck(&run->refusals, out))
			return;
	}
	struct restart_start started;
	char err[1024];
	const char *ledger_error = NULL;
	restart_start_and_wait(&run->service, &cfg->policy, &started);
	if (!started.start_failed && started.result == SVC_WAIT_REACHED) {
		ledger_add(&run->ledger, LEDGER_STARTED, (int64_t)time(NULL), false);
		if (!ledger_save(run->ledger_path, &run->ledger, err, sizeof err))
			ledger_error = err;
	}
	restart_report_start(&run->service, &cfg->policy, &started, ledger_error, &run->refusals.advice, out);
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct run run;
	struct restart_outcome out;
	parse(argc, argv, &cfg);
	run.now = (int64_t)time(NULL);
	open_sink(&cfg);
	if (!decide_on_event(&cfg, run.now, &out)  /* skipped unless CRITICAL; an OK notes the recovery */
	    && !gather_ledger(&cfg, &run, &out)    /* the locks, the budget, the episode */
	    && !gather_service(&cfg, &run, &out)   /* RUNNING, pending, hung: what to do with it */
	    && !decide_refusals(&cfg, &run, &out)) /* perfwiz, Kmsdata, 5058, password, time, dry run */
		act(&cfg, &run, &out);             /* end a hung process, start, wait for RUNNING */
	finish(&out);
}
