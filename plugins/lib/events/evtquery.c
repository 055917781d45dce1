/* evtquery: filter, window, bookmark and count over an event source, and
 * the parsers of the query's settings (id lists, types, UTC times) and of
 * the bookmark state file. */
#include "evtquery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "utctime.h"

static bool id_wanted(const struct evtquery *q, uint16_t id)
{
	if (q->n_ids == 0)
		return true;
	for (size_t i = 0; i < q->n_ids; i++)
		if (id >= q->ids[i].first && id <= q->ids[i].last)
			return true;
	return false;
}

static bool source_wanted(const struct evtquery *q, const struct evt_record *r)
{
	if (q->n_sources == 0)
		return true;
	char source[256];
	evt_record_source(r, source, sizeof source);
	for (size_t i = 0; i < q->n_sources; i++)
		if (text_equal_nocase(source, q->sources[i]))
			return true;
	return false;
}

static bool strings_wanted(const struct evtquery *q, const struct evt_record *r)
{
	for (size_t m = 0; m < q->n_matches; m++) {
		bool found = false;
		for (unsigned s = 0; s < r->num_strings && !found; s++) {
			char text[2048];
			evt_record_string(r, s, text, sizeof text);
			found = text_contains_nocase(text, q->matches[m]);
		}
		if (!found)
			return false;
	}
	return true;
}

static bool evtquery_matches(const struct evtquery *q, const struct evt_record *r)
{
	return id_wanted(q, r->event_id) && (q->types == 0 || (q->types & r->event_type)) &&
	       source_wanted(q, r) && strings_wanted(q, r) && (!q->accept || q->accept(r, q->accept_ctx));
}

bool evt_bookmark_newer(const struct evt_bookmark *b, uint32_t number, uint32_t written)
{
	uint32_t since = b->taken && b->taken < b->time_written ? b->taken : b->time_written;
	if (number > b->record_number)
		return true;
	if (number == b->record_number && written == b->time_written)
		return false; /* the bookmark's own record */
	return written > since;
}

static bool newer_than(const struct evt_bookmark *b, const struct evt_record *r)
{
	return evt_bookmark_newer(b, r->record_number, r->time_written);
}

bool evtquery_run(const struct evtquery *q, struct evt_source *src, struct evtquery_result *res, char *err,
                  size_t errlen)
{
	memset(res, 0, sizeof *res);
	struct evt_record r;
	enum evt_next got;
	while ((got = evt_source_next(src, &r)) == EVT_NEXT_RECORD) {
		if (res->records_read++ == 0) {
			res->newest_seen.set = true;
			res->newest_seen.record_number = r.record_number;
			res->newest_seen.time_written = r.time_written;
		}
		/* Newest first: once a record was written well before the window
		 * began (more than time_slack, so a clock stepped back less than
		 * that hides nothing) or is not newer than the bookmark, so are
		 * all that follow. A whole scan never stops on time. */
		if (q->bounded && !q->scan_whole && (uint64_t)r.time_written + q->time_slack < q->since)
			break;
		if (q->after.set && !newer_than(&q->after, &r)) {
			res->reached_bookmark = true;
			break;
		}
		res->oldest_seen.set = true;
		res->oldest_seen.record_number = r.record_number;
		res->oldest_seen.time_written = r.time_written;
		if (q->bounded && r.time_generated < q->since)
			continue;
		if (!evtquery_matches(q, &r))
			continue;
		if (res->count == 0 || r.time_generated > res->newest)
			res->newest = r.time_generated;
		if (res->count == 0 || r.time_generated < res->oldest)
			res->oldest = r.time_generated;
		res->count++;
		if (q->visit)
			q->visit(&r, q->visit_ctx);
		if (q->limit && res->count >= q->limit)
			break;
	}
	if (got == EVT_NEXT_ERROR) {
		snprintf(err, errlen, "%s", src->error);
		return false;
	}
	return true;
}

bool evtquery_count_since(struct evt_source *src, const char *source, uint16_t id, uint32_t since,
                          unsigned long *count, char *err, size_t errlen)
{
	struct evtquery q = {.sources = {source}, .n_sources = 1, .ids = {{id, id}}, .n_ids = 1};
	q.bounded = true;
	q.since = since;
	struct evtquery_result res;
	bool ok = evtquery_run(&q, src, &res, err, errlen);
	*count = res.count;
	return ok;
}

/* A decimal number 0..max at *p, advancing *p. */
static bool parse_number(const char **p, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

bool evtquery_parse_ids(const char *text, struct evtquery *q, const char **why)
{
	const char *p = text;
	size_t n = q->n_ids;
	*why = "is not a list of event ids 0 to 65535 (e.g. 5058, 5057,5058 or 7000-7034)";
	if (!*p)
		return false;
	for (;;) {
		unsigned long first, last;
		if (!parse_number(&p, 65535, &first))
			return false;
		last = first;
		if (*p == '-') {
			p++;
			if (!parse_number(&p, 65535, &last))
				return false;
			if (last < first) {
				*why = "is not a list of event ids: a range runs backwards";
				return false;
			}
		}
		if (n == EVTQ_MAX_IDS) {
			*why = "has too many event ids or ranges (at most 32)";
			return false;
		}
		q->ids[n].first = (uint16_t)first;
		q->ids[n].last = (uint16_t)last;
		n++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return false;
		p++;
	}
	q->n_ids = n;
	return true;
}

bool evtquery_parse_types(const char *text, unsigned *types, const char **why)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"error", EVT_TYPE_ERROR},
	             {"warning", EVT_TYPE_WARNING},
	             {"information", EVT_TYPE_INFORMATION},
	             {"audit-success", EVT_TYPE_AUDIT_SUCCESS},
	             {"audit-failure", EVT_TYPE_AUDIT_FAILURE}};
	*why = "is not a list of event types (error, warning, information, audit-success, audit-failure)";
	unsigned bits = 0;
	const char *p = text;
	do {
		size_t len = strcspn(p, ",");
		bool known = false;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			char word[32];
			if (len == 0 || len >= sizeof word)
				break;
			memcpy(word, p, len);
			word[len] = '\0';
			if (text_equal_nocase(word, names[i].name)) {
				bits |= names[i].bit;
				known = true;
			}
		}
		if (!known)
			return false;
		p += len;
	} while (*p++ == ',');
	*types |= bits;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static bool leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool fixed_digits(const char **p, int n, unsigned long *out)
{
	unsigned long v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned long)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

bool evt_time_parse(const char *text, uint32_t *out, const char **why)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = text;
	unsigned long y, mo, d, h = 0, mi = 0, s = 0;
	*why = "is not an ISO-8601 UTC time (e.g. 2026-11-21T09:30:00Z)";
	if (!fixed_digits(&p, 4, &y) || *p++ != '-' || !fixed_digits(&p, 2, &mo) || *p++ != '-' ||
	    !fixed_digits(&p, 2, &d))
		return false;
	bool has_time = *p == 'T' || *p == ' ';
	if (has_time) {
		p++;
		if (!fixed_digits(&p, 2, &h) || *p++ != ':' || !fixed_digits(&p, 2, &mi))
			return false;
		if (*p == ':' && (p++, !fixed_digits(&p, 2, &s)))
			return false;
	}
	if (*p == 'Z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	else if (has_time && !*p) {
		*why = "has no offset: ISO 8601 reads it as local time; write it in UTC with Z (e.g. "
		       "2026-11-21T09:30:00Z)";
		return false;
	}
	if (*p) {
		if (*p == '+' || *p == '-')
			*why = "is not a UTC time: write it in UTC with Z (e.g. 2026-11-21T09:30:00Z)";
		return false;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap((long)y)) || h > 23 ||
	    mi > 59 || s > 59) {
		*why = "is not a valid date and time";
		return false;
	}
	long long t = (long long)utc_days_from_civil((int64_t)y, (unsigned)mo, (unsigned)d) * 86400 +
	              (long long)(h * 3600 + mi * 60 + s);
	if (t < 0 || t > 0xFFFFFFFFLL) {
		*why = "is outside the times an event log can hold (1970 to 2106)";
		return false;
	}
	*out = (uint32_t)t;
	return true;
}

size_t evt_time_format(uint32_t t, char *buf, size_t cap)
{
	return utc_format_iso((int64_t)t, buf, cap);
}

static const char bookmarks_magic[] = "kms-evt-bookmarks 2\n";
static const char bookmarks_magic_v1[] = "kms-evt-bookmarks 1\n";

enum atomicfile_status evt_bookmarks_load(const char *path, struct evt_bookmarks *b, char *err, size_t errlen)
{
	static char text[EVT_BOOKMARKS_MAX * 600 + 64];
	size_t len;
	memset(b, 0, sizeof *b);
	enum atomicfile_status st = atomicfile_read(path, text, sizeof text, &len, err, errlen);
	if (st != ATOMICFILE_OK)
		return st;
	bool v1 = strncmp(text, bookmarks_magic_v1, sizeof bookmarks_magic_v1 - 1) == 0;
	if ((!v1 && strncmp(text, bookmarks_magic, sizeof bookmarks_magic - 1) != 0) || strlen(text) != len) {
		snprintf(err, errlen, "state file '%s' is not a bookmark file of this plugin", path);
		return ATOMICFILE_ERROR;
	}
	unsigned line = 1;
	for (char *p = text + sizeof bookmarks_magic - 1; *p; line++) {
		char *eol = strchr(p, '\n');
		if (!eol || b->n == EVT_BOOKMARKS_MAX)
			goto malformed;
		*eol = '\0';
		unsigned long number, written, taken = 0;
		const char *q = p;
		if (!parse_number(&q, 0xFFFFFFFFul, &number) || *q++ != ' ' ||
		    !parse_number(&q, 0xFFFFFFFFul, &written) || *q++ != ' ' ||
		    (!v1 && (!parse_number(&q, 0xFFFFFFFFul, &taken) || *q++ != ' ')) || !*q ||
		    strlen(q) >= sizeof b->item[0].key)
			goto malformed;
		strcpy(b->item[b->n].key, q);
		b->item[b->n].mark =
		    (struct evt_bookmark){true, (uint32_t)number, (uint32_t)written, (uint32_t)taken};
		b->n++;
		p = eol + 1;
	}
	return ATOMICFILE_OK;
malformed:
	snprintf(err, errlen, "state file '%s' is damaged at line %u: delete it to start afresh", path,
	         line + 1);
	return ATOMICFILE_ERROR;
}

bool evt_bookmarks_save(const char *path, const struct evt_bookmarks *b, char *err, size_t errlen)
{
	static char text[EVT_BOOKMARKS_MAX * 600 + 64];
	size_t len = (size_t)snprintf(text, sizeof text, "%s", bookmarks_magic);
	for (size_t i = 0; i < b->n; i++) {
		if (!b->item[i].mark.set)
			continue;
		len += (size_t)snprintf(text + len, sizeof text - len, "%lu %lu %lu %s\n",
		                        (unsigned long)b->item[i].mark.record_number,
		                        (unsigned long)b->item[i].mark.time_written,
		                        (unsigned long)b->item[i].mark.taken, b->item[i].key);
	}
	return atomicfile_write(path, text, len, err, errlen);
}

enum evt_key_fit evt_bookmark_key_fit(const char *key)
{
	if (strchr(key, '\n'))
		return EVT_KEY_LINE_BREAK;
	return strlen(key) < EVT_BOOKMARK_KEY_MAX ? EVT_KEY_FITS : EVT_KEY_TOO_LONG;
}

struct evt_bookmark *evt_bookmarks_slot(struct evt_bookmarks *b, const char *key)
{
	if (evt_bookmark_key_fit(key) != EVT_KEY_FITS)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->item[i].key, key) == 0)
			return &b->item[i].mark;
	if (b->n == EVT_BOOKMARKS_MAX)
		return NULL;
	snprintf(b->item[b->n].key, sizeof b->item[0].key, "%s", key);
	b->item[b->n].mark.set = false;
	return &b->item[b->n++].mark;
}
