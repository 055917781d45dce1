/* range: the Monitoring Plugins range syntax, strictly. Numbers are checked
 * by hand (strtod alone would take "inf", "0x1p3" and stop silently at
 * "12%"), so anything but [-]digits[.digits][unit] is refused; strtod only
 * converts what was checked. Numbers are written back as plain decimals. */
#include "range.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

struct unit {
	const char *suffix;
	double factor;
};

static const struct unit duration_units[] = {{"s", 1},     {"m", 60},     {"h", 3600},
                                             {"d", 86400}, {"w", 604800}, {NULL, 0}};
static const struct unit size_units[] = {{"B", 1},
                                         {"KB", 1024.0},
                                         {"MB", 1024.0 * 1024},
                                         {"GB", 1024.0 * 1024 * 1024},
                                         {"TB", 1024.0 * 1024 * 1024 * 1024},
                                         {NULL, 0}};

static bool unit_equal(const char *a, size_t n, const char *suffix)
{
	if (strlen(suffix) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		char d = suffix[i];
		if (d >= 'a' && d <= 'z')
			d = (char)(d - 32);
		if (c != d)
			return false;
	}
	return true;
}

static const char *kind_noun(enum value_kind kind)
{
	switch (kind) {
	case VALUE_DURATION: return "is not a duration (e.g. 90, 90s, 15m, 26h, 7d)";
	case VALUE_SIZE: return "is not a size (e.g. 512, 512B, 4KB, 10MB, 2GB)";
	default: return "is not a number";
	}
}

/* The magnitudes a value may have: every one is written back as a plain
 * decimal of at most ~32 characters (number_format). */
#define VALUE_MAX 1e30
#define VALUE_MIN 1e-9

/* Scan [-]digits[.digits] or [-].digits from *p; advance *p. The syntax is
 * checked here by hand; strtod then converts the checked digits, correctly
 * rounded ("0.3" is the double nearest 0.3, as a reader of perfdata gets). */
static bool scan_number(const char **p, double *out)
{
	const char *s = *p, *start = *p;
	size_t digits = 0;
	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	char text[64];
	size_t len = (size_t)(s - start);
	if (digits == 0 || len >= sizeof text)
		return false;
	memcpy(text, start, len);
	text[len] = '\0';
	double v = strtod(text, NULL);
	if (!isfinite(v))
		return false;
	*out = v == 0 ? 0 : v; /* never -0 */
	*p = s;
	return true;
}

/* A number with an optional unit, ending at stop (or end of text). */
static bool scan_value(const char **p, const char *stop_chars, enum value_kind kind, double *out,
                       const char **why)
{
	const char *s = *p;
	double v;
	if (!scan_number(&s, &v)) {
		*why = kind_noun(kind);
		return false;
	}
	size_t unit_len = strcspn(s, stop_chars);
	if (unit_len > 0) {
		const struct unit *units = kind == VALUE_DURATION ? duration_units
		                           : kind == VALUE_SIZE   ? size_units
		                                                  : NULL;
		const struct unit *u = units;
		while (u && u->suffix && !unit_equal(s, unit_len, u->suffix))
			u++;
		if (!u || !u->suffix) {
			*why = kind_noun(kind);
			return false;
		}
		v *= u->factor;
		s += unit_len;
	}
	if (v != 0 && (fabs(v) >= VALUE_MAX || fabs(v) < VALUE_MIN)) {
		*why = "is too large or too small (at most 30 digits before the point, 9 after it)";
		return false;
	}
	*out = v;
	*p = s;
	return true;
}

bool value_parse(const char *text, enum value_kind kind, double *out, const char **why)
{
	const char *p = text;
	if (!text || !*text) {
		*why = "is empty";
		return false;
	}
	if (!scan_value(&p, "", kind, out, why))
		return false;
	if (*p) {
		*why = kind_noun(kind);
		return false;
	}
	return true;
}

bool range_parse(const char *text, enum value_kind kind, struct range *out, const char **why)
{
	struct range r = {.set = true};
	const char *p = text;
	if (!text || !*text) {
		*why = "is empty";
		return false;
	}
	if (*p == '@') {
		r.inside = true;
		p++;
	}
	const char *colon = strchr(p, ':');
	if (colon && p == colon && colon[1] == '\0') {
		*why = "is not a range (e.g. 10, 10:, ~:10, 10:20, @10:20)";
		return false;
	}
	if (colon) {
		if (p[0] == '~' && p + 1 == colon) {
			r.start_infinite = true;
		} else if (p == colon) {
			r.start = 0; /* ":10" is 0:10 */
		} else {
			const char *q = p;
			if (!scan_value(&q, ":", kind, &r.start, why))
				return false;
			if (q != colon) {
				*why = kind_noun(kind);
				return false;
			}
		}
		p = colon + 1;
		if (*p == '\0') {
			r.end_infinite = true;
		} else {
			if (!scan_value(&p, "", kind, &r.end, why))
				return false;
			if (*p) {
				*why = "is not a range (e.g. 10, 10:, ~:10, 10:20, @10:20)";
				return false;
			}
		}
	} else {
		if (!scan_value(&p, "", kind, &r.end, why))
			return false;
		r.start = 0;
	}
	if (!r.start_infinite && !r.end_infinite && r.start > r.end) {
		*why = "is not a range: its start is greater than its end";
		return false;
	}
	if (r.start_infinite && r.end_infinite) {
		*why = "is not a range: both ends are open";
		return false;
	}
	*out = r;
	return true;
}

bool range_alerts(const struct range *r, double value)
{
	if (!r || !r->set)
		return false;
	bool within = (r->start_infinite || value >= r->start) && (r->end_infinite || value <= r->end);
	return r->inside ? within : !within;
}

plugin_state threshold_state(const struct range *warn, const struct range *crit, double value)
{
	if (range_alerts(crit, value))
		return STATE_CRITICAL;
	if (range_alerts(warn, value))
		return STATE_WARNING;
	return STATE_OK;
}

/* Write the shortest digits that parse back to v (%.*e, 1 to 17 digits)
 * as a plain decimal: no exponent, no trailing zeros. */
size_t number_format(double v, char *buf, size_t cap)
{
	char sci[48], plain[400];
	if (v == 0)
		v = 0; /* -0 is 0 */
	for (int precision = 0; precision < 17; precision++) {
		snprintf(sci, sizeof sci, "%.*e", precision, v);
		if (strtod(sci, NULL) == v)
			break;
	}
	/* sci is [-]D[.DDD]e[+-]XX: its digits, and where the point goes. */
	char digits[24];
	size_t n = 0;
	const char *p = sci;
	bool negative = *p == '-';
	if (negative)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.' && n + 1 < sizeof digits)
			digits[n++] = *p;
	long exponent = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	struct strbuf sb;
	strbuf_init(&sb, plain, sizeof plain);
	if (negative)
		strbuf_append(&sb, "-");
	if (exponent < 0) {
		strbuf_append(&sb, "0.");
		for (long i = -1; i > exponent; i--)
			strbuf_append(&sb, "0");
		strbuf_appendn(&sb, digits, n);
	} else {
		for (long i = 0; i <= exponent || i < (long)n; i++) {
			if (i == exponent + 1)
				strbuf_append(&sb, ".");
			strbuf_appendn(&sb, i < (long)n ? &digits[i] : "0", 1);
		}
	}
	int written = snprintf(buf, cap, "%s", plain);
	if (written < 0)
		return 0;
	return (size_t)written < cap ? (size_t)written : cap - 1;
}

size_t range_format(const struct range *r, char *buf, size_t cap)
{
	char start[40], end[40];
	int n;
	if (!r || !r->set) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	number_format(r->start, start, sizeof start);
	number_format(r->end, end, sizeof end);
	const char *at = r->inside ? "@" : "";
	if (r->start_infinite)
		n = snprintf(buf, cap, "%s~:%s", at, end);
	else if (r->end_infinite)
		n = snprintf(buf, cap, "%s%s:", at, start);
	else if (r->start == 0 && !r->inside)
		n = snprintf(buf, cap, "%s", end);
	else
		n = snprintf(buf, cap, "%s%s:%s", at, start, end);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t duration_format(double seconds, char *buf, size_t cap)
{
	static const struct unit parts[] = {{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
	const char *sign = seconds < 0 ? "-" : "";
	double left = floor(fabs(seconds));
	int n;
	for (size_t i = 0; i < 3; i++) {
		if (left >= parts[i].factor) {
			double major = floor(left / parts[i].factor);
			double minor = floor((left - major * parts[i].factor) / parts[i + 1].factor);
			if (minor > 0)
				n = snprintf(buf, cap, "%s%.0f%s %.0f%s", sign, major, parts[i].suffix, minor,
				             parts[i + 1].suffix);
			else
				n = snprintf(buf, cap, "%s%.0f%s", sign, major, parts[i].suffix);
			return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
		}
	}
	n = snprintf(buf, cap, "%s%.0fs", sign, left);
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

size_t duration_format_exact(double seconds, char *buf, size_t cap)
{
	static const struct unit parts[] = {{"d", 86400}, {"h", 3600}, {"m", 60}};
	struct strbuf sb;
	strbuf_init(&sb, buf, cap);
	if (seconds < 0)
		strbuf_append(&sb, "-");
	double left = fabs(seconds);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		double whole = floor(left / parts[i].factor);
		if (whole > 0) {
			strbuf_appendf(&sb, "%s%.0f%s", sb.len && buf[sb.len - 1] != '-' ? " " : "", whole,
			               parts[i].suffix);
			left -= whole * parts[i].factor;
		}
	}
	if (left > 0 || sb.len == 0 || buf[sb.len - 1] == '-') {
		char number[48];
		number_format(left, number, sizeof number);
		strbuf_appendf(&sb, "%s%ss", sb.len && buf[sb.len - 1] != '-' ? " " : "", number);
	}
	return sb.len;
}

size_t size_format(double bytes, char *buf, size_t cap)
{
	int i = 0, n;
	double v = bytes;
	while (i < 4 && fabs(v) >= 1024) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		n = snprintf(buf, cap, "%.0f B", v);
	else
		n = snprintf(buf, cap, "%.1f %s", v, size_units[i].suffix);
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
