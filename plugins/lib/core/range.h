/* range: Nagios threshold ranges ([@]start:end, ~ for -infinity), and the
 * numbers inside them, which may carry a duration or size unit where the
 * option measures time or size. Pure functions, no I/O. */
#ifndef KMS_RANGE_H
#define KMS_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"

/* What a number means: its accepted unit suffixes and its base unit. */
enum value_kind {
	VALUE_PLAIN,    /* no unit */
	VALUE_DURATION, /* 90, 90s, 15m, 26h, 7d, 2w: seconds */
	VALUE_SIZE      /* 512, 512B, 4KB, 10MB, 2GB, 1TB (1024-based): bytes */
};

struct range {
	bool set;            /* false: no threshold given, never alerts */
	bool start_infinite; /* "~:" */
	bool end_infinite;   /* "N:" */
	bool inside;         /* "@": alert inside the range instead of outside */
	double start;
	double end;
};

/* Parse a number with an optional unit allowed by kind. On failure returns
 * false and sets *why to a short reason ("is not a duration"). */
bool value_parse(const char *text, enum value_kind kind, double *out, const char **why);

/* Parse a threshold range. Rejects empty text, trailing garbage, units the
 * kind does not allow, start > end. */
bool range_parse(const char *text, enum value_kind kind, struct range *out, const char **why);

/* True when value is a reason to alert under r (false when !r->set). */
bool range_alerts(const struct range *r, double value);

/* Write r back in base units ("0:86400", "~:10", "@5:7"), as perfdata
 * wants it. Returns the length; "" for an unset range. */
size_t range_format(const struct range *r, char *buf, size_t cap);

/* CRITICAL if crit alerts, else WARNING if warn alerts, else OK. */
plugin_state threshold_state(const struct range *warn, const struct range *crit, double value);

/* Format a number in base units as a plain decimal, the shortest that
 * parses back to v ("86400", "0.5", "100000000000000000000000"; never an
 * exponent). Values take at most 30 digits before the point and 9 after it
 * (value_parse refuses others), so 40 bytes hold any. */
size_t number_format(double v, char *buf, size_t cap);

/* Human text for a duration in seconds, rounded down to two units: "3d 4h",
 * "15m 3s", "42s" (an age; see duration_format_exact for a threshold). */
size_t duration_format(double seconds, char *buf, size_t cap);
/* The same, exactly: every unit and the seconds' fraction ("1d 1h 1m 1s",
 * "0.5s"): for a threshold, shown as the value it is compared with. */
size_t duration_format_exact(double seconds, char *buf, size_t cap);

/* Human text for a byte count: "1.5 MB", "512 B". */
size_t size_format(double bytes, char *buf, size_t cap);

#endif
