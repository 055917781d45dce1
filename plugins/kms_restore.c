/* kms_restore: article Q190698's remedy for Event 5058, done safely: choose
 * a sound offline backup set (as check_kms_backup judges), say what it
 * loses, stop the KM service, copy the set into a hidden sibling of Kmsdata
 * and verify it, move the damaged Kmsdata aside and the copy in (two
 * renames), start the service with its password, note the recovery. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backupsvc.h"
#include "deadline.h"
#include "exchsetup.h"
#include "kms.h"
#include "kmscopy.h"
#include "kmsrestore.h"
#include "ledger.h"
#include "lock.h"
#include "options.h"
#include "perfdata.h"
#include "plugin.h"

#define EV_RESTORED 201
#define EV_REFUSED  202
#define EV_FAILED   203

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_SERVICE     KMS_SERVICE_NAME
#define DEFAULT_TIMEOUT     600   /* seconds (-t) */
#define LEDGER_LOCK_WAIT_MS 10000 /* for a handler at work on its ledger */

struct config {
	const char *kmsdata;
	const char *backup_dir;
	const char *set_name; /* NULL: the newest sound set */
	const char *password_file;
	const char *service; /* NULL: --no-service */
	const char *state_dir;
	const char *log_file;
	bool list, dry_run, yes;
	double stop_timeout, start_timeout;
	struct common_options common;
};

/* The options as given, starting from their defaults (service: NULL when
 * not given, DEFAULT_SERVICE then; --no-service contradicts a given one). */
static struct {
	char *kmsdata, *backup_dir, *set, *password_file, *service, *state_dir, *log_file, *stop_timeout,
	    *start_timeout;
	int no_service, list, dry_run, yes;
} given = {
    .stop_timeout = BACKUPSVC_STOP_TIMEOUT_DEFAULT,
    .start_timeout = BACKUPSVC_START_TIMEOUT_DEFAULT,
};

static const struct poptOption own_options[] = {
    {"kmsdata", 'k', POPT_ARG_STRING, &given.kmsdata, 0,
     "The live (damaged) Kmsdata folder (default on Windows: the Exchange install folder from the "
     "registry, HKLM\\" EXCHSETUP_KEY " value " EXCHSETUP_VALUE ", else " EXCHSETUP_FALLBACK
     ", plus \\kmsdata; required elsewhere)",
     "DIR"},
    {"backup-dir", 'd', POPT_ARG_STRING, &given.backup_dir, 0,
     "Folder holding the backup sets, as kms_backup writes them (required)", "DIR"},
    {"set", 'S', POPT_ARG_STRING, &given.set, 0,
     "The set to restore, a subfolder name of --backup-dir (default: the newest sound set)", "NAME"},
    {"list", 'l', POPT_ARG_NONE, &given.list, 0,
     "List every set, newest first, with its age, files, database state and soundness, marking the "
     "one that would be restored; change nothing",
     NULL},
    {"password-file", 'f', POPT_ARG_STRING, &given.password_file, 0,
     "File holding the KMS password, the service's startup parameter (Kmspwd.ini or the password alone "
     "on the first line); refused when others may read it (required unless --no-service)",
     "FILE"},
    {"service", 's', POPT_ARG_STRING, &given.service, 0,
     "The KM service's name (default " DEFAULT_SERVICE ")", "NAME"},
    {"no-service", '\0', POPT_ARG_NONE, &given.no_service, 0,
     "Do not stop or start any service: the KM service is stopped some other way (the lock is then "
     "taken in --state-dir, else beside Kmsdata)",
     NULL},
    {"state-dir", '\0', POPT_ARG_STRING, &given.state_dir, 0,
     "handle_kms_restart's --state-dir: its ledger notes the restore as a recovery, so the Event 5058 "
     "before it no longer holds back a restart (default: the ledger is not told)",
     "DIR"},
    {"log-file", '\0', POPT_ARG_STRING, &given.log_file, 0,
     "Also append each event-log record to FILE (Windows)", "FILE"},
    {"stop-timeout", '\0', POPT_ARG_STRING, &given.stop_timeout, 0,
     "Wait at most DURATION for the service to stop (default " BACKUPSVC_STOP_TIMEOUT_DEFAULT ")",
     "DURATION"},
    {"start-timeout", '\0', POPT_ARG_STRING, &given.start_timeout, 0,
     "Wait at most DURATION for the service to run (default " BACKUPSVC_START_TIMEOUT_DEFAULT
     "; less when its checkpoint stalls "
     "for its wait hint)",
     "DURATION"},
    {"dry-run", '\0', POPT_ARG_NONE, &given.dry_run, 0,
     "Choose and check the set, say what would be done and lost, change nothing", NULL},
    {"yes", 'y', POPT_ARG_NONE, &given.yes, 0,
     "Do it: without --yes (or --dry-run) nothing is done, so a scheduled task never restores", NULL},
    POPT_TABLEEND};

static const struct program_info info = {
    .name = "RESTORE",
    .progname = "kms_restore",
    .purpose =
        "Restores the Exchange Key Management Server's Kmsdata folder from an offline backup set, the "
        "only remedy article Q190698 gives for Event 5058. It chooses the set as check_kms_backup "
        "judges sets (the newest sound one unless --set names one; every page checksum is verified), "
        "says which keys the set lacks, takes the service lock (handle_kms_restart and kms_backup do "
        "nothing meanwhile), stops the KM service and waits, copies the set into a hidden folder beside "
        "Kmsdata and verifies it (every file, the manifest, the database in clean shutdown state), "
        "moves the damaged Kmsdata aside whole (Kmsdata.damaged-YYYYMMDDTHHMMSSZ, never deleted) and "
        "renames the copy into its place: none of the damaged folder's *.log or edb.chk comes back. "
        "Then it starts the service with its password and waits for RUNNING, and records the restore "
        "(event log source kms_restore, ids 201/202/203; the handler's ledger, as a recovery).",
    .default_timeout = DEFAULT_TIMEOUT,
    .notes = "States:\n"
             "  OK        restored and the service RUNNING (--no-service: restored); a dry run\n"
             "            or --list that found a set to restore\n"
             "  WARNING   restored and RUNNING, but the ledger or event log could not be written\n"
             "  CRITICAL  the restore was tried and failed (the damaged Kmsdata is back in place),\n"
             "            the service did not stop, or it did not start on the restored Kmsdata\n"
             "            (the restored folder stays: the text says what to do)\n"
             "  UNKNOWN   refused, nothing changed: bad options, no --yes, no sound set, a set\n"
             "            that is not sound or dated in the future, Kmsdata not a folder, the\n"
             "            lock held by handle_kms_restart or kms_backup; timeout\n"
             "A kill at any point leaves the old Kmsdata in place or the restored one complete:\n"
             "killed between its two renames, Kmsdata is missing and the verified copy waits\n"
             "beside it (.<Kmsdata>.restore-<time>.ready); the next run with --yes renames it in\n"
             "and goes on. Hidden copies a killed run left beside a Kmsdata are removed.\n"
             "The timeout (-t, default " KMS_TEXT(
                 DEFAULT_TIMEOUT) " s) covers the whole run; the copy stops early to keep\n"
                                  "--start-timeout for starting the service.\n"
                                  "\n"
                                  "Examples:\n"
                                  "  kms_restore -d D:\\KmsBackup --list\n"
                                  "  kms_restore -d D:\\KmsBackup -f C:\\kms\\state\\Kmspwd.ini --state-dir "
                                  "C:\\kms\\state\n"
                                  "              --dry-run                      (then the same with --yes)\n"
                                  "  kms_restore -k /mnt/kmsdata -d /srv/kmsbackup --set "
                                  "kmsdata-20261120T030000Z --no-service "
                                  "--yes\n",
};

static struct backupsvc *service; /* closed at exit: the password wiped, the lock freed */
static struct lock *offline_lock;
static const struct config *current;
static bool record_events;
static const struct kms_tree *copied; /* the set's listing, once copied: perfdata */
static long run_began_ms;

static void report_copy_perf(struct report *r)
{
	if (!copied)
		return;
	double seconds = (double)(run_began_ms - deadline_remaining_ms()) / MS_PER_SECOND;
	struct perfdata perf[] = {
	    {.label = "duration", .value = seconds > 0 ? seconds : 0, .uom = "s", .has_min = true},
	    {.label = "files", .value = (double)copied->files, .uom = "", .has_min = true},
	    {.label = "bytes", .value = (double)copied->bytes, .uom = "B", .has_min = true},
	};
	for (size_t i = 0; i < sizeof perf / sizeof perf[0]; i++)
		report_perf(r, &perf[i]);
}

static void close_service(void)
{
	backupsvc_close(service);
	service = NULL;
	lock_release(offline_lock);
	offline_lock = NULL;
}

/* Print the one result line, record it as event `id` (0: none), exit. */
static _Noreturn void finish(plugin_state state, unsigned id, struct report *r, const char *fmt, ...)
    KMS_PRINTF(4, 5);
static _Noreturn void finish(plugin_state state, unsigned id, struct report *r, const char *fmt, ...)
{
	char text[2048], line[2304], err[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	report_raise(r, state);
	if (id != 0 && record_events) {
		plugin_format_line(line, sizeof line, r->state, text);
		line[strcspn(line, "\n")] = '\0';
		enum eventsink_level level = id == EV_RESTORED  ? EVENTSINK_INFO
		                             : id == EV_REFUSED ? EVENTSINK_WARNING
		                                                : EVENTSINK_ERROR;
		if (!backupsvc_record("kms_restore", current->log_file, level, id, line, err, sizeof err)) {
			report_raise(r, STATE_WARNING);
			report_detail(r, "event %u not recorded: %s", id, err);
		}
	}
	report_summary(r, "%s", text);
	report_copy_perf(r);
	report_exit(r);
}

static void parse(int argc, char **argv, struct config *cfg)
{
	static char default_kmsdata[FSYS_PATH_MAX];
	options_parse(argc, argv, &info, own_options, &cfg->common);
	if (!given.backup_dir || !*given.backup_dir)
		option_fail("--backup-dir", "is required: the folder holding the backup sets");
	cfg->backup_dir = given.backup_dir;
	cfg->set_name = given.set;
	cfg->list = given.list != 0;
	cfg->dry_run = given.dry_run != 0;
	cfg->yes = given.yes != 0;
	if (cfg->dry_run && cfg->yes)
		option_fail("--dry-run", "and --yes contradict each other");
	if (given.kmsdata && !*given.kmsdata)
		option_fail("--kmsdata", "is empty");
	cfg->kmsdata = given.kmsdata;
	if (!cfg->kmsdata && exchsetup_kmsdata_dir(default_kmsdata, sizeof default_kmsdata))
		cfg->kmsdata = default_kmsdata;
	if (!cfg->kmsdata && !cfg->list)
		option_fail("--kmsdata", "is required on this system: the live Kmsdata folder");
	cfg->service = given.no_service ? NULL : given.service ? given.service : DEFAULT_SERVICE;
	if (cfg->service && !*cfg->service)
		option_fail("--service", "is empty");
	if (given.no_service && given.service)
		option_fail("--no-service", "and --service '%s' contradict each other", given.service);
	cfg->password_file = given.password_file;
	if (cfg->service && !cfg->list && (!cfg->password_file || !*cfg->password_file))
		option_fail("--password-file", "is required to start the service (or --no-service)");
	cfg->state_dir = given.state_dir && *given.state_dir ? given.state_dir : NULL;
	cfg->log_file = given.log_file && *given.log_file ? given.log_file : NULL;
	cfg->stop_timeout = option_duration("--stop-timeout", given.stop_timeout);
	cfg->start_timeout = option_duration("--start-timeout", given.start_timeout);
	if (cfg->service &&
	    cfg->stop_timeout + cfg->start_timeout + BACKUPSVC_COPY_MIN_SECONDS > cfg->common.timeout)
		option_fail("--timeout",
		            "%u s leaves no time to copy after --stop-timeout and --start-timeout",
		            cfg->common.timeout);
}

/* ---- choosing ---- */

static void describe_set(const struct kmsrestore_set *item, int64_t now, char *buf, size_t cap)
{
	char age[64], state[32];
	duration_format(item->set.time < now ? (double)(now - item->set.time) : 0, age, sizeof age);
	const char *db = !item->facts.db_found ? "none"
	                 : item->facts.db.header != ESE_HEADER_OK
	                     ? "header unreadable"
	                     : ese_state_name(item->facts.db.info.db_state, state, sizeof state);
	snprintf(buf, cap, "%s: %s old, %zu file%s, database %s%s, %s%s", item->set.name, age,
	         item->set.tree.files, item->set.tree.files == 1 ? "" : "s", db,
	         item->set.time_from_manifest ? "" : " (no manifest)",
	         item->future  ? "dated in the future"
	         : item->sound ? "sound"
	                       : "NOT sound: ",
	         item->future || item->sound ? "" : item->first_problem);
}

static size_t find_named(const struct config *cfg, const struct kmsrestore_sets *sets, struct report *r)
{
	char why[FSYS_PATH_MAX + 128], path[FSYS_PATH_MAX], err[FSYS_ERR_MAX];
	if (!kmsrestore_set_name_ok(cfg->set_name, why, sizeof why))
		finish(STATE_UNKNOWN, EV_REFUSED, r, "--set: %s: nothing was changed", why);
	for (size_t i = 0; i < sets->count; i++)
		if (strcmp(sets->items[i].set.name, cfg->set_name) == 0)
			return i;
	struct fsys_info st = {.kind = FSYS_MISSING};
	if (fsys_join(path, sizeof path, cfg->backup_dir, cfg->set_name))
		fsys_lstat(path, &st, err);
	finish(STATE_UNKNOWN, EV_REFUSED, r, "--set: '%s' %s: nothing was changed", path,
	       st.kind == FSYS_LINK   ? "is a link, not a set folder"
	       : st.kind == FSYS_DIR  ? "is not a set check_kms_backup would see"
	       : st.kind == FSYS_FILE ? "is a file, not a set folder"
	                              : "does not exist in --backup-dir");
}

/* The set to restore, judged; refusals exit. */
static const struct kmsrestore_set *choose(const struct config *cfg, const struct kmsrestore_sets *sets,
                                           struct report *r)
{
	char why[KMSRESTORE_TEXT_MAX * 2];
	size_t pick = cfg->set_name ? find_named(cfg, sets, r) : kmsrestore_choose(sets, why, sizeof why);
	if (pick == sets->count)
		finish(STATE_UNKNOWN, EV_REFUSED, r, "refused: %s in %s: nothing was changed", why,
		       cfg->backup_dir);
	const struct kmsrestore_set *item = &sets->items[pick];
	struct fsys_info st;
	char err[FSYS_ERR_MAX];
	if (fsys_lstat(item->set.path, &st, err) && st.kind == FSYS_LINK)
		finish(STATE_UNKNOWN, EV_REFUSED, r,
		       "--set: '%s' is a link, not a set folder: nothing was changed", item->set.path);
	if (item->future)
		finish(STATE_UNKNOWN, EV_REFUSED, r,
		       "refused: set %s is dated in the future (clock skew?): nothing was changed",
		       item->set.name);
	if (!item->sound)
		finish(STATE_UNKNOWN, EV_REFUSED, r, "refused: set %s is not sound: %s: nothing was changed",
		       item->set.name, item->first_problem);
	return item;
}

static _Noreturn void list_sets(const struct config *cfg, const struct kmsrestore_sets *sets,
                                struct report *r, int64_t now)
{
	char why[KMSRESTORE_TEXT_MAX * 2], line[FSYS_PATH_MAX + KMSRESTORE_TEXT_MAX + 512];
	size_t pick = kmsrestore_choose(sets, why, sizeof why);
	if (cfg->set_name) {
		pick = sets->count;
		for (size_t i = 0; i < sets->count; i++)
			if (strcmp(sets->items[i].set.name, cfg->set_name) == 0)
				pick = i;
	}
	for (size_t k = 0; k < sets->count; k++) {
		describe_set(&sets->items[sets->order[k]], now, line, sizeof line);
		report_detail(r, "%s %s", sets->order[k] == pick ? "*" : " ", line);
	}
	if (pick == sets->count)
		finish(STATE_UNKNOWN, 0, r, "%zu set%s in %s, none to restore: %s", sets->count,
		       sets->count == 1 ? "" : "s", cfg->backup_dir,
		       cfg->set_name ? "--set names none of them" : why);
	finish(STATE_OK, 0, r, "%zu set%s in %s, would restore %s (marked *)", sets->count,
	       sets->count == 1 ? "" : "s", cfg->backup_dir, sets->items[pick].set.name);
}

/* "set X (7d 4h old; keys enrolled after T are not in it)". */
static void what_is_lost(const struct kmsrestore_set *item, int64_t now, char *buf, size_t cap)
{
	char age[64], when[32];
	duration_format(item->set.time < now ? (double)(now - item->set.time) : 0, age, sizeof age);
	kmsrestore_time_text(item->set.time, when, sizeof when);
	snprintf(buf, cap, "set %s: keys enrolled after %s (%s ago) are not in this set", item->set.name,
	         when, age);
}

/* ---- Kmsdata and the lock ---- */

/* Kmsdata must be a folder; a missing one is only taken when a killed
 * restore left its verified copy ready beside it (then *resume). */
static void check_kmsdata(const struct kmsrestore_plan *plan, struct kmsrestore_leftovers *left,
                          struct report *r)
{
	char err[FSYS_PATH_MAX * 2 + 128];
	struct fsys_info st;
	if (!fsys_lstat(plan->kmsdata, &st, err))
		finish(STATE_UNKNOWN, EV_REFUSED, r, "--kmsdata: cannot look at '%s': %s", plan->kmsdata,
		       err);
	if (st.kind != FSYS_DIR && st.kind != FSYS_MISSING)
		finish(STATE_UNKNOWN, EV_REFUSED, r,
		       "refused: --kmsdata '%s' is %s, not a folder: nothing was changed", plan->kmsdata,
		       st.kind == FSYS_LINK   ? "a link"
		       : st.kind == FSYS_FILE ? "a file"
		                              : "special");
	if (!kmsrestore_leftovers_find(plan, left, err, sizeof err))
		finish(STATE_UNKNOWN, EV_REFUSED, r, "--kmsdata: %s", err);
	if (left->kmsdata_missing && left->ready != 1)
		finish(STATE_UNKNOWN, EV_REFUSED, r,
		       "refused: --kmsdata '%s' does not exist%s: nothing was changed", plan->kmsdata,
		       left->ready > 1
		           ? " and more than one restored copy waits beside it: rename one in by hand"
		           : "");
	if (fsys_lstat(plan->damaged, &st, err) && st.kind != FSYS_MISSING)
		finish(
		    STATE_UNKNOWN, EV_REFUSED, r,
		    "refused: '%s' exists already (a restore in this very second?): nothing was changed, run "
		    "again",
		    plan->damaged);
}

/* The service lock shared with handle_kms_restart and kms_backup; with
 * the service, also the password and the right to stop and start it. */
static void take_lock(const struct config *cfg, const struct kmsrestore_plan *plan, struct report *r)
{
	char err[1024];
	atexit(close_service);
	if (cfg->service) {
		service = backupsvc_open(cfg->service, cfg->password_file, err, sizeof err);
		if (!service)
			finish(STATE_UNKNOWN, EV_REFUSED, r, "refused: %s: nothing was changed", err);
		return;
	}
	const char *dir = cfg->state_dir ? cfg->state_dir : plan->parent;
	enum lock_result got = lock_take(KMS_SERVICE_LOCK, dir, &offline_lock, err, sizeof err);
	if (got == LOCK_BUSY)
		finish(STATE_UNKNOWN, EV_REFUSED, r,
		       "refused: handle_kms_restart, kms_backup or another kms_restore is at work (lock '%s' "
		       "held): nothing was changed",
		       KMS_SERVICE_LOCK);
	if (got != LOCK_TAKEN)
		finish(STATE_UNKNOWN, EV_REFUSED, r, "refused: %s: nothing was changed", err);
}

/* ---- acting ---- */

/* Tell handle_kms_restart's ledger: the 5058 before now is answered. */
static void note_recovery(const struct config *cfg, struct report *r)
{
	char err[1024], path[FSYS_PATH_MAX];
	if (!cfg->state_dir) {
		report_detail(r, "no --state-dir: handle_kms_restart's ledger was not told of the restore");
		return;
	}
	struct lock *lock;
	enum lock_result got =
	    lock_take_within(KMS_HANDLER_LOCK, cfg->state_dir, LEDGER_LOCK_WAIT_MS, &lock, err, sizeof err);
	static struct ledger l;
	bool ok = got == LOCK_TAKEN && fsys_join(path, sizeof path, cfg->state_dir, LEDGER_FILE_NAME) &&
	          ledger_load(path, &l, err, sizeof err) != ATOMICFILE_ERROR;
	if (ok) {
		ledger_add(&l, LEDGER_RECOVERED, (int64_t)time(NULL), false);
		ok = ledger_save(path, &l, err, sizeof err);
	}
	if (got == LOCK_TAKEN)
		lock_release(lock);
	if (got == LOCK_BUSY)
		snprintf(err, sizeof err, "another handle_kms_restart holds the ledger");
	if (ok) {
		report_detail(r, "handle_kms_restart's ledger notes the restore as a recovery");
	} else {
		report_raise(r, STATE_WARNING);
		report_detail(r, "the restore is not in handle_kms_restart's ledger: %s", err);
	}
}

/* Start the service again only if it ran before (nothing was restored). */
static void start_as_before(const struct config *cfg, bool was_running, struct report *r)
{
	char err[1024];
	if (!was_running)
		report_detail(r, "service %s was not running before: left stopped", cfg->service);
	else if (!backupsvc_start_watched(service, (long)(cfg->start_timeout * MS_PER_SECOND), err,
	                                  sizeof err))
		report_detail(r, "service %s did not start again on the old Kmsdata: %s", cfg->service, err);
	else
		report_detail(r, "service %s started again on the old Kmsdata", cfg->service);
}

static void stop_service(const struct config *cfg, bool *was_running, struct report *r)
{
	char err[1024], state[32];
	*was_running = false;
	if (cfg->service && !backupsvc_stop(service, (long)(cfg->stop_timeout * MS_PER_SECOND), was_running,
	                                    state, sizeof state, err, sizeof err))
		finish(STATE_CRITICAL, EV_REFUSED, r,
		       "refused: service %s did not stop: %s: nothing was changed", cfg->service, err);
	kmsrestore_step("stopped"); /* with --no-service too: the step before any copy */
}

/* Copy, verify, swap; every failure leaves the old Kmsdata in place. */
static void put_set_in_place(const struct config *cfg, const struct kms_set *set,
                             const struct kmsrestore_plan *plan, bool was_running, struct report *r)
{
	char err[FSYS_PATH_MAX * 4 + 512], left[FSYS_PATH_MAX + FSYS_ERR_MAX + 64];
	if (!kmsrestore_leftovers_remove(plan, left, sizeof left))
		report_detail(r, "a hidden copy a killed restore left could not be removed: %s", left);
	long reserve = cfg->service ? (long)(cfg->start_timeout * MS_PER_SECOND) + BACKUPSVC_START_MARGIN_MS
	                            : BACKUPSVC_REPORT_RESERVE_MS;
	if (!kmsrestore_prepare(set, plan, reserve, err, sizeof err)) {
		if (cfg->service)
			start_as_before(cfg, was_running, r);
		finish(STATE_CRITICAL, EV_FAILED, r, "restore failed: %s: Kmsdata '%s' is as it was", err,
		       plan->kmsdata);
	}
	copied = &set->tree;
	kmsrestore_step("ready");
	enum kmsrestore_swap swap = kmsrestore_swap(plan, plan->ready, err, sizeof err);
	if (swap == KMSRESTORE_SWAPPED) {
		kmsrestore_step("swapped");
		return;
	}
	if (swap == KMSRESTORE_STUCK)
		finish(
		    STATE_CRITICAL, EV_FAILED, r,
		    "restore failed and could not be undone: %s: rename one of them to '%s' by hand before "
		    "starting %s",
		    err, plan->kmsdata, cfg->service ? cfg->service : "the service");
	kmscopy_remove_tree(plan->ready, left, sizeof left);
	if (cfg->service)
		start_as_before(cfg, was_running, r);
	finish(STATE_CRITICAL, EV_FAILED, r, "restore failed: %s: Kmsdata '%s' is as it was%s", err,
	       plan->kmsdata, swap == KMSRESTORE_ROLLED_BACK ? " (moved back)" : "");
}

/* A kill between the two renames: the verified copy goes in now. */
static void finish_interrupted(const struct kmsrestore_leftovers *left, const struct kmsrestore_plan *plan,
                               struct report *r)
{
	char why[FSYS_ERR_MAX];
	if (!fsys_rename(left->first_ready, plan->kmsdata, why))
		finish(STATE_CRITICAL, EV_FAILED, r,
		       "cannot finish the interrupted restore: rename '%s' to '%s': %s: Kmsdata is missing",
		       left->first_ready, plan->kmsdata, why);
	report_detail(r, "finished a restore killed between its renames: the verified copy %s is Kmsdata",
	              left->first_ready);
}

static _Noreturn void start_restored(const struct config *cfg, const char *what, struct report *r)
{
	char err[1024];
	if (!cfg->service)
		finish(STATE_OK, EV_RESTORED, r, "%s; start the KM service with its password", what);
	if (!backupsvc_start_watched(service, (long)(cfg->start_timeout * MS_PER_SECOND), err, sizeof err))
		finish(
		    STATE_CRITICAL, EV_FAILED, r,
		    "%s, but service %s did not start: %s: the restored Kmsdata stays in place (the damaged "
		    "one beside it); check the password file and start %s with its password",
		    what, cfg->service, err, cfg->service);
	finish(r->state, EV_RESTORED, r, "%s, service %s RUNNING with its password", what, cfg->service);
}

static _Noreturn void dry_run(const struct config *cfg, const struct kmsrestore_plan *plan,
                              const struct kmsrestore_leftovers *left, const char *lost, struct report *r)
{
	char first[FSYS_PATH_MAX + 64] = "";
	if (cfg->service)
		snprintf(first, sizeof first, "stop %s, ", cfg->service);
	const char *then = cfg->service ? ", then start it with its password" : "";
	if (!lost)
		finish(STATE_OK, 0, r,
		       "dry run: would %sfinish the restore killed between its renames: rename %s to %s%s",
		       first, left->first_ready, plan->kmsdata, then);
	if (left->copies > 0)
		report_detail(r, "would remove %zu hidden cop%s a killed restore left (first: %s)",
		              left->copies, left->copies == 1 ? "y" : "ies", left->first_copy);
	finish(STATE_OK, 0, r, "dry run: would %srestore %s from %s, move the damaged folder to %s%s", first,
	       plan->kmsdata, lost, plan->damaged, then);
}

/* What the run restores: the set chosen, or (chosen NULL) the copy an
 * interrupted restore left; the text of the result. */
struct choice {
	struct kmsrestore_sets sets;
	struct kmsrestore_plan plan;
	struct kmsrestore_leftovers left;
	const struct kmsrestore_set *chosen;
	char lost[FSYS_PATH_MAX + 256], what[FSYS_PATH_MAX * 4 + 256];
};

/* Plan the swap beside Kmsdata, then choose the set (unless an interrupted
 * restore is to be finished); refuses, nothing changed, when it cannot. */
static void decide(const struct config *cfg, int64_t now, struct choice *c, struct report *r)
{
	char err[FSYS_PATH_MAX * 2 + 256];
	if (!kmsrestore_plan_make(cfg->kmsdata, now, &c->plan, err, sizeof err))
		finish(STATE_UNKNOWN, EV_REFUSED, r, "--kmsdata: %s", err);
	check_kmsdata(&c->plan, &c->left, r);
	c->chosen = NULL;
	if (c->left.kmsdata_missing) {
		snprintf(c->what, sizeof c->what, "finished the interrupted restore of %s", c->plan.kmsdata);
		return;
	}
	if (!kmsrestore_sets_load(cfg->backup_dir, now, &c->sets, err, sizeof err))
		finish(STATE_UNKNOWN, EV_REFUSED, r, "--backup-dir: %s: nothing was changed", err);
	c->chosen = choose(cfg, &c->sets, r);
	what_is_lost(c->chosen, now, c->lost, sizeof c->lost);
	snprintf(c->what, sizeof c->what, "restored %s from %s; the damaged folder is kept as %s",
	         c->plan.kmsdata, c->lost, c->plan.damaged);
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct report r;
	static struct choice c;
	char err[FSYS_PATH_MAX * 2 + 256];
	parse(argc, argv, &cfg);
	run_began_ms = deadline_remaining_ms();
	current = &cfg;
	record_events = cfg.yes;
	report_init(&r, info.name);
	int64_t now = (int64_t)time(NULL);
	if (cfg.list) {
		if (!kmsrestore_sets_load(cfg.backup_dir, now, &c.sets, err, sizeof err))
			finish(STATE_UNKNOWN, 0, &r, "--backup-dir: %s", err);
		list_sets(&cfg, &c.sets, &r, now);
	}
	decide(&cfg, now, &c, &r);
	if (!cfg.dry_run && !cfg.yes)
		finish(STATE_UNKNOWN, 0, &r, "refused without --yes (or --dry-run): would restore %s from %s",
		       c.plan.kmsdata, c.chosen ? c.lost : "its interrupted restore");
	take_lock(&cfg, &c.plan, &r);
	if (cfg.dry_run)
		dry_run(&cfg, &c.plan, &c.left, c.chosen ? c.lost : NULL, &r);

	bool was_running;
	stop_service(&cfg, &was_running, &r);
	if (c.chosen)
		put_set_in_place(&cfg, &c.chosen->set, &c.plan, was_running, &r);
	else
		finish_interrupted(&c.left, &c.plan, &r);
	note_recovery(&cfg, &r);
	start_restored(&cfg, c.what, &r);
}
