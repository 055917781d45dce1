/* test_text: the suite's one case-insensitive compare (text), its one UTC
 * calendar (utctime) and what it knows of the KMS and the SCM (kms). */
#include <string.h>
#include <time.h>

#include "kms.h"
#include "text.h"
#include "unit.h"
#include "utctime.h"

START_TEST(fold_is_ascii_letters_only)
{
	ck_assert(text_equal_nocase("MSExchangeKMS", "msexchangekms"));
	ck_assert(!text_equal_nocase("MSExchangeKMS", "msexchangekm"));
	ck_assert(!text_equal_nocase("a", "ab"));
	/* '@' | 0x20 is '`': the old compare of check_kms_service took them as one. */
	ck_assert(!text_equal_nocase("MSExchange@DS", "MSExchange`DS"));
	ck_assert(!text_equal_nocase("[", "{"));
	/* Bytes beyond ASCII compare as they are. */
	ck_assert(!text_equal_nocase("\xc3\x84", "\xc3\xa4"));
	ck_assert_int_lt(text_casecmp("abc", "ABD"), 0);
	ck_assert_int_gt(text_casecmp("b", "A"), 0);
	ck_assert_int_eq(text_casecmp("", ""), 0);
}
END_TEST

START_TEST(prefix_and_substring)
{
	ck_assert(text_starts_nocase(".Kmsdata.restore-1", ".kmsdata.RESTORE"));
	ck_assert(!text_starts_nocase(".Kms", ".kmsdata"));
	ck_assert(text_starts_nocase("x", ""));
	ck_assert(text_contains_nocase("Exception C0000005 at", "c0000005"));
	ck_assert(text_contains_nocase("x", ""));
	ck_assert(!text_contains_nocase("abc", "abcd"));
	ck_assert(text_contains_nocase("abcABD", "abd"));
}
END_TEST

/* Every day from 1900 to 2200 against the C library's gmtime. */
START_TEST(civil_dates_match_gmtime)
{
	for (int64_t t = -2208988800LL; t < 7258118400LL; t += 86400 + 3607) {
		time_t tt = (time_t)t;
		struct tm tm;
		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		struct utc_civil c;
		utc_to_civil(t, &c);
		ck_assert_int_eq(c.year, tm.tm_year + 1900);
		ck_assert_uint_eq(c.month, (unsigned)tm.tm_mon + 1);
		ck_assert_uint_eq(c.day, (unsigned)tm.tm_mday);
		ck_assert_uint_eq(c.hour * 3600 + c.minute * 60 + c.second,
		                  (unsigned)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec));
		ck_assert_int_eq(utc_days_from_civil(c.year, c.month, c.day) * 86400 + c.hour * 3600 +
		                     c.minute * 60 + c.second,
		                 t);
	}
}
END_TEST

START_TEST(formats)
{
	char buf[32];
	ck_assert_uint_eq(utc_format_iso(951825600, buf, sizeof buf), 20);
	ck_assert_str_eq(buf, "2000-02-29T12:00:00Z");
	utc_format_stamp(1795779914, buf, sizeof buf);
	ck_assert_str_eq(buf, "20261127T114514Z");
	utc_format_stamp(-1, buf, sizeof buf);
	ck_assert_str_eq(buf, "19691231T235959Z");
	/* A short buffer is cut, never overrun, and the length says what is there. */
	ck_assert_uint_eq(utc_format_iso(0, buf, 5), 4);
	ck_assert_str_eq(buf, "1970");
}
END_TEST

START_TEST(kms_and_scm_knowledge)
{
	ck_assert_ptr_nonnull(strstr(kms_event_meaning(5058), "Kmsdata is corrupt"));
	ck_assert_ptr_nonnull(strstr(kms_event_meaning(5057), "password is not valid"));
	ck_assert_ptr_null(kms_event_meaning(5059));
	ck_assert_ptr_null(kms_event_meaning(0x10000 + 5058));
	/* Startup timeouts: 7009, 7011, 7022, and 7000 only with %%1053. */
	ck_assert(scm_event_is_timeout(7009, ""));
	ck_assert(scm_event_is_timeout(7011, ""));
	ck_assert(scm_event_is_timeout(7022, ""));
	ck_assert(scm_event_is_timeout(7000, "%%1053"));
	ck_assert(!scm_event_is_timeout(7000, "%%2"));
	ck_assert(!scm_event_is_timeout(7023, "%%1053"));
	ck_assert(!scm_event_is_timeout(7036, ""));
	ck_assert_ptr_null(scm_event_find(7036));
	ck_assert_uint_eq(scm_event_find(7009)->service_string, 1);
	ck_assert_uint_eq(scm_event_find(7034)->service_string, 0);
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, fold_is_ascii_letters_only);
	tcase_add_test(tc, prefix_and_substring);
	tcase_add_test(tc, civil_dates_match_gmtime);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, kms_and_scm_knowledge);
	suite_add_tcase(s, tc);
	return s;
}
