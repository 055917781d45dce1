/* test_ledger: the restart handler's ledger: parsing (strict, line numbers
 * in errors), formatting round trip, the budget count, the episode rule
 * (no second restart after a SOFT one until a recovery), pruning, and the
 * atomic file round trip. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"

static bool parse(const char *text, struct ledger *l)
{
	char why[128];
	return ledger_parse(text, strlen(text), l, why, sizeof why);
}

START_TEST(parse_and_format)
{
	struct ledger l;
	ck_assert(parse("# comment\nrestart 100 soft\n\nstarted 130\nrecovered 200\nrestart 50 hard\n", &l));
	ck_assert_uint_eq(l.n, 4);
	ck_assert_int_eq(l.entry[0].time, 50); /* put in time order */
	ck_assert(!l.entry[0].soft);
	ck_assert(l.entry[1].soft);
	char text[512];
	size_t n = ledger_format(&l, text, sizeof text);
	ck_assert_uint_lt(n, sizeof text);
	ck_assert_ptr_nonnull(
	    strstr(text, "restart 50 hard\nrestart 100 soft\nstarted 130\nrecovered 200\n"));
	struct ledger again;
	ck_assert(parse(text, &again));
	ck_assert_uint_eq(again.n, 4);
	ck_assert_mem_eq(again.entry, l.entry, 4 * sizeof l.entry[0]);
}
END_TEST

START_TEST(parse_rejects)
{
	struct ledger l;
	char why[128];
	const char *bad[] = {"restart 100\n",     "restart 100 maybe\n", "restart x soft\n",
	                     "restart -5 soft\n", "started 10 20\n",     "stopped 10\n",
	                     "restart 10soft\n",  "started 1e9\n",       "started 9999999999999999999\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!parse(bad[i], &l), "accepted '%s'", bad[i]);
	ck_assert(!ledger_parse("started 1\nbogus\n", 17, &l, why, sizeof why));
	ck_assert_str_eq(why, "line 2 is not a ledger entry");
	ck_assert(!ledger_parse("started 1\0", 10, &l, why, sizeof why));
}
END_TEST

START_TEST(budget_and_episode)
{
	struct ledger l = {0};
	ledger_add(&l, LEDGER_RESTART, 1000, true);
	ledger_add(&l, LEDGER_RESTART, 2000, false);
	ledger_add(&l, LEDGER_RESTART, 3000, false);
	ck_assert_uint_eq(ledger_restarts_since(&l, 0), 3);
	ck_assert_uint_eq(ledger_restarts_since(&l, 2000), 2);
	ck_assert_uint_eq(ledger_restarts_since(&l, 3001), 0);
	ck_assert(ledger_restarted_this_episode(&l, 2500));
	ledger_add(&l, LEDGER_RECOVERED, 3500, false);
	ck_assert(!ledger_restarted_this_episode(&l, 0)); /* recovered since */
	ledger_add(&l, LEDGER_RESTART, 4000, true);
	ck_assert(ledger_restarted_this_episode(&l, 3900));
	ck_assert(!ledger_restarted_this_episode(&l, 4001)); /* outside the window */
	int64_t t;
	ck_assert(ledger_last(&l, LEDGER_RECOVERED, &t) && t == 3500);
	ck_assert(!ledger_last(&l, LEDGER_STARTED, &t));
}
END_TEST

START_TEST(prune_keeps_what_matters)
{
	struct ledger l = {0};
	ledger_add(&l, LEDGER_STARTED, 10, false);
	ledger_add(&l, LEDGER_RESTART, 20, true);
	ledger_add(&l, LEDGER_STARTED, 30, false);
	ledger_add(&l, LEDGER_RECOVERED, 40, false);
	ledger_add(&l, LEDGER_RESTART, 500, false);
	ledger_add(&l, LEDGER_RECOVERED, 600, false);
	ledger_prune(&l, 100);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.entry[0].kind, LEDGER_STARTED);
	ck_assert_int_eq(l.entry[0].time, 30);
	ck_assert_int_eq(l.entry[1].time, 500);
	ck_assert_int_eq(l.entry[2].time, 600);
}
END_TEST

START_TEST(full_drops_oldest)
{
	struct ledger l = {0};
	for (int i = 0; i < LEDGER_MAX + 10; i++)
		ledger_add(&l, LEDGER_RESTART, 100 + i, false);
	ck_assert_uint_eq(l.n, LEDGER_MAX);
	ck_assert_int_eq(l.entry[0].time, 110);
	char text[LEDGER_FILE_MAX];
	ck_assert_uint_lt(ledger_format(&l, text, sizeof text), sizeof text);
	char tiny[40];
	ck_assert_uint_ge(ledger_format(&l, tiny, sizeof tiny), sizeof tiny); /* says it did not fit */
}
END_TEST

START_TEST(full_keeps_newest_started_and_recovered)
{
	struct ledger l = {0};
	ledger_add(&l, LEDGER_STARTED, 50, false);
	ledger_add(&l, LEDGER_RECOVERED, 60, false);
	for (int i = 0; i < LEDGER_MAX + 10; i++)
		ledger_add(&l, LEDGER_RESTART, 100 + i, false);
	ck_assert_uint_eq(l.n, LEDGER_MAX);
	int64_t t;
	ck_assert(ledger_last(&l, LEDGER_STARTED, &t) && t == 50);
	ck_assert(ledger_last(&l, LEDGER_RECOVERED, &t) && t == 60);
	/* the largest budget still counts every restart it needs */
	ck_assert_uint_ge(ledger_restarts_since(&l, 0), LEDGER_MAX_BUDGET);
	ck_assert_int_eq(l.entry[l.n - 1].time, 100 + LEDGER_MAX + 9);
	/* only started/recovered entries: the older ones go, the newest stay */
	struct ledger m = {0};
	for (int i = 0; i < LEDGER_MAX + 10; i++)
		ledger_add(&m, i % 2 ? LEDGER_RECOVERED : LEDGER_STARTED, 100 + i, false);
	ck_assert_uint_eq(m.n, LEDGER_MAX);
	ck_assert(ledger_last(&m, LEDGER_STARTED, &t) && t == 100 + LEDGER_MAX + 8);
	ck_assert(ledger_last(&m, LEDGER_RECOVERED, &t) && t == 100 + LEDGER_MAX + 9);
}
END_TEST

START_TEST(same_second_recovery_ends_the_episode)
{
	struct ledger l = {0};
	ledger_add(&l, LEDGER_RESTART, 1000, true);
	ledger_add(&l, LEDGER_RECOVERED, 1000, false); /* the OK came in the same second */
	ck_assert(!ledger_restarted_this_episode(&l, 0));
	ledger_add(&l, LEDGER_RESTART, 1000, false); /* and a new problem, same second */
	ck_assert(ledger_restarted_this_episode(&l, 0));
	/* the order survives the file */
	char text[LEDGER_FILE_MAX], why[128];
	struct ledger back;
	ck_assert_uint_lt(ledger_format(&l, text, sizeof text), sizeof text);
	ck_assert(ledger_parse(text, strlen(text), &back, why, sizeof why));
	ck_assert(ledger_restarted_this_episode(&back, 0));
	back.n--; /* drop the last restart: the recovery is the newest again */
	ck_assert(!ledger_restarted_this_episode(&back, 0));
}
END_TEST

START_TEST(file_round_trip)
{
	char dir[] = "/tmp/test_ledger.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/ledger", dir);
	struct ledger l;
	ck_assert_int_eq(ledger_load(path, &l, err, sizeof err), ATOMICFILE_MISSING);
	ck_assert_uint_eq(l.n, 0);
	ledger_add(&l, LEDGER_RESTART, 1763719200, true);
	ck_assert(ledger_save(path, &l, err, sizeof err));
	struct ledger back;
	ck_assert_int_eq(ledger_load(path, &back, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(back.n, 1);
	ck_assert(back.entry[0].soft);
	FILE *f = fopen(path, "w");
	fputs("restart soon\n", f);
	fclose(f);
	ck_assert_int_eq(ledger_load(path, &back, err, sizeof err), ATOMICFILE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *ledger_suite(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("ledger");
	tcase_add_test(tc, parse_and_format);
	tcase_add_test(tc, parse_rejects);
	tcase_add_test(tc, budget_and_episode);
	tcase_add_test(tc, prune_keeps_what_matters);
	tcase_add_test(tc, full_drops_oldest);
	tcase_add_test(tc, full_keeps_newest_started_and_recovered);
	tcase_add_test(tc, same_second_recovery_ends_the_episode);
	tcase_add_test(tc, file_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ledger_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
