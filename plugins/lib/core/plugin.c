/* plugin: renders a report (first line, perfdata, long output) within
 * Nagios's 8 KiB or the --max-output bound, making free text safe (valid
 * UTF-8, no control characters, '|' neutralised), and owns the exit status. */
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "deadline.h"
#include "perfdata.h"
#include "text.h"

static const char *current_name = "PLUGIN";

/* U+00A6 BROKEN BAR stands in for '|', which would start perfdata. */
static const char pipe_substitute[] = "\xC2\xA6";

void plugin_set_name(const char *name)
{
	current_name = name;
}

const char *state_name(plugin_state s)
{
	switch (s) {
	case STATE_OK: return "OK";
	case STATE_WARNING: return "WARNING";
	case STATE_CRITICAL: return "CRITICAL";
	default: return "UNKNOWN";
	}
}

bool state_parse(const char *text, plugin_state *out)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	for (int i = 0; i < 4; i++) {
		if (text_casecmp(text, names[i]) == 0 || (text[0] == '0' + i && text[1] == '\0')) {
			*out = (plugin_state)i;
			return true;
		}
	}
	return false;
}

plugin_state state_worst(plugin_state a, plugin_state b)
{
	static const int rank[] = {0, 2, 3, 1}; /* OK, WARNING, CRITICAL, UNKNOWN */
	return rank[plugin_clamp_status((int)a)] >= rank[plugin_clamp_status((int)b)] ? a : b;
}

int plugin_clamp_status(int status)
{
	return (status >= 0 && status <= 3) ? status : STATE_UNKNOWN;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, nothing beyond U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len = c < 0x80                 ? 1
	             : c >= 0xC2 && c <= 0xDF ? 2
	             : c >= 0xE0 && c <= 0xEF ? 3
	             : c >= 0xF0 && c <= 0xF4 ? 4
	                                      : 0;
	if (len == 0 || len > n)
		return 0;
	/* The second byte's range depends on the first (RFC 3629, section 4). */
	unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	for (size_t i = 1; i < len; i++) {
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF))
			return 0;
	}
	return len;
}

/* Append text made safe for a line of plugin output, whatever it holds
 * (names and strings from outside reach here): '|' neutralised (it would
 * start perfdata), a byte that is not UTF-8 becomes '?', a line break or
 * tab a space (a text never breaks or shapes a line: one detail is one
 * line), a "\r\n" one space, any other control character '?'. Never grows
 * the text by more than 2x ('|' takes two bytes). */
static void append_sanitised(struct strbuf *sb, const char *text, size_t n)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t start = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = t[i];
		size_t len = utf8_sequence(t + i, n - i);
		const char *sub = NULL;
		if (len == 0)
			sub = "?", len = 1;
		else if (c == '|')
			sub = pipe_substitute;
		else if (c == '\r' && i + 1 < n && t[i + 1] == '\n')
			sub = "";
		else if (c == '\n' || c == '\t' || c == '\r')
			sub = " ";
		else if (c < 0x20 || c == 0x7F)
			sub = "?";
		if (sub) {
			strbuf_appendn(sb, text + start, i - start);
			strbuf_append(sb, sub);
			start = i + len;
		}
		i += len;
	}
	strbuf_appendn(sb, text + start, n - start);
}

void report_init(struct report *r, const char *name)
{
	r->name = name;
	r->state = STATE_OK;
	strbuf_init(&r->summary, r->summary_mem, sizeof r->summary_mem);
	strbuf_init(&r->perf, r->perf_mem, sizeof r->perf_mem);
	strbuf_init(&r->details, r->details_mem, sizeof r->details_mem);
	r->details_dropped = 0;
	plugin_set_name(name);
}

void report_raise(struct report *r, plugin_state s)
{
	r->state = state_worst(r->state, s);
}

/* vsnprintf into text, cut on a UTF-8 boundary; returns the length, or -1. */
static long format_text(char *text, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(text, cap, fmt, ap);
	if (n < 0)
		return -1;
	return (long)((size_t)n < cap ? (size_t)n : utf8_prefix(text, cap - 1));
}

void report_summary(struct report *r, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	long len = format_text(text, sizeof text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (r->summary.len > 0)
		strbuf_append(&r->summary, ", ");
	append_sanitised(&r->summary, text, (size_t)len);
}

void report_detail(struct report *r, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	long len = format_text(text, sizeof text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	/* Whole lines only: one that cannot fit is counted for the marker.
	 * (Sanitising can grow a line: '|' takes two bytes.) */
	if (r->details_dropped > 0 || r->details.len + 2 * (size_t)len + 2 > r->details.cap) {
		r->details_dropped++;
		return;
	}
	append_sanitised(&r->details, text, (size_t)len);
	strbuf_append(&r->details, "\n");
}

void report_perf(struct report *r, const struct perfdata *p)
{
	char item[512];
	size_t n = perfdata_format(item, sizeof item, p);
	if (n == 0)
		return;
	if (r->perf.len + 1 + n >= r->perf.cap) {
		r->perf.truncated = true;
		return; /* never half an item */
	}
	if (r->perf.len > 0)
		strbuf_append(&r->perf, " ");
	strbuf_append(&r->perf, item);
}

size_t plugin_format_line(char *buf, size_t cap, plugin_state s, const char *text)
{
	struct strbuf sb;
	strbuf_init(&sb, buf, cap);
	strbuf_appendf(&sb, "KMS_%s %s", current_name, state_name(s));
	if (text && *text) {
		strbuf_append(&sb, " - ");
		append_sanitised(&sb, text, strlen(text));
	}
	if (sb.len + 1 >= cap && cap > 0) /* make room for the newline */
		sb.len = utf8_prefix(buf, cap - 2);
	buf[sb.len++] = '\n';
	buf[sb.len] = '\0';
	return sb.len;
}

/* The output bound: Nagios's 8 KiB unless --max-output lowers it. */
static size_t output_limit = PLUGIN_OUTPUT_LIMIT;

size_t plugin_set_output_limit(size_t bytes)
{
	output_limit = bytes < PLUGIN_OUTPUT_MIN     ? PLUGIN_OUTPUT_MIN
	               : bytes > PLUGIN_OUTPUT_LIMIT ? PLUGIN_OUTPUT_LIMIT
	                                             : bytes;
	return output_limit;
}

size_t plugin_output_limit(void)
{
	return output_limit;
}

/* Bytes of the perfdata text that fit in room, ending after a whole item:
 * items are separated by blanks outside quoted labels ('it''s' toggles
 * twice, so doubled quotes need no special case). */
static size_t perf_whole_items(const char *perf, size_t len, size_t room)
{
	if (len <= room)
		return len;
	size_t keep = 0;
	bool quoted = false;
	for (size_t i = 0; i <= room && i < len; i++) {
		if (perf[i] == '\'')
			quoted = !quoted;
		else if (perf[i] == ' ' && !quoted)
			keep = i;
	}
	return keep;
}

/* The first line within limit: "KMS_<NAME> <STATE>", then the perfdata in
 * whole items, then as much of the summary as the rest leaves ("..." when
 * shortened; left out when not even that fits). */
static void render_first_line(const struct report *r, struct strbuf *sb, size_t limit)
{
	static const char more[] = "...";
	strbuf_appendf(sb, "KMS_%s %s", r->name, state_name(r->state));
	size_t summary_min = r->summary.len ? strlen(" - ") + strlen(more) : 0;
	size_t fixed = sb->len + strlen(" | ") + strlen("\n") + summary_min;
	size_t perf_keep = perf_whole_items(r->perf.data, r->perf.len, limit > fixed ? limit - fixed : 0);
	size_t perf_part = perf_keep ? perf_keep + strlen(" | ") : 0;
	size_t used = sb->len + perf_part + strlen("\n") + strlen(" - ");
	size_t room = limit > used ? limit - used : 0;
	if (r->summary.len > 0 && room >= strlen(more) + 1) {
		strbuf_append(sb, " - ");
		if (r->summary.len <= room && !r->summary.truncated) {
			strbuf_append(sb, r->summary.data);
		} else {
			size_t keep = room - strlen(more);
			if (keep > r->summary.len)
				keep = r->summary.len;
			strbuf_appendn(sb, r->summary.data, utf8_prefix(r->summary.data, keep));
			strbuf_append(sb, more);
		}
	}
	if (perf_keep) {
		strbuf_append(sb, " | ");
		strbuf_appendn(sb, r->perf.data, perf_keep);
	}
	strbuf_append(sb, "\n");
}

size_t report_render(const struct report *r, char *out, size_t cap)
{
	/* Room kept for the marker line while more lines follow. */
	enum { MARKER_ROOM = 96 };
	size_t limit = cap - 1 < output_limit ? cap - 1 : output_limit;
	struct strbuf sb;
	strbuf_init(&sb, out, limit + 1);
	render_first_line(r, &sb, limit);

	/* Long output: whole lines while they fit, then one marker line. */
	const char *line = r->details.data;
	const char *end = line + r->details.len;
	size_t cut = 0;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) + 1 : (size_t)(end - line);
		bool last = line + n >= end && r->details_dropped == 0;
		if (cut == 0 && sb.len + n + (last ? 0 : MARKER_ROOM) <= limit)
			strbuf_appendn(&sb, line, n);
		else
			cut++;
		line += n;
	}
	cut += r->details_dropped;
	char marker[MARKER_ROOM];
	int m = snprintf(marker, sizeof marker, "... %zu more line%s cut to fit the %zu-byte output limit\n",
	                 cut, cut == 1 ? "" : "s", limit);
	if (cut > 0 && m > 0 && sb.len + (size_t)m <= limit)
		strbuf_append(&sb, marker);
	return sb.len;
}

_Noreturn void report_exit(const struct report *r)
{
	static char out[PLUGIN_OUTPUT_LIMIT + 1];
	deadline_cancel();
	size_t n = report_render(r, out, sizeof out);
	fflush(stdout);
	console_write(out, n);
	exit(plugin_clamp_status((int)r->state));
}

_Noreturn void plugin_exit(plugin_state s, const char *fmt, ...)
{
	char text[1024];
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	deadline_cancel();
	size_t cap = output_limit < sizeof line ? output_limit + 1 : sizeof line;
	size_t n = plugin_format_line(line, cap, s, text);
	fflush(stdout);
	console_write(line, n);
	exit(plugin_clamp_status((int)s));
}

_Noreturn void plugin_exit_text(plugin_state s, const char *text)
{
	deadline_cancel();
	fflush(stdout);
	console_write(text, strlen(text));
	exit(plugin_clamp_status((int)s));
}
