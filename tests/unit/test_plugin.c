/* test_plugin: the output module (first line, perfdata, long output,
 * neutralised '|', the 8 KiB bound) and perfdata formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perfdata.h"
#include "plugin.h"
#include "unit.h"

static char out[PLUGIN_OUTPUT_LIMIT + 1];

START_TEST(first_line_shape)
{
	struct report r;
	report_init(&r, "EVENTS");
	report_raise(&r, STATE_WARNING);
	report_summary(&r, "%d events in %s", 2, "24h");
	report_summary(&r, "last at %s", "2026-01-01T00:00:00Z");
	struct range w = {.set = true, .end = 1};
	struct perfdata p = {.label = "events", .value = 2, .uom = "", .warn = &w, .has_min = true};
	report_perf(&r, &p);
	report_detail(&r, "first detail");
	report_render(&r, out, sizeof out);
	ck_assert_str_eq(
	    out, "KMS_EVENTS WARNING - 2 events in 24h, last at 2026-01-01T00:00:00Z | events=2;1;;0;\n"
	         "first detail\n");
}
END_TEST

START_TEST(state_raise_and_names)
{
	struct report r;
	report_init(&r, "X");
	ck_assert_int_eq(r.state, STATE_OK);
	report_raise(&r, STATE_UNKNOWN);
	ck_assert_int_eq(r.state, STATE_UNKNOWN);
	report_raise(&r, STATE_WARNING);
	ck_assert_int_eq(r.state, STATE_WARNING);
	report_raise(&r, STATE_CRITICAL);
	report_raise(&r, STATE_WARNING);
	ck_assert_int_eq(r.state, STATE_CRITICAL);
	report_render(&r, out, sizeof out);
	ck_assert_str_eq(out, "KMS_X CRITICAL\n");
	plugin_state s;
	ck_assert(state_parse("critical", &s) && s == STATE_CRITICAL);
	ck_assert(state_parse("2", &s) && s == STATE_CRITICAL);
	ck_assert(state_parse("Ok", &s) && s == STATE_OK);
	ck_assert(!state_parse("4", &s));
	ck_assert(!state_parse("CRIT", &s));
	ck_assert(!state_parse("", &s));
	ck_assert_int_eq(plugin_clamp_status(5), 3);
	ck_assert_int_eq(plugin_clamp_status(-1), 3);
	ck_assert_int_eq(plugin_clamp_status(2), 2);
}
END_TEST

START_TEST(pipe_is_neutralised)
{
	struct report r;
	report_init(&r, "T");
	report_summary(&r, "a|b\nc");
	report_detail(&r, "x|y");
	report_render(&r, out, sizeof out);
	ck_assert_ptr_null(strchr(out, '|'));
	ck_assert_str_eq(out, "KMS_T OK - a\xC2\xA6"
	                      "b c\nx\xC2\xA6y\n");
	char line[128];
	plugin_set_name("T");
	plugin_format_line(line, sizeof line, STATE_CRITICAL, "bad | value\r\n");
	ck_assert_str_eq(line, "KMS_T CRITICAL - bad \xC2\xA6 value \n");
}
END_TEST

/* Text from outside (file and set names, event strings) is made safe where
 * it is written: bytes that are not UTF-8 become '?', and a control
 * character never breaks or shapes a line, in the first line or a detail. */
START_TEST(outside_text_is_made_safe)
{
	struct report r;
	report_init(&r, "T");
	report_summary(&r, "set kmsdata-\xff\xfe\tx");
	report_detail(&r, "name a\nCRITICAL: forged\tline");
	report_detail(&r,
	              "cut \xC3 and overlong \xC0\xAF and surrogate \xED\xA0\x80 and \xF5\x80\x80\x80 end");
	report_detail(&r, "kept: \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
	report_render(&r, out, sizeof out);
	ck_assert_str_eq(out, "KMS_T OK - set kmsdata-?? x\n"
	                      "name a CRITICAL: forged line\n"
	                      "cut ? and overlong ?? and surrogate ??? and ???? end\n"
	                      "kept: \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n");
	char line[128];
	plugin_set_name("T");
	plugin_format_line(line, sizeof line, STATE_UNKNOWN, "file '\xff\x01'\tgone");
	ck_assert_str_eq(line, "KMS_T UNKNOWN - file '?\?' gone\n");
}
END_TEST

START_TEST(output_is_bounded)
{
	struct report r;
	report_init(&r, "BIG");
	for (int i = 0; i < 1000; i++)
		report_detail(&r, "detail line number %04d with some padding text", i);
	struct perfdata p = {.label = "n", .value = 1000, .uom = "c"};
	report_perf(&r, &p);
	size_t n = report_render(&r, out, sizeof out);
	ck_assert_uint_le(n, PLUGIN_OUTPUT_LIMIT);
	ck_assert_uint_eq(strlen(out), n);
	ck_assert_int_eq(out[n - 1], '\n');
	ck_assert(strncmp(out, "KMS_BIG OK | n=1000c;;;;\n", 25) == 0);
	/* Cut on a line boundary, and the marker says how much is missing. */
	const char *marker = strstr(out, "... ");
	ck_assert_ptr_nonnull(marker);
	ck_assert_int_eq(marker[-1], '\n');
	unsigned shown = 0;
	for (const char *c = out; c < marker; c++)
		shown += *c == '\n';
	unsigned cut = 0;
	ck_assert_int_eq(sscanf(marker, "... %u more lines cut", &cut), 1);
	ck_assert_uint_eq(shown - 1 + cut, 1000);
}
END_TEST

START_TEST(long_summary_keeps_perfdata)
{
	struct report r;
	report_init(&r, "S");
	char word[1000];
	memset(word, 'w', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	for (int i = 0; i < 5; i++)
		report_summary(&r, "%s", word);
	struct perfdata p = {.label = "age", .value = 5, .uom = "s"};
	report_perf(&r, &p);
	size_t n = report_render(&r, out, sizeof out);
	ck_assert_uint_le(n, PLUGIN_OUTPUT_LIMIT);
	ck_assert_ptr_nonnull(strstr(out, "... | age=5s;;;;\n"));
}
END_TEST

START_TEST(utf8_is_never_split)
{
	struct report r;
	report_init(&r, "U");
	for (int i = 0; i < 3000; i++)
		report_detail(&r, "\xC3\xA9\xC3\xA9\xE2\x82\xAC");
	size_t n = report_render(&r, out, sizeof out);
	/* Every multi-byte sequence in the output is complete. */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)out[i];
		size_t len = c < 0x80 ? 1 : c >= 0xE0 ? 3 : 2;
		ck_assert_uint_le(i + len, n);
		for (size_t k = 1; k < len; k++)
			ck_assert_int_eq((unsigned char)out[i + k] & 0xC0, 0x80);
		i += len;
	}
}
END_TEST

START_TEST(perfdata_items)
{
	char buf[256];
	struct range w = {.set = true, .end = 10}, c = {.set = true, .start = 5, .end = 20, .inside = true};
	struct perfdata p = {
	    .label = "age", .value = 93600, .uom = "s", .warn = &w, .crit = &c, .has_min = true};
	perfdata_format(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "age=93600s;10;@5:20;0;");

	struct perfdata q = {.label = "it's a label", .value = 0.25, .uom = "%", .has_max = true, .max = 100};
	perfdata_format(buf, sizeof buf, &q);
	ck_assert_str_eq(buf, "'it''s a label'=0.25%;;;;100");

	struct perfdata bad_uom = {.label = "x", .value = 1, .uom = "GB"};
	ck_assert_uint_eq(perfdata_format(buf, sizeof buf, &bad_uom), 0);
	struct perfdata no_label = {.label = "", .value = 1};
	ck_assert_uint_eq(perfdata_format(buf, sizeof buf, &no_label), 0);
	struct perfdata too_small = {.label = "long_label_name", .value = 123456};
	ck_assert_uint_eq(perfdata_format(buf, 8, &too_small), 0);
	const char *valid[] = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"};
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
		ck_assert(perfdata_uom_valid(valid[i]));
	ck_assert(!perfdata_uom_valid("b"));
	ck_assert(!perfdata_uom_valid("min"));
}
END_TEST

/* Run child in a forked process with stdout in a file; the exit status it
 * ended with (must be a normal exit) and up to cap - 1 bytes of its output in
 * got. */
static size_t run_exiting(void (*child)(void), char *got, size_t cap, int *exit_status)
{
	char path[] = "/tmp/kms-unit-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		unit_capture_stdout(path);
		child();
		_exit(99);
	}
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	*exit_status = WEXITSTATUS(status);
	FILE *f = fopen(path, "r");
	size_t n = fread(got, 1, cap - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(path);
	return n;
}

static void exit_with_report(void)
{
	struct report r;
	report_init(&r, "EXIT");
	report_raise(&r, STATE_CRITICAL);
	report_summary(&r, "done");
	report_exit(&r);
}

/* report_exit prints the rendered report, flushes and exits with its state. */
START_TEST(report_exit_status)
{
	char all[256];
	int status;
	run_exiting(exit_with_report, all, sizeof all, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_str_eq(all, "KMS_EXIT CRITICAL - done\n");
}
END_TEST

/* --max-output: the bound is clamped to PLUGIN_OUTPUT_MIN..PLUGIN_OUTPUT_LIMIT. */
START_TEST(output_limit_is_clamped)
{
	ck_assert_uint_eq(plugin_output_limit(), PLUGIN_OUTPUT_LIMIT);
	ck_assert_uint_eq(plugin_set_output_limit(10), PLUGIN_OUTPUT_MIN);
	ck_assert_uint_eq(plugin_set_output_limit(100000), PLUGIN_OUTPUT_LIMIT);
	ck_assert_uint_eq(plugin_set_output_limit(1024), 1024);
	ck_assert_uint_eq(plugin_output_limit(), 1024);
	plugin_set_output_limit(PLUGIN_OUTPUT_LIMIT);
}
END_TEST

static void add_perf(struct report *r, const char *label, double value)
{
	struct range w = {.set = true, .end = 100}, c = {.set = true, .end = 200};
	struct perfdata p = {
	    .label = label, .value = value, .uom = "s", .warn = &w, .crit = &c, .has_min = true};
	report_perf(r, &p);
}

/* The NRPE v2 case: 1 KiB. The first line and all its perfdata come whole,
 * the long output in whole lines, the marker last, nothing past 1024 bytes. */
START_TEST(max_output_1024_keeps_first_line)
{
	plugin_set_output_limit(1024);
	struct report r;
	report_init(&r, "STARTUP");
	report_raise(&r, STATE_CRITICAL);
	report_summary(&r, "KM service: 40 startup timeouts and 0 failed starts in the last 24h");
	add_perf(&r, "timeouts", 40);
	add_perf(&r, "failed_starts", 0);
	for (int i = 0; i < 40; i++)
		report_detail(&r, "2026-01-01T00:%02d:00Z event 7022 (error) from Service Control Manager",
		              i);
	size_t n = report_render(&r, out, sizeof out);
	ck_assert_uint_le(n, 1024);
	ck_assert_uint_eq(strlen(out), n);
	const char *first = "KMS_STARTUP CRITICAL - KM service: 40 startup timeouts and 0 failed starts in "
	                    "the last 24h | timeouts=40s;100;200;0; failed_starts=0s;100;200;0;\n";
	ck_assert(strncmp(out, first, strlen(first)) == 0);
	const char *marker = strstr(out, "\n... ");
	ck_assert_ptr_nonnull(marker);
	unsigned shown = 0, cut = 0;
	for (const char *c = out + strlen(first); c <= marker; c++)
		shown += *c == '\n';
	ck_assert_int_eq(sscanf(marker + 1, "... %u more lines cut to fit the 1024-byte output limit", &cut),
	                 1);
	ck_assert_uint_eq(shown + cut, 40);
	ck_assert_int_eq(out[n - 1], '\n');
	ck_assert_ptr_eq(strchr(marker + 1, '\n'), out + n - 1); /* the marker is the last line */
	/* With the default bound all 40 lines come. */
	plugin_set_output_limit(PLUGIN_OUTPUT_LIMIT);
	n = report_render(&r, out, sizeof out);
	ck_assert_ptr_null(strstr(out, "more lines cut"));
}
END_TEST

/* A first line longer than the bound: the summary is shortened ("..."),
 * perfdata items are kept whole from the front, never half an item. */
START_TEST(first_line_longer_than_the_bound)
{
	plugin_set_output_limit(PLUGIN_OUTPUT_MIN);
	struct report r;
	report_init(&r, "LONG");
	report_raise(&r, STATE_WARNING);
	char word[600];
	memset(word, 'w', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	report_summary(&r, "%s", word);
	add_perf(&r, "first_item", 1);
	add_perf(&r, "it's a label", 2);
	report_detail(&r, "a long output line that has no room left");
	size_t n = report_render(&r, out, sizeof out);
	ck_assert_uint_le(n, PLUGIN_OUTPUT_MIN);
	ck_assert(strncmp(out, "KMS_LONG WARNING - www", 22) == 0);
	ck_assert_ptr_nonnull(strstr(out, "w... | first_item=1s;100;200;0; 'it''s a label'=2s;100;200;0;\n"));
	ck_assert_ptr_eq(strchr(out, '\n'), out + n - 1); /* no room for long output or marker */

	/* Perfdata alone past the bound: whole items from the front, the
	 * summary in what room is left. */
	report_init(&r, "PERF");
	report_summary(&r, "many items");
	char label[32];
	for (int i = 0; i < 12; i++) {
		snprintf(label, sizeof label, "item %02d", i);
		add_perf(&r, label, i);
	}
	n = report_render(&r, out, sizeof out);
	ck_assert_uint_le(n, PLUGIN_OUTPUT_MIN);
	ck_assert(strncmp(out, "KMS_PERF OK - many items | 'item 00'=0s;100;200;0; 'item 01'=", 60) == 0);
	/* What came is a prefix of the perfdata that ends where an item ends. */
	const char *perf = out + strlen("KMS_PERF OK - many items | ");
	size_t shown = (size_t)(out + n - 1 - perf);
	ck_assert(strncmp(r.perf.data, perf, shown) == 0);
	ck_assert_uint_lt(shown, r.perf.len);
	ck_assert_int_eq(r.perf.data[shown], ' ');
	plugin_set_output_limit(PLUGIN_OUTPUT_LIMIT);
}
END_TEST

static void exit_with_long_line(void)
{
	plugin_set_output_limit(300);
	char text[900];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	plugin_set_name("ONE");
	plugin_exit(STATE_CRITICAL, "%s", text);
}

/* plugin_exit's one line honours the bound too. */
START_TEST(plugin_exit_is_bounded)
{
	char all[2048];
	int status;
	size_t n = run_exiting(exit_with_long_line, all, sizeof all, &status);
	ck_assert_int_eq(status, 2);
	ck_assert_uint_eq(n, 300);
	ck_assert_int_eq(all[n - 1], '\n');
	ck_assert(strncmp(all, "KMS_ONE CRITICAL - xxx", 22) == 0);
}
END_TEST

Suite *plugin_suite(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("output");
	tcase_add_test(tc, first_line_shape);
	tcase_add_test(tc, state_raise_and_names);
	tcase_add_test(tc, pipe_is_neutralised);
	tcase_add_test(tc, outside_text_is_made_safe);
	tcase_add_test(tc, output_is_bounded);
	tcase_add_test(tc, long_summary_keeps_perfdata);
	tcase_add_test(tc, utf8_is_never_split);
	tcase_add_test(tc, perfdata_items);
	tcase_add_test(tc, report_exit_status);
	tcase_add_test(tc, output_limit_is_clamped);
	tcase_add_test(tc, max_output_1024_keeps_first_line);
	tcase_add_test(tc, first_line_longer_than_the_bound);
	tcase_add_test(tc, plugin_exit_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}
