/* test_range: the guidelines' range table, rejections, units, formatting. */
#include <math.h>
#include <string.h>

#include "range.h"
#include "unit.h"

static struct range parse_ok(const char *text, enum value_kind kind)
{
	struct range r;
	const char *why = NULL;
	ck_assert_msg(range_parse(text, kind, &r, &why), "'%s' rejected: %s", text, why ? why : "");
	return r;
}

/* The table of the plugin guidelines: range, values that alert, values that do not. */
START_TEST(guidelines_table)
{
	struct {
		const char *range;
		double alert[3];
		double quiet[3];
	} rows[] = {
	    {"10", {-1, 11, 10.5}, {0, 10, 5}},        {"10:", {9, -5, 9.99}, {10, 11, 1e9}},
	    {"~:10", {11, 10.01, 1e9}, {10, -1e9, 0}}, {"10:20", {9, 21, 0}, {10, 20, 15}},
	    {"@10:20", {10, 20, 15}, {9, 21, 0}},      {"-5:-1", {0, -6, -0.5}, {-5, -1, -3}},
	    {"0.5:1.5", {0.4, 1.6, 0}, {0.5, 1.5, 1}}, {":10", {-1, 11, 100}, {0, 10, 5}},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct range r = parse_ok(rows[i].range, VALUE_PLAIN);
		for (int j = 0; j < 3; j++) {
			ck_assert_msg(range_alerts(&r, rows[i].alert[j]), "%s should alert on %g",
			              rows[i].range, rows[i].alert[j]);
			ck_assert_msg(!range_alerts(&r, rows[i].quiet[j]), "%s should not alert on %g",
			              rows[i].range, rows[i].quiet[j]);
		}
	}
}
END_TEST

START_TEST(rejections)
{
	const char *bad[] = {"1:12%", "5:1", "abc",  "",    "10x",  "10::20", "~:",  "@",
	                     ":",     "1e3", "inf",  "nan", "0x10", "10 ",    " 10", "10:20:30",
	                     "--5",   "~10", "10:~", ".",   "-",    "1.2.3",  "@@5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct range r;
		const char *why = NULL;
		ck_assert_msg(!range_parse(bad[i], VALUE_PLAIN, &r, &why), "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	struct range r;
	const char *why;
	ck_assert(!range_parse(NULL, VALUE_PLAIN, &r, &why));
	ck_assert_str_eq(why, "is empty");
	ck_assert(!range_parse("5:1", VALUE_PLAIN, &r, &why));
	ck_assert_str_eq(why, "is not a range: its start is greater than its end");
}
END_TEST

START_TEST(durations_and_sizes)
{
	double v;
	const char *why;
	struct {
		const char *text;
		enum value_kind kind;
		double want;
	} ok[] = {
	    {"90", VALUE_DURATION, 90},      {"90s", VALUE_DURATION, 90},
	    {"15m", VALUE_DURATION, 900},    {"26h", VALUE_DURATION, 93600},
	    {"7d", VALUE_DURATION, 604800},  {"1.5h", VALUE_DURATION, 5400},
	    {"2w", VALUE_DURATION, 1209600}, {"512", VALUE_SIZE, 512},
	    {"512B", VALUE_SIZE, 512},       {"4KB", VALUE_SIZE, 4096},
	    {"10MB", VALUE_SIZE, 10485760},  {"2GB", VALUE_SIZE, 2147483648.0},
	    {"1kb", VALUE_SIZE, 1024},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(value_parse(ok[i].text, ok[i].kind, &v, &why), "'%s' rejected", ok[i].text);
		ck_assert_msg(fabs(v - ok[i].want) < 1e-9, "'%s' = %g, want %g", ok[i].text, v, ok[i].want);
	}
	const char *bad_durations[] = {"24x", "h", "5 m", "5mm", "5KB", "1:2"};
	for (size_t i = 0; i < sizeof bad_durations / sizeof bad_durations[0]; i++)
		ck_assert_msg(!value_parse(bad_durations[i], VALUE_DURATION, &v, &why), "'%s' accepted",
		              bad_durations[i]);
	ck_assert(!value_parse("10s", VALUE_PLAIN, &v, &why));
	ck_assert(!value_parse("10m", VALUE_SIZE, &v, &why));
	ck_assert_str_eq(why, "is not a size (e.g. 512, 512B, 4KB, 10MB, 2GB)");

	/* Units inside ranges: -w 26h -c 8d. */
	struct range w = parse_ok("26h", VALUE_DURATION);
	ck_assert(!range_alerts(&w, 93600));
	ck_assert(range_alerts(&w, 93601));
	struct range c = parse_ok("1h:8d", VALUE_DURATION);
	ck_assert(range_alerts(&c, 3599));
	ck_assert(!range_alerts(&c, 691200));
	struct range s = parse_ok("@1KB:1MB", VALUE_SIZE);
	ck_assert(range_alerts(&s, 2048));
	ck_assert(!range_alerts(&s, 1023));
}
END_TEST

START_TEST(critical_before_warning)
{
	struct range w = parse_ok("5", VALUE_PLAIN), c = parse_ok("10", VALUE_PLAIN), unset = {0};
	ck_assert_int_eq(threshold_state(&w, &c, 3), STATE_OK);
	ck_assert_int_eq(threshold_state(&w, &c, 5), STATE_OK);
	ck_assert_int_eq(threshold_state(&w, &c, 6), STATE_WARNING);
	ck_assert_int_eq(threshold_state(&w, &c, 11), STATE_CRITICAL);
	/* A warning range that also alerts does not mask a critical one. */
	struct range w_inside = parse_ok("@0:100", VALUE_PLAIN);
	ck_assert_int_eq(threshold_state(&w_inside, &c, 50), STATE_CRITICAL);
	ck_assert_int_eq(threshold_state(&unset, &unset, 1e12), STATE_OK);
	ck_assert_int_eq(threshold_state(NULL, NULL, 1), STATE_OK);
}
END_TEST

START_TEST(format_back_in_base_units)
{
	char buf[64];
	struct {
		const char *in;
		enum value_kind kind;
		const char *out;
	} rows[] = {{"10", VALUE_PLAIN, "10"},
	            {"10:", VALUE_PLAIN, "10:"},
	            {"~:10", VALUE_PLAIN, "~:10"},
	            {"10:20", VALUE_PLAIN, "10:20"},
	            {"@10:20", VALUE_PLAIN, "@10:20"},
	            {"26h", VALUE_DURATION, "93600"},
	            {"1h:8d", VALUE_DURATION, "3600:691200"},
	            {"0.5", VALUE_PLAIN, "0.5"},
	            {"4KB:", VALUE_SIZE, "4096:"},
	            {"-3:-1", VALUE_PLAIN, "-3:-1"}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct range r = parse_ok(rows[i].in, rows[i].kind);
		range_format(&r, buf, sizeof buf);
		ck_assert_str_eq(buf, rows[i].out);
		/* What we write back parses to the same range. */
		struct range again = parse_ok(buf, VALUE_PLAIN);
		const double probes[] = {-10, -3, -2, -1,   0,    0.5,   1,     9,      10,
		                         11,  20, 21, 4095, 4096, 93600, 93601, 691200, 1e7};
		for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++)
			ck_assert_int_eq(range_alerts(&r, probes[k]), range_alerts(&again, probes[k]));
	}
	struct range unset = {0};
	ck_assert_uint_eq(range_format(&unset, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* Perfdata and thresholds are written as plain decimals (no exponent), the
 * shortest that parses back to the very value compared. */
START_TEST(plain_decimals)
{
	char buf[64];
	struct {
		double v;
		const char *out;
	} rows[] = {{0, "0"},
	            {-0.0, "0"},
	            {10, "10"},
	            {0.5, "0.5"},
	            {0.1, "0.1"},
	            {1e23, "100000000000000000000000"},
	            {99999999999999999999999.0, "100000000000000000000000"},
	            {1234567.25, "1234567.25"},
	            {1.0000001, "1.0000001"},
	            {0.000001, "0.000001"},
	            {-2.5e-9, "-0.0000000025"},
	            {123456789012345678.0, "123456789012345680"}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		number_format(rows[i].v, buf, sizeof buf);
		ck_assert_str_eq(buf, rows[i].out);
		double back;
		const char *why;
		ck_assert_msg(value_parse(buf, VALUE_PLAIN, &back, &why), "'%s': %s", buf, why);
		ck_assert_msg(back == rows[i].v, "'%s' parsed back as %.17g", buf, back);
	}
	/* What the parser takes is what it was given, to the last digit. */
	double v;
	const char *why;
	ck_assert(value_parse("0.3", VALUE_PLAIN, &v, &why));
	ck_assert(v == 0.3);
	ck_assert(value_parse("99999999999999999999999", VALUE_PLAIN, &v, &why));
	ck_assert(v == 1e23);
	ck_assert(!value_parse("1000000000000000000000000000000000", VALUE_PLAIN, &v, &why));
	ck_assert(!value_parse("0.0000000000001", VALUE_PLAIN, &v, &why));
	/* A duration with a fraction is shown as it was compared. */
	const struct {
		double seconds;
		const char *out;
	} exact[] = {
	    {0.5, "0.5s"}, {90061, "1d 1h 1m 1s"}, {86400 * 15, "15d"}, {60.25, "1m 0.25s"}, {0, "0s"}};
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
		duration_format_exact(exact[i].seconds, buf, sizeof buf);
		ck_assert_str_eq(buf, exact[i].out);
	}
}
END_TEST

START_TEST(human_formats)
{
	char buf[32];
	duration_format(42, buf, sizeof buf);
	ck_assert_str_eq(buf, "42s");
	duration_format(903, buf, sizeof buf);
	ck_assert_str_eq(buf, "15m 3s");
	duration_format(3 * 86400 + 4 * 3600 + 59, buf, sizeof buf);
	ck_assert_str_eq(buf, "3d 4h");
	duration_format(7200, buf, sizeof buf);
	ck_assert_str_eq(buf, "2h");
	size_format(512, buf, sizeof buf);
	ck_assert_str_eq(buf, "512 B");
	size_format(1536 * 1024, buf, sizeof buf);
	ck_assert_str_eq(buf, "1.5 MB");
}
END_TEST

Suite *range_suite(void)
{
	Suite *s = suite_create("range");
	TCase *tc = tcase_create("range");
	tcase_add_test(tc, guidelines_table);
	tcase_add_test(tc, rejections);
	tcase_add_test(tc, plain_decimals);
	tcase_add_test(tc, durations_and_sizes);
	tcase_add_test(tc, critical_before_warning);
	tcase_add_test(tc, format_back_in_base_units);
	tcase_add_test(tc, human_formats);
	suite_add_tcase(s, tc);
	return s;
}
