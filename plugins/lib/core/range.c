/* range: the Monitoring Plugins range syntax, strictly. Numbers are scanned
 * by hand (no strtod: it would take "inf", "0x1p3" and stop silently at
 * "12%"), so anything but [-]digits[.digits][unit] is refused. */
#include "range.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* Scan [-]digits[.digits] or [-].digits from *p; advance *p. */
static bool scan_number(const char **p, double *out)
{
	const char *s = *p;
	double v = 0;
	bool negative = false, digits = false;
	if (*s == '-' || *s == '+') {
		negative = *s == '-';
		s++;
	}
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		double scale = 0.1;
		while (*s >= '0' && *s <= '9') {
			v += (*s - '0') * scale;
			scale /= 10;
			s++;
			digits = true;
		}
	}
	if (!digits || !isfinite(v))
		return false;
	*out = negative ? -v : v;
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

size_t number_format(double v, char *buf, size_t cap)
{
	int n;
	if (v == floor(v) && fabs(v) < 1e15)
		n = snprintf(buf, cap, "%.0f", v);
	else
		n = snprintf(buf, cap, "%.6g", v);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
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
