/* options: common options, generated help/usage, strict value checks. */
#include "options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deadline.h"

enum {
	VAL_HELP = 0x1001,
	VAL_VERSION,
	VAL_VERBOSE,
	VAL_TIMEOUT,
	VAL_WARNING,
	VAL_CRITICAL,
	VAL_HOSTNAME,
	VAL_MAX_OUTPUT,
	VAL_USAGE,
	VAL_OWN = 0x2000 /* + the index of a program's own string option */
};
/* Most entries a program's own table may have. */
#define OWN_MAX 64

static char *timeout_text;
static char *warning_text;
static char *critical_text;
static char *hostname_text;
static char *max_output_text;
/* The program being parsed: a bad value of its options is followed by its usage. */
static const struct program_info *current_info;
static const struct poptOption *current_own;

/* Kept for the life of the process (positionals point into it), freed at exit. */
static poptContext parse_context;

static void release_parse_context(void)
{
	poptFreeContext(parse_context);
	parse_context = NULL;
}

/* Entries of the common table, with its end. */
#define COMMON_MAX 12 /* room for one or two more common options */

/* Column where option descriptions start in --help. */
#define HELP_COLUMN 30
#define HELP_WIDTH  79

static struct poptOption entry(const char *long_name, char short_name, int arg_info, int val,
                               const char *help, const char *value_name)
{
	return (struct poptOption){long_name, short_name, arg_info, NULL, val, help, value_name};
}

/* String options carry no storage pointer: options_parse takes each value
 * with poptGetOptArg, so a repeated option replaces (and frees) the last. */
static void build_common_table(const struct program_info *info, struct poptOption *t)
{
	size_t n = 0;
	t[n++] = entry("help", 'h', POPT_ARG_NONE, VAL_HELP,
	               "Print this help and exit with status 3 (UNKNOWN)", NULL);
	t[n++] = entry("usage", '\0', POPT_ARG_NONE, VAL_USAGE,
	               "Print a short usage and exit with status 3 (UNKNOWN)", NULL);
	t[n++] = entry("version", 'V', POPT_ARG_NONE, VAL_VERSION,
	               "Print the version and exit with status 3 (UNKNOWN)", NULL);
	t[n++] = entry("verbose", 'v', POPT_ARG_NONE, VAL_VERBOSE,
	               "More detail in the long output; repeat for more (up to -vvv)", NULL);
	static char timeout_help[160];
	snprintf(timeout_help, sizeof timeout_help,
	         "Give up after SECONDS (default %u) and return STATE (OK, WARNING, CRITICAL or UNKNOWN; "
	         "default UNKNOWN)",
	         info->default_timeout ? info->default_timeout : 10);
	t[n++] = entry("timeout", 't', POPT_ARG_STRING, VAL_TIMEOUT, timeout_help, "SECONDS[:STATE]");
	static char max_output_help[256];
	snprintf(max_output_help, sizeof max_output_help,
	         "Print at most BYTES (%d to %d, default %d): the first line and its perfdata whole, long "
	         "output in whole lines, a last line saying how many were cut; 1024 for an NRPE version 2 "
	         "agent such as NSClient++ 0.3.9",
	         PLUGIN_OUTPUT_MIN, PLUGIN_OUTPUT_LIMIT, PLUGIN_OUTPUT_LIMIT);
	t[n++] = entry("max-output", '\0', POPT_ARG_STRING, VAL_MAX_OUTPUT, max_output_help, "BYTES");
	if (info->flags & OPTS_THRESHOLDS) {
		t[n++] = entry("warning", 'w', POPT_ARG_STRING, VAL_WARNING,
		               info->warning_help ? info->warning_help : "Warning threshold", "RANGE");
		t[n++] = entry("critical", 'c', POPT_ARG_STRING, VAL_CRITICAL,
		               info->critical_help ? info->critical_help : "Critical threshold", "RANGE");
	}
	if (info->flags & OPTS_HOSTNAME)
		t[n++] = entry("hostname", 'H', POPT_ARG_STRING, VAL_HOSTNAME,
		               info->hostname_help ? info->hostname_help
		                                   : "Query HOST instead of the local machine",
		               "HOST");
	t[n] = (struct poptOption)POPT_TABLEEND;
}

/* Where a common string option's value is kept. */
static char **common_value_slot(int val)
{
	switch (val) {
	case VAL_TIMEOUT: return &timeout_text;
	case VAL_WARNING: return &warning_text;
	case VAL_CRITICAL: return &critical_text;
	case VAL_HOSTNAME: return &hostname_text;
	case VAL_MAX_OUTPUT: return &max_output_text;
	default: return NULL;
	}
}

static bool is_table_end(const struct poptOption *o)
{
	return !o->longName && !o->shortName && !o->argInfo && !o->arg;
}

static bool takes_value(const struct poptOption *o)
{
	int type = o->argInfo & POPT_ARG_MASK;
	return type != POPT_ARG_NONE && type != POPT_ARG_VAL && type != POPT_ARG_INCLUDE_TABLE &&
	       type != POPT_ARG_CALLBACK && type != POPT_ARG_INTL_DOMAIN;
}

static bool is_documented(const struct poptOption *o)
{
	return (o->longName || o->shortName) && !(o->argInfo & POPT_ARGFLAG_DOC_HIDDEN) &&
	       (o->argInfo & POPT_ARG_MASK) != POPT_ARG_INCLUDE_TABLE;
}

/* Append words of text wrapped to HELP_WIDTH, continuing at column indent. */
static void append_wrapped(struct strbuf *sb, const char *text, size_t column, size_t indent)
{
	const char *p = text;
	while (*p) {
		size_t word = strcspn(p, " \n");
		if (column > indent && column + 1 + word > HELP_WIDTH) {
			strbuf_append(sb, "\n");
			for (column = 0; column < indent; column++)
				strbuf_append(sb, " ");
		} else if (column > indent) {
			strbuf_append(sb, " ");
			column++;
		}
		strbuf_appendn(sb, p, word);
		column += word;
		p += word;
		if (*p == '\n') {
			strbuf_append(sb, "\n");
			for (column = 0; column < indent; column++)
				strbuf_append(sb, " ");
			p++;
		}
		while (*p == ' ')
			p++;
	}
	strbuf_append(sb, "\n");
}

static void append_option_help(struct strbuf *sb, const struct poptOption *table)
{
	for (const struct poptOption *o = table; o && !is_table_end(o); o++) {
		if (!is_documented(o))
			continue;
		size_t start = sb->len;
		if (o->shortName)
			strbuf_appendf(sb, "  -%c%s", o->shortName, o->longName ? ", " : "");
		else
			strbuf_append(sb, "      ");
		if (o->longName)
			strbuf_appendf(sb, "--%s", o->longName);
		if (takes_value(o))
			strbuf_appendf(sb, "%s%s", o->longName ? "=" : " ",
			               o->argDescrip ? o->argDescrip : "VALUE");
		size_t column = sb->len - start;
		if (column + 2 > HELP_COLUMN) {
			strbuf_append(sb, "\n");
			column = 0;
		}
		while (column < HELP_COLUMN) {
			strbuf_append(sb, " ");
			column++;
		}
		append_wrapped(sb, o->descrip ? o->descrip : "", HELP_COLUMN, HELP_COLUMN);
	}
}

size_t options_help_text(const struct program_info *info, const struct poptOption *own, char *buf, size_t cap)
{
	struct poptOption common[COMMON_MAX];
	build_common_table(info, common);
	struct strbuf sb;
	strbuf_init(&sb, buf, cap);
	strbuf_appendf(&sb, "Usage: %s [OPTION]...%s%s\n", info->progname, info->args ? " " : "",
	               info->args ? info->args : "");
	append_wrapped(&sb, info->purpose, 0, 0);
	if (own && !is_table_end(own)) {
		strbuf_append(&sb, "\nOptions:\n");
		append_option_help(&sb, own);
	}
	strbuf_append(&sb, "\nCommon options:\n");
	append_option_help(&sb, common);
	if (info->notes) {
		strbuf_append(&sb, "\n");
		strbuf_append(&sb, info->notes);
		if (sb.len && sb.data[sb.len - 1] != '\n')
			strbuf_append(&sb, "\n");
	}
	strbuf_appendf(&sb, "\nReport bugs to the %s issue tracker.\n", PACKAGE_NAME);
	return sb.len;
}

/* The short usage that follows a bad option: at most a screen. */
static size_t usage_text(const struct program_info *info, const struct poptOption *own, char *buf, size_t cap)
{
	struct poptOption common[COMMON_MAX];
	build_common_table(info, common);
	struct strbuf sb;
	strbuf_init(&sb, buf, cap);
	size_t column = (size_t)snprintf(NULL, 0, "Usage: %s", info->progname);
	strbuf_appendf(&sb, "Usage: %s", info->progname);
	const struct poptOption *tables[] = {common, own};
	for (size_t t = 0; t < 2; t++) {
		for (const struct poptOption *o = tables[t]; o && !is_table_end(o); o++) {
			if (!is_documented(o))
				continue;
			char item[96];
			if (o->shortName && takes_value(o))
				snprintf(item, sizeof item, "[-%c %s]", o->shortName,
				         o->argDescrip ? o->argDescrip : "VALUE");
			else if (o->shortName)
				snprintf(item, sizeof item, "[-%c]", o->shortName);
			else if (takes_value(o))
				snprintf(item, sizeof item, "[--%s=%s]", o->longName,
				         o->argDescrip ? o->argDescrip : "VALUE");
			else
				snprintf(item, sizeof item, "[--%s]", o->longName);
			size_t len = strlen(item);
			if (column + 1 + len > HELP_WIDTH) {
				strbuf_append(&sb, "\n       ");
				column = 7;
			}
			strbuf_appendf(&sb, " %s", item);
			column += 1 + len;
		}
	}
	if (info->args)
		strbuf_appendf(&sb, " %s", info->args);
	strbuf_appendf(&sb, "\nTry '%s --help' for more information.\n", info->progname);
	return sb.len;
}

static _Noreturn void fail_with_usage(const struct program_info *info, const struct poptOption *own,
                                      const char *problem)
{
	struct report r;
	report_init(&r, info->name);
	report_raise(&r, STATE_UNKNOWN);
	report_summary(&r, "%s", problem);
	char usage[3072];
	usage_text(info, own, usage, sizeof usage);
	for (char *line = strtok(usage, "\n"); line; line = strtok(NULL, "\n"))
		report_detail(&r, "%s", line);
	report_exit(&r);
}

_Noreturn void option_fail(const char *option, const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (!current_info)
		plugin_exit(STATE_UNKNOWN, "%s: %s", option, text);
	char problem[1024];
	snprintf(problem, sizeof problem, "%s: %s", option, text);
	fail_with_usage(current_info, current_own, problem);
}

/* A non-negative number with the units kind allows, or UNKNOWN. */
static double option_quantity(const char *option, const char *text, enum value_kind kind)
{
	double v = 0;
	char why[OPTION_WHY_MAX];
	if (!option_check_quantity(text, kind, &v, why, sizeof why))
		option_fail(option, "'%s' %s", text, why);
	return v;
}

bool option_check_quantity(const char *text, enum value_kind kind, double *out, char *why, size_t cap)
{
	const char *parse_why = "";
	if (!value_parse(text, kind, out, &parse_why)) {
		snprintf(why, cap, "%s", parse_why);
		return false;
	}
	if (*out < 0) {
		snprintf(why, cap, "is negative");
		return false;
	}
	return true;
}

bool option_check_integer(const char *text, long min, long max, long *out, char *why, size_t cap)
{
	double v;
	const char *parse_why = "";
	if (!value_parse(text, VALUE_PLAIN, &v, &parse_why) || v != floor(v)) {
		snprintf(why, cap, "is not a whole number");
		return false;
	}
	/* Range first: casting a value beyond long is undefined. */
	if (v < (double)min || v > (double)max) {
		snprintf(why, cap, "is out of range (%ld to %ld)", min, max);
		return false;
	}
	*out = (long)v;
	return true;
}

void options_append(struct poptOption *t, size_t *n, size_t cap, struct poptOption entry)
{
	if (*n + 1 >= cap) /* one entry stays for the table's end */
		plugin_exit(STATE_UNKNOWN, "internal error: an option table holds at most %zu options",
		            cap - 1);
	t[(*n)++] = entry;
}

double option_duration(const char *option, const char *text)
{
	return option_quantity(option, text, VALUE_DURATION);
}

long option_integer(const char *option, const char *text, long min, long max)
{
	long v = 0;
	char why[OPTION_WHY_MAX];
	if (!option_check_integer(text, min, max, &v, why, sizeof why))
		option_fail(option, "'%s' %s", text, why);
	return v;
}

plugin_state option_state(const char *option, const char *text)
{
	plugin_state s;
	if (!state_parse(text, &s))
		option_fail(option, "'%s' is not a state (OK, WARNING, CRITICAL or UNKNOWN)", text);
	return s;
}

struct range option_range(const char *option, const char *text, enum value_kind kind)
{
	struct range r;
	const char *why = "";
	if (!range_parse(text, kind, &r, &why))
		option_fail(option, "'%s' %s", text, why);
	return r;
}

static void parse_timeout(const char *text, struct common_options *out)
{
	char seconds[32];
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	if (n == 0 || n >= sizeof seconds || strspn(text, "0123456789") != n)
		option_fail("--timeout", "'%s' is not SECONDS[:STATE] (e.g. 10, 30:CRITICAL)", text);
	memcpy(seconds, text, n);
	seconds[n] = '\0';
	out->timeout = (unsigned)option_integer("--timeout", seconds, 1, 86400);
	if (colon)
		out->timeout_state = option_state("--timeout", colon + 1);
}

/* The program's own table as popt sees it: each single-valued string
 * option (POPT_ARG_STRING) comes back to options_parse by its own value,
 * so a second one is seen, not silently put in place of the first. */
static struct poptOption own_copy[OWN_MAX + 1];
static bool own_given[OWN_MAX];

static const struct poptOption *watch_own_strings(const struct poptOption *own)
{
	size_t n = 0;
	while (own && !is_table_end(&own[n]) && n < OWN_MAX)
		n++;
	if (!own || !is_table_end(&own[n]))
		return own; /* too big to watch (never so far): taken as popt gives it */
	for (size_t i = 0; i <= n; i++) {
		own_copy[i] = own[i];
		own_given[i < OWN_MAX ? i : 0] = false;
		if ((own[i].argInfo & POPT_ARG_MASK) == POPT_ARG_STRING && own[i].arg && own[i].val == 0) {
			own_copy[i].arg = NULL;
			own_copy[i].val = VAL_OWN + (int)i;
		}
	}
	return own_copy;
}

/* Put value in *slot, the first time (*given false); a second, different
 * value: UNKNOWN naming both (the same value again changes nothing). */
static void store_once(const char *long_name, bool *given, char **slot, char *value)
{
	if (*given && *slot && strcmp(*slot, value) == 0) {
		free(value);
		return;
	}
	if (*given) {
		char option[64];
		snprintf(option, sizeof option, "--%s", long_name);
		option_fail(option, "given twice ('%s' and '%s')", *slot, value);
	}
	*given = true;
	*slot = value;
}

static const char *common_long_name(const struct poptOption *common, int val)
{
	for (const struct poptOption *o = common; !is_table_end(o); o++)
		if (o->val == val)
			return o->longName;
	return "?";
}

/* Was the option long_name given (own or common)? *value gets its value
 * (NULL for a flag). */
static bool option_given(const struct poptOption *own, const struct poptOption *common, const char *long_name,
                         const char **value)
{
	*value = NULL;
	for (const struct poptOption *o = common; !is_table_end(o); o++)
		if (o->longName && strcmp(o->longName, long_name) == 0 && common_value_slot(o->val)) {
			*value = *common_value_slot(o->val);
			return *value != NULL;
		}
	for (size_t i = 0; own && !is_table_end(&own[i]); i++) {
		const struct poptOption *o = &own[i];
		if (!o->longName || strcmp(o->longName, long_name) != 0 || !o->arg)
			continue;
		switch (o->argInfo & POPT_ARG_MASK) {
		case POPT_ARG_STRING: *value = *(char **)o->arg; return i < OWN_MAX && own_given[i];
		case POPT_ARG_ARGV: {
			const char **list = *(const char ***)o->arg;
			*value = list ? list[0] : NULL;
			return list && list[0];
		}
		case POPT_ARG_NONE:
		case POPT_ARG_VAL: return *(int *)o->arg != 0;
		default: return false;
		}
	}
	return false;
}

/* Refuse the info->exclusive pairs given together, naming both. */
static void check_exclusive(const struct program_info *info, const struct poptOption *own,
                            const struct poptOption *common)
{
	for (const char *const *pair = info->exclusive; pair && *pair; pair++) {
		char first[64], second[64], option[70], other[768];
		if (sscanf(*pair, "%63s %63s", first, second) != 2)
			continue;
		const char *a, *b;
		if (!option_given(own, common, first, &a) || !option_given(own, common, second, &b))
			continue;
		snprintf(option, sizeof option, "--%s", first);
		snprintf(other, sizeof other, "--%s%s%s%s", second, b ? " '" : "", b ? b : "", b ? "'" : "");
		if (a)
			option_fail(option, "'%s' and %s exclude each other", a, other);
		option_fail(option, "and %s exclude each other", other);
	}
}

void options_parse(int argc, char **argv, const struct program_info *info, const struct poptOption *own,
                   struct common_options *out)
{
	static struct poptOption common[COMMON_MAX];
	static struct poptOption table[3];
	static const char *no_positionals[] = {NULL};
	char problem[512];

	plugin_set_name(info->name);
	current_info = info;
	current_own = own;
	memset(out, 0, sizeof *out);
	out->timeout = info->default_timeout ? info->default_timeout : 10;
	out->timeout_state = STATE_UNKNOWN;
	out->positionals = no_positionals;

	build_common_table(info, common);
	for (int val = VAL_TIMEOUT; val <= VAL_HOSTNAME; val++) { /* a parse before this one */
		free(*common_value_slot(val));
		*common_value_slot(val) = NULL;
	}
	const struct poptOption *watched = watch_own_strings(own);
	size_t n = 0;
	if (own)
		table[n++] =
		    (struct poptOption){NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)watched, 0, NULL, NULL};
	table[n++] = (struct poptOption){NULL, '\0', POPT_ARG_INCLUDE_TABLE, common, 0, NULL, NULL};
	table[n] = (struct poptOption)POPT_TABLEEND;

	if (parse_context)
		poptFreeContext(parse_context);
	else
		atexit(release_parse_context);
	poptContext con = parse_context = poptGetContext(info->progname, argc, (const char **)argv, table, 0);
	int rc;
	bool help = false, version = false, usage = false;
	while ((rc = poptGetNextOpt(con)) > 0) {
		if (rc == VAL_HELP)
			help = true;
		else if (rc == VAL_VERSION)
			version = true;
		else if (rc == VAL_USAGE)
			usage = true;
		else if (rc == VAL_VERBOSE && out->verbose < 3)
			out->verbose++;
		else if (common_value_slot(rc)) {
			bool given = *common_value_slot(rc) != NULL;
			store_once(common_long_name(common, rc), &given, common_value_slot(rc),
			           poptGetOptArg(con));
		} else if (rc >= VAL_OWN && rc < VAL_OWN + OWN_MAX && watched == own_copy) {
			const struct poptOption *o = &own[rc - VAL_OWN];
			store_once(o->longName, &own_given[rc - VAL_OWN], (char **)o->arg,
			           poptGetOptArg(con));
		}
	}
	if (usage) {
		static char text[4096];
		usage_text(info, own, text, sizeof text);
		plugin_exit_text(STATE_UNKNOWN, text);
	}
	if (help) {
		static char text[32768];
		options_help_text(info, own, text, sizeof text);
		plugin_exit_text(STATE_UNKNOWN, text);
	}
	if (version) {
		char text[256];
		snprintf(text, sizeof text, "%s (%s) %s\n", info->progname, PACKAGE_NAME, PACKAGE_VERSION);
		plugin_exit_text(STATE_UNKNOWN, text);
	}
	if (max_output_text)
		plugin_set_output_limit((size_t)option_integer("--max-output", max_output_text,
		                                               PLUGIN_OUTPUT_MIN, PLUGIN_OUTPUT_LIMIT));
	if (rc < -1) {
		const char *bad = poptBadOption(con, POPT_BADOPTION_NOALIAS);
		if (rc == POPT_ERROR_NOARG)
			snprintf(problem, sizeof problem, "option '%s' needs a value", bad);
		else if (rc == POPT_ERROR_BADOPT)
			snprintf(problem, sizeof problem, "unknown option '%s'", bad);
		else
			snprintf(problem, sizeof problem, "option '%s': %s", bad, poptStrerror(rc));
		fail_with_usage(info, own, problem);
	}
	const char **rest = poptGetArgs(con);
	if (rest) {
		int count = 0;
		while (rest[count])
			count++;
		if (count > info->max_positionals) {
			snprintf(problem, sizeof problem, "unexpected argument '%s'",
			         rest[info->max_positionals]);
			fail_with_usage(info, own, problem);
		}
		out->positionals = rest;
	}

	check_exclusive(info, own, common);
	if (timeout_text)
		parse_timeout(timeout_text, out);
	const char *warning = warning_text ? warning_text : info->default_warning;
	const char *critical = critical_text ? critical_text : info->default_critical;
	if (warning)
		out->warning = option_range("--warning", warning, info->threshold_kind);
	if (critical)
		out->critical = option_range("--critical", critical, info->threshold_kind);
	if (hostname_text) {
		if (!*hostname_text)
			option_fail("--hostname", "is empty");
		out->hostname = hostname_text;
	}
	deadline_start(out->timeout, out->timeout_state);
}
