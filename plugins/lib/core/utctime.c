/* utctime: civil dates from Unix seconds and back (utctime.h). */
#include "utctime.h"

#include <inttypes.h>
#include <stdio.h>

#define SECONDS_PER_DAY 86400
/* Days from 0000-03-01 to 1970-01-01, and in a 400-year era. */
#define DAYS_0000_03_01_TO_EPOCH 719468
#define DAYS_PER_ERA             146097

int64_t utc_days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t yoe = year - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH;
}

void utc_to_civil(int64_t t, struct utc_civil *out)
{
	int64_t days = t >= 0 ? t / SECONDS_PER_DAY : -((-t + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
	int64_t secs = t - days * SECONDS_PER_DAY;
	int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
	int64_t era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
	int64_t doe = z - era * DAYS_PER_ERA;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	out->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	out->year = yoe + era * 400 + (out->month <= 2);
	out->hour = (unsigned)(secs / 3600);
	out->minute = (unsigned)(secs / 60 % 60);
	out->second = (unsigned)(secs % 60);
}

static size_t written(int n, size_t cap)
{
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}

size_t utc_format_iso(int64_t t, char *buf, size_t cap)
{
	struct utc_civil c;
	utc_to_civil(t, &c);
	return written(snprintf(buf, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day,
	                        c.hour, c.minute, c.second),
	               cap);
}

size_t utc_format_stamp(int64_t t, char *buf, size_t cap)
{
	struct utc_civil c;
	utc_to_civil(t, &c);
	return written(snprintf(buf, cap, "%04" PRId64 "%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day,
	                        c.hour, c.minute, c.second),
	               cap);
}
