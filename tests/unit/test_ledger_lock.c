/* test_ledger_lock: the POSIX named lock the restart handler holds while it
 * reads and writes its ledger: one holder at a time, busy for another
 * process, free again after release or after the holder dies. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"

static char dir[] = "/tmp/test_lock.XXXXXX";

/* In a child process: 0 taken, 1 busy, 2 error. */
static int take_in_child(const char *name)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct lock *l;
		char err[256];
		enum lock_result r = lock_take(name, dir, &l, err, sizeof err);
		_exit(r == LOCK_TAKEN ? 0 : r == LOCK_BUSY ? 1 : 2);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(one_holder_at_a_time)
{
	struct lock *l = NULL;
	char err[256];
	ck_assert_int_eq(lock_take("handle_kms_restart", dir, &l, err, sizeof err), LOCK_TAKEN);
	ck_assert_int_eq(take_in_child("handle_kms_restart"), 1);
	ck_assert_int_eq(take_in_child("other_lock"), 0);
	lock_release(l);
	ck_assert_int_eq(take_in_child("handle_kms_restart"), 0);
}
END_TEST

START_TEST(dead_holder_frees_it)
{
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t holder = fork();
	if (holder == 0) {
		struct lock *l;
		char err[256];
		if (lock_take("kms", dir, &l, err, sizeof err) == LOCK_TAKEN)
			ck_assert_int_eq(write(ready[1], "x", 1), 1);
		pause();
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(take_in_child("kms"), 1);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	ck_assert_int_eq(take_in_child("kms"), 0);
}
END_TEST

/* The handler and kms_backup share one lock on the service; the handler's
 * own lock is another, so a busy service lock means kms_backup. */
START_TEST(service_lock_is_shared_and_distinct)
{
	struct lock *handler = NULL, *service = NULL;
	char err[256];
	ck_assert_str_ne(KMS_SERVICE_LOCK, KMS_HANDLER_LOCK);
	ck_assert_int_eq(lock_take(KMS_SERVICE_LOCK, dir, &service, err, sizeof err), LOCK_TAKEN);
	ck_assert_int_eq(take_in_child(KMS_SERVICE_LOCK), 1);
	ck_assert_int_eq(take_in_child(KMS_HANDLER_LOCK), 0);
	ck_assert_int_eq(lock_take(KMS_HANDLER_LOCK, dir, &handler, err, sizeof err), LOCK_TAKEN);
	lock_release(service);
	lock_release(handler);
}
END_TEST

/* lock_take_within waits for a holder that lets go, and no longer than told. */
START_TEST(take_within_waits_for_release)
{
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t holder = fork();
	if (holder == 0) {
		struct lock *l;
		char err[256];
		if (lock_take("brief", dir, &l, err, sizeof err) == LOCK_TAKEN)
			ck_assert_int_eq(write(ready[1], "x", 1), 1);
		usleep(300000);
		_exit(0);
	}
	char c, err[256];
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	struct lock *l = NULL;
	ck_assert_int_eq(lock_take_within("brief", dir, 0, &l, err, sizeof err), LOCK_BUSY);
	ck_assert_int_eq(lock_take_within("brief", dir, 10000, &l, err, sizeof err), LOCK_TAKEN);
	waitpid(holder, NULL, 0);
	ck_assert_int_eq(take_in_child("brief"), 1);
	lock_release(l);
}
END_TEST

START_TEST(bad_names_and_dirs)
{
	struct lock *l;
	char err[256];
	ck_assert_int_eq(lock_take("../escape", dir, &l, err, sizeof err), LOCK_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "not a lock name"));
	ck_assert_int_eq(lock_take("", dir, &l, err, sizeof err), LOCK_ERROR);
	ck_assert_int_eq(lock_take("kms", "/nonexistent/dir", &l, err, sizeof err), LOCK_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/kms.lock"));
}
END_TEST

int main(void)
{
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("lock");
	tcase_add_test(tc, one_holder_at_a_time);
	tcase_add_test(tc, dead_holder_frees_it);
	tcase_add_test(tc, service_lock_is_shared_and_distinct);
	tcase_add_test(tc, take_within_waits_for_release);
	tcase_add_test(tc, bad_names_and_dirs);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		failed++;
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
