/* kms_backup: the offline backup of Kmsdata that article Q190698 asks for:
 * stop the KM service, copy Kmsdata into a hidden folder, verify it, write
 * the manifest, rename it into a set, start the service again with its
 * password (always, even when the copy failed), prune old sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backupsvc.h"
#include "deadline.h"
#include "eventsink.h"
#include "exchsetup.h"
#include "kms.h"
#include "kmscopy.h"
#include "kmsdata.h"
#include "lock.h"
#include "options.h"
#include "perfdata.h"
#include "plugin.h"

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_SERVICE KMS_SERVICE_NAME
#define DEFAULT_KEEP    "4"
#define KEEP_MIN        1
#define KEEP_MAX        10000
#define DEFAULT_TIMEOUT 600 /* seconds (-t) */

struct config {
	const char *kmsdata;
	const char *backup_dir;
	const char *password_file;
	const char *service; /* NULL: --no-service */
	long keep;
	bool dry_run;
	double stop_timeout, start_timeout;
	struct common_options common;
};

/* The options as given, starting from their defaults. */
static struct {
	char *kmsdata, *backup_dir, *password_file, *service, *keep, *stop_timeout, *start_timeout;
	int no_service, dry_run;
} given = {
    .service = DEFAULT_SERVICE,
    .keep = DEFAULT_KEEP,
    .stop_timeout = BACKUPSVC_STOP_TIMEOUT_DEFAULT,
    .start_timeout = BACKUPSVC_START_TIMEOUT_DEFAULT,
};

static const struct poptOption own_options[] = {
    {"kmsdata", 'k', POPT_ARG_STRING, &given.kmsdata, 0,
     "The live Kmsdata folder to back up (default on Windows: the Exchange install folder from the "
     "registry, HKLM\\" EXCHSETUP_KEY " value " EXCHSETUP_VALUE ", else " EXCHSETUP_FALLBACK
     ", plus \\kmsdata; required elsewhere)",
     "DIR"},
    {"backup-dir", 'd', POPT_ARG_STRING, &given.backup_dir, 0,
     "Folder that receives the set kmsdata-YYYYMMDDTHHMMSSZ (required; must exist)", "DIR"},
    {"password-file", 'f', POPT_ARG_STRING, &given.password_file, 0,
     "File holding the KMS password, the service's startup parameter: a Kmspwd.ini ([config] pwd=...) or "
     "the password alone on the first line; refused when others may read it (required unless "
     "--no-service)",
     "FILE"},
    {"keep", 'n', POPT_ARG_STRING, &given.keep, 0,
     "Keep the N newest sets with a manifest, remove older kmsdata-* sets after a good backup "
     "(default " DEFAULT_KEEP
     "; the newest good set is never removed; a set dated ahead of the clock is left "
     "alone and not counted). A set folder that is itself a link is not a set in this folder: "
     "never followed, counted or removed",
     "N"},
    {"service", 's', POPT_ARG_STRING, &given.service, 0,
     "The KM service's name (default " DEFAULT_SERVICE ")", "NAME"},
    {"no-service", '\0', POPT_ARG_NONE, &given.no_service, 0,
     "Do not stop or start any service: Kmsdata is already offline (the copy is still refused unless "
     "Kmsmdb.edb is in clean shutdown state)",
     NULL},
    {"stop-timeout", '\0', POPT_ARG_STRING, &given.stop_timeout, 0,
     "Wait at most DURATION for the service to stop (default " BACKUPSVC_STOP_TIMEOUT_DEFAULT ")",
     "DURATION"},
    {"start-timeout", '\0', POPT_ARG_STRING, &given.start_timeout, 0,
     "Wait at most DURATION for the service to run again (default " BACKUPSVC_START_TIMEOUT_DEFAULT ")",
     "DURATION"},
    {"dry-run", '\0', POPT_ARG_NONE, &given.dry_run, 0,
     "Check the options, the password file and Kmsdata, say what would be done, change nothing", NULL},
    POPT_TABLEEND};

static const struct program_info info = {
    .name = "BACKUP_RUN",
    .progname = "kms_backup",
    .purpose = "Takes the offline backup of the Exchange Key Management Server's Kmsdata folder that online "
               "backups skip (article Q190698): stops the KM service and waits for it to stop, copies "
               "Kmsdata (files and subfolders) into a hidden folder inside --backup-dir, verifies the copy "
               "(sizes, Kmsmdb.edb header in clean shutdown state, every page checksum), writes the "
               "manifest and renames the folder to kmsdata-YYYYMMDDTHHMMSSZ, so an interrupted or failed "
               "backup never looks like a good set; then starts the service again with its password "
               "(always, even when the copy failed, if it was running before) and removes sets beyond "
               "--keep. Its output is a plugin result a scheduled task can submit as a passive check.",
    .default_timeout = DEFAULT_TIMEOUT,
    .exclusive = (const char *const[]){"service no-service", NULL},
    .notes = "States:\n"
             "  OK        the set was written and verified, the service runs again\n"
             "  WARNING   the set is good but old sets could not be pruned\n"
             "  CRITICAL  the copy or its verification failed (no set was made), the service\n"
             "            did not stop, or it did not start again\n"
             "  UNKNOWN   bad options, Kmsdata or --backup-dir unreadable, the password file\n"
             "            missing or readable by others: nothing was touched; timeout\n"
             "Runs on one backup folder exclude each other: a second run says\n"
             "\"another kms_backup is at work on DIR\" (UNKNOWN) and changes nothing.\n"
             "The timeout (-t, default " KMS_TEXT(
                 DEFAULT_TIMEOUT) " s) covers the whole run: the copy stops early to\n"
                                  "keep --start-timeout for restarting the service.\n"
                                  "\n"
                                  "Perfdata:\n"
                                  "  duration=Ns;;;0;  time the backup took\n"
                                  "  files=N;;;0;      files copied\n"
                                  "  bytes=NB;;;0;     bytes copied\n"
                                  "\n"
                                  "Examples:\n"
                                  "  kms_backup -d D:\\KmsBackup -f C:\\secure\\kmspwd.ini\n"
                                  "  kms_backup -k C:\\exchsrvr\\kmsdata -d D:\\KmsBackup -f "
                                  "C:\\secure\\kmspwd.ini --keep 8\n"
                                  "  kms_backup -k /mnt/kmsdata -d /srv/kmsbackup --no-service   (Kmsdata "
                                  "already offline)\n",
};

static void parse(int argc, char **argv, struct config *cfg)
{
	static char default_kmsdata[FSYS_PATH_MAX];
	options_parse(argc, argv, &info, own_options, &cfg->common);
	if (given.kmsdata && !*given.kmsdata)
		option_fail("--kmsdata", "is empty");
	cfg->kmsdata = given.kmsdata;
	if (!cfg->kmsdata && exchsetup_kmsdata_dir(default_kmsdata, sizeof default_kmsdata))
		cfg->kmsdata = default_kmsdata;
	if (!cfg->kmsdata)
		option_fail("--kmsdata", "is required on this system: the live Kmsdata folder");
	if (!given.backup_dir || !*given.backup_dir)
		option_fail("--backup-dir", "is required: the folder that receives the set");
	cfg->backup_dir = given.backup_dir;
	cfg->service = given.no_service ? NULL : given.service;
	if (cfg->service && !*cfg->service)
		option_fail("--service", "is empty");
	cfg->password_file = given.password_file;
	if (cfg->service && (!cfg->password_file || !*cfg->password_file))
		option_fail("--password-file", "is required to start the service again (or --no-service)");
	cfg->keep = option_integer("--keep", given.keep, KEEP_MIN, KEEP_MAX);
	cfg->dry_run = given.dry_run != 0;
	cfg->stop_timeout = option_duration("--stop-timeout", given.stop_timeout);
	cfg->start_timeout = option_duration("--start-timeout", given.start_timeout);
	if (cfg->service &&
	    cfg->stop_timeout + cfg->start_timeout + BACKUPSVC_COPY_MIN_SECONDS > cfg->common.timeout)
		option_fail("--timeout",
		            "%u s leaves no time to copy after --stop-timeout and --start-timeout",
		            cfg->common.timeout);
}

/* The folder checks and the source listing, before anything changes. */
static void check_folders(const struct config *cfg, struct kms_tree *source)
{
	char err[FSYS_PATH_MAX + FSYS_ERR_MAX + 64];
	if (!kms_folder_exists(cfg->backup_dir, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
	if (!kms_tree_walk(cfg->kmsdata, NULL, source, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--kmsdata: %s", err);
	if (source->failed)
		plugin_exit(STATE_UNKNOWN, "--kmsdata: %s", source->error);
	const struct kms_entry *db = kms_tree_find(source, KMS_DB_NAME);
	if (!db || db->is_dir)
		plugin_exit(STATE_UNKNOWN, "--kmsdata: no %s in '%s': not a Kmsdata folder", KMS_DB_NAME,
		            cfg->kmsdata);
	/* Neither must a Kmsmdb.edb that is no database at all (a running
	 * service may leave its header dirty or mid-write: only that is let pass). */
	char db_path[FSYS_PATH_MAX], problem[512];
	struct ese_file_check *c = malloc(sizeof *c);
	if (c && fsys_join(db_path, sizeof db_path, cfg->kmsdata, db->path)) {
		bool decoded = ese_file_check(db_path, false, c) &&
		               (c->header == ESE_HEADER_OK || c->header == ESE_HEADER_BAD_CHECKSUM);
		if (!decoded && ese_file_problem(c, problem, sizeof problem) > 0)
			plugin_exit(STATE_UNKNOWN, "--kmsdata: %s %s: nothing was changed", db_path, problem);
	}
	free(c);
	/* A folder we cannot write to must not cost the service a restart. */
	char probe[FSYS_PATH_MAX], why[FSYS_ERR_MAX];
	if (!kmscopy_make_partial(cfg->backup_dir, "probe", probe, sizeof probe, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
	if (!fsys_remove_dir(probe, why))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: cannot remove '%s': %s", probe, why);
}

/* Runs on one backup folder exclude each other, so neither fails on nor
 * removes the other's work: the lock ".kms_backup-<hash of the folder>"
 * (POSIX: a file in the folder; Windows: a global mutex), held to the end
 * of the run. */
static void lock_backup_dir(const struct config *cfg)
{
	static struct lock *held; /* released when the process ends */
	char err[FSYS_PATH_MAX + FSYS_ERR_MAX + 64], name[64];
	if (!kms_folder_exists(cfg->backup_dir, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
	snprintf(name, sizeof name, ".kms_backup-%08lx", (unsigned long)fsys_path_hash(cfg->backup_dir));
	enum lock_result r = lock_take(name, cfg->backup_dir, &held, err, sizeof err);
	if (r == LOCK_BUSY)
		plugin_exit(STATE_UNKNOWN, "another kms_backup is at work on %s: nothing was changed",
		            cfg->backup_dir);
	if (r == LOCK_ERROR)
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
}

struct outcome {
	bool copied;
	char set_name[64];
	char failure[4096];
	size_t files;
	uint64_t bytes;
	size_t skipped; /* links and special files in Kmsdata, not copied */
	char first_skipped[FSYS_PATH_MAX];
	bool restarted, start_failed; /* the service was started again / did not start */
};

/* Copy, verify, write the manifest, rename: the portable half. */
static void take_copy(const struct config *cfg, const char *service_state, long reserve_ms, struct outcome *o)
{
	struct kms_tree source;
	char err[FSYS_PATH_MAX * 2 + 512], iso[32], partial[FSYS_PATH_MAX], final[FSYS_PATH_MAX];
	int64_t started = (int64_t)time(NULL);
	kms_time_iso(started, iso, sizeof iso);
	/* List again: the service may have written while it stopped. */
	if (!kms_tree_walk(cfg->kmsdata, NULL, &source, err, sizeof err) || source.failed) {
		snprintf(o->failure, sizeof o->failure, "%s", source.failed ? source.error : err);
		kms_tree_free(&source);
		return;
	}
	snprintf(o->set_name, sizeof o->set_name, "%s%s", KMSCOPY_SET_PREFIX, iso);
	if (!fsys_join(final, sizeof final, cfg->backup_dir, o->set_name) ||
	    !kmscopy_make_partial(cfg->backup_dir, iso, partial, sizeof partial, err, sizeof err)) {
		snprintf(o->failure, sizeof o->failure, "%s", err);
		kms_tree_free(&source);
		return;
	}
	struct kms_manifest m = {.time = started};
	snprintf(m.source, sizeof m.source, "%s", cfg->kmsdata);
	snprintf(m.service_state, sizeof m.service_state, "%s", service_state);
	bool ok = kmscopy_tree(cfg->kmsdata, &source, partial, reserve_ms, err, sizeof err) &&
	          kmscopy_verify(partial, &source, reserve_ms, err, sizeof err) &&
	          kms_manifest_write(partial, &m, &source, err, sizeof err);
	char why[FSYS_ERR_MAX];
	if (ok && !fsys_rename(partial, final, why)) {
		snprintf(err, sizeof err, "cannot rename '%s' to '%s': %s", partial, final, why);
		ok = false;
	}
	o->skipped = source.skipped;
	snprintf(o->first_skipped, sizeof o->first_skipped, "%s", source.first_skipped);
	if (ok) {
		o->copied = true;
		o->files = source.files;
		o->bytes = source.bytes;
	} else {
		char left[FSYS_PATH_MAX + FSYS_ERR_MAX + 64] = "";
		if (!kmscopy_remove_tree(partial, left, sizeof left)) /* made by this run */
			snprintf(o->failure, sizeof o->failure, "%s (and the partial copy stays: %s)", err,
			         left);
		else
			snprintf(o->failure, sizeof o->failure, "%s", err);
	}
	kms_tree_free(&source);
}

/* A set dated ahead of the clock is no proof of a backup: it is left
 * alone (never pruned on a guess) and takes no --keep place; a WARNING. */
static void warn_future_set(struct report *r, const struct kms_set *set, int64_t now)
{
	char text[512 + sizeof set->name];
	kms_set_future_text(set, now, text, sizeof text);
	report_raise(r, STATE_WARNING);
	report_summary(r, "%s: left alone, not counted in --keep", text);
}

/* Remove the sets beyond --keep. A dry run counts the set it would make
 * as the newest good one and only names what it would remove. */
static void prune(const struct config *cfg, struct report *r, bool dry)
{
	struct kms_names names;
	char err[FSYS_PATH_MAX + FSYS_ERR_MAX + 64];
	if (!kms_sets_find(cfg->backup_dir, KMSCOPY_SET_PREFIX "*", &names, err, sizeof err)) {
		report_raise(r, STATE_WARNING);
		report_detail(r, "pruning: %s", err);
		return;
	}
	struct kms_set *sets = calloc(names.count ? names.count : 1, sizeof *sets);
	bool *remove = calloc(names.count ? names.count : 1, sizeof *remove);
	if (!sets || !remove) {
		free(sets);
		free(remove);
		kms_names_free(&names);
		return;
	}
	for (size_t i = 0; i < names.count; i++)
		kms_set_load(cfg->backup_dir, names.names[i], &sets[i]);
	size_t keep = dry ? (size_t)cfg->keep - 1 : (size_t)cfg->keep;
	int64_t now = (int64_t)time(NULL);
	kmscopy_choose_prune(sets, names.count, keep, now, remove);
	size_t removed = 0;
	for (size_t i = 0; i < names.count; i++) {
		bool future = kms_set_from_future(&sets[i], now);
		if (future)
			warn_future_set(r, &sets[i], now);
		remove[i] = !future && (remove[i] || keep == 0);
		if (remove[i] && dry) {
			report_detail(r, "would remove old set %s", sets[i].name);
			removed++;
		} else if (remove[i] && !kmscopy_remove_tree(sets[i].path, err, sizeof err)) {
			report_raise(r, STATE_WARNING);
			report_detail(r, "could not prune set %s: %s", sets[i].name, err);
		} else if (remove[i]) {
			report_detail(r, "removed old set %s", sets[i].name);
			removed++;
		}
		kms_set_free(&sets[i]);
	}
	if (removed > 0)
		report_summary(r, "%zu old set%s %s", removed, removed == 1 ? "" : "s",
		               dry ? "would be removed" : "removed");
	free(sets);
	free(remove);
	kms_names_free(&names);
}

static _Noreturn void dry_run(const struct config *cfg, const struct kms_tree *source)
{
	struct report r;
	char size[32];
	report_init(&r, info.name);
	size_format((double)source->bytes, size, sizeof size);
	report_summary(&r, "dry run: would %s%scopy %zu files (%s) from %s into %s, keep %ld sets",
	               cfg->service ? "stop " : "", cfg->service ? cfg->service : "", source->files, size,
	               cfg->kmsdata, cfg->backup_dir, cfg->keep);
	if (cfg->service)
		report_summary(&r, "then start it again with its password");
	prune(cfg, &r, true);
	report_exit(&r);
}

/* Stop the service, copy, start it again: the start is tried whatever the
 * copy did, whenever the service was running before. */
static void stop_copy_start(const struct config *cfg, struct backupsvc *svc, struct report *r,
                            struct outcome *o)
{
	char err[1024], state[32] = "not managed (--no-service)";
	bool was_running = false, stopped = true;
	long start_ms = (long)(cfg->start_timeout * MS_PER_SECOND);
	if (svc) {
		stopped = backupsvc_stop(svc, (long)(cfg->stop_timeout * MS_PER_SECOND), &was_running, state,
		                         sizeof state, err, sizeof err);
		if (!stopped)
			snprintf(o->failure, sizeof o->failure,
			         "service %s did not stop: %s; no backup taken", cfg->service, err);
	}
	if (stopped)
		take_copy(cfg, state,
		          svc ? start_ms + BACKUPSVC_START_MARGIN_MS : BACKUPSVC_REPORT_RESERVE_MS, o);
	if (!svc)
		return;
	if (!was_running) {
		report_detail(r, "service %s was %s before the backup: left as it was", cfg->service, state);
	} else if (!backupsvc_start(svc, start_ms, err, sizeof err)) {
		report_raise(r, STATE_CRITICAL);
		report_summary(r, "service %s did not start again: %s", cfg->service, err);
		o->start_failed = true;
	} else {
		o->restarted = true;
		report_detail(r, "service %s started again with its password", cfg->service);
	}
}

/* Event ids of kms_backup's records (kmsmsg.mc). */
enum { EV_TAKEN = 101, EV_FAILED = 102, EV_NOT_STARTED = 103 };

/* The result line in the Application log under the source kms_backup, so a
 * failed scheduled backup shows in Event Viewer. EV_TAKEN counts as a start
 * of the service, so a backup that started nothing writes no event. */
static void record_event(unsigned id, const char *line)
{
	char err[256], text[1024];
	snprintf(text, sizeof text, "%.*s", (int)strcspn(line, "\r\n"), line);
	struct eventsink *sink = eventsink_open("kms_backup", NULL, err, sizeof err);
	if (sink)
		eventsink_write(sink, id == EV_TAKEN ? EVENTSINK_INFO : EVENTSINK_ERROR, id, text);
	eventsink_close(sink);
}

static void record_outcome(const struct report *r, const struct outcome *o)
{
	static char out[PLUGIN_OUTPUT_LIMIT + 1];
	unsigned id = o->start_failed ? EV_NOT_STARTED : !o->copied ? EV_FAILED : o->restarted ? EV_TAKEN : 0;
	if (id != 0 && report_render(r, out, sizeof out) > 0)
		record_event(id, out);
}

/* The service handle (the password read, the service lock held), NULL with
 * --no-service; exits UNKNOWN, recorded, when it cannot be had. */
static struct backupsvc *open_service(const struct config *cfg)
{
	char err[1024];
	if (!cfg->service)
		return NULL;
	struct backupsvc *svc = backupsvc_open(cfg->service, cfg->password_file, err, sizeof err);
	if (!svc) {
		char text[1100], line[1200];
		snprintf(text, sizeof text, "%s: nothing was changed", err);
		plugin_format_line(line, sizeof line, STATE_UNKNOWN, text);
		record_event(EV_FAILED, line);
		plugin_exit(STATE_UNKNOWN, "%s: nothing was changed", err);
	}
	return svc;
}

/* The result: the set made (and the old ones pruned) or why not. */
static void report_outcome(const struct config *cfg, struct report *r, const struct outcome *o)
{
	if (o->copied) {
		char size[32];
		size_format((double)o->bytes, size, sizeof size);
		report_summary(r, "backed up %zu files (%s) from %s to set %s", o->files, size, cfg->kmsdata,
		               o->set_name);
		prune(cfg, r, false);
	} else {
		report_raise(r, STATE_CRITICAL);
		report_summary(r, "backup failed: %s", o->failure);
	}
	if (o->skipped > 0)
		report_detail(r, "%zu link%s or special file%s in Kmsdata not copied (first: %s)", o->skipped,
		              o->skipped == 1 ? "" : "s", o->skipped == 1 ? "" : "s", o->first_skipped);
}

static void report_perfdata(struct report *r, const struct outcome *o, double seconds)
{
	struct perfdata perf[] = {
	    {.label = "duration", .value = seconds > 0 ? seconds : 0, .uom = "s", .has_min = true},
	    {.label = "files", .value = (double)o->files, .uom = "", .has_min = true},
	    {.label = "bytes", .value = (double)o->bytes, .uom = "B", .has_min = true},
	};
	for (size_t i = 0; i < sizeof perf / sizeof perf[0]; i++)
		report_perf(r, &perf[i]);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct kms_tree source;
	parse(argc, argv, &cfg);
	lock_backup_dir(&cfg);
	check_folders(&cfg, &source);
	struct backupsvc *svc = open_service(&cfg);
	if (cfg.dry_run) {
		backupsvc_close(svc); /* wipes the password, releases the service lock */
		dry_run(&cfg, &source);
	}
	kms_tree_free(&source);

	struct report r;
	struct outcome o = {0};
	report_init(&r, info.name);
	double began = (double)deadline_remaining_ms();
	stop_copy_start(&cfg, svc, &r, &o);
	backupsvc_close(svc);

	report_outcome(&cfg, &r, &o);
	report_perfdata(&r, &o, (began - (double)deadline_remaining_ms()) / MS_PER_SECOND);
	record_outcome(&r, &o);
	report_exit(&r);
}
