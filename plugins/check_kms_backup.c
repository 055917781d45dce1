/* check_kms_backup: how old the newest offline backup of Kmsdata is, and
 * whether it is sound: Kmsmdb.edb a clean-shutdown ESE database, every live
 * file present, the manifest still true. Options, gather (kmsdata), report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exchsetup.h"
#include "kmsdata.h"
#include "options.h"
#include "perfdata.h"
#include "plugin.h"

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_PATTERN     "*"
#define DEFAULT_DIRTY_STATE "CRITICAL"
#define DEFAULT_WARNING     "8d"  /* a weekly backup missed by a day */
#define DEFAULT_CRITICAL    "15d" /* two weekly backups missed */

struct config {
	const char *backup_dir;
	const char *pattern;
	const char *kmsdata; /* NULL: no completeness check */
	bool kmsdata_given;  /* named by the user: missing is an error */
	bool all_sets;
	bool verify_pages;
	plugin_state dirty_state;
	struct common_options common;
};

/* The options as given, starting from their defaults. */
static struct {
	char *backup_dir, *pattern, *kmsdata, *dirty_state;
	int all_sets, verify_pages;
} given = {
    .pattern = DEFAULT_PATTERN,
    .dirty_state = DEFAULT_DIRTY_STATE,
};

static const struct poptOption own_options[] = {
    {"backup-dir", 'd', POPT_ARG_STRING, &given.backup_dir, 0,
     "Folder holding the backup sets, one subfolder each (required)", "DIR"},
    {"pattern", 'p', POPT_ARG_STRING, &given.pattern, 0,
     "Only subfolders whose name matches GLOB (*, ?, [a-z]; case-insensitive; names starting with '.' "
     "need a pattern starting with '.') are sets (default: " DEFAULT_PATTERN ", every subfolder)",
     "GLOB"},
    {"all-sets", 'a', POPT_ARG_NONE, &given.all_sets, 0,
     "Check the soundness of every set, not only the newest", NULL},
    {"verify-pages", '\0', POPT_ARG_NONE, &given.verify_pages, 0,
     "Also verify the checksum of every page of Kmsmdb.edb (reads the whole file; the old XOR "
     "checksums only: from format revision 0x0c the pages' newer checksums are not verified, a note says "
     "so). Without it the structure is still checked (a few pages): the database root (page 1), its "
     "space trees, the catalog (page 4) and its backup (page 24) present, not all zero and in their "
     "place, and every page the database owns by its space tree in the file (a shorter file is "
     "truncated). Pages are named by their ESE page number",
     NULL},
    {"kmsdata", 'k', POPT_ARG_STRING, &given.kmsdata, 0,
     "The live Kmsdata folder: every file in it must be in the set, non-empty where the live one is. "
     "Default on Windows: the Exchange install folder from the registry (HKLM\\" EXCHSETUP_KEY
     " value " EXCHSETUP_VALUE ", else " EXCHSETUP_FALLBACK ") plus \\kmsdata, skipped when absent; "
     "elsewhere: no check",
     "DIR"},
    {"dirty-state", '\0', POPT_ARG_STRING, &given.dirty_state, 0,
     "State when Kmsmdb.edb is not in clean shutdown state, i.e. the copy was not taken offline "
     "(default " DEFAULT_DIRTY_STATE ")",
     "STATE"},
    POPT_TABLEEND};

static const struct program_info info = {
    .name = "BACKUP",
    .progname = "check_kms_backup",
    .purpose = "Checks the offline backups of the Exchange Key Management Server's Kmsdata folder, which "
               "online backups skip (article Q190698): how old the newest backup set is, and whether it is "
               "sound: Kmsmdb.edb present with a valid ESE header and shadow header, whole (every page its "
               "structure uses is in the file), in clean shutdown "
               "state (taken offline), every live Kmsdata file present, and the set still matching the "
               "manifest kms_backup wrote. A set's time is its manifest's, else its newest file's.",
    .flags = OPTS_THRESHOLDS,
    .threshold_kind = VALUE_DURATION,
    .warning_help = "Age of the newest set that warns, a range of durations (default " DEFAULT_WARNING
                    ": a weekly backup missed by a day)",
    .critical_help =
        "Age of the newest set that is critical (default " DEFAULT_CRITICAL ": two weekly backups missed)",
    .default_warning = DEFAULT_WARNING,
    .default_critical = DEFAULT_CRITICAL,
    .notes = "Thresholds: durations take s, m, h, d, w (-w 26h -c 3d for a daily backup);\n"
             "a plain number is seconds.\n"
             "\n"
             "States:\n"
             "  OK        the newest set is younger than -w and sound\n"
             "  WARNING   older than -w\n"
             "  CRITICAL  older than -c; no set at all (\"no offline backup of Kmsdata in DIR\");\n"
             "            Kmsmdb.edb missing, empty, truncated or not an ESE database, its\n"
             "            header or shadow header damaged, bad pages\n"
             "            (--verify-pages); a live file missing or empty in the set; the set\n"
             "            no longer matching its manifest; not in clean shutdown state\n"
             "            (--dirty-state)\n"
             "  UNKNOWN   bad options; DIR, a set or Kmsmdb.edb unreadable (an I/O error);\n"
             "            timeout\n"
             "The newest set is the one with the latest time; of sets with the same time,\n"
             "the one whose name sorts last (kms_backup names a set by its time).\n"
             "A set dated more than 1h ahead of this clock is not taken as a backup (it\n"
             "was dated under a wrong clock, or this clock is wrong): the newest set with\n"
             "a believable date is judged, and the future date is a WARNING of its own\n"
             "(not UNKNOWN: the real backups are still judged); with no believable set,\n"
             "CRITICAL.\n"
             "Links inside a set are never followed and special files are skipped (both\n"
             "counted in the long output). Folders whose name starts with '.' (a backup in\n"
             "progress) are not sets. A set folder that is itself a link is not a set in\n"
             "this folder: never followed, named in the long output (kms_backup --keep\n"
             "follows the same rule).\n"
             "\n"
             "First line: age, name, file count and size of the newest set, database state.\n"
             "Long output: each problem found; with -v every set.\n"
             "\n"
             "Perfdata:\n"
             "  age=Ns;w;c;0;    age of the newest set\n"
             "  files=N;;;0;     files in the newest set\n"
             "  size=NB;;;0;     bytes in the newest set\n"
             "  sets=N;;;0;      sets found\n"
             "\n"
             "Examples:\n"
             "  check_kms_backup -d /srv/backup/kmsdata\n"
             "  check_kms_backup -d 'D:\\KmsBackup' -w 26h -c 3d --verify-pages\n"
             "  check_kms_backup -d /mnt/kms -p 'kmsdata-*' --all-sets --kmsdata /mnt/live/kmsdata\n",
};

static void parse(int argc, char **argv, struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	options_parse(argc, argv, &info, own_options, &cfg->common);
	if (!given.backup_dir || !*given.backup_dir)
		option_fail("--backup-dir", "is required: the folder holding the backup sets");
	cfg->backup_dir = given.backup_dir;
	cfg->pattern = given.pattern;
	char why[128];
	if (!*cfg->pattern)
		option_fail("--pattern", "is empty");
	if (!kms_glob_check(cfg->pattern, why, sizeof why))
		option_fail("--pattern", "'%s' %s", cfg->pattern, why);
	cfg->all_sets = given.all_sets != 0;
	cfg->verify_pages = given.verify_pages != 0;
	cfg->dirty_state = option_state("--dirty-state", given.dirty_state);
	static char default_kmsdata[FSYS_PATH_MAX];
	if (given.kmsdata) {
		if (!*given.kmsdata)
			option_fail("--kmsdata", "is empty");
		cfg->kmsdata = given.kmsdata;
		cfg->kmsdata_given = true;
	} else if (exchsetup_kmsdata_dir(default_kmsdata, sizeof default_kmsdata)) {
		cfg->kmsdata = default_kmsdata;
	}
}

struct findings {
	struct report *report;
	const struct config *cfg;
	size_t problems;
	plugin_state worst;
	char first[1024]; /* the first problem of the worst state */
};

static plugin_state problem_state(const struct config *cfg, enum kms_problem kind)
{
	switch (kind) {
	case KMS_PROBLEM_UNREADABLE:
		return STATE_UNKNOWN; /* an I/O error: the check could not look */
	/* An empty, truncated or foreign Kmsmdb.edb is the bad backup itself. */
	case KMS_PROBLEM_NOT_ESE: return STATE_CRITICAL;
	case KMS_PROBLEM_NOT_OFFLINE: return cfg->dirty_state;
	/* Dated ahead: someone must look (a wrong clock once, or now), but the
	 * backups themselves are judged by the newest set with a believable
	 * date: UNKNOWN would hide that judgement. */
	case KMS_PROBLEM_FUTURE: return STATE_WARNING;
	default: return STATE_CRITICAL;
	}
}

static void on_problem(void *ctx, enum kms_problem kind, const char *text)
{
	struct findings *f = ctx;
	plugin_state s = problem_state(f->cfg, kind);
	report_raise(f->report, s);
	report_detail(f->report, "%s: %s", state_name(s), text);
	if (f->problems++ == 0 || (s != f->worst && state_worst(s, f->worst) == s)) {
		f->worst = s;
		snprintf(f->first, sizeof f->first, "%s", text);
	}
}

static void load_live(const struct config *cfg, struct kms_tree *live, bool *have, struct report *r)
{
	char err[FSYS_PATH_MAX + FSYS_ERR_MAX];
	*have = false;
	if (!cfg->kmsdata)
		return;
	if (!kms_tree_walk(cfg->kmsdata, NULL, live, err, sizeof err)) {
		if (cfg->kmsdata_given)
			plugin_exit(STATE_UNKNOWN, "--kmsdata: %s", err);
		report_detail(r, "no live Kmsdata at %s: completeness not checked", cfg->kmsdata);
		return;
	}
	if (live->failed)
		plugin_exit(STATE_UNKNOWN, "--kmsdata: %s", live->error);
	*have = true;
}

/* The age as shown: rounded to two units ("10d", "1h 1m"), unless that
 * would read as the limit it passed ("8d old, older than 8d"): then exact. */
static void age_format(const struct config *cfg, double age, char *buf, size_t cap)
{
	plugin_state s = threshold_state(&cfg->common.warning, &cfg->common.critical, age);
	const struct range *hit = s == STATE_CRITICAL ? &cfg->common.critical : &cfg->common.warning;
	char limit[64];
	duration_format(age, buf, cap);
	duration_format_exact(hit->end, limit, sizeof limit);
	if (s != STATE_OK && hit->set && strcmp(buf, limit) == 0)
		duration_format_exact(age, buf, cap);
}

/* A set's line: the newest's in the summary (judged by cfg's thresholds),
 * another's in the long output (judged NULL). */
static void describe_set(struct report *r, const struct kms_set *set, const struct kms_set_facts *facts,
                         double age, const struct config *judged)
{
	bool newest = judged != NULL;
	char age_text[64], size_text[64], state_text[32];
	if (newest)
		age_format(judged, age, age_text, sizeof age_text);
	else
		duration_format(age, age_text, sizeof age_text);
	size_format((double)set->tree.bytes, size_text, sizeof size_text);
	const char *db = !facts->db_found ? "none"
	                 : facts->db.header != ESE_HEADER_OK
	                     ? "header unreadable"
	                     : ese_state_name(facts->db.info.db_state, state_text, sizeof state_text);
	if (newest)
		report_summary(r, "newest set %s is %s old, %zu file%s, %s, database %s", set->name, age_text,
		               set->tree.files, set->tree.files == 1 ? "" : "s", size_text, db);
	else
		report_detail(r, "set %s: %s old, %zu file%s, %s, database %s%s", set->name, age_text,
		              set->tree.files, set->tree.files == 1 ? "" : "s", size_text, db,
		              set->time_from_manifest ? "" : " (no manifest)");
	if (set->tree.skipped > 0)
		report_detail(r, "set %s: %zu link%s or special file%s not followed (first: %s)", set->name,
		              set->tree.skipped, set->tree.skipped == 1 ? "" : "s",
		              set->tree.skipped == 1 ? "" : "s", set->tree.first_skipped);
}

/* CRITICAL: no set proves a backup (the summary says why). */
static _Noreturn void exit_without_backup(struct report *r, size_t n_sets)
{
	struct perfdata sets = {.label = "sets", .value = (double)n_sets, .uom = "", .has_min = true};
	report_raise(r, STATE_CRITICAL);
	report_perf(r, &sets);
	report_exit(r);
}

/* The sets in the backup folder; exits UNKNOWN when it cannot be read and
 * CRITICAL when it holds none. */
static struct kms_names find_sets(const struct config *cfg, struct report *r)
{
	char err[FSYS_PATH_MAX + FSYS_ERR_MAX + 64];
	struct kms_names names;
	if (!kms_folder_exists(cfg->backup_dir, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
	if (!kms_sets_find(cfg->backup_dir, cfg->pattern, &names, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--backup-dir: %s", err);
	if (names.links > 0)
		report_detail(r, "%s is a link: not a set in this folder (never followed)%s",
		              names.first_link, names.links > 1 ? ", and more links" : "");
	if (names.count == 0) {
		report_summary(r, "no offline backup of Kmsdata in %s", cfg->backup_dir);
		if (strcmp(cfg->pattern, DEFAULT_PATTERN) != 0)
			report_detail(r, "no subfolder matches --pattern '%s'", cfg->pattern);
		exit_without_backup(r, 0);
	}
	return names;
}

/* Check the newest set (every set with --all-sets), describe the others
 * with -v; returns the newest set's age and facts. */
static double judge_sets(const struct config *cfg, const struct kms_set *sets, size_t count, size_t newest,
                         struct findings *found, struct kms_set_facts *newest_facts)
{
	struct kms_tree live;
	bool have_live;
	load_live(cfg, &live, &have_live, found->report);
	struct kms_check_options check = {.verify_pages = cfg->verify_pages,
	                                  .live = have_live ? &live : NULL};
	int64_t now = (int64_t)time(NULL);
	double age = 0;
	for (size_t i = 0; i < count; i++) {
		if (!sets[i].listed) /* already reported as unreadable */
			continue;
		struct kms_set_facts facts;
		memset(&facts, 0, sizeof facts);
		if (i == newest || cfg->all_sets)
			kms_set_check(&sets[i], &check, on_problem, found, &facts);
		double set_age = sets[i].time < now ? (double)(now - sets[i].time) : 0;
		if (i == newest) {
			age = set_age;
			*newest_facts = facts;
		} else if (cfg->common.verbose > 0 && !kms_set_from_future(&sets[i], now)) {
			describe_set(found->report, &sets[i], &facts, set_age, NULL);
		}
	}
	if (sets[newest].time > now)
		report_detail(found->report,
		              "set %s is dated %lld s ahead of this clock (within the %d s allowed)",
		              sets[newest].name, (long long)(sets[newest].time - now), KMS_FUTURE_SLACK);
	if (have_live)
		kms_tree_free(&live);
	return age;
}

static void report_age(const struct config *cfg, struct report *r, double age)
{
	plugin_state age_state = threshold_state(&cfg->common.warning, &cfg->common.critical, age);
	report_raise(r, age_state);
	if (age_state == STATE_OK)
		return;
	const struct range *hit = age_state == STATE_CRITICAL ? &cfg->common.critical : &cfg->common.warning;
	char limit[64];
	duration_format_exact(hit->end, limit, sizeof limit);
	if (!hit->inside && !hit->end_infinite && age > hit->end)
		report_summary(r, "older than %s", limit);
	else
		report_summary(r, "age outside the %s range",
		               age_state == STATE_CRITICAL ? "critical" : "warning");
}

/* Load every set and pick the newest with a believable date (a set dated
 * in the future is reported, never picked). Exits UNKNOWN when no set
 * could be read, CRITICAL when every readable one is dated in the future. */
static size_t pick_newest(const struct config *cfg, struct kms_set *sets, const struct kms_names *names,
                          struct findings *found)
{
	int64_t now = (int64_t)time(NULL);
	size_t unreadable = 0, future = 0;
	bool *from_future = calloc(names->count ? names->count : 1, sizeof *from_future);
	if (!from_future)
		plugin_exit(STATE_UNKNOWN, "out of memory for %zu sets", names->count);
	for (size_t i = 0; i < names->count; i++) {
		kms_set_load(cfg->backup_dir, names->names[i], &sets[i]);
		if (!sets[i].listed) { /* its date is unknown: it may be the newest */
			on_problem(found, KMS_PROBLEM_UNREADABLE, sets[i].tree.error);
			unreadable++;
		} else if ((from_future[i] = kms_set_from_future(&sets[i], now))) {
			char text[512 + sizeof sets[i].name];
			kms_set_future_text(&sets[i], now, text, sizeof text);
			strcat(text,
			       ": not taken as a backup (dated under a wrong clock, or this clock is wrong)");
			on_problem(found, KMS_PROBLEM_FUTURE, text);
			future++;
		}
	}
	size_t newest = kms_sets_newest(sets, names->count, from_future);
	free(from_future);
	if (newest < names->count)
		return newest;
	if (unreadable > 0)
		plugin_exit(STATE_UNKNOWN, "%s", found->first);
	report_summary(found->report,
	               "no offline backup of Kmsdata with a believable date in %s (%zu set%s dated ahead "
	               "of this clock)",
	               cfg->backup_dir, future, future == 1 ? "" : "s");
	exit_without_backup(found->report, names->count);
}

/* The summary and long output of the newest set: the pages note, the
 * first problem, the set's line, its age against the thresholds. */
static void report_newest(const struct config *cfg, struct report *r, const struct findings *found,
                          const struct kms_set *newest, const struct kms_set_facts *facts, double age)
{
	if (cfg->verify_pages && facts->db_found && facts->db.pages_new_format)
		report_detail(
		    r,
		    "Note: Kmsmdb.edb has format revision 0x%x: its pages use the newer (ECC) "
		    "checksums, which --verify-pages does not verify; header and shadow were checked",
		    (unsigned)facts->db.info.format_revision);
	if (found->problems > 0)
		report_summary(r, "%s%s", found->first,
		               found->problems > 1 ? " (and more problems, see below)" : "");
	describe_set(r, newest, facts, age, cfg);
	report_age(cfg, r, age);
}

static void report_perfdata(const struct config *cfg, struct report *r, const struct kms_set *newest,
                            double age, size_t n_sets)
{
	struct perfdata perf[] = {
	    {.label = "age",
	     .value = age,
	     .uom = "s",
	     .warn = &cfg->common.warning,
	     .crit = &cfg->common.critical,
	     .has_min = true},
	    {.label = "files", .value = (double)newest->tree.files, .uom = "", .has_min = true},
	    {.label = "size", .value = (double)newest->tree.bytes, .uom = "B", .has_min = true},
	    {.label = "sets", .value = (double)n_sets, .uom = "", .has_min = true},
	};
	for (size_t i = 0; i < sizeof perf / sizeof perf[0]; i++)
		report_perf(r, &perf[i]);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct report r;
	parse(argc, argv, &cfg);
	report_init(&r, info.name);

	struct kms_names names = find_sets(&cfg, &r);
	struct kms_set *sets = calloc(names.count, sizeof *sets);
	if (!sets)
		plugin_exit(STATE_UNKNOWN, "out of memory for %zu sets", names.count);
	struct findings found = {.report = &r, .cfg = &cfg, .worst = STATE_OK};
	size_t newest = pick_newest(&cfg, sets, &names, &found);
	struct kms_set_facts facts;
	double age = judge_sets(&cfg, sets, names.count, newest, &found, &facts);

	report_newest(&cfg, &r, &found, &sets[newest], &facts, age);
	report_perfdata(&cfg, &r, &sets[newest], age, names.count);
	report_exit(&r);
}
