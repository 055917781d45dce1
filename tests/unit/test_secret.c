/* test_secret: the password file, portable half and POSIX permission check:
 * Kmspwd.ini and one-line parsing, refusals (too open, missing, empty,
 * malformed, too large), and that no failure text carries the password. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

static char dir[] = "/tmp/test_secret.XXXXXX";

static enum secret_status parse(const char *text, struct secret *s)
{
	const char *why;
	return secret_parse(text, strlen(text), s, &why);
}

START_TEST(one_line_file)
{
	struct secret s;
	ck_assert_int_eq(parse("Sup3r Secret 15\r\nsecond line\n", &s), SECRET_OK);
	ck_assert_str_eq(s.value, "Sup3r Secret 15");
	ck_assert_uint_eq(s.len, 15);
	ck_assert_int_eq(parse("abc", &s), SECRET_OK);
	ck_assert_str_eq(s.value, "abc");
	ck_assert_int_eq(parse("\xEF\xBB\xBFpw\n", &s), SECRET_OK);
	ck_assert_str_eq(s.value, "pw");
	ck_assert_int_eq(parse(" spaced \n", &s), SECRET_OK);
	ck_assert_str_eq(s.value, " spaced ");
}
END_TEST

START_TEST(kmspwd_ini)
{
	struct secret s;
	ck_assert_int_eq(parse("[config]\r\npwd=KmsPassword123\r\n", &s), SECRET_OK);
	ck_assert_str_eq(s.value, "KmsPassword123");
	ck_assert_int_eq(parse("; floppy\n[other]\npwd=wrong\n[ Config ]\nuser=x\n  PWD = right one \n", &s),
	                 SECRET_OK);
	ck_assert_str_eq(s.value, "right one");
	ck_assert_int_eq(parse("[config]\npwd=\n", &s), SECRET_EMPTY);
	ck_assert_int_eq(parse("[config]\nuser=x\n", &s), SECRET_MALFORMED);
	ck_assert_int_eq(parse("[other]\npwd=x\n", &s), SECRET_MALFORMED);
	ck_assert_int_eq(parse("[config\npwd=x\n", &s), SECRET_MALFORMED);
}
END_TEST

START_TEST(bad_contents)
{
	struct secret s;
	const char *why = NULL;
	ck_assert_int_eq(parse("", &s), SECRET_EMPTY);
	ck_assert_int_eq(parse("\r\n", &s), SECRET_EMPTY);
	ck_assert_int_eq(secret_parse("ab\0cd", 5, &s, &why), SECRET_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "NUL"));
	char longer[400];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	ck_assert_int_eq(parse(longer, &s), SECRET_MALFORMED);
	ck_assert_uint_eq(s.len, 0);
	longer[SECRET_MAX] = '\0';
	ck_assert_int_eq(parse(longer, &s), SECRET_OK);
	ck_assert_uint_eq(s.len, SECRET_MAX);
}
END_TEST

START_TEST(wipe_clears)
{
	struct secret s;
	ck_assert_int_eq(parse("topsecret", &s), SECRET_OK);
	secret_clear(&s);
	ck_assert_uint_eq(s.len, 0);
	for (size_t i = 0; i < sizeof s.value; i++)
		ck_assert_int_eq(s.value[i], 0);
}
END_TEST

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(file_permissions)
{
	char path[256], why[512];
	struct secret s;
	snprintf(path, sizeof path, "%s/Kmspwd.ini", dir);
	write_file(path, "[config]\npwd=HushHush42\n", 0600);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_OK);
	ck_assert_str_eq(s.value, "HushHush42");
	secret_clear(&s);

	write_file(path, "[config]\npwd=HushHush42\n", 0644);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_TOO_OPEN);
	ck_assert_ptr_nonnull(strstr(why, "mode 0644"));
	ck_assert_ptr_null(strstr(why, "HushHush42"));
	ck_assert_uint_eq(s.len, 0);
	write_file(path, "HushHush42\n", 0640);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_TOO_OPEN);
	write_file(path, "HushHush42\n", 0604);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_TOO_OPEN);
	write_file(path, "HushHush42\n", 0400);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_OK);
	ck_assert_int_eq(chmod(path, 0600), 0);
}
END_TEST

START_TEST(file_failures)
{
	char path[256], why[512];
	struct secret s;
	snprintf(path, sizeof path, "%s/none", dir);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_MISSING);
	ck_assert_ptr_nonnull(strstr(why, "none"));
	ck_assert_int_eq(secret_read_file(dir, &s, why, sizeof why), SECRET_IO); /* a directory (mode 0700) */
	ck_assert_ptr_nonnull(strstr(why, "not a regular file"));

	snprintf(path, sizeof path, "%s/empty", dir);
	write_file(path, "", 0600);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_EMPTY);
	ck_assert_ptr_nonnull(strstr(why, "is empty"));

	snprintf(path, sizeof path, "%s/noini", dir);
	write_file(path, "[config]\nuser=HushHush42\n", 0600);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "no pwd="));
	ck_assert_ptr_null(strstr(why, "HushHush42"));

	snprintf(path, sizeof path, "%s/large", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 5000; i++)
		fputc('x', f);
	fclose(f);
	chmod(path, 0600);
	ck_assert_int_eq(secret_read_file(path, &s, why, sizeof why), SECRET_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "larger than"));
}
END_TEST

static Suite *secret_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");
	tcase_add_test(tc, one_line_file);
	tcase_add_test(tc, kmspwd_ini);
	tcase_add_test(tc, bad_contents);
	tcase_add_test(tc, wipe_clears);
	tcase_add_test(tc, file_permissions);
	tcase_add_test(tc, file_failures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	SRunner *sr = srunner_create(secret_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		failed++;
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
