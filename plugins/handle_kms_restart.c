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

#include "deadline.h"
#include "eventsink.h"
#include "ese.h"
#include "evtfile.h"
#include "evtlog.h"
#include "evtquery.h"
#include "exchsetup.h"
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
    "checkpoint does not move for the service's wait hint, within its own timeout (-t, default\n"
    "170 s: raise Nagios's event_handler_timeout, default 30 s, or lower --start-timeout).\n"
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
	    {"max-restarts", 0, POPT_ARG_STRING, &max_restarts, 0,
	     "At most N restarts per --per (default 3, at most 254)", "N"},
	    {"per", 0, POPT_ARG_STRING, &per, 0, "The budget's period (default 1h)", "DURATION"},
	    {"password-file", 0, POPT_ARG_STRING, &password_file, 0,
	     "Kmspwd.ini ([config] pwd=...) or a file whose first line is the KMS password; ordinary users "
	     "must not be able to read it (required)",
	     "FILE"},
	    {"kmsdata", 0, POPT_ARG_STRING, &kmsdata, 0,
	     "The live Kmsdata folder: refuse when its Kmsmdb.edb is missing or not a sound ESE database "
	     "(default: the Exchange install folder from the registry, HKLM\\" EXCHSETUP_KEY
	     " value " EXCHSETUP_VALUE ", else " EXCHSETUP_FALLBACK ", plus \\kmsdata, as kms_backup)",
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
	     "A START_PENDING older than this (its process's age), or a STOP_PENDING whose checkpoint does "
	     "not move "
	     "for this long (or its wait hint, if longer), is hung: its process is ended (default 180s)",
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
	cfg->max_restarts = option_integer("--max-restarts", max_restarts, 0, LEDGER_MAX_BUDGET);
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
	static char default_kmsdata[1024];
	if (!kmsdata && !exchsetup_kmsdata_dir(default_kmsdata, sizeof default_kmsdata))
		option_fail("--kmsdata",
		            "no default Kmsdata folder on this system: name it (the handler never "
		            "restarts without checking Kmsdata)");
	cfg->kmsdata = kmsdata ? kmsdata : default_kmsdata;
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
	/* A handler at work holds the lock for a few seconds at most, or for its
	 * start: wait for it a little, within the deadline, and say so if not. */
	long wait_ms = deadline_remaining_ms() - 2000;
	wait_ms = wait_ms < 0 ? 0 : wait_ms > 10000 ? 10000 : wait_ms;
	enum lock_result locked =
	    lock_take_within(KMS_HANDLER_LOCK, cfg->state_dir, wait_ms, &lock, err, sizeof err);
	if (locked == LOCK_BUSY)
		finish(STATE_UNKNOWN, true, EV_FAILED,
		       "cannot note the recovery of %s: another handle_kms_restart holds the ledger",
		       cfg->service);
	if (locked == LOCK_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "cannot note the recovery of %s: %s", cfg->service,
		       err);
	static struct ledger l;
	ledger_path(cfg, path, sizeof path);
	bool saved = ledger_load(path, &l, err, sizeof err) != ATOMICFILE_ERROR;
	if (saved) {
		ledger_add(&l, LEDGER_RECOVERED, now, false);
		ledger_prune(&l, now - (int64_t)cfg->per);
		saved = ledger_save(path, &l, err, sizeof err);
	}
	lock_release(lock);
	if (!saved)
		finish(STATE_UNKNOWN, true, EV_FAILED, "cannot note the recovery of %s: %s", cfg->service,
		       err);
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

/* What the handler is about to do, from the service's state. */
struct plan {
	struct svc_status status;
	struct svc_process *hung; /* the hung process, held open since it was judged: ended first */
	double age;               /* of the START_PENDING, when hung */
	bool recheck_database;    /* Kmsmdb.edb could not be read: again once the hung process ends */
	char database_error[300];
	char what[1024]; /* what it does, for --dry-run and the log */
};

/* Kmsdata's database: missing or decoded-but-unsound is corruption (refused);
 * any other read error is "cannot tell" (UNKNOWN), unless a hung service
 * process may hold the file open: then it is read again after its end. */
static void check_database(const struct config *cfg, struct plan *p, bool after_kill)
{
	char path[1024], problem[512], why[1024], ferr[FSYS_ERR_MAX];
	struct fsys_info entry;
	if (!fsys_join(path, sizeof path, cfg->kmsdata, KMS_DB_NAME))
		plugin_exit(STATE_UNKNOWN, "--kmsdata: '%s' is too long", cfg->kmsdata);
	if (!fsys_stat(cfg->kmsdata, &entry, ferr))
		finish(STATE_UNKNOWN, true, EV_REFUSED,
		       "cannot tell whether Kmsdata is sound: %s: not restarting", ferr);
	if (entry.kind != FSYS_DIR)
		finish(
		    STATE_UNKNOWN, true, EV_REFUSED,
		    "--kmsdata: no Kmsdata folder '%s': cannot tell whether Kmsdata is sound: not restarting "
		    "(name the live Kmsdata with --kmsdata)",
		    cfg->kmsdata);
	if (!fsys_lstat(path, &entry, ferr))
		finish(STATE_UNKNOWN, true, EV_REFUSED,
		       "cannot tell whether Kmsdata is sound: %s: not restarting", ferr);
	if (entry.kind == FSYS_MISSING) {
		snprintf(why, sizeof why, "'%s' is missing", path);
		refuse_kmsdata(cfg, why);
	}
	static struct ese_file_check check;
	if (!ese_file_check(path, false, &check)) {
		if (p->hung && !after_kill) {
			p->recheck_database = true;
			snprintf(p->database_error, sizeof p->database_error, "%s", check.error);
			return;
		}
		finish(STATE_UNKNOWN, true, EV_REFUSED,
		       "cannot tell whether Kmsdata is sound: %s: not restarting%s", check.error,
		       after_kill ? " (its hung process was ended)" : "");
	}
	if (!ese_file_header_sound(&check)) {
		ese_file_problem(&check, problem, sizeof problem);
		snprintf(why, sizeof why, "'%s' is not a sound ESE database: %s", path, problem);
		refuse_kmsdata(cfg, why);
	}
}

static void refuse_after_exception_event(const struct config *cfg, const struct ledger *l, int64_t now)
{
	/* Since the service last ran: the handler saw it start, or the core saw
	 * it OK again (a repair and start by hand), whichever is later. */
	int64_t since = 0, recovered = 0;
	bool started_known = ledger_last(l, LEDGER_STARTED, &since);
	bool recovered_known = ledger_last(l, LEDGER_RECOVERED, &recovered);
	const char *since_what = started_known ? ", its last successful start" : "";
	if (recovered_known && (!started_known || recovered > since)) {
		since = recovered;
		since_what = ", when the service was last seen OK";
	}
	if (!started_known && !recovered_known)
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
		         count, count == 1 ? "" : "s", when, since_what);
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

/* Only a service alone in its own process may have that process ended. */
static void refuse_shared_process(const struct config *cfg, const struct svc_status *st,
                                  struct svc_process *process)
{
	if (svc_status_own_process(st))
		return;
	svc_process_close(process);
	finish(STATE_CRITICAL, true, EV_REFUSED,
	       "refused: %s is hung in %s, but its process (pid %lu) is not its own (service type 0x%lx, "
	       "flags 0x%lx): ending it would end other services too: end it by hand",
	       cfg->service, svc_state_name(st->state), st->pid, st->service_type, st->service_flags);
}

/* A STOP_PENDING says nothing by its process's age (that is the uptime):
 * watch its checkpoint for the longer of its wait hint and --hung-after; it
 * is hung only when the checkpoint did not move all that time. */
static void watch_stop_pending(const struct config *cfg, struct svc *s, struct plan *p)
{
	struct svc_error err;
	char limit_text[64];
	double hint = p->status.wait_hint_ms / 1000.0;
	double limit = hint > cfg->hung_after ? hint : cfg->hung_after;
	limit = limit > 600 ? 600 : limit;
	duration_format(limit, limit_text, sizeof limit_text);
	long limit_ms = (long)(limit * 1000), start_ms = (long)(cfg->start_timeout * 1000);
	if (deadline_remaining_ms() - limit_ms - start_ms - 3000 < 0)
		finish(STATE_WARNING, true, EV_REFUSED,
		       "%s is STOP_PENDING: watching its checkpoint for %s (the longer of its wait hint and "
		       "--hung-after) leaves no time for the start within -t: left alone (raise -t or lower "
		       "--hung-after)",
		       cfg->service, limit_text);
	struct svc_process *process = svc_process_open(p->status.pid, &err);
	if (!process)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s is STOP_PENDING: %s", cfg->service, err.text);
	struct svc_status last;
	bool moved;
	long before = deadline_remaining_ms();
	enum svc_wait_result r = svc_wait(s, SVC_STOPPED, limit_ms, &last, &moved, &err);
	long watched = before - deadline_remaining_ms();
	if (r == SVC_WAIT_FAILED) {
		svc_process_close(process);
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err.text);
	}
	if (r == SVC_WAIT_REACHED || r == SVC_WAIT_STOPPED) {
		svc_process_close(process); /* it stopped by itself: just start it */
		p->status = last;
		return;
	}
	if (moved || last.checkpoint != p->status.checkpoint || last.pid != p->status.pid) {
		svc_process_close(process);
		finish(STATE_WARNING, true, EV_REFUSED,
		       "%s is STOP_PENDING and its checkpoint moves (now %lu): left alone", cfg->service,
		       last.checkpoint);
	}
	if (watched < limit_ms - 500) {
		svc_process_close(process);
		finish(STATE_WARNING, true, EV_REFUSED,
		       "%s is STOP_PENDING, its checkpoint %lu unmoved, but watched less than %s: left alone",
		       cfg->service, last.checkpoint, limit_text);
	}
	p->status = last;
	refuse_shared_process(cfg, &last, process);
	p->hung = process;
	snprintf(p->what, sizeof p->what,
	         "end its hung process (pid %lu, STOP_PENDING, checkpoint %lu unmoved for %s), then ",
	         last.pid, last.checkpoint, limit_text);
}

/* A START_PENDING: hung when its process is older than --hung-after. The
 * process is held open from here, so the age and the end are of one process. */
static void judge_start_pending(const struct config *cfg, struct plan *p)
{
	struct svc_error err;
	char age[64], limit[64];
	struct svc_process *process = svc_process_open(p->status.pid, &err);
	if (!process || !svc_process_handle_age(process, &p->age, &err)) {
		svc_process_close(process);
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s is START_PENDING: %s", cfg->service, err.text);
	}
	duration_format(p->age, age, sizeof age);
	duration_format(cfg->hung_after, limit, sizeof limit);
	if (p->age < cfg->hung_after) {
		svc_process_close(process);
		finish(STATE_WARNING, true, EV_REFUSED,
		       "%s is START_PENDING for %s, less than --hung-after %s: left alone", cfg->service, age,
		       limit);
	}
	refuse_shared_process(cfg, &p->status, process);
	p->hung = process;
	snprintf(p->what, sizeof p->what, "end its hung process (pid %lu, START_PENDING for %s), then ",
	         p->status.pid, age);
}

static void plan_restart(const struct config *cfg, struct svc *s, struct plan *p)
{
	struct svc_error err;
	if (!svc_query_status(s, &p->status, &err))
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err.text);
	svc_state state = p->status.state;
	if (state == SVC_RUNNING)
		finish(STATE_OK, false, 0, "%s is RUNNING (pid %lu): nothing to do", cfg->service,
		       p->status.pid);
	if (state == SVC_START_PENDING)
		judge_start_pending(cfg, p);
	else if (state == SVC_STOP_PENDING)
		watch_stop_pending(cfg, s, p);
	else if (state != SVC_STOPPED)
		finish(STATE_WARNING, true, EV_REFUSED, "%s is %s: not restarting a paused service",
		       cfg->service, svc_state_name(state));
}

/* The rest of what it would do, for --dry-run and the log. */
static void plan_describe(const struct config *cfg, struct plan *p)
{
	size_t n = strlen(p->what);
	if (p->recheck_database)
		n += (size_t)snprintf(p->what + n, sizeof p->what - n,
		                      "read Kmsmdb.edb again (now: %s), then ", p->database_error);
	if (n < sizeof p->what)
		snprintf(p->what + n, sizeof p->what - n, "start %s with its startup parameter from '%s'",
		         cfg->service, cfg->password_file);
}

/* Enough of -t left for the wait for RUNNING (and the end of a hung process)? */
static void refuse_without_time(const struct config *cfg, const struct plan *p)
{
	long need = (long)(cfg->start_timeout * 1000) + (p->hung ? 13000 : 0) + 3000;
	long left = deadline_remaining_ms();
	if (left >= need)
		return;
	char start[64], have[64];
	duration_format(cfg->start_timeout, start, sizeof start);
	duration_format(left / 1000.0, have, sizeof have);
	finish(STATE_UNKNOWN, true, EV_REFUSED,
	       "refused: not enough time left: waiting for RUNNING takes up to %s (--start-timeout)%s, "
	       "-t leaves %s: raise -t or lower --start-timeout",
	       start, p->hung ? " after ending the hung process" : "", have);
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

static void end_hung_process(const struct config *cfg, struct svc *s, struct plan *p)
{
	struct svc_error err;
	struct svc_status now;
	/* The state may have changed since the plan: end the process only when
	 * the service is still pending with that very process. */
	if (!svc_query_status(s, &now, &err))
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err.text);
	if (now.state == SVC_RUNNING)
		finish(STATE_OK, true, EV_ACTION,
		       "%s reached RUNNING (pid %lu) meanwhile: nothing ended, nothing to do", cfg->service,
		       now.pid);
	if (now.state != p->status.state || now.pid != p->status.pid)
		finish(STATE_WARNING, true, EV_REFUSED,
		       "%s went from %s (pid %lu) to %s (pid %lu) meanwhile: left alone", cfg->service,
		       svc_state_name(p->status.state), p->status.pid, svc_state_name(now.state), now.pid);
	bool ended = svc_process_end(p->hung, 10000, &err);
	svc_process_close(p->hung);
	p->hung = NULL;
	if (!ended)
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
		if (!ledger_save(path, l, lerr, sizeof lerr))
			finish(STATE_WARNING, true, EV_RESTARTED,
			       "restarted %s with its startup parameter: RUNNING (pid %lu) after %s, but "
			       "cannot note it: %s",
			       cfg->service, last.pid, took, lerr);
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

	struct lock *lock, *service_lock;
	enum lock_result locked = lock_take(KMS_HANDLER_LOCK, cfg.state_dir, &lock, err, sizeof err);
	if (locked == LOCK_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err);
	if (locked == LOCK_BUSY)
		finish(STATE_OK, true, EV_BUSY, "another handle_kms_restart is at work: doing nothing");
	/* Held to the end: kms_backup does not stop the service meanwhile. */
	locked = lock_take(KMS_SERVICE_LOCK, cfg.state_dir, &service_lock, err, sizeof err);
	if (locked == LOCK_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "%s", err);
	if (locked == LOCK_BUSY)
		finish(STATE_OK, true, EV_BUSY, "kms_backup is at work on %s (lock '%s' held): doing nothing",
		       cfg.service, KMS_SERVICE_LOCK);
	static struct ledger ledger;
	ledger_path(&cfg, path, sizeof path);
	if (ledger_load(path, &ledger, err, sizeof err) == ATOMICFILE_ERROR)
		finish(STATE_UNKNOWN, true, EV_FAILED, "--state-dir: %s", err);
	check_budget_and_episode(&cfg, &ledger, now);

	struct svc *s = open_service(&cfg);
	struct plan plan = {0};
	plan_restart(&cfg, s, &plan);
	refuse_beside_perfwiz(&cfg);
	check_database(&cfg, &plan, false);
	refuse_after_exception_event(&cfg, &ledger, now);
	atexit(wipe_password);
	read_password(&cfg, &password);
	plan_describe(&cfg, &plan);
	refuse_without_time(&cfg, &plan);
	if (cfg.dry_run) {
		secret_clear(&password);
		finish(STATE_OK, true, EV_ACTION, "dry run: every check passed; it would %s", plan.what);
	}
	record_restart(&cfg, &ledger, now);
	if (plan.hung)
		end_hung_process(&cfg, s, &plan);
	if (plan.recheck_database)
		check_database(&cfg, &plan, true);
	start_and_wait(&cfg, s, &password, &ledger);
}
