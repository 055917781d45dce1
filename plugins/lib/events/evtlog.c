/* evtlog: the portable half of the live log source: a buffer refilled by
 * the platform's reader (grown when a record does not fit), cut into
 * records that the shared decoder checks one by one. */
#include "evtlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtquery.h"
#include "text.h"

#define FIRST_BUFFER 0x10000u

struct evtlog {
	struct evt_source base;
	struct evtlog_reader reader;
	uint8_t *buf;
	size_t cap, len, pos; /* records are buf[pos..len) */
	bool ended, failed;
};

static bool grow(struct evtlog *l, size_t needed)
{
	if (needed <= l->cap || needed > EVT_RECORD_MAX + EVT_RECORD_FIXED) {
		snprintf(l->base.error, sizeof l->base.error,
		         "%s: the log asked for a %zu-byte buffer (have %zu): not a record size",
		         l->base.name, needed, l->cap);
		return false;
	}
	uint8_t *bigger = realloc(l->buf, needed);
	if (!bigger) {
		snprintf(l->base.error, sizeof l->base.error, "%s: out of memory", l->base.name);
		return false;
	}
	l->buf = bigger;
	l->cap = needed;
	return true;
}

/* Refill the buffer; false at the end or on failure (see failed). */
static bool refill(struct evtlog *l)
{
	for (int tries = 0; tries < 4; tries++) {
		size_t got = 0, needed = 0;
		switch (l->reader.read(l->reader.ctx, l->buf, l->cap, &got, &needed, l->base.error,
		                       sizeof l->base.error)) {
		case EVTLOG_READ_OK:
			if (got == 0 || got > l->cap) {
				snprintf(l->base.error, sizeof l->base.error,
				         "%s: a read returned %zu bytes into a %zu-byte buffer", l->base.name,
				         got, l->cap);
				l->failed = true;
				return false;
			}
			l->len = got;
			l->pos = 0;
			return true;
		case EVTLOG_READ_END: l->ended = true; return false;
		case EVTLOG_READ_GROW:
			if (!grow(l, needed)) {
				l->failed = true;
				return false;
			}
			continue;
		default: l->failed = true; return false;
		}
	}
	snprintf(l->base.error, sizeof l->base.error, "%s: the buffer never grew large enough", l->base.name);
	l->failed = true;
	return false;
}

static enum evt_next evtlog_next(struct evt_source *src, struct evt_record *rec)
{
	struct evtlog *l = (struct evtlog *)src;
	if (l->failed)
		return EVT_NEXT_ERROR;
	if (l->pos == l->len && (l->ended || !refill(l)))
		return l->failed ? EVT_NEXT_ERROR : EVT_NEXT_END;
	size_t left = l->len - l->pos;
	uint32_t len = left >= 4 ? evt_u32(l->buf + l->pos) : 0;
	struct evt_problem problem = {"record length runs past the data read", 0};
	if (len > left || !evt_record_decode(l->buf + l->pos, len, rec, &problem)) {
		snprintf(src->error, sizeof src->error, "%s: a damaged record (byte %zu of a read: %s)",
		         src->name, l->pos + problem.offset, problem.why);
		l->failed = true;
		return EVT_NEXT_ERROR;
	}
	l->pos += len;
	return EVT_NEXT_RECORD;
}

static void evtlog_close(struct evt_source *src)
{
	struct evtlog *l = (struct evtlog *)src;
	if (l->reader.close)
		l->reader.close(l->reader.ctx);
	free(l->buf);
	free(l);
}

static const struct evt_source_ops evtlog_ops = {evtlog_next, evtlog_close};

struct evt_source *evtlog_source(const struct evtlog_reader *reader, const char *name, char *err,
                                 size_t errlen)
{
	struct evtlog *l = calloc(1, sizeof *l);
	if (l)
		l->buf = malloc(FIRST_BUFFER);
	if (!l || !l->buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(l);
		if (reader->close)
			reader->close(reader->ctx);
		return NULL;
	}
	l->base.ops = &evtlog_ops;
	l->reader = *reader;
	l->cap = FIRST_BUFFER;
	snprintf(l->base.name, sizeof l->base.name, "%s", name);
	return &l->base;
}

bool evtlog_name_known(const char *log, const char **canonical)
{
	static const char *const logs[] = {"Application",       "System",     "Security",
	                                   "Directory Service", "DNS Server", "File Replication Service"};
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		if (text_equal_nocase(log, logs[i])) {
			*canonical = logs[i];
			return true;
		}
	}
	return false;
}
