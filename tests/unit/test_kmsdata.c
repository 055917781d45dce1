/* test_kmsdata: glob matching, the manifest text (round trip, every
 * truncation refused), set dates, and the tree walk over links, loops and
 * special files in a temporary folder; set checks by problem kind. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ese.h"
#include "fsys.h"
#include "kmscopy.h"
#include "kmsdata.h"

START_TEST(glob_table)
{
	struct {
		const char *pattern, *name;
		bool match;
	} rows[] = {
	    {"*", "kmsdata-20261121T100000Z", true},
	    {"*", ".kmsdata-partial", false},
	    {".*", ".kmsdata-partial", true},
	    {"kmsdata-*", "KMSDATA-1", true},
	    {"kmsdata-*", "kmsdata", false},
	    {"kms?ata", "kmsdata", true},
	    {"kms?ata", "kmsata", false},
	    {"set[0-9]", "set7", true},
	    {"set[0-9]", "setx", false},
	    {"set[!0-9]", "setx", true},
	    {"set[!0-9]", "set1", false},
	    {"a*b*c", "aXXbYYc", true},
	    {"a*b*c", "aXXbYY", false},
	    {"[unclosed", "[unclosed", true},
	    {"", "", true},
	    {"", "x", false},
	    {"***", "anything", true},
	    {"*z", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	    {"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     false}, /* exponential for a naive matcher: must stay quick */
	    {"*a*b?c", "xxaxxbyc", true},
	    {"k*[0-9]", "kmsdata-7", true},
	    {"k*[0-9]", "kmsdata-x", false},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_msg(kms_glob_match(rows[i].pattern, rows[i].name) == rows[i].match, "'%s' vs '%s'",
		              rows[i].pattern, rows[i].name);
}
END_TEST

/* A set's name is kept whole (ties are broken by it): two names that
 * share their first 300 bytes are still told apart. */
START_TEST(set_names_are_never_cut)
{
	static char a[601], b[601];
	memset(a, 'k', 600);
	memcpy(b, a, sizeof a);
	b[599] = 'z';
	struct kms_set *sa = calloc(2, sizeof *sa), *sb = sa + 1;
	kms_set_load("/nonexistent", a, sa);
	kms_set_load("/nonexistent", b, sb);
	ck_assert_str_eq(sa->name, a);
	ck_assert(kms_set_newer(sb, sa)); /* the same time: the name that sorts last */
	ck_assert(!kms_set_newer(sa, sb));
	kms_set_free(sa);
	kms_set_free(sb);
	free(sa);
}
END_TEST

/* Patterns that can never match as meant are refused, with the reason. */
START_TEST(glob_checks)
{
	char why[128];
	const char *good[] = {"*", "kmsdata-*", "set[0-9]", "set[!a-z]", "[]]x", "[a-a]", "?"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(kms_glob_check(good[i], why, sizeof why), "refused '%s': %s", good[i], why);
	ck_assert(!kms_glob_check("[", why, sizeof why));
	ck_assert_str_eq(why, "has a '[' without its ']'");
	ck_assert(!kms_glob_check("[unclosed", why, sizeof why));
	ck_assert(!kms_glob_check("*/*", why, sizeof why));
	ck_assert_str_eq(why, "holds a path separator: it matches one folder name");
	ck_assert(!kms_glob_check("a\\b", why, sizeof why));
	ck_assert(!kms_glob_check("[z-a]*", why, sizeof why));
	ck_assert_str_eq(why, "has the range 'z-a', which is empty");
	ck_assert(!kms_glob_check("x[A-b][c-B]", why, sizeof why)); /* ranges ignore case: c-b */
}
END_TEST

START_TEST(join_keeps_the_folder_style)
{
	char out[64];
	ck_assert(fsys_join(out, sizeof out, "/srv/kms", "Kmsmdb.edb"));
	ck_assert_str_eq(out, "/srv/kms/Kmsmdb.edb");
	ck_assert(fsys_join(out, sizeof out, "C:\\exchsrvr\\kmsdata", "Kmsmdb.edb"));
	ck_assert_str_eq(out, "C:\\exchsrvr\\kmsdata\\Kmsmdb.edb");
	ck_assert(fsys_join(out, sizeof out, "C:/exchsrvr\\kmsdata", "x"));
	ck_assert_str_eq(out, "C:/exchsrvr\\kmsdata/x");
	ck_assert(fsys_join(out, sizeof out, "dir/", "x"));
	ck_assert_str_eq(out, "dir/x");
	ck_assert(!fsys_join(out, 8, "/srv/kms", "Kmsmdb.edb"));
}
END_TEST

START_TEST(iso_times)
{
	char buf[32];
	kms_time_iso(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "19700101T000000Z");
	kms_time_iso(951782400, buf, sizeof buf); /* 2000-02-29, a leap day */
	ck_assert_str_eq(buf, "20000229T000000Z");
	kms_time_iso(1795257045, buf, sizeof buf);
	ck_assert_str_eq(buf, "20261121T103045Z");
}
END_TEST

static void add_file(struct kms_tree *t, const char *path, uint64_t size)
{
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->items = realloc(t->items, t->cap * sizeof *t->items);
	}
	char *copy = malloc(strlen(path) + 1);
	strcpy(copy, path);
	t->items[t->count++] = (struct kms_entry){copy, false, size, 0};
	t->files++;
}

START_TEST(manifest_round_trip)
{
	struct kms_manifest m = {.time = 1795257045};
	strcpy(m.source, "C:\\exchsrvr\\kmsdata");
	strcpy(m.service_state, "STOPPED");
	struct kms_tree files = {0};
	add_file(&files, "Kmsmdb.edb", 16384);
	add_file(&files, "logs/edb00001.log", 5242880);
	add_file(&files, "name with spaces.chk", 0);
	char text[1024];
	size_t len = kms_manifest_format(&m, &files, text, sizeof text);
	ck_assert_uint_lt(len, sizeof text);
	ck_assert_uint_eq(kms_manifest_format(&m, &files, NULL, 0), len);
	ck_assert_ptr_nonnull(strstr(text, "time 1795257045 20261121T103045Z\n"));
	struct kms_manifest back;
	char why[256];
	ck_assert_msg(kms_manifest_parse(text, len, &back, why, sizeof why), "%s", why);
	ck_assert_int_eq(back.time, m.time);
	ck_assert_str_eq(back.source, m.source);
	ck_assert_str_eq(back.service_state, "STOPPED");
	ck_assert_uint_eq(back.files.files, 3);
	const struct kms_entry *e = kms_tree_find(&back.files, "logs/EDB00001.LOG");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->size, 5242880);
	ck_assert_ptr_nonnull(kms_tree_find(&back.files, "name with spaces.chk"));
	kms_manifest_free(&back);

	/* Every cut short of the whole text is refused, never half-believed. */
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, text, cut);
		ck_assert_msg(!kms_manifest_parse(copy, cut, &back, why, sizeof why), "cut at %zu accepted",
		              cut);
		kms_manifest_free(&back);
		free(copy);
	}
	kms_tree_free(&files);
}
END_TEST

START_TEST(manifest_rejections)
{
	const char *bad[] = {
	    "kms-backup-manifest 2\ntime 1 19700101T000001Z\nend 0\n",
	    "kms-backup-manifest 1\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\nfile 10 a\nend 2\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\nfile ten a\nend 1\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\nfile 10\nend 1\n",
	    "kms-backup-manifest 1\ntime 99999999999999999999999 x\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\nbogus\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\nend 0",
	    /* The time line: both forms, the same time, nothing else. */
	    "kms-backup-manifest 1\ntime 2099-01-01T00:00:00Z\nend 0\n",
	    "kms-backup-manifest 1\ntime 1795779914junk\nend 0\n",
	    "kms-backup-manifest 1\ntime 1795779914 garbage\nend 0\n",
	    "kms-backup-manifest 1\ntime 1795779914\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000002Z\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z \nend 0\n",
	    "kms-backup-manifest 1\ntime 253402300800 100000101T000000Z\nend 0\n",
	    "kms-backup-manifest 1\ntime 1 19700101T000001Z\ntime 1 19700101T000001Z\nend 0\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kms_manifest m;
		char why[256] = "";
		ck_assert_msg(!kms_manifest_parse(bad[i], strlen(bad[i]), &m, why, sizeof why),
		              "accepted: %s", bad[i]);
		ck_assert_msg(why[0] != '\0', "no reason for %s", bad[i]);
		kms_manifest_free(&m);
	}
}
END_TEST

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/kms-data-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void remove_root(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", root, root);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void sub(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

START_TEST(walk_skips_links_loops_and_fifos)
{
	sub("set");
	sub("set/logs");
	write_file("set/Kmsmdb.edb", "12345");
	write_file("set/logs/a.log", "123");
	char path[512], target[512];
	snprintf(path, sizeof path, "%s/set/logs/loop", root);
	snprintf(target, sizeof target, "%s/set", root);
	ck_assert_int_eq(symlink(target, path), 0); /* a loop back to the top */
	snprintf(path, sizeof path, "%s/set/fifo", root);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	write_file("set/" KMS_MANIFEST_NAME, "excluded");

	struct kms_tree t;
	char err[512];
	snprintf(path, sizeof path, "%s/set", root);
	ck_assert(kms_tree_walk(path, KMS_MANIFEST_NAME, &t, err, sizeof err));
	ck_assert(!t.failed);
	ck_assert_uint_eq(t.files, 2);
	ck_assert_uint_eq(t.bytes, 8);
	ck_assert_uint_eq(t.count, 3); /* two files and the logs folder */
	ck_assert_uint_eq(t.skipped, 2);
	ck_assert_ptr_nonnull(kms_tree_find(&t, "kmsmdb.EDB"));
	ck_assert_ptr_null(kms_tree_find(&t, KMS_MANIFEST_NAME));
	kms_tree_free(&t);

	ck_assert(!kms_tree_walk("/nonexistent-kms", NULL, &t, err, sizeof err));
	ck_assert_str_eq(err, "cannot read folder '/nonexistent-kms': No such file or directory");
}
END_TEST

START_TEST(walk_reports_unreadable_subfolder)
{
	if (geteuid() == 0)
		return; /* root reads everything: the program tests cover this another way */
	sub("set");
	sub("set/locked");
	char path[512];
	snprintf(path, sizeof path, "%s/set/locked", root);
	chmod(path, 0);
	struct kms_tree t;
	char err[512];
	snprintf(path, sizeof path, "%s/set", root);
	ck_assert(kms_tree_walk(path, NULL, &t, err, sizeof err));
	ck_assert(t.failed);
	ck_assert_ptr_nonnull(strstr(t.error, "locked"));
	kms_tree_free(&t);
}
END_TEST

START_TEST(sets_found_by_pattern_sorted)
{
	sub("kmsdata-2");
	sub("kmsdata-1");
	sub("other");
	sub(".kmsdata-partial");
	write_file("kmsdata-file", "not a folder");
	struct kms_names n;
	char err[512];
	ck_assert(kms_sets_find(root, "*", &n, err, sizeof err));
	ck_assert_uint_eq(n.count, 3);
	ck_assert_str_eq(n.names[0], "kmsdata-1");
	kms_names_free(&n);
	ck_assert(kms_sets_find(root, "kmsdata-*", &n, err, sizeof err));
	ck_assert_uint_eq(n.count, 2);
	ck_assert_str_eq(n.names[1], "kmsdata-2");
	kms_names_free(&n);
	ck_assert(!kms_sets_find("/nonexistent-kms", "*", &n, err, sizeof err));
}
END_TEST

struct seen {
	int count[8];
	char last[8][512];
};

static void collect(void *ctx, enum kms_problem kind, const char *text)
{
	struct seen *s = ctx;
	s->count[kind]++;
	snprintf(s->last[kind], sizeof s->last[kind], "%s", text);
}

START_TEST(set_checks_by_kind)
{
	sub("s");
	write_file("s/extra.log", "abc");
	struct kms_set *set = calloc(1, sizeof *set);
	kms_set_load(root, "s", set);
	ck_assert(set->listed);
	ck_assert(!set->time_from_manifest);
	ck_assert_int_gt(set->time, 0);

	struct kms_tree live = {0};
	add_file(&live, "extra.log", 3);
	add_file(&live, "missing.log", 10);
	struct kms_check_options opts = {.live = &live};
	struct seen s = {0};
	struct kms_set_facts facts;
	kms_set_check(set, &opts, collect, &s, &facts);
	ck_assert_int_eq(s.count[KMS_PROBLEM_NO_DATABASE], 1);
	ck_assert_int_eq(s.count[KMS_PROBLEM_INCOMPLETE], 1);
	ck_assert_str_eq(s.last[KMS_PROBLEM_INCOMPLETE], "live file missing.log is missing from set s");
	kms_set_free(set);

	/* A manifest that lists another size and a file that is gone. */
	write_file("s/" KMS_MANIFEST_NAME, "kms-backup-manifest 1\ntime 1000 19700101T001640Z\nsource "
	                                   "/k\nservice STOPPED\nfile 5 extra.log\nfile 1 "
	                                   "gone\nend 2\n");
	kms_set_load(root, "s", set);
	ck_assert(set->time_from_manifest);
	ck_assert_int_eq(set->time, 1000);
	memset(&s, 0, sizeof s);
	opts.live = NULL;
	kms_set_check(set, &opts, collect, &s, &facts);
	ck_assert_int_eq(s.count[KMS_PROBLEM_MANIFEST], 2);
	ck_assert_int_eq(s.count[KMS_PROBLEM_INCOMPLETE], 0);
	kms_set_free(set);
	kms_tree_free(&live);
	free(set);
}
END_TEST

/* Sets by age (days) and whether their manifest is good. */
static void prune_case(const int *days, const bool *good, size_t n, size_t keep, const bool *want)
{
	struct kms_set *sets = calloc(n, sizeof *sets);
	bool removed[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(sets[i].name, sizeof sets[i].name, "set-%zu", i);
		sets[i].time = 1000000 - days[i] * 86400;
		sets[i].manifest_status = good[i] ? KMS_MANIFEST_OK : KMS_MANIFEST_NONE;
	}
	kmscopy_choose_prune(sets, n, keep, 1000000, removed);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(removed[i] == want[i], "keep %zu: set %zu (%d days, %s) %s", keep, i, days[i],
		              good[i] ? "good" : "no manifest", removed[i] ? "removed" : "kept");
	free(sets);
}

START_TEST(prune_choices)
{
	/* Out of order on purpose: 3, 0, 2, 1 days old. */
	int days[] = {3, 0, 2, 1};
	bool all_good[] = {true, true, true, true};
	prune_case(days, all_good, 4, 2, (bool[]){true, false, true, false});
	prune_case(days, all_good, 4, 4, (bool[]){false, false, false, false});
	prune_case(days, all_good, 4, 0, (bool[]){true, false, true, true}); /* 0 acts as 1 */
	/* The newest sets have no manifest: the newest good one (3 days) stays. */
	bool old_good[] = {true, false, false, false};
	prune_case(days, old_good, 4, 1, (bool[]){false, false, false, false});
	/* A bad set older than the last kept good one goes. */
	int days2[] = {0, 1, 2, 3};
	bool mixed[] = {true, false, true, true};
	prune_case(days2, mixed, 4, 2, (bool[]){false, false, false, true});
	prune_case(days2, mixed, 0, 2, (bool[]){false}); /* no sets at all */
	/* A set dated 2 days ahead takes no --keep place and is never removed:
	 * the real newest stays, the older one goes. */
	int days3[] = {-2, 0, 1};
	prune_case(days3, all_good, 3, 1, (bool[]){false, false, true});
	/* Equal times: the name that sorts last is the newer. */
	int same[] = {1, 1};
	prune_case(same, all_good, 2, 1, (bool[]){true, false});
}
END_TEST

START_TEST(remove_tree_without_following_links)
{
	sub("victim");
	sub("victim/deep");
	sub("keep");
	write_file("victim/deep/a", "a");
	write_file("keep/precious", "p");
	char link[512], target[512], path[512], err[512];
	snprintf(link, sizeof link, "%s/victim/link-to-keep", root);
	snprintf(target, sizeof target, "%s/keep", root);
	ck_assert_int_eq(symlink(target, link), 0);
	snprintf(path, sizeof path, "%s/victim", root);
	ck_assert_msg(kmscopy_remove_tree(path, err, sizeof err), "%s", err);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/keep/precious", root);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/nothing", root);
	ck_assert(!kmscopy_remove_tree(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "nothing"));
}
END_TEST

/* The set itself replaced by a link to another folder: removing it must
 * not empty the folder the link points at. */
START_TEST(remove_tree_refuses_a_set_that_is_a_link)
{
	sub("keep");
	write_file("keep/precious", "p");
	char link[512], target[512], path[512], err[512];
	snprintf(link, sizeof link, "%s/set-link", root);
	snprintf(target, sizeof target, "%s/keep", root);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert(!kmscopy_remove_tree(link, err, sizeof err));
	ck_assert_msg(strstr(err, "is a link") != NULL, "%s", err);
	snprintf(path, sizeof path, "%s/keep/precious", root);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

/* The *_at calls never follow a link at the name. */
START_TEST(at_calls_never_follow_links)
{
	sub("d");
	sub("outside");
	write_file("outside/secret", "s");
	char path[512], target[512], err[FSYS_ERR_MAX];
	snprintf(target, sizeof target, "%s/outside", root);
	snprintf(path, sizeof path, "%s/d/sub", root);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(target, sizeof target, "%s/outside/secret", root);
	snprintf(path, sizeof path, "%s/d/file", root);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(path, sizeof path, "%s/d", root);
	struct fsys_dir *d = fsys_dir_open(path, err);
	ck_assert_ptr_nonnull(d);
	struct fsys_info info;
	ck_assert(fsys_lstat_at(d, "sub", &info, err));
	ck_assert_int_eq(info.kind, FSYS_LINK);
	ck_assert_ptr_null(fsys_dir_open_at(d, "sub", err));
	ck_assert_str_eq(err, "is a link: not followed");
	ck_assert_ptr_null(fsys_open_read_at(d, "file", err));
	ck_assert_str_eq(err, "is a link: not followed");
	ck_assert(fsys_remove_file_at(d, "file", err)); /* the link goes, not its target */
	fsys_dir_close(d);
	ck_assert_int_eq(access(target, F_OK), 0);
	snprintf(path, sizeof path, "%s/d/sub", root);
	ck_assert_ptr_null(fsys_open_read_nofollow(path, err));
	ck_assert_ptr_null(fsys_dir_open_at(NULL, path, err));
	struct ese_file_check c;
	ck_assert(!ese_file_check_nofollow(path, false, &c));
	ck_assert_str_eq(c.error, "is a link: not followed");
}
END_TEST

/* A manifest that is a link (to a valid manifest elsewhere) is not read. */
START_TEST(manifest_never_read_through_a_link)
{
	sub("set");
	write_file("elsewhere.manifest", "kms-backup-manifest 1\ntime 1700000000 20231114T221320Z\n"
	                                 "source /k\nservice STOPPED\nend 0\n");
	char path[512], target[512], why[512];
	snprintf(target, sizeof target, "%s/elsewhere.manifest", root);
	snprintf(path, sizeof path, "%s/set/" KMS_MANIFEST_NAME, root);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(path, sizeof path, "%s/set", root);
	struct kms_manifest m;
	ck_assert_int_eq(kms_manifest_read(path, &m, why, sizeof why), KMS_MANIFEST_UNREADABLE);
	ck_assert_msg(strstr(why, "is a link") != NULL, "%s", why);
}
END_TEST

/* A subfolder flipping between a folder and a link to the outside while
 * the walk and the removal run: nothing outside is ever listed or removed. */
START_TEST(swapped_folder_is_never_followed)
{
	sub("outside");
	write_file("outside/secret", "s");
	char cmd[1200], set[512], flip[512], real[512], target[512];
	snprintf(set, sizeof set, "%s/set", root);
	snprintf(flip, sizeof flip, "%s/set/sub", root);
	snprintf(real, sizeof real, "%s/set-sub-real", root);
	snprintf(target, sizeof target, "%s/outside", root);
	for (int round = 0; round < 10; round++) {
		sub("set");
		sub("set/sub");
		write_file("set/sub/inner", "i");
		write_file("set/Kmsmdb.edb", "x");
		pid_t child = fork();
		ck_assert_int_ge(child, 0);
		if (child == 0) { /* swap set/sub for a link and back, as fast as it can */
			for (int i = 0; i < 2000; i++) {
				if (rename(flip, real) == 0) {
					if (symlink(target, flip) != 0)
						_exit(1);
					unlink(flip);
					rename(real, flip);
				}
			}
			_exit(0);
		}
		struct kms_tree t;
		char err[512];
		for (int i = 0; i < 20; i++) {
			if (kms_tree_walk(set, NULL, &t, err, sizeof err)) {
				ck_assert_ptr_null(kms_tree_find(&t, "sub/secret"));
				kms_tree_free(&t);
			}
		}
		kmscopy_remove_tree(set, err, sizeof err);
		int status;
		waitpid(child, &status, 0);
		snprintf(cmd, sizeof cmd, "%s/outside/secret", root);
		ck_assert_msg(access(cmd, F_OK) == 0, "round %d: a file outside the set was removed", round);
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", set, real);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

static Suite *kmsdata_suite(void)
{
	Suite *s = suite_create("kmsdata");
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, glob_table);
	tcase_add_test(pure, glob_checks);
	tcase_add_test(pure, set_names_are_never_cut);
	tcase_add_test(pure, join_keeps_the_folder_style);
	tcase_add_test(pure, iso_times);
	tcase_add_test(pure, manifest_round_trip);
	tcase_add_test(pure, manifest_rejections);
	tcase_add_test(pure, prune_choices);
	suite_add_tcase(s, pure);
	TCase *fs = tcase_create("folders");
	/* The swapped-folder race runs a while, longer under the sanitizers. */
	tcase_set_timeout(fs, 60);
	tcase_add_checked_fixture(fs, make_root, remove_root);
	tcase_add_test(fs, walk_skips_links_loops_and_fifos);
	tcase_add_test(fs, walk_reports_unreadable_subfolder);
	tcase_add_test(fs, sets_found_by_pattern_sorted);
	tcase_add_test(fs, set_checks_by_kind);
	tcase_add_test(fs, remove_tree_without_following_links);
	tcase_add_test(fs, remove_tree_refuses_a_set_that_is_a_link);
	tcase_add_test(fs, at_calls_never_follow_links);
	tcase_add_test(fs, manifest_never_read_through_a_link);
	tcase_add_test(fs, swapped_folder_is_never_followed);
	suite_add_tcase(s, fs);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kmsdata_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
