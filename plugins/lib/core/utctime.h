/* utctime: the one UTC calendar of the suite: Unix seconds to a civil date
 * and back (proleptic Gregorian, H. Hinnant's days-from-civil algorithms),
 * and the two ways the suite writes a time: ISO 8601 for people and
 * "YYYYMMDDTHHMMSSZ" for names (backup sets, damaged folders). */
#ifndef KMS_UTCTIME_H
#define KMS_UTCTIME_H

#include <stddef.h>
#include <stdint.h>

struct utc_civil {
	int64_t year;
	unsigned month, day; /* 1-12, 1-31 */
	unsigned hour, minute, second;
};

void utc_to_civil(int64_t t, struct utc_civil *out);
/* Days since 1970-01-01 of a date (month 1-12, day 1-31, not checked). */
int64_t utc_days_from_civil(int64_t year, unsigned month, unsigned day);

/* "2026-11-21T09:38:14Z"; returns the length written. */
size_t utc_format_iso(int64_t t, char *buf, size_t cap);
/* "20261121T093814Z"; returns the length written. */
size_t utc_format_stamp(int64_t t, char *buf, size_t cap);

#endif
