/* options: the command line of every program. popt parses; this module adds
 * the common options (-h -V -v -t -w -c -H), generated --help and usage
 * text, strict value checks, and arms the deadline once parsing is done.
 * Every bad option ends as one UNKNOWN line naming the option and value. */
#ifndef KMS_OPTIONS_H
#define KMS_OPTIONS_H

#include <popt.h>
#include <stdbool.h>

#include "plugin.h"
#include "range.h"

enum {
	OPTS_THRESHOLDS = 1 << 0, /* -w/--warning, -c/--critical */
	OPTS_HOSTNAME = 1 << 1,   /* -H/--hostname */
};

struct program_info {
	const char *name;     /* "EVENTS": output starts "KMS_EVENTS" */
	const char *progname; /* "check_kms_events" */
	const char *purpose;  /* what the program answers, a paragraph */
	const char *args;     /* positional arguments for the usage line, or NULL */
	int max_positionals;  /* more than this are refused */
	const char *notes;    /* after the options: thresholds, perfdata, states, examples */
	unsigned flags;
	enum value_kind threshold_kind;
	const char *warning_help;     /* description of -w (with its default) */
	const char *critical_help;    /* description of -c (with its default) */
	const char *hostname_help;    /* description of -H */
	const char *default_warning;  /* NULL: no default */
	const char *default_critical; /* NULL: no default */
	unsigned default_timeout;     /* 0: 10 s */
	/* Pairs of options that exclude each other, by long name ("log file",
	 * "since window"), NULL-terminated; NULL: none. Both given: UNKNOWN
	 * naming both. */
	const char *const *exclusive;
};

struct common_options {
	int verbose; /* 0..3 */
	unsigned timeout;
	plugin_state timeout_state;
	struct range warning; /* .set false when not given and no default */
	struct range critical;
	const char *hostname;     /* NULL: local */
	const char **positionals; /* NULL-terminated, never NULL */
};

/* Parse argv against the program's own table (POPT_TABLEEND-terminated,
 * may be NULL) plus the common options; handle --help, --usage and
 * --version; refuse a single-valued option given twice with different
 * values (POPT_ARG_STRING
 * and the common values; POPT_ARG_ARGV options are repeatable) and the
 * info->exclusive pairs given together; check the common values; arm the
 * deadline. Returns only when all is well. */
void options_parse(int argc, char **argv, const struct program_info *info, const struct poptOption *own,
                   struct common_options *out);

/* Render --help into buf (used by options_parse, and by tests). */
size_t options_help_text(const struct program_info *info, const struct poptOption *own, char *buf,
                         size_t cap);

/* Append entry to a program's own option table t (*n entries so far, room
 * for cap with its end): a table too small is an internal error, UNKNOWN,
 * never a write past its end. */
void options_append(struct poptOption *t, size_t *n, size_t cap, struct poptOption entry);

/* The checks behind option_duration and option_integer, for code that
 * reports instead of exiting: false with why, the phrase that follows the
 * quoted value ("is negative", "is out of range (0 to 10)"). */
#define OPTION_WHY_MAX 128
bool option_check_quantity(const char *text, enum value_kind kind, double *out, char *why, size_t cap);
bool option_check_integer(const char *text, long min, long max, long *out, char *why, size_t cap);

/* Value checks for a program's own options. Each returns the parsed value
 * or exits UNKNOWN: "<option>: '<text>' <why>". */
double option_duration(const char *option, const char *text);
long option_integer(const char *option, const char *text, long min, long max);
plugin_state option_state(const char *option, const char *text);
struct range option_range(const char *option, const char *text, enum value_kind kind);

/* Exit UNKNOWN with "<option>: <message>": a bad value of a program's own option. */
_Noreturn void option_fail(const char *option, const char *fmt, ...) KMS_PRINTF(2, 3);

#endif
