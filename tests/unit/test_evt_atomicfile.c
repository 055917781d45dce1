/* test_evt_atomicfile: write/read round trips, replacement, the size limit,
 * a missing file, and failures that must leave the old content and no
 * temporary behind. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "test_evt.h"

static char dir[256];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/kms-atomic-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int entries_in_dir(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(round_trip_and_replace)
{
	char path[300], buf[64], err[256] = "";
	size_t len = 99;
	snprintf(path, sizeof path, "%s/state", dir);
	ck_assert(atomicfile_write(path, "first version\n", 14, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(len, 14);
	ck_assert_str_eq(buf, "first version\n");
	ck_assert(atomicfile_write(path, "v2", 2, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_str_eq(buf, "v2");
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(entries_in_dir(), 1); /* no temporary left behind */
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 077, 0); /* state may hold private data */
	ck_assert(atomicfile_write(path, "", 0, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(binary_data_survives)
{
	char path[300], buf[16], err[256];
	size_t len;
	const char data[5] = {'a', 0, 'b', '\n', (char)0xff};
	snprintf(path, sizeof path, "%s/bin", dir);
	ck_assert(atomicfile_write(path, data, sizeof data, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(buf, data, 5);
}
END_TEST

START_TEST(missing_file_is_not_an_error)
{
	char path[300], buf[16] = "junk", err[256] = "";
	size_t len = 7;
	snprintf(path, sizeof path, "%s/never-written", dir);
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_MISSING);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(too_large_is_refused_not_cut)
{
	char path[300], buf[8], err[256] = "";
	size_t len;
	snprintf(path, sizeof path, "%s/big", dir);
	ck_assert(atomicfile_write(path, "12345678", 8, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "larger than 7 bytes"));
	ck_assert_ptr_nonnull(strstr(err, path));
	/* exactly cap - 1 bytes fit */
	ck_assert(atomicfile_write(path, "1234567", 7, err, sizeof err));
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_str_eq(buf, "1234567");
}
END_TEST

START_TEST(failed_write_keeps_old_content)
{
	char path[300], buf[64], err[256] = "";
	size_t len;
	/* The target is a non-empty directory: the rename must fail. */
	snprintf(path, sizeof path, "%s/occupied", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	char inner[400];
	snprintf(inner, sizeof inner, "%s/keep", path);
	ck_assert(atomicfile_write(inner, "old", 3, err, sizeof err));
	ck_assert(!atomicfile_write(path, "new", 3, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_int_eq(entries_in_dir(), 1); /* the temporary was removed */
	ck_assert_int_eq(atomicfile_read(inner, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_str_eq(buf, "old");
	/* Reading a directory is an error, not a missing file. */
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	/* A directory that does not exist. */
	snprintf(path, sizeof path, "%s/no/such/dir/state", dir);
	ck_assert(!atomicfile_write(path, "x", 1, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
}
END_TEST

/* A writer killed at any moment leaves the target either old or new. */
START_TEST(killed_writer_never_tears_the_file)
{
	char path[300], err[256];
	snprintf(path, sizeof path, "%s/ledger", dir);
	static char big_a[1 << 20], big_b[1 << 20];
	memset(big_a, 'a', sizeof big_a);
	memset(big_b, 'b', sizeof big_b);
	ck_assert(atomicfile_write(path, big_a, sizeof big_a, err, sizeof err));
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			for (;;)
				atomicfile_write(path, (round & 1) ? big_a : big_b, sizeof big_a, NULL, 0);
		}
		usleep(2000 + 1000 * (useconds_t)round);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		static char back[(1 << 20) + 1];
		size_t len;
		ck_assert_int_eq(atomicfile_read(path, back, sizeof back, &len, err, sizeof err),
		                 ATOMICFILE_OK);
		ck_assert_uint_eq(len, sizeof big_a);
		ck_assert(memcmp(back, big_a, len) == 0 || memcmp(back, big_b, len) == 0);
	}
}
END_TEST

/* A symlink planted where the old code put its temporary (<path>.tmp<pid>)
 * must never be written through: the victim keeps its content. */
START_TEST(planted_symlink_at_temp_name_is_not_followed)
{
	char path[300], victim[300], link[340], buf[64], err[256] = "";
	size_t len;
	snprintf(path, sizeof path, "%s/state", dir);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(link, sizeof link, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(victim, "w");
	ck_assert_ptr_nonnull(f);
	fputs("precious", f);
	fclose(f);
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_msg(atomicfile_write(path, "new", 3, err, sizeof err), "%s", err);
	ck_assert_int_eq(atomicfile_read(victim, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_str_eq(buf, "precious");
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_OK);
	ck_assert_str_eq(buf, "new");
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
}
END_TEST

/* A FIFO at the state path is refused at once as not a regular file
 * (before: open() blocked until the test's timeout). */
START_TEST(fifo_is_refused_not_waited_on)
{
	char path[300], buf[64], err[256] = "";
	size_t len;
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	alarm(3);
	ck_assert_int_eq(atomicfile_read(path, buf, sizeof buf, &len, err, sizeof err), ATOMICFILE_ERROR);
	alarm(0);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
}
END_TEST

Suite *atomicfile_suite(void)
{
	Suite *s = suite_create("atomicfile");
	TCase *tc = tcase_create("atomicfile");
	tcase_add_checked_fixture(tc, make_dir, remove_dir);
	tcase_add_test(tc, round_trip_and_replace);
	tcase_add_test(tc, binary_data_survives);
	tcase_add_test(tc, missing_file_is_not_an_error);
	tcase_add_test(tc, too_large_is_refused_not_cut);
	tcase_add_test(tc, failed_write_keeps_old_content);
	tcase_add_test(tc, killed_writer_never_tears_the_file);
	tcase_add_test(tc, planted_symlink_at_temp_name_is_not_followed);
	tcase_add_test(tc, fifo_is_refused_not_waited_on);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
