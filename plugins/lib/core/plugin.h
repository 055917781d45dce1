/* plugin: the one module that writes a plugin's answer to stdout and ends
 * the process. Programs collect state, summary, perfdata and long output in
 * a struct report; report_exit() renders it (bounded, sanitised) and exits. */
#ifndef KMS_PLUGIN_H
#define KMS_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

typedef enum { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 } plugin_state;

/* Nagios reads 8 KiB of plugin output; everything we print fits in it.
 * --max-output lowers the bound (an NRPE v2 agent carries 1024 bytes), not
 * below PLUGIN_OUTPUT_MIN: room for a first line and its perfdata. */
#define PLUGIN_OUTPUT_LIMIT 8192
#define PLUGIN_OUTPUT_MIN   256

struct perfdata;

struct report {
	const char *name; /* "EVENTS": the first line starts "KMS_EVENTS" */
	plugin_state state;
	struct strbuf summary;
	struct strbuf perf;
	struct strbuf details;  /* long output, one line per entry */
	size_t details_dropped; /* lines that did not fit in details_mem */
	char summary_mem[2048];
	char perf_mem[2048];
	char details_mem[16384];
};

const char *state_name(plugin_state s);
/* "OK", "warning", "CRITICAL", "unknown" or 0..3. */
bool state_parse(const char *text, plugin_state *out);
/* CRITICAL > WARNING > UNKNOWN > OK: the state a set of findings adds up to. */
plugin_state state_worst(plugin_state a, plugin_state b);

/* The service name every line of this process carries ("EVENTS"). */
void plugin_set_name(const char *name);

void report_init(struct report *r, const char *name);
/* Raise the state to s if s is worse. */
void report_raise(struct report *r, plugin_state s);
/* Append to the first line's text (joined with ", " when not empty). */
void report_summary(struct report *r, const char *fmt, ...) KMS_PRINTF(2, 3);
/* Append one long-output line. */
void report_detail(struct report *r, const char *fmt, ...) KMS_PRINTF(2, 3);
void report_perf(struct report *r, const struct perfdata *p);

/* Bound every output of this process (report_exit, plugin_exit) to bytes,
 * clamped to PLUGIN_OUTPUT_MIN..PLUGIN_OUTPUT_LIMIT; returns the bound set. */
size_t plugin_set_output_limit(size_t bytes);
size_t plugin_output_limit(void);

/* Render the whole output into out (at most cap - 1 bytes and the output
 * limit, cap >= 256): the first line whole if it fits (the summary yields
 * first, then perfdata items from the end, never half an item), then the
 * long output in whole lines, then a marker line counting what was cut.
 * Returns the length. No I/O. */
size_t report_render(const struct report *r, char *out, size_t cap);

/* Print the report, flush, exit with its state (clamped to 0..3). */
_Noreturn void report_exit(const struct report *r);

/* One line "KMS_<NAME> <STATE> - <text>" and exit: for bad input and
 * internal failures, and for programs whose whole answer is one line. */
_Noreturn void plugin_exit(plugin_state s, const char *fmt, ...) KMS_PRINTF(2, 3);

/* Print preformatted text (help, version) and exit with state s. */
_Noreturn void plugin_exit_text(plugin_state s, const char *text);

/* Format "KMS_<NAME> <STATE> - <text>\n" into buf (sanitised, bounded).
 * Used by the deadline to preformat its message. */
size_t plugin_format_line(char *buf, size_t cap, plugin_state s, const char *text);

/* Clamp any integer to a valid plugin exit status. */
int plugin_clamp_status(int status);

#endif
