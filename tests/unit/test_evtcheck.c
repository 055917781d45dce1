/* test_evtcheck: the shared middle of the event log checks returns its
 * errors (the option at fault and one line) instead of exiting: bad
 * --window, --since, --clock-slack, --max-events and --log, options that
 * exclude each other, state file problems, a log that cannot be opened;
 * and evtcheck_exit turns an error into UNKNOWN (exit 3). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtcheck.h"

static struct evtcheck check;
static struct evtcheck_error err;

/* Setup with a, as the programs call it (default log Application). */
static bool setup(const struct evtcheck_args *a, const char *host)
{
	memset(&err, 0, sizeof err);
	return evtcheck_setup(&check, a, host, "Application", &err);
}

/* err names option and its text starts with start. */
static void assert_error(const char *option, const char *start)
{
	if (option)
		ck_assert_str_eq(err.option, option);
	else
		ck_assert_ptr_null(err.option);
	ck_assert_msg(strncmp(err.text, start, strlen(start)) == 0, "'%s' does not start with '%s'", err.text,
	              start);
}

START_TEST(test_defaults_accepted)
{
	struct evtcheck_args a = {0};
	ck_assert(setup(&a, NULL));
	ck_assert_str_eq(check.scope, "in the last " EVTCHECK_DEFAULT_WINDOW);
	ck_assert_uint_eq(check.max_events, EVTCHECK_DEFAULT_MAX_EVENTS);
	ck_assert_uint_eq(check.time_slack, EVTQ_TIME_SLACK);
	ck_assert(check.bounded);
	ck_assert_str_eq(check.log, "Application");
}
END_TEST

START_TEST(test_bad_window)
{
	struct evtcheck_args a = {.window = "soon"};
	ck_assert(!setup(&a, NULL));
	assert_error("--window", "'soon' ");
}
END_TEST

START_TEST(test_empty_window)
{
	struct evtcheck_args a = {.window = "0s"};
	ck_assert(!setup(&a, NULL));
	assert_error("--window", "'0s' is empty: give at least 1s, or 'all'");
}
END_TEST

START_TEST(test_negative_window)
{
	struct evtcheck_args a = {.window = "-5m"};
	ck_assert(!setup(&a, NULL));
	assert_error("--window", "'-5m' ");
}
END_TEST

START_TEST(test_bad_since)
{
	struct evtcheck_args a = {.since = "2026-13-40T00:00:00Z"};
	ck_assert(!setup(&a, NULL));
	assert_error("--since", "'2026-13-40T00:00:00Z' ");
}
END_TEST

START_TEST(test_since_sets_scope)
{
	struct evtcheck_args a = {.since = "2026-11-21"};
	ck_assert(setup(&a, NULL));
	ck_assert_str_eq(check.scope, "since 2026-11-21T00:00:00Z");
}
END_TEST

START_TEST(test_clock_slack_over_a_year)
{
	struct evtcheck_args a = {.clock_slack = "400d"};
	ck_assert(!setup(&a, NULL));
	assert_error("--clock-slack", "'400d' is more than a year: give 'all'");
}
END_TEST

START_TEST(test_max_events_out_of_range)
{
	struct evtcheck_args a = {.max_events = "101"};
	ck_assert(!setup(&a, NULL));
	assert_error("--max-events", "'101' is out of range (0 to 100)");
	a.max_events = "2.5";
	ck_assert(!setup(&a, NULL));
	assert_error("--max-events", "'2.5' is not a whole number");
}
END_TEST

START_TEST(test_unknown_log)
{
	struct evtcheck_args a = {.log = "Kms"};
	ck_assert(!setup(&a, NULL));
	assert_error("--log", "'Kms' is not a known event log");
}
END_TEST

START_TEST(test_file_with_hostname)
{
	const char *files[] = {"App.evt", NULL};
	struct evtcheck_args a = {.files = files};
	ck_assert(!setup(&a, "kms1"));
	assert_error("--hostname", "'kms1' and --file exclude each other");
}
END_TEST

START_TEST(test_file_twice)
{
	const char *files[] = {"App.evt", "App.evt", NULL};
	struct evtcheck_args a = {.files = files};
	ck_assert(!setup(&a, NULL));
	assert_error("--file", "'App.evt' is given twice");
}
END_TEST

START_TEST(test_empty_file)
{
	const char *files[] = {"", NULL};
	struct evtcheck_args a = {.files = files};
	ck_assert(!setup(&a, NULL));
	assert_error("--file", "is empty");
}
END_TEST

START_TEST(test_empty_state_file)
{
	struct evtcheck_args a = {.state_file = ""};
	ck_assert(!setup(&a, NULL));
	assert_error("--state-file", "is empty");
}
END_TEST

START_TEST(test_bookmark_key_too_long)
{
	static char name[EVT_BOOKMARK_KEY_MAX + 1];
	memset(name, 'a', sizeof name - 1);
	const char *files[] = {name, NULL};
	struct evtcheck_args a = {.files = files, .state_file = "x.state"};
	ck_assert(!setup(&a, NULL));
	assert_error("--file", "'aaaa");
	ck_assert_ptr_nonnull(strstr(err.text, "is too long to keep a bookmark for in --state-file"));
}
END_TEST

START_TEST(test_log_cannot_be_opened)
{
	const char *files[] = {"/nonexistent-evtcheck/App.evt", NULL};
	struct evtcheck_args a = {.files = files};
	ck_assert(setup(&a, NULL));
	struct evtquery q = {0};
	ck_assert(!evtcheck_run(&check, &q, &err));
	ck_assert_ptr_null(err.option);
	ck_assert_ptr_nonnull(strstr(err.text, "/nonexistent-evtcheck/App.evt"));
}
END_TEST

START_TEST(test_state_file_in_missing_folder)
{
	const char *files[] = {"/nonexistent-evtcheck/App.evt", NULL};
	struct evtcheck_args a = {.files = files, .state_file = "/nonexistent-evtcheck/dir/s.state"};
	ck_assert(setup(&a, NULL));
	struct evtquery q = {0};
	ck_assert(!evtcheck_run(&check, &q, &err));
	assert_error(NULL, "--state-file: ");
}
END_TEST

START_TEST(test_state_file_is_a_folder)
{
	char dir[] = "/tmp/test_evtcheck.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char state[sizeof dir + 16];
	snprintf(state, sizeof state, "%s/state", dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	const char *files[] = {"/nonexistent-evtcheck/App.evt", NULL};
	struct evtcheck_args a = {.files = files, .state_file = state};
	ck_assert(setup(&a, NULL));
	struct evtquery q = {0};
	bool ok = evtcheck_run(&check, &q, &err);
	rmdir(state);
	rmdir(dir);
	ck_assert(!ok);
	/* the state file's error, not the missing log's (it is read first) */
	assert_error(NULL, "--state-file: ");
	ck_assert_ptr_null(strstr(err.text, "nonexistent-evtcheck"));
}
END_TEST

START_TEST(test_exit_is_unknown)
{
	struct evtcheck_error e = {.option = NULL, .text = "the log is gone"};
	evtcheck_exit(&e);
}
END_TEST

static Suite *evtcheck_suite(void)
{
	Suite *s = suite_create("evtcheck");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, test_defaults_accepted);
	tcase_add_test(tc, test_bad_window);
	tcase_add_test(tc, test_empty_window);
	tcase_add_test(tc, test_negative_window);
	tcase_add_test(tc, test_bad_since);
	tcase_add_test(tc, test_since_sets_scope);
	tcase_add_test(tc, test_clock_slack_over_a_year);
	tcase_add_test(tc, test_max_events_out_of_range);
	tcase_add_test(tc, test_unknown_log);
	tcase_add_test(tc, test_file_with_hostname);
	tcase_add_test(tc, test_file_twice);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_empty_state_file);
	tcase_add_test(tc, test_bookmark_key_too_long);
	tcase_add_test(tc, test_log_cannot_be_opened);
	tcase_add_test(tc, test_state_file_in_missing_folder);
	tcase_add_test(tc, test_state_file_is_a_folder);
	tcase_add_exit_test(tc, test_exit_is_unknown, STATE_UNKNOWN);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evtcheck_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
