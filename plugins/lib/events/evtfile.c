/* evtfile: reads a .evt file as the circular buffer it is, newest record
 * first, through a fixed read window. Finds the EOF record (header, scan,
 * or none: follow the record chain), then walks back by each record's
 * trailing length, checking every length, offset and record number. */
#include "evtfile.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"
#include "strbuf.h"

#define WINDOW_SIZE EVT_RECORD_MAX /* a record always fits the read window */

struct evtfile {
	struct evt_source base;
	struct evtfile_bytes bytes; /* 64-bit offsets everywhere; never a FIFO or a device */
	uint64_t size;              /* the physical end of the file: the ring wraps here */
	uint8_t *window;            /* bytes [window_off, window_off + window_len) of the file */
	uint64_t window_off;
	size_t window_len;
	uint8_t *scratch; /* a record split at the physical end, put together */
	size_t scratch_cap;
	uint64_t pos;       /* the next (older) record ends here: 0x30 < pos <= size */
	uint64_t remaining; /* record bytes left between the oldest record and pos */
	uint32_t expected;  /* the record number the next record must carry */
	bool check_oldest;  /* the EOF record names the oldest record's number */
	uint32_t oldest;
	uint64_t eof_off;
	bool failed;
};

static uint64_t ring_len(const struct evtfile *ef)
{
	return ef->size - EVT_HEADER_SIZE;
}

/* The ring position d bytes after off (off may be the physical end, which
 * is the same place as 0x30). No division on the common path. */
static uint64_t ring_add(const struct evtfile *ef, uint64_t off, uint64_t d)
{
	if (d >= ring_len(ef))
		d %= ring_len(ef);
	uint64_t x = off + d;
	return x >= ef->size ? x - ring_len(ef) : x;
}

static bool fail_io(struct evtfile *ef, char *err, size_t errlen, uint64_t off, const char *why)
{
	snprintf(err, errlen, "%s: cannot read at byte offset %" PRIu64 ": %s", ef->base.name, off, why);
	return false;
}

/* Make [off, off + n) readable in the window and return it. Reading
 * backwards keeps the bytes before off; forwards, the bytes after. */
static inline const uint8_t *window_at(struct evtfile *ef, uint64_t off, size_t n, bool backwards, char *err,
                                       size_t errlen)
{
	if (off >= ef->window_off && off + n <= ef->window_off + ef->window_len)
		return ef->window + (off - ef->window_off);
	uint64_t start = off;
	if (backwards)
		start = off + n > WINDOW_SIZE ? off + n - WINDOW_SIZE : 0;
	size_t len = ef->size - start < WINDOW_SIZE ? (size_t)(ef->size - start) : WINDOW_SIZE;
	ef->window_len = 0;
	char why[FSYS_ERR_MAX] = "unexpected end of file";
	if (ef->bytes.read_at(ef->bytes.ctx, start, ef->window, len, why) != (long long)len) {
		fail_io(ef, err, errlen, start, why);
		return NULL;
	}
	ef->window_off = start;
	ef->window_len = len;
	return ef->window + (off - start);
}

/* The ring position d bytes before off. */
static uint64_t ring_sub(const struct evtfile *ef, uint64_t off, uint64_t d)
{
	if (d >= ring_len(ef))
		d %= ring_len(ef);
	uint64_t x = off >= EVT_HEADER_SIZE + d ? off - d : off + ring_len(ef) - d;
	return x >= ef->size ? x - ring_len(ef) : x;
}

/* Copy n ring bytes starting at off (wrapping at the physical end) to dst. */
static bool ring_read(struct evtfile *ef, uint64_t off, size_t n, uint8_t *dst, bool backwards, char *err,
                      size_t errlen)
{
	off = ring_add(ef, off, 0);
	while (n > 0) {
		size_t part = ef->size - off < n ? (size_t)(ef->size - off) : n;
		const uint8_t *p = window_at(ef, off, part, backwards, err, errlen);
		if (!p)
			return false;
		memcpy(dst, p, part);
		dst += part;
		n -= part;
		off = EVT_HEADER_SIZE;
	}
	return true;
}

static inline bool ring_u32(struct evtfile *ef, uint64_t off, uint32_t *out, bool backwards, char *err,
                            size_t errlen)
{
	/* The common case, once per record: the word is in the window already. */
	if (off >= ef->window_off && off + 4 <= ef->window_off + ef->window_len) {
		*out = evt_u32(ef->window + (off - ef->window_off));
		return true;
	}
	uint8_t b[4];
	if (!ring_read(ef, off, 4, b, backwards, err, errlen))
		return false;
	*out = evt_u32(b);
	return true;
}

/* The len bytes of a record starting at ring offset start: in place when
 * it is not split, else put together in scratch. */
static inline const uint8_t *record_bytes(struct evtfile *ef, uint64_t start, uint32_t len, bool backwards,
                                          char *err, size_t errlen)
{
	if (start + len <= ef->size)
		return window_at(ef, start, len, backwards, err, errlen);
	if (ef->scratch_cap < len) {
		uint8_t *grown = realloc(ef->scratch, len);
		if (!grown) {
			snprintf(err, errlen, "%s: out of memory for a %" PRIu32 "-byte record",
			         ef->base.name, len);
			return NULL;
		}
		ef->scratch = grown;
		ef->scratch_cap = len;
	}
	return ring_read(ef, start, len, ef->scratch, backwards, err, errlen) ? ef->scratch : NULL;
}

static bool damaged(struct evtfile *ef, char *err, size_t errlen, uint64_t off, const char *fmt, ...)
    KMS_PRINTF(5, 6);

static bool damaged(struct evtfile *ef, char *err, size_t errlen, uint64_t off, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: damaged at byte offset %" PRIu64 ": %s", ef->base.name, off, why);
	return false;
}

/* A record length read from the file must be possible before it is used. */
static bool length_plausible(uint32_t len, uint64_t room)
{
	return len >= EVT_RECORD_FIXED + 4 && len <= EVT_RECORD_MAX && len <= room;
}

/* All bytes between the oldest record and the newest are read: the last
 * record must be the oldest the EOF record names, or records were skipped. */
static enum evt_next at_end(struct evtfile *ef)
{
	if (ef->check_oldest && ef->expected + 1 != ef->oldest) {
		damaged(
		    ef, ef->base.error, sizeof ef->base.error, ring_add(ef, ef->eof_off, EVT_OFF_EOF_OLDEST),
		    "the EOF record names record %" PRIu32 " as the oldest, but the records end at %" PRIu32,
		    ef->oldest, ef->expected + 1);
		ef->failed = true;
		return EVT_NEXT_ERROR;
	}
	return EVT_NEXT_END;
}

static enum evt_next evtfile_next(struct evt_source *src, struct evt_record *rec)
{
	struct evtfile *ef = (struct evtfile *)src;
	char *err = src->error;
	size_t errlen = sizeof src->error;
	if (ef->failed)
		return EVT_NEXT_ERROR;
	if (ef->remaining == 0)
		return at_end(ef);
	uint64_t end = ef->pos;
	if (end == ef->size) {
		/* The previous record starts at 0x30: skip the tail padding, if any. */
		uint32_t word;
		while (ef->size - end + 4 < EVT_RECORD_FIXED && end - 4 >= EVT_HEADER_SIZE) {
			if (!ring_u32(ef, end - 4, &word, true, err, errlen))
				goto failed;
			if (word != EVT_TAIL_PADDING)
				break;
			end -= 4;
		}
		if (ef->size - end > ef->remaining) {
			damaged(ef, err, errlen, end, "tail padding overlaps the oldest record");
			goto failed;
		}
		ef->remaining -= ef->size - end;
		if (ef->remaining == 0)
			return at_end(ef);
	}
	uint32_t len;
	uint64_t len_at = ring_sub(ef, end, 4);
	if (!ring_u32(ef, len_at, &len, true, err, errlen))
		goto failed;
	if (!length_plausible(len, ef->remaining)) {
		damaged(ef, err, errlen, len_at,
		        "record length %" PRIu32 " is impossible here (%" PRIu64 " bytes of records left)",
		        len, ef->remaining);
		goto failed;
	}
	uint64_t start = ring_sub(ef, end, len);
	const uint8_t *bytes = record_bytes(ef, start, len, true, err, errlen);
	if (!bytes)
		goto failed;
	struct evt_problem problem;
	if (!evt_record_decode(bytes, len, rec, &problem)) {
		damaged(ef, err, errlen, ring_add(ef, start, problem.offset), "%s", problem.why);
		goto failed;
	}
	if (rec->record_number != ef->expected) {
		damaged(ef, err, errlen, ring_add(ef, start, 8),
		        "record number %" PRIu32 " where %" PRIu32 " was expected", rec->record_number,
		        ef->expected);
		goto failed;
	}
	ef->expected--;
	ef->remaining -= len;
	ef->pos = start == EVT_HEADER_SIZE ? ef->size : start;
	return EVT_NEXT_RECORD;
failed:
	ef->failed = true;
	return EVT_NEXT_ERROR;
}

static void evtfile_close(struct evt_source *src)
{
	struct evtfile *ef = (struct evtfile *)src;
	if (ef->bytes.close)
		ef->bytes.close(ef->bytes.ctx);
	free(ef->window);
	free(ef->scratch);
	free(ef);
}

static const struct evt_source_ops evtfile_ops = {evtfile_next, evtfile_close};

/* Ring distance from a forward to b. */
static uint64_t ring_distance(const struct evtfile *ef, uint64_t a, uint64_t b)
{
	return (b + ring_len(ef) - a) % ring_len(ef);
}

static bool in_ring(const struct evtfile *ef, uint64_t off)
{
	return off >= EVT_HEADER_SIZE && off < ef->size;
}

/* Read and check the EOF record at ring offset off. */
static bool eof_at(struct evtfile *ef, uint64_t off, struct evt_eof *eof, char *err, size_t errlen)
{
	uint8_t b[EVT_EOF_SIZE];
	if (!ring_read(ef, off, sizeof b, b, false, err, errlen))
		return false;
	return evt_eof_decode(b, sizeof b, eof, NULL) && eof->end_offset == off;
}

/* A dirty log's header may be stale: look for the EOF record everywhere
 * (it may be split at the physical end too). found = false when none. */
static bool scan_for_eof(struct evtfile *ef, struct evt_eof *eof, uint64_t *at, bool *found, char *err,
                         size_t errlen)
{
	*found = false;
	for (uint64_t off = EVT_HEADER_SIZE; off + 4 <= ef->size; off += 4) {
		const uint8_t *p = window_at(ef, off, 4, false, err, errlen);
		if (!p)
			return false;
		if (evt_u32(p) != EVT_EOF_SIZE)
			continue;
		uint8_t magic[20];
		if (!ring_read(ef, off, sizeof magic, magic, false, err, errlen))
			return false;
		if (evt_eof_magic(magic, sizeof magic) && eof_at(ef, off, eof, err, errlen)) {
			*found = true;
			*at = off;
			return true;
		}
	}
	return true;
}

/* A dirty log's records found by following their chain (no EOF record). */
struct chain {
	uint64_t start;   /* the header's start offset: where the walk forward began */
	uint64_t end;     /* where the newest record ends */
	uint64_t covered; /* ring bytes of the records found, with tail padding */
	uint32_t count;   /* records found forward from start */
	uint32_t number;  /* the newest one's record number */
	uint32_t older;   /* records found back from start (a stale header) */
};

/* Forward from c->start while the records decode and number on by one,
 * skipping the tail padding at the physical end. False on an I/O error. */
static bool chain_forward(struct evtfile *ef, struct chain *c, char *err, size_t errlen)
{
	uint64_t p = c->start;
	for (;;) {
		if (ef->size - p < EVT_RECORD_FIXED) {
			uint64_t pad = ef->size - p;
			bool padding = true;
			for (uint64_t q = p; q + 4 <= ef->size && padding; q += 4) {
				uint32_t word;
				if (!ring_u32(ef, q, &word, false, err, errlen))
					return false;
				padding = word == EVT_TAIL_PADDING;
			}
			if (!padding || c->covered + pad >= ring_len(ef))
				break;
			c->covered += pad;
			p = EVT_HEADER_SIZE;
		}
		uint32_t len;
		struct evt_record rec;
		if (!ring_u32(ef, p, &len, false, err, errlen))
			return false;
		if (!length_plausible(len, ring_len(ef) - c->covered))
			break;
		const uint8_t *bytes = record_bytes(ef, p, len, false, err, errlen);
		if (!bytes)
			return false;
		if (!evt_record_decode(bytes, len, &rec, NULL) ||
		    (c->count > 0 && rec.record_number != c->number + 1))
			break;
		c->number = rec.record_number;
		c->count++;
		c->covered += len;
		p = ring_add(ef, p, len);
		if (c->covered >= ring_len(ef))
			break;
	}
	c->end = p;
	return true;
}

/* The header's start offset may be stale: older records can lie before it.
 * Walk back from it while the records decode and number down by one,
 * stopping at evicted space. False on an I/O error. */
static bool chain_back(struct evtfile *ef, struct chain *c, char *err, size_t errlen)
{
	uint32_t first = c->number - (c->count - 1);
	uint64_t back = c->start;
	while (first > 1 && c->covered < ring_len(ef)) {
		uint64_t end = back, pad = 0;
		if (end == EVT_HEADER_SIZE) { /* the previous record ends before the tail padding */
			end = ef->size;
			uint32_t word;
			while (ef->size - end + 4 < EVT_RECORD_FIXED && end - 4 >= EVT_HEADER_SIZE) {
				if (!ring_u32(ef, end - 4, &word, true, err, errlen))
					return false;
				if (word != EVT_TAIL_PADDING)
					break;
				end -= 4;
			}
			pad = ef->size - end;
		}
		uint32_t len;
		struct evt_record rec;
		if (!ring_u32(ef, ring_sub(ef, end, 4), &len, true, err, errlen))
			return false;
		/* The service evicts records to keep room for the EOF record after
		 * the newest: a record that would leave less is an evicted one. */
		if (c->covered + pad + EVT_EOF_SIZE > ring_len(ef) ||
		    !length_plausible(len, ring_len(ef) - c->covered - pad - EVT_EOF_SIZE))
			break;
		uint64_t at = ring_sub(ef, end, len);
		const uint8_t *bytes = record_bytes(ef, at, len, true, err, errlen);
		if (!bytes)
			return false;
		if (!evt_record_decode(bytes, len, &rec, NULL) || rec.record_number != first - 1)
			break;
		first--;
		c->older++;
		c->covered += pad + len;
		back = at;
	}
	return true;
}

/* No EOF record: follow the chain of records forward from the header's
 * start offset (the last one whose number follows on is the newest), then
 * back from it for a stale header's older records. */
static bool follow_chain(struct evtfile *ef, const struct evt_header *h, char *err, size_t errlen)
{
	struct chain c = {.start = h->start_offset};
	if (!in_ring(ef, c.start))
		return damaged(ef, err, errlen, EVT_OFF_HDR_START,
		               "no EOF record, and the header's start offset %" PRIu32
		               " lies outside the file",
		               h->start_offset);
	if (!chain_forward(ef, &c, err, errlen))
		return false;
	if (c.count == 0)
		return damaged(ef, err, errlen, c.start,
		               "no EOF record, and no valid record at the header's start offset");
	if (!chain_back(ef, &c, err, errlen))
		return false;
	ef->pos = c.end == EVT_HEADER_SIZE ? ef->size : c.end;
	ef->remaining = c.covered;
	ef->expected = c.number;
	char before[96] = "";
	if (c.older)
		snprintf(before, sizeof before, ", and %" PRIu32 " older records before it (stale header)",
		         c.older);
	snprintf(ef->base.note, sizeof ef->base.note,
	         "%s has no EOF record (dirty log): followed the record chain from byte offset %" PRIu64
	         " to %" PRIu64 ", %" PRIu32 " records%s",
	         ef->base.name, c.start, c.end, c.count, before);
	return true;
}

static bool locate_records(struct evtfile *ef, const struct evt_header *h, char *err, size_t errlen)
{
	/* A log never shrinks: offsets past the end mean the copy was cut short. */
	if (h->end_offset >= ef->size || h->start_offset >= ef->size)
		return damaged(ef, err, errlen, ef->size,
		               "the file ends before the offsets its header gives (%" PRIu32 ", %" PRIu32
		               "): it was cut short",
		               h->start_offset, h->end_offset);
	struct evt_eof eof;
	uint64_t eof_off = h->end_offset;
	bool found = in_ring(ef, eof_off) && eof_at(ef, eof_off, &eof, err, errlen);
	if (!found) {
		if (!scan_for_eof(ef, &eof, &eof_off, &found, err, errlen))
			return false;
		if (!found)
			return follow_chain(ef, h, err, errlen);
		snprintf(ef->base.note, sizeof ef->base.note,
		         "%s: the header is stale (dirty log): used the EOF record at byte offset %" PRIu64,
		         ef->base.name, eof_off);
	}
	if (!in_ring(ef, eof.begin_offset))
		return damaged(ef, err, errlen, eof_off + EVT_OFF_EOF_BEGIN,
		               "the EOF record's oldest-record offset %" PRIu32 " lies outside the file",
		               eof.begin_offset);
	if (eof.current_record_number < eof.oldest_record_number)
		return damaged(ef, err, errlen, eof_off + EVT_OFF_EOF_CURRENT,
		               "the EOF record's current record number %" PRIu32
		               " is below the oldest %" PRIu32,
		               eof.current_record_number, eof.oldest_record_number);
	ef->pos = eof_off == EVT_HEADER_SIZE ? ef->size : eof_off;
	ef->remaining = ring_distance(ef, eof.begin_offset, eof_off);
	ef->expected = eof.current_record_number - 1;
	ef->check_oldest = true;
	ef->oldest = eof.oldest_record_number;
	ef->eof_off = eof_off;
	/* An empty (cleared) log: Windows writes oldest 0 and current 1; an
	 * emptied ring may also keep oldest == current. Both hold no record. */
	if (ef->remaining == 0 && eof.oldest_record_number != 0 &&
	    eof.current_record_number != eof.oldest_record_number)
		return damaged(ef, err, errlen, eof_off + EVT_OFF_EOF_CURRENT,
		               "the EOF record counts records but none are stored");
	if (ef->remaining == 0)
		ef->oldest = eof.current_record_number;
	return true;
}

struct evt_source *evtfile_open_bytes(const struct evtfile_bytes *bytes, const char *name, char *err,
                                      size_t errlen)
{
	/* A read never passes the end: a small file needs a small window. */
	size_t window = bytes->size < WINDOW_SIZE ? (size_t)bytes->size + 1 : WINDOW_SIZE;
	struct evtfile *ef = calloc(1, sizeof *ef);
	if (!ef || !(ef->window = malloc(window))) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(ef);
		if (bytes->close)
			bytes->close(bytes->ctx);
		return NULL;
	}
	ef->base.ops = &evtfile_ops;
	ef->bytes = *bytes;
	ef->size = bytes->size;
	snprintf(ef->base.name, sizeof ef->base.name, "%s", name);
	char why[FSYS_ERR_MAX];
	uint8_t raw[EVT_HEADER_SIZE];
	long long got = bytes->read_at(bytes->ctx, 0, raw, sizeof raw, why);
	if (got < 0) {
		snprintf(err, errlen, "cannot read %s: %s", name, why);
		goto fail;
	}
	struct evt_header h;
	struct evt_problem problem;
	if (!evt_header_decode(raw, (size_t)got, &h, &problem)) {
		snprintf(err, errlen, "%s is not an event log file (byte offset %zu: %s)", name,
		         problem.offset, problem.why);
		goto fail;
	}
	if (ef->size > UINT32_MAX) {
		snprintf(err, errlen, "%s is larger than 4 GiB: not an event log file", name);
		goto fail;
	}
	if (ef->size < EVT_HEADER_SIZE + EVT_EOF_SIZE) {
		damaged(ef, err, errlen, ef->size, "the file ends before its first record");
		goto fail;
	}
	if (!locate_records(ef, &h, err, errlen))
		goto fail;
	return &ef->base;
fail:
	evtfile_close(&ef->base);
	return NULL;
}

static long long file_read_at(void *ctx, uint64_t off, void *buf, size_t n, char *why)
{
	return fsys_read_at(ctx, off, buf, n, why);
}

static void file_close(void *ctx)
{
	fsys_close(ctx, NULL);
}

struct evt_source *evtfile_open(const char *path, char *err, size_t errlen)
{
	char why[FSYS_ERR_MAX], name[sizeof((struct evt_source *)0)->name];
	struct fsys_file *f = fsys_open_read(path, why); /* refuses a FIFO at once, never waits on it */
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, why);
		return NULL;
	}
	struct evtfile_bytes bytes = {file_read_at, 0, file_close, f};
	if (!fsys_file_size(f, &bytes.size, why)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, why);
		fsys_close(f, NULL);
		return NULL;
	}
	snprintf(name, sizeof name, "'%s'", path);
	return evtfile_open_bytes(&bytes, name, err, errlen);
}

struct memory_bytes {
	const uint8_t *data;
	size_t len;
};

static long long memory_read_at(void *ctx, uint64_t off, void *buf, size_t n, char *why)
{
	const struct memory_bytes *m = ctx;
	(void)why;
	if (off >= m->len)
		return 0;
	size_t have = m->len - (size_t)off < n ? m->len - (size_t)off : n;
	memcpy(buf, m->data + off, have);
	return (long long)have;
}

struct evt_source *evtfile_open_memory(const void *data, size_t len, const char *name, char *err,
                                       size_t errlen)
{
	struct memory_bytes *m = malloc(sizeof *m);
	if (!m) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	*m = (struct memory_bytes){data, len};
	struct evtfile_bytes bytes = {memory_read_at, len, free, m};
	return evtfile_open_bytes(&bytes, name, err, errlen);
}
