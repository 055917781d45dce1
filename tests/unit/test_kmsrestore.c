/* test_kmsrestore: the pure half of kms_restore: the names a restore uses
 * beside Kmsdata (POSIX and Windows spellings, roots refused), set names
 * that could leave --backup-dir, the choice of the set (newest sound one,
 * unsound ones passed over, a future-dated one stops it), the time text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsrestore.h"

static const int64_t stamp_time = 1795161600; /* 2026-11-20T08:00:00Z */

START_TEST(plan_names_beside_kmsdata)
{
	struct {
		const char *kmsdata, *parent, *base, *damaged, *copy;
	} rows[] = {
	    {"/srv/x/kmsdata", "/srv/x", "kmsdata", "/srv/x/kmsdata.damaged-20261120T080000Z",
	     "/srv/x/.kmsdata.restore-20261120T080000Z"},
	    {"/srv/x/kmsdata//", "/srv/x", "kmsdata", "/srv/x/kmsdata.damaged-20261120T080000Z",
	     "/srv/x/.kmsdata.restore-20261120T080000Z"},
	    {"C:\\exchsrvr\\Kmsdata\\", "C:\\exchsrvr", "Kmsdata",
	     "C:\\exchsrvr\\Kmsdata.damaged-20261120T080000Z",
	     "C:\\exchsrvr\\.Kmsdata.restore-20261120T080000Z"},
	    {"C:\\Kmsdata", "C:\\", "Kmsdata", "C:\\Kmsdata.damaged-20261120T080000Z",
	     "C:\\.Kmsdata.restore-20261120T080000Z"},
	    {"/kmsdata", "/", "kmsdata", "/kmsdata.damaged-20261120T080000Z",
	     "/.kmsdata.restore-20261120T080000Z"},
	    {"kmsdata", ".", "kmsdata", "./kmsdata.damaged-20261120T080000Z",
	     "./.kmsdata.restore-20261120T080000Z"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct kmsrestore_plan p;
		char err[256];
		ck_assert_msg(kmsrestore_plan_make(rows[i].kmsdata, stamp_time, &p, err, sizeof err),
		              "%s: %s", rows[i].kmsdata, err);
		ck_assert_str_eq(p.parent, rows[i].parent);
		ck_assert_str_eq(p.base, rows[i].base);
		ck_assert_str_eq(p.damaged, rows[i].damaged);
		ck_assert_str_eq(p.copy, rows[i].copy);
		ck_assert(strlen(p.ready) == strlen(p.copy) + strlen(KMSRESTORE_READY_TAG));
	}
	struct kmsrestore_plan p;
	char err[256];
	const char *refused[] = {"/", "C:\\", "C:", ""};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		ck_assert_msg(!kmsrestore_plan_make(refused[i], stamp_time, &p, err, sizeof err),
		              "'%s' taken", refused[i]);
}
END_TEST

START_TEST(set_names_stay_in_the_backup_folder)
{
	char why[256];
	ck_assert(kmsrestore_set_name_ok("kmsdata-20261120T080000Z", why, sizeof why));
	const char *refused[] = {"", ".", "..", "../x", "a/b", "a\\b", "/abs", "C:x", ".hidden"};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		ck_assert_msg(!kmsrestore_set_name_ok(refused[i], why, sizeof why), "'%s' taken", refused[i]);
}
END_TEST

/* sets, newest first in order[] as kmsrestore_sets_load leaves them. */
static void make_sets(struct kmsrestore_sets *s, struct kmsrestore_set *items, size_t *order, size_t n)
{
	memset(s, 0, sizeof *s);
	s->items = items;
	s->order = order;
	s->count = n;
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		snprintf(items[i].set.name, sizeof items[i].set.name, "set%zu", i);
		items[i].set.listed = true;
	}
}

START_TEST(choice_is_the_newest_sound_set)
{
	struct kmsrestore_set items[3];
	size_t order[3];
	struct kmsrestore_sets s;
	char why[1024];
	memset(items, 0, sizeof items);
	make_sets(&s, items, order, 3);
	items[0].sound = false;
	snprintf(items[0].first_problem, sizeof items[0].first_problem, "dirty");
	items[1].sound = true;
	items[2].sound = true;
	ck_assert_uint_eq(kmsrestore_choose(&s, why, sizeof why), 1);
	ck_assert_msg(strstr(why, "set0 is not sound: dirty") != NULL, "%s", why);
	items[1].future = true; /* a future-dated set before the sound one stops the choice */
	ck_assert_uint_eq(kmsrestore_choose(&s, why, sizeof why), 3);
	ck_assert_msg(strstr(why, "set1 is dated in the future") != NULL, "%s", why);
	items[1].future = false;
	items[1].sound = items[2].sound = false;
	ck_assert_uint_eq(kmsrestore_choose(&s, why, sizeof why), 3);
	ck_assert_msg(strncmp(why, "no sound set: ", 14) == 0, "%s", why);
	make_sets(&s, items, order, 0);
	ck_assert_uint_eq(kmsrestore_choose(&s, why, sizeof why), 0);
}
END_TEST

START_TEST(time_text_for_people)
{
	char buf[32];
	kmsrestore_time_text(stamp_time, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-20T08:00:00Z");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmsrestore");
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, plan_names_beside_kmsdata);
	tcase_add_test(pure, set_names_stay_in_the_backup_folder);
	tcase_add_test(pure, choice_is_the_newest_sound_set);
	tcase_add_test(pure, time_text_for_people);
	suite_add_tcase(s, pure);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
