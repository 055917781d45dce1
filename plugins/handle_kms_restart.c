/* handle_kms_restart: the event handler that restarts the Exchange KM service
 * safely: only on CRITICAL (SOFT at one attempt, or HARD when that did not
 * happen), one at a time, within a budget, never beside Performance
 * Optimizer or over an unsound Kmsdata, and always with its password given as
 * a service argument. Every action and refusal also goes to the event log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eventsink.h"
#include "ese.h"
#include "evtfile.h"
#include "evtlog.h"
#include "evtquery.h"
#include "fsys.h"
#include "kmsdata.h"
#include "ledger.h"
#include "lock.h"
#include "options.h"
#include "plugin.h"
#include "proc.h"
#include "range.h"
#include "secret.h"
#include "svc.h"

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
    "Before it acts, in order: the lock (a second handler does nothing), the budget\n"
    "(--max-restarts per --per, in <state-dir>/kms-restart.ledger), the service state (RUNNING:\n"
    "nothing to do; START_PENDING or STOP_PENDING younger than --hung-after: left alone, older:\n"
    "its own process is terminated), perfwiz.exe (refused), Kmsdata (refused when Kmsmdb.edb\n"
    "is missing or its ESE header invalid, or Event 5058 was logged since the handler last saw\n"
    "the service start, or within --event-window when it never did), the password file\n"
    "(refused when ordinary users may read it). Then it starts the service with the password\n"
    "and waits for RUNNING at most --start-timeout, giving up earlier when the checkpoint does\n"
    "not move for the service's wait hint, within its own timeout (-t, default 170 s:\n"
    "raise Nagios's event_handler_timeout, default 30 s, or lower --start-timeout).\n"
    "\n"
    "Output: one line. Exit status: 0 restarted, nothing to do, or skipped; 1 budget spent, or\n"
    "a pending start left alone; 2 refused (Performance Optimizer, Kmsdata, password file too\n"
    "open) or the start failed (wrong password: service-specific error 5057; corrupt Kmsdata:\n"
    "5058; no RUNNING in time); 3 bad arguments or a failure to read what it needs.\n"
    "Every action and refusal is written to the Application event log under the source\n"
    "handle_kms_restart (and to --log FILE).\n"
    "\n"
    "Examples:\n"
    "  handle_kms_restart --state-dir C:\\kms\\state --password-file C:\\kms\\Kmspwd.ini \\\n"
    "    --kmsdata C:\\exchsrvr\\Kmsdata --backup-dir D:\\KmsBackup CRITICAL SOFT 3\n"
    "  handle_kms_restart --state=CRITICAL --state-type=HARD --attempt=1 --dry-run -v \\\n"
    "    --state-dir C:\\kms\\state --password-file A:\\Kmspwd.ini\n";

static const struct program_info info = {
    .name = "RESTART",
    .progname = "handle_kms_restart",
    .purpose = purpose,
    .args = "[STATE STATE-TYPE ATTEMPT]",
    .max_positionals = 3,
    .notes = notes,
    .default_timeout = 170,
};

struct config {
	plugin_state state;
	bool hard;
	long attempt, soft_attempt, max_restarts;
	double per, hung_after, start_timeout, event_window;
	const char *service, *state_dir, *password_file, *kmsdata, *backup_dir, *backup_pattern;
	const char *event_file, *event_source, *perfwiz, *log_file;
	bool dry_run;
	struct common_options common;
};

static struct eventsink *sink;
static struct secret password; /* wiped at every exit (atexit) and right after the start */

static void wipe_password(void)
{
	secret_clear(&password);
}

/* The one outcome line, also recorded in the event log (unless skipped). */
static _Noreturn void finish(plugin_state s, bool record, unsigned id, const char *fmt, ...) KMS_PRINTF(4, 5);
static _Noreturn void finish(plugin_state s, bool record, unsigned id, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (record && sink)
		eventsink_write(sink,
		                s == STATE_OK        ? EVENTSINK_INFO
		                : s == STATE_WARNING ? EVENTSINK_WARNING
		                                     : EVENTSINK_ERROR,
		                id, text);
	plugin_exit(s, "%s", text);
}

/* Event ids of the handler's own records. */
enum { EV_RESTARTED = 1, EV_REFUSED = 2, EV_FAILED = 3, EV_ACTION = 4, EV_BUSY = 5, EV_BUDGET = 6 };

static void parse_event(const char *state, const char *type, const char *attempt, struct config *cfg)
{
	if (!state || !type || !attempt)
		option_fail("--state", "the service state, state type and attempt are all needed "
		                       "(--state --state-type --attempt, or three arguments)");
	cfg->state = option_state("--state", state);
	if (strcmp(type, "SOFT") == 0 || strcmp(type, "soft") == 0 || strcmp(type, "0") == 0)
		cfg->hard = false;
	else if (strcmp(type, "HARD") == 0 || strcmp(type, "hard") == 0 || strcmp(type, "1") == 0)
		cfg->hard = true;
	else
		option_fail("--state-type", "'%s' is not SOFT or HARD", type);
	cfg->attempt = option_integer("--attempt", attempt, 1, 1000000);
}

static void parse(int argc, char **argv, struct config *cfg)
{
	static char *state, *type, *attempt, *soft_attempt = "3", *max_restarts = "3", *per = "1h",
	                                     *hung_after = "180s", *start_timeout = "120s",
	                                     *event_window = "24h";
	static char *service = "MSExchangeKMS", *state_dir, *password_file, *kmsdata, *backup_dir,
	            *backup_pattern = "*", *event_file, *event_source = "MSExchangeKMS",
	            *perfwiz = "perfwiz.exe", *log_file;
	static int dry_run;
	const struct poptOption own[] = {
	    {"state", 0, POPT_ARG_STRING, &state, 0, "The service's state: OK, WARNING, CRITICAL, UNKNOWN",
	     "STATE"},
	    {"state-type", 0, POPT_ARG_STRING, &type, 0, "SOFT or HARD", "TYPE"},
	    {"attempt", 0, POPT_ARG_STRING, &attempt, 0, "The check attempt (1, 2, ...)", "N"},
	    {"soft-attempt", 0, POPT_ARG_STRING, &soft_attempt, 0, "Restart on this SOFT attempt (default 3)",
	     "N"},
	    {"service", 0, POPT_ARG_STRING, &service, 0, "Service name (default MSExchangeKMS)", "NAME"},
	    {"state-dir", 0, POPT_ARG_STRING, &state_dir, 0,
	     "Folder for the restart ledger (required; only administrators should write it)", "DIR"},
	    {"max-restarts", 0, POPT_ARG_STRING, &max_restarts, 0, "At most N restarts per --per (default 3)",
	     "N"},
	    {"per", 0, POPT_ARG_STRING, &per, 0, "The budget's period (default 1h)", "DURATION"},
	    {"password-file", 0, POPT_ARG_STRING, &password_file, 0,
	     "Kmspwd.ini ([config] pwd=...) or a file whose first line is the KMS password; ordinary users "
	     "must not be able to read it (required)",
	     "FILE"},
	    {"kmsdata", 0, POPT_ARG_STRING, &kmsdata, 0,
	     "The live Kmsdata folder: refuse when its Kmsmdb.edb is missing or not a sound ESE database",
	     "DIR"},
	    {"backup-dir", 0, POPT_ARG_STRING, &backup_dir, 0,
	     "Folder of offline Kmsdata backup sets: a refusal names the newest", "DIR"},
	    {"backup-pattern", 0, POPT_ARG_STRING, &backup_pattern, 0,
	     "Glob of the backup set folder names (default *)", "GLOB"},
	    {"event-file", 0, POPT_ARG_STRING, &event_file, 0,
	     "Look for Event 5058 in this .evt file instead of the live Application log", "FILE"},
	    {"event-source", 0, POPT_ARG_STRING, &event_source, 0,
	     "Source of the KM service's events (default MSExchangeKMS)", "NAME"},
	    {"event-window", 0, POPT_ARG_STRING, &event_window, 0,
	     "How far back to look for Event 5058 when the handler never saw the service start (default 24h)",
	     "DURATION"},
	    {"hung-after", 0, POPT_ARG_STRING, &hung_after, 0,
	     "A START_PENDING (or STOP_PENDING) older than this is hung: its process is ended (default 180s)",
	     "DURATION"},
	    {"start-timeout", 0, POPT_ARG_STRING, &start_timeout, 0,
	     "Wait at most this long for RUNNING (default 120s)", "DURATION"},
	    {"perfwiz", 0, POPT_ARG_STRING, &perfwiz, 0,
	     "Image name of Performance Optimizer (default perfwiz.exe)", "NAME"},
	    {"dry-run", 0, POPT_ARG_NONE, &dry_run, 0, "Do every check, change nothing, say what it would do",
	     NULL},
	    {"log", 0, POPT_ARG_STRING, &log_file, 0, "Also append every action and refusal to FILE", "FILE"},
	    POPT_TABLEEND};
	options_parse(argc, argv, &info, own, &cfg->common);
	const char **pos = cfg->common.positionals;
	bool positional = pos[0] != NULL;
	if (positional && (!pos[1] || !pos[2]))
		option_fail("arguments", "STATE STATE-TYPE ATTEMPT: all three are needed");
	if (positional && (state || type || attempt))
		option_fail("arguments", "give the state as options or as arguments, not both");
	parse_event(positional ? pos[0] : state, positional ? pos[1] : type, positional ? pos[2] : attempt,
	            cfg);
	cfg->soft_attempt = option_integer("--soft-attempt", soft_attempt, 1, 1000);
	cfg->max_restarts = option_integer("--max-restarts", max_restarts, 0, 1000);
	cfg->per = option_duration("--per", per);
	cfg->hung_after = option_duration("--hung-after", hung_after);
	cfg->start_timeout = option_duration("--start-timeout", start_timeout);
	cfg->event_window = option_duration("--event-window", event_window);
	const char *required[][2] = {{"--state-dir", state_dir}, {"--password-file", password_file}};
	for (int i = 0; i < 2; i++)
		if (!required[i][1] || !*required[i][1])
			option_fail(required[i][0], "is required");
	const char *nonempty[][2] = {{"--service", service},       {"--kmsdata", kmsdata},
	                             {"--backup-dir", backup_dir}, {"--event-file", event_file},
	                             {"--log", log_file},          {"--perfwiz", perfwiz}};
	for (int i = 0; i < 6; i++)
		if (nonempty[i][1] && !*nonempty[i][1])
			option_fail(nonempty[i][0], "is empty");
	cfg->service = service;
	cfg->state_dir = state_dir;
	cfg->password_file = password_file;
	cfg->kmsdata = kmsdata;
	cfg->backup_dir = backup_dir;
	cfg->backup_pattern = backup_pattern;
	cfg->event_file = event_file;
	cfg->event_source = event_source;
	cfg->perfwiz = perfwiz;
	cfg->log_file = log_file;
	cfg->dry_run = dry_run != 0;
}

/* --- when to act --- */

/* Skip (exit) unless the monitoring core's state calls for a restart. */
static void skip_unless_critical(const struct config *cfg)
{
	const char *type = cfg->hard ? "HARD" : "SOFT";
	if (cfg->state != STATE_CRITICAL) {
		if (cfg->common.verbose)
			finish(STATE_OK, false, 0, "skipped: %s is %s %s; only CRITICAL starts a restart",
			       cfg->service, state_name(cfg->state), type);
		finish(STATE_OK, false, 0, "skipped (%s %s)", state_name(cfg->state), type);
	}
	if (!cfg->hard && cfg->attempt != cfg->soft_attempt) {
		if (cfg->common.verbose)
			finish(STATE_OK, false, 0,
			       "skipped: CRITICAL SOFT attempt %ld; the restart is at attempt %ld",
			       cfg->attempt, cfg->soft_attempt);
		finish(STATE_OK, false, 0, "skipped (CRITICAL SOFT attempt %ld)", cfg->attempt);
	}
}

static void ledger_path(const struct config *cfg, char *path, size_t cap)
{
	if (!fsys_join(path, cap, cfg->state_dir, "kms-restart.ledger"))
		plugin_exit(STATE_UNKNOWN, "--state-dir: '%s' is too long", cfg->state_dir);
}

/* An OK (SOFT after a SOFT problem, HARD after a HARD one) is a recovery:
 * note it, so the next problem may restart on HARD. */
static void note_recovery(const struct config *cfg, int64_t now)
{
	if (cfg->state != STATE_OK || cfg->dry_run)
		return;
	struct lock *lock;
	char err[512], path[1024];
	if (lock_take("handle_kms_restart", cfg->state_dir, &lock, err, sizeof err) != LOCK_TAKEN)
		return;
	struct ledger l;
	ledger_path(cfg, path, sizeof path);
	if (ledger_load(path, &l, err, sizeof err) != ATOMICFILE_ERROR) {
		ledger_add(&l, LEDGER_RECOVERED, now, false);
		ledger_prune(&l, now - (int64_t)cfg->per);
		ledger_save(path, &l, err, sizeof err);
	}
	lock_release(lock);
}

static void check_budget_and_episode(const struct config *cfg, const struct ledger *l, int64_t now)
{
	char per[64];
	duration_format(cfg->per, per, sizeof per);
	int64_t since = now - (int64_t)cfg->per;
	if (cfg->hard && ledger_restarted_this_episode(l, since)) {
		if (cfg->common.verbose)
			finish(STATE_OK, false, 0,
			       "skipped: CRITICAL HARD, but this problem was already met by a restart "
			       "(within %s)",
			       per);
		finish(STATE_OK, false, 0, "skipped (CRITICAL HARD after a restart)");
	}
	unsigned used = ledger_restarts_since(l, since);
	if (used >= (unsigned long)cfg->max_restarts)
		finish(STATE_WARNING, true, EV_BUDGET,
		       "restart budget spent: %u restart%s of %s in the last %s (--max-restarts %ld): doing "
		       "nothing",
		       used, used == 1 ? "" : "s", cfg->service, per, cfg->max_restarts);
}

/* --- refusals --- */

static void refuse_beside_perfwiz(const struct config *cfg)
{
	unsigned long pid;
	char err[512];
	enum proc_lookup found = proc_find_by_name(cfg->perfwiz, &pid, err, sizeof err);
	if (found == PROC_ERROR)
		finish(STATE_UNKNOWN, true, EV_REFUSED, "cannot tell whether Performance Optimizer runs: %s",
		       err);
	if (found == PROC_FOUND)
		finish(
		    STATE_CRITICAL, true, EV_REFUSED,
		    "refused: Performance Optimizer (%s, pid %lu) is running and restarts services without "
		    "their startup parameters: let it finish first",
		    cfg->perfwiz, pid);
}

/* "restore Kmsdata from the offline backup", naming its newest set. */
static void backup_advice(const struct config *cfg, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "restore Kmsdata from the offline backup");
	if (!cfg->backup_dir || n < 0 || (size_t)n >= cap)
		return;
	struct kms_names names;
	char err[512];
	if (!kms_sets_find(cfg->backup_dir, cfg->backup_pattern, &names, err, sizeof err)) {
		snprintf(buf + n, cap - (size_t)n, " (%s)", err);
		return;
	}
	struct kms_set set, best;
	bool have = false;
	for (size_t i = 0; i < names.count; i++) {
		kms_set_load(cfg->backup_dir, names.names[i], &set);
		if (set.listed && (!have || set.time > best.time)) {
			if (have)
				kms_set_free(&best);
			best = set;
			have = true;
		} else {
			kms_set_free(&set);
		}
	}
	kms_names_free(&names);
	if (!have) {
		snprintf(buf + n, cap - (size_t)n, " (no backup set found in '%s')", cfg->backup_dir);
		return;
	}
	char when[32];
	kms_time_iso(best.time, when, sizeof when);
	snprintf(buf + n, cap - (size_t)n, ": the newest set is '%s' (%s)", best.path, when);
	kms_set_free(&best);
}

static _Noreturn void refuse_kmsdata(const struct config *cfg, const char *why)
{
	char advice[1024];
	backup_advice(cfg, advice, sizeof advice);
	finish(STATE_CRITICAL, true, EV_REFUSED,
	       "refused: %s: restarting over a corrupt Kmsdata only traps the "
	       "exception again: %s",
	       why, advice);
}

static void refuse_unsound_database(const struct config *cfg)
{
	if (!cfg->kmsdata)
		return;
	char path[1024], problem[512], why[1024];
	if (!fsys_join(path, sizeof path, cfg->kmsdata, KMS_DB_NAME))
		plugin_exit(STATE_UNKNOWN, "--kmsdata: '%s' is too long", cfg->kmsdata);
	static struct ese_file_check check;
	if (!ese_file_check(path, false, &check)) {
		snprintf(why, sizeof why, "Kmsmdb.edb cannot be read: %s", check.error);
		refuse_kmsdata(cfg, why);
	}
	if (!ese_file_header_sound(&check)) {
		ese_file_problem(&check, problem, sizeof problem);
		snprintf(why, sizeof why, "'%s' is not a sound ESE database: %s", path, problem);
		refuse_kmsdata(cfg, why);
	}
}

static void refuse_after_exception_event(const struct config *cfg, const struct ledger *l, int64_t now)
{
	int64_t since;
	bool started_known = ledger_last(l, LEDGER_STARTED, &since);
	if (!started_known)
		since = now - (int64_t)cfg->event_window;
	char err[1024];
	struct evt_source *src = cfg->event_file ? evtfile_open(cfg->event_file, err, sizeof err)
	                                         : evtlog_open(NULL, "Application", err, sizeof err);
	if (!src)
		finish(STATE_UNKNOWN, true, EV_REFUSED, "cannot look for Event 5058: %s", err);
	unsigned long count = 0;
	bool ok = evtquery_count_since(src, cfg->event_source, 5058, since < 0 ? 0 : (uint32_t)since, &count,
	                               err, sizeof err);
	evt_source_close(src);
	if (!ok)
		finish(STATE_UNKNOWN, true, EV_REFUSED, "cannot look for Event 5058: %s", err);
	if (count > 0) {
		char why[256], when[32];
		kms_time_iso(since, when, sizeof when);
		snprintf(why, sizeof why,
		         "Event 5058 (the KM service trapped an exception) was logged %lu time%s since %s%s",
		         count, count == 1 ? "" : "s", when,
		         started_known ? ", its last successful start" : "");
		refuse_kmsdata(cfg, why);
	}
}

static void read_password(const struct config *cfg, struct secret *pw)
{
	char why[1024];
	enum secret_status st = secret_read_file(cfg->password_file, pw, why, sizeof why);
	if (st == SECRET_TOO_OPEN)
		finish(STATE_CRITICAL, true, EV_REFUSED, "refused: --password-file: %s", why);
	if (st != SECRET_OK)
		finish(STATE_UNKNOWN, true, EV_REFUSED, "--password-file: %s", why);
}

/* --- acting --- */

struct plan {
	struct svc_status status;
	bool kill;      /* end the hung process first */
	double age;     /* of the pending state, when kill */
	char what[512]; /* what it does, for --dry-run and the log */
};

static void plan_restart(const struct config *cfg, struct svc *s, struct plan *p)
{
	struct svc_error err;
	if (!svc_query_status(s, &p->status, &err))
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err.text);
	svc_state state = p->status.state;
	if (state == SVC_RUNNING)
		finish(STATE_OK, false, 0, "%s is RUNNING (pid %lu): nothing to do", cfg->service,
		       p->status.pid);
	if (state == SVC_START_PENDING || state == SVC_STOP_PENDING) {
		char age[64], limit[64];
		if (!svc_process_age(p->status.pid, &p->age, &err))
			finish(STATE_UNKNOWN, true, EV_FAILED, "%s is %s: %s", cfg->service,
			       svc_state_name(state), err.text);
		duration_format(p->age, age, sizeof age);
		duration_format(cfg->hung_after, limit, sizeof limit);
		if (p->age < cfg->hung_after)
			finish(STATE_WARNING, true, EV_REFUSED,
			       "%s is %s for %s, less than --hung-after %s: left alone", cfg->service,
			       svc_state_name(state), age, limit);
		p->kill = true;
		snprintf(p->what, sizeof p->what, "end its hung process (pid %lu, %s for %s), then ",
		         p->status.pid, svc_state_name(state), age);
	} else if (state != SVC_STOPPED) {
		finish(STATE_WARNING, true, EV_REFUSED, "%s is %s: not restarting a paused service",
		       cfg->service, svc_state_name(state));
	}
	size_t n = strlen(p->what);
	snprintf(p->what + n, sizeof p->what - n, "start %s with its startup parameter from '%s'",
	         cfg->service, cfg->password_file);
}

static void record_restart(const struct config *cfg, struct ledger *l, int64_t now)
{
	char path[1024], err[1024];
	ledger_add(l, LEDGER_RESTART, now, !cfg->hard);
	ledger_prune(l, now - (int64_t)cfg->per);
	ledger_path(cfg, path, sizeof path);
	if (!ledger_save(path, l, err, sizeof err))
		finish(STATE_UNKNOWN, true, EV_FAILED, "refused: cannot keep the restart budget: %s", err);
}

static void end_hung_process(const struct config *cfg, struct svc *s, const struct plan *p)
{
	struct svc_error err;
	if (!svc_kill_process(p->status.pid, 10000, &err))
		finish(STATE_CRITICAL, true, EV_FAILED, "cannot end the hung %s: %s", cfg->service, err.text);
	eventsink_write(sink, EVENTSINK_WARNING, EV_ACTION, p->what);
	/* The service manager notices the end of the process; Wine may go on
	 * reporting the dead pid, so this wait is short and its result advisory. */
	struct svc_status last;
	bool moved;
	svc_wait(s, SVC_STOPPED, 3000, &last, &moved, &err);
}

static void start_and_wait(const struct config *cfg, struct svc *s, struct secret *pw, struct ledger *l)
{
	struct svc_error err;
	const char *args[1] = {pw->value};
	time_t started = time(NULL);
	bool ok = svc_start(s, 1, args, &err);
	secret_clear(pw);
	if (!ok)
		finish(STATE_CRITICAL, true, EV_FAILED, "restart failed: %s", err.text);
	struct svc_status last;
	bool moved, stalled;
	enum svc_wait_result r = svc_wait_progress(s, SVC_RUNNING, (long)(cfg->start_timeout * 1000), &last,
	                                           &moved, &stalled, &err);
	char took[64], why[512];
	duration_format((double)(time(NULL) - started), took, sizeof took);
	if (r == SVC_WAIT_REACHED) {
		char path[1024], lerr[1024];
		ledger_add(l, LEDGER_STARTED, (int64_t)time(NULL), false);
		ledger_path(cfg, path, sizeof path);
		ledger_save(path, l, lerr, sizeof lerr);
		finish(STATE_OK, true, EV_RESTARTED,
		       "restarted %s with its startup parameter: RUNNING (pid %lu) after %s", cfg->service,
		       last.pid, took);
	}
	if (r == SVC_WAIT_STOPPED) {
		svc_describe_exit(&last, why, sizeof why);
		if (last.win32_exit_code == SVC_SERVICE_SPECIFIC_ERROR && last.service_exit_code == 5058) {
			char advice[1024];
			backup_advice(cfg, advice, sizeof advice);
			finish(STATE_CRITICAL, true, EV_FAILED,
			       "restart failed: %s stopped during its start, %s: %s", cfg->service, why,
			       advice);
		}
		finish(STATE_CRITICAL, true, EV_FAILED, "restart failed: %s stopped during its start, %s",
		       cfg->service, why);
	}
	if (r == SVC_WAIT_FAILED)
		finish(STATE_CRITICAL, true, EV_FAILED, "restart failed: %s", err.text);
	if (stalled) {
		char hint[64];
		duration_format(last.wait_hint_ms < 1000 ? 1 : last.wait_hint_ms / 1000.0, hint, sizeof hint);
		finish(STATE_CRITICAL, true, EV_FAILED,
		       "restart failed: %s is still %s after %s, its checkpoint %lu unmoved for its wait "
		       "hint (%s): "
		       "it hangs in its start",
		       cfg->service, svc_state_name(last.state), took, last.checkpoint, hint);
	}
	finish(STATE_CRITICAL, true, EV_FAILED,
	       "restart failed: %s is still %s after %s (checkpoint %lu, %s)", cfg->service,
	       svc_state_name(last.state), took, last.checkpoint, moved ? "moving" : "not moving");
}

static struct svc *open_service(const struct config *cfg)
{
	struct svc_error err;
	struct svc *s = svc_open(NULL, cfg->service, true, &err);
	if (!s && err.kind == SVC_FAIL_NOT_FOUND)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s is not installed: nothing to restart",
		       cfg->service);
	if (!s)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err.text);
	return s;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[1024], path[1024];
	parse(argc, argv, &cfg);
	int64_t now = (int64_t)time(NULL);
	sink = eventsink_open("handle_kms_restart", cfg.log_file, err, sizeof err);
	if (!sink)
		plugin_exit(STATE_UNKNOWN, "%s", err);
	note_recovery(&cfg, now);
	skip_unless_critical(&cfg);

	struct lock *lock;
	enum lock_result locked = lock_take("handle_kms_restart", cfg.state_dir, &lock, err, sizeof err);
	if (locked == LOCK_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err);
	if (locked == LOCK_BUSY)
		finish(STATE_OK, true, EV_BUSY, "another handle_kms_restart is at work: doing nothing");
	static struct ledger ledger;
	ledger_path(&cfg, path, sizeof path);
	if (ledger_load(path, &ledger, err, sizeof err) == ATOMICFILE_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "--state-dir: %s", err);
	check_budget_and_episode(&cfg, &ledger, now);

	struct svc *s = open_service(&cfg);
	struct plan plan = {0};
	plan_restart(&cfg, s, &plan);
	refuse_beside_perfwiz(&cfg);
	refuse_unsound_database(&cfg);
	refuse_after_exception_event(&cfg, &ledger, now);
	atexit(wipe_password);
	read_password(&cfg, &password);
	if (cfg.dry_run) {
		secret_clear(&password);
		finish(STATE_OK, true, EV_ACTION, "dry run: every check passed; it would %s", plan.what);
	}
	record_restart(&cfg, &ledger, now);
	if (plan.kill)
		end_hung_process(&cfg, s, &plan);
	start_and_wait(&cfg, s, &password, &ledger);
}
