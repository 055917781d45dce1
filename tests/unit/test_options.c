/* test_options: the common options and value checks, run in child
 * processes because a bad option ends the process (UNKNOWN, status 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "options.h"
#include "unit.h"

static const char **files_arg;
static char *window_arg;

static const struct poptOption own_table[] = {
    {"file", 'f', POPT_ARG_ARGV, &files_arg, 0, "Read PATH (repeatable)", "PATH"},
    {"window", '\0', POPT_ARG_STRING, &window_arg, 0, "Count events in the last DURATION", "DURATION"},
    POPT_TABLEEND};

static const struct program_info info = {
    .name = "UNIT",
    .progname = "check_unit",
    .purpose = "A program used by the unit tests.",
    .flags = OPTS_THRESHOLDS,
    .threshold_kind = VALUE_DURATION,
    .default_warning = "26h",
    .default_critical = "8d",
    .notes = "Perfdata: age=Ns",
    .max_positionals = 1,
};

struct outcome {
	int status;
	char first[2048];
};

/* Run fn in a child with stdout captured; return its status and first line. */
static struct outcome run_child(void (*fn)(void *), void *arg)
{
	struct outcome o = {0};
	char path[] = "/tmp/kms-unit-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		unit_capture_stdout(path);
		fn(arg);
		_exit(99);
	}
	int status;
	waitpid(pid, &status, 0);
	o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	FILE *f = fopen(path, "r");
	if (f && fgets(o.first, sizeof o.first, f))
		o.first[strcspn(o.first, "\n")] = '\0';
	if (f)
		fclose(f);
	unlink(path);
	return o;
}

/* options_parse on a NULL-terminated argv, the deadline disarmed. */
static void parse_argv(char **argv, struct common_options *c)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	options_parse(argc, argv, &info, own_table, c);
	deadline_cancel();
}

static void parse_and_report(void *arg)
{
	struct common_options c;
	parse_argv(arg, &c);
	char w[64], cr[64];
	range_format(&c.warning, w, sizeof w);
	range_format(&c.critical, cr, sizeof cr);
	int files = 0;
	while (files_arg && files_arg[files])
		files++;
	plugin_exit(STATE_OK, "v=%d t=%u ts=%d w=%s c=%s files=%d window=%s pos=%s", c.verbose, c.timeout,
	            (int)c.timeout_state, w, cr, files, window_arg ? window_arg : "-",
	            c.positionals[0] ? c.positionals[0] : "-");
}

#define PARSE(...) run_child(parse_and_report, (char *[]){"check_unit", __VA_ARGS__, NULL})

START_TEST(defaults_and_values)
{
	struct outcome o = run_child(parse_and_report, (char *[]){"check_unit", NULL});
	ck_assert_int_eq(o.status, 0);
	ck_assert_str_eq(o.first, "KMS_UNIT OK - v=0 t=10 ts=3 w=93600 c=691200 files=0 window=- pos=-");
	o = PARSE("-vvvv", "-t", "20:CRITICAL", "-w", "1h:", "--critical=~:2d", "-f", "a", "--file=b",
	          "--window", "24h", "pos1");
	ck_assert_int_eq(o.status, 0);
	ck_assert_str_eq(o.first,
	                 "KMS_UNIT OK - v=3 t=20 ts=2 w=3600: c=~:172800 files=2 window=24h pos=pos1");
}
END_TEST

START_TEST(rejections_name_option_and_value)
{
	struct {
		struct outcome o;
		const char *want;
	} rows[] = {
	    {PARSE("-w", "24x"),
	     "KMS_UNIT UNKNOWN - --warning: '24x' is not a duration (e.g. 90, 90s, 15m, 26h, 7d)"},
	    {PARSE("-c", "5:1"),
	     "KMS_UNIT UNKNOWN - --critical: '5:1' is not a range: its start is greater than its end"},
	    {PARSE("-t", "abc"),
	     "KMS_UNIT UNKNOWN - --timeout: 'abc' is not SECONDS[:STATE] (e.g. 10, 30:CRITICAL)"},
	    {PARSE("-t", "10:MAYBE"),
	     "KMS_UNIT UNKNOWN - --timeout: 'MAYBE' is not a state (OK, WARNING, CRITICAL or UNKNOWN)"},
	    {PARSE("--nope"), "KMS_UNIT UNKNOWN - unknown option '--nope'"},
	    {PARSE("--window"), "KMS_UNIT UNKNOWN - option '--window' needs a value"},
	    {PARSE("a", "b"), "KMS_UNIT UNKNOWN - unexpected argument 'b'"},
	    {PARSE("-H", "x"), "KMS_UNIT UNKNOWN - unknown option '-H'"},
	    {PARSE("--max-output", "255"),
	     "KMS_UNIT UNKNOWN - --max-output: '255' is out of range (256 to 8192)"},
	    {PARSE("--max-output", "1KiB"), "KMS_UNIT UNKNOWN - --max-output: '1KiB' is not a whole number"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ck_assert_int_eq(rows[i].o.status, 3);
		ck_assert_str_eq(rows[i].o.first, rows[i].want);
	}
}
END_TEST

static void duration_child(void *arg)
{
	option_duration("--window", arg);
	plugin_exit(STATE_OK, "parsed");
}

static void integer_child(void *arg)
{
	option_integer("--max-events", arg, 0, 1000);
	plugin_exit(STATE_OK, "parsed");
}

static void long_line_child(void *arg)
{
	struct common_options c;
	parse_argv(arg, &c);
	char text[2000];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	plugin_exit(STATE_WARNING, "%s", text);
}

/* Fill a table of room for 3 entries with its end: the third append is one
 * too many. arg: how many to append. */
static void append_child(void *arg)
{
	struct poptOption t[3];
	size_t n = 0, want = (size_t) * (const int *)arg;
	for (size_t i = 0; i < want; i++)
		options_append(t, &n, sizeof t / sizeof t[0], own_table[0]);
	t[n] = (struct poptOption)POPT_TABLEEND;
	plugin_exit(STATE_OK, "%zu appended", n);
}

START_TEST(option_tables_are_bounded)
{
	int two = 2, three = 3;
	struct outcome o = run_child(append_child, &two);
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.first, " OK - 2 appended"));
	o = run_child(append_child, &three);
	ck_assert_int_eq(o.status, 3);
	ck_assert_ptr_nonnull(
	    strstr(o.first, " UNKNOWN - internal error: an option table holds at most 2 options"));
}
END_TEST

/* --max-output is a common option: every program's output obeys it. */
START_TEST(max_output_bounds_the_answer)
{
	struct outcome o = run_child(long_line_child, (char *[]){"check_unit", "--max-output", "300", NULL});
	ck_assert_int_eq(o.status, 1);
	ck_assert_uint_eq(strlen(o.first), 299); /* and its newline: 300 bytes */
	o = run_child(long_line_child, (char *[]){"check_unit", "--max-output=1024", NULL});
	ck_assert_uint_eq(strlen(o.first), 1023);
	o = run_child(long_line_child, (char *[]){"check_unit", NULL});
	ck_assert_uint_gt(strlen(o.first), 1024);
}
END_TEST

START_TEST(value_helpers)
{
	struct outcome o = run_child(duration_child, "15m");
	ck_assert_int_eq(o.status, 0);
	o = run_child(duration_child, "-5m");
	ck_assert_str_eq(o.first, "KMS_PLUGIN UNKNOWN - --window: '-5m' is negative");
	o = run_child(integer_child, "1001");
	ck_assert_str_eq(o.first, "KMS_PLUGIN UNKNOWN - --max-events: '1001' is out of range (0 to 1000)");
	o = run_child(integer_child, "2.5");
	ck_assert_str_eq(o.first, "KMS_PLUGIN UNKNOWN - --max-events: '2.5' is not a whole number");
	o = run_child(integer_child, "99999999999999999999");
	ck_assert_str_eq(
	    o.first, "KMS_PLUGIN UNKNOWN - --max-events: '99999999999999999999' is out of range (0 to 1000)");
	o = run_child(integer_child, "-3");
	ck_assert_str_eq(o.first, "KMS_PLUGIN UNKNOWN - --max-events: '-3' is out of range (0 to 1000)");
	o = run_child(integer_child, "12");
	ck_assert_int_eq(o.status, 0);
}
END_TEST

START_TEST(help_text)
{
	static char buf[16384];
	size_t n = options_help_text(&info, own_table, buf, sizeof buf);
	ck_assert_uint_gt(n, 100);
	ck_assert(strncmp(buf, "Usage: check_unit [OPTION]...\nA program used by the unit tests.\n", 62) ==
	          0);
	ck_assert_ptr_nonnull(strstr(buf, "\n  -f, --file=PATH"));
	ck_assert_ptr_nonnull(strstr(buf, "\n      --window=DURATION"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  -w, --warning=RANGE"));
	ck_assert_ptr_nonnull(strstr(buf, "\n  -t, --timeout=SECONDS[:STATE]"));
	ck_assert_ptr_null(strstr(buf, "--hostname")); /* not one of this program's options */
	ck_assert_ptr_nonnull(strstr(buf, "Perfdata: age=Ns\n"));
	/* No line is wider than 79 columns. */
	for (char *line = buf; *line;) {
		size_t len = strcspn(line, "\n");
		ck_assert_uint_le(len, 79);
		line += len + (line[len] == '\n');
	}
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_add_test(tc, defaults_and_values);
	tcase_add_test(tc, rejections_name_option_and_value);
	tcase_add_test(tc, value_helpers);
	tcase_add_test(tc, help_text);
	tcase_add_test(tc, max_output_bounds_the_answer);
	tcase_add_test(tc, option_tables_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
