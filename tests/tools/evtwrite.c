/* evtwrite: the fixture layout engine: encodes records (UTF-16LE names and
 * strings, SID, data, padding, trailing length) and places them in a ring
 * the size of the file, evicting the oldest, as the event log service does. */
#include "evtwrite.h"

#include <stdlib.h>
#include <string.h>

#define HEADER 0x30u
#define FIXED  0x38u
#define EOFLEN 0x28u

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* UTF-8 to UTF-16LE code units (BMP and surrogate pairs); returns units. */
static size_t utf16_units(const char *s, uint8_t *out)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c = *p++;
		if (c >= 0xF0 && p[0] && p[1] && p[2]) {
			c = (c & 7) << 18 | (p[0] & 0x3Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
			p += 3;
		} else if (c >= 0xE0 && p[0] && p[1]) {
			c = (c & 15) << 12 | (p[0] & 0x3Fu) << 6 | (p[1] & 0x3Fu);
			p += 2;
		} else if (c >= 0xC0 && p[0]) {
			c = (c & 31) << 6 | (p[0] & 0x3Fu);
			p += 1;
		}
		if (c >= 0x10000) {
			c -= 0x10000;
			if (out) {
				put16(out + 2 * n, (uint16_t)(0xD800 + (c >> 10)));
				put16(out + 2 * n + 2, (uint16_t)(0xDC00 + (c & 0x3FF)));
			}
			n += 2;
		} else {
			if (out)
				put16(out + 2 * n, (uint16_t)c);
			n++;
		}
	}
	return n;
}

static size_t string_bytes(const char *s)
{
	return 2 * utf16_units(s ? s : "", NULL) + 2;
}

size_t evtw_length(const struct evtw_record *r)
{
	size_t len = FIXED + string_bytes(r->source) + string_bytes(r->computer);
	len = (len + 3) & ~(size_t)3; /* the SID is DWORD-aligned */
	len += r->sid_len;
	for (unsigned i = 0; i < r->nstrings; i++)
		len += string_bytes(r->strings[i]);
	len += r->data_len;
	len = (len + 3) & ~(size_t)3;
	return len + 4;
}

static size_t put_string(uint8_t *out, const char *s)
{
	size_t n = utf16_units(s ? s : "", out);
	put16(out + 2 * n, 0);
	return 2 * n + 2;
}

size_t evtw_encode(const struct evtw_record *r, uint32_t number, uint8_t *out, size_t cap)
{
	size_t len = evtw_length(r);
	if (len > cap)
		return 0;
	memset(out, 0, len);
	put32(out, (uint32_t)len);
	put32(out + 4, 0x654c664cu);
	put32(out + 8, number);
	put32(out + 12, r->time_generated);
	put32(out + 16, r->time_written);
	put32(out + 20, r->event_id_full);
	put16(out + 24, r->type);
	put16(out + 26, (uint16_t)r->nstrings);
	put16(out + 28, r->category);
	size_t off = FIXED;
	off += put_string(out + off, r->source);
	off += put_string(out + off, r->computer);
	off = (off + 3) & ~(size_t)3;
	put32(out + 0x28, r->sid_len);
	put32(out + 0x2c, r->sid_len ? (uint32_t)off : 0);
	for (unsigned i = 0; i < r->sid_len; i++)
		out[off + i] = (uint8_t)(i == 0 ? 1 : i); /* revision 1, then filler */
	off += r->sid_len;
	put32(out + 0x24, (uint32_t)off);
	for (unsigned i = 0; i < r->nstrings; i++)
		off += put_string(out + off, r->strings[i]);
	put32(out + 0x30, r->data_len);
	put32(out + 0x34, (uint32_t)off);
	for (unsigned i = 0; i < r->data_len; i++)
		out[off + i] = (uint8_t)(0xA0 + i);
	put32(out + len - 4, (uint32_t)len);
	return len;
}

/* The ring [HEADER, size): positions wrap to HEADER at size. */
struct ring {
	uint8_t *img;
	uint32_t size;
	uint32_t w;    /* write position */
	uint32_t used; /* bytes of records and padding in the ring */
	/* surviving entries, oldest first: start, length (padding has number 0) */
	struct entry {
		uint32_t start, len, number;
	} * q;
	size_t head, tail, cap;
};

static void ring_put(struct ring *r, uint32_t at, const uint8_t *src, uint32_t n, bool *split)
{
	*split = false;
	while (n > 0) {
		uint32_t part = r->size - at < n ? r->size - at : n;
		memcpy(r->img + at, src, part);
		src += part;
		n -= part;
		at += part;
		if (at == r->size) {
			at = HEADER;
			*split = n > 0;
		}
	}
}

static bool push(struct ring *r, struct entry e)
{
	if (r->tail == r->cap) {
		if (r->head > 0) {
			memmove(r->q, r->q + r->head, (r->tail - r->head) * sizeof *r->q);
			r->tail -= r->head;
			r->head = 0;
		} else {
			size_t cap = r->cap ? 2 * r->cap : 1024;
			struct entry *q = realloc(r->q, cap * sizeof *q);
			if (!q)
				return false;
			r->q = q;
			r->cap = cap;
		}
	}
	r->q[r->tail++] = e;
	return true;
}

static void evict_oldest(struct ring *r, struct evtw_layout *l)
{
	struct entry e = r->q[r->head++];
	r->used -= e.len;
	l->wrapped = true;
}

bool evtw_build(evtw_get get, void *ctx, size_t n, uint32_t first_number, const struct evtw_options *o,
                struct evtw_image *out, const char **why)
{
	memset(out, 0, sizeof *out);
	struct evtw_layout *l = &out->layout;
	struct ring r = {0};
	size_t need = HEADER + EOFLEN;
	if (o->ring_size == 0)
		for (size_t i = 0; i < n; i++)
			need += evtw_length(get(i, ctx));
	r.size = o->ring_size ? o->ring_size : (uint32_t)need;
	if ((o->ring_size && r.size < HEADER + EOFLEN + FIXED) || (r.size & 3)) {
		*why = "ring size too small or not a multiple of 4";
		return false;
	}
	r.img = calloc(1, r.size);
	uint8_t *rec = malloc(0x100000);
	if (!r.img || !rec) {
		free(r.img);
		free(rec);
		*why = "out of memory";
		return false;
	}
	r.w = HEADER;
	uint32_t ring = r.size - HEADER;
	/* What the header says after the first records (for a stale header). */
	uint32_t stale_start = HEADER, stale_end = HEADER, stale_current = first_number;
	for (size_t i = 0; i < n; i++) {
		const struct evtw_record *er = get(i, ctx);
		uint32_t len = (uint32_t)evtw_encode(er, first_number + (uint32_t)i, rec, 0x100000);
		if (len == 0 || len + EOFLEN > ring) {
			*why = "a record does not fit the ring";
			goto fail;
		}
		if (r.size - r.w < FIXED) {
			uint32_t pad = r.size - r.w;
			while (r.used + pad + EOFLEN > ring)
				evict_oldest(&r, l);
			for (uint32_t p = r.w; p < r.size; p += 4)
				put32(r.img + p, 0x27);
			r.used += pad;
			if (!push(&r, (struct entry){r.w, pad, 0}))
				goto oom;
			r.w = HEADER;
		}
		while (r.used + len + EOFLEN > ring)
			evict_oldest(&r, l);
		while (r.head < r.tail && r.q[r.head].number == 0) /* padding is never the oldest */
			evict_oldest(&r, l);
		bool split;
		ring_put(&r, r.w, rec, len, &split);
		if (!push(&r, (struct entry){r.w, len, first_number + (uint32_t)i}))
			goto oom;
		r.used += len;
		r.w = HEADER + (r.w - HEADER + len) % ring;
		if (i + 2 == n || n == 1) {
			stale_start = r.q[r.head].start;
			stale_end = r.w;
			stale_current = first_number + (uint32_t)i + 1;
		}
	}
	while (r.head < r.tail && r.q[r.head].number == 0)
		evict_oldest(&r, l);
	l->survivors = 0;
	l->split_records = 0;
	for (size_t k = r.head; k < r.tail; k++) {
		if (r.q[k].number == 0) {
			l->padding_bytes += r.q[k].len;
			continue;
		}
		l->survivors++;
		if (r.q[k].start + r.q[k].len > r.size)
			l->split_records++;
	}
	l->begin = r.head < r.tail ? r.q[r.head].start : r.w;
	l->end = r.w;
	/* An empty log holds oldest 0, as Windows writes a cleared log. */
	l->oldest_number = r.head < r.tail ? r.q[r.head].number : 0;
	l->next_number = first_number + (uint32_t)n;
	l->first_survivor = n - l->survivors;
	l->eof_split = r.size - r.w < EOFLEN;
	if (!o->no_eof) {
		uint8_t eof[EOFLEN];
		put32(eof, EOFLEN);
		put32(eof + 4, 0x11111111);
		put32(eof + 8, 0x22222222);
		put32(eof + 12, 0x33333333);
		put32(eof + 16, 0x44444444);
		put32(eof + 20, l->begin);
		put32(eof + 24, l->end);
		put32(eof + 28, l->next_number);
		put32(eof + 32, l->oldest_number);
		put32(eof + 36, EOFLEN);
		bool split;
		ring_put(&r, r.w, eof, EOFLEN, &split);
	}
	uint8_t *h = r.img;
	bool stale = o->dirty && !o->header_current;
	put32(h, HEADER);
	put32(h + 4, 0x654c664cu);
	put32(h + 8, 1);
	put32(h + 12, 1);
	put32(h + 16, stale ? stale_start : l->begin);
	put32(h + 20, stale ? stale_end : l->end);
	put32(h + 24, stale ? stale_current : l->next_number);
	put32(h + 28, l->oldest_number);
	put32(h + 32, r.size);
	put32(h + 36, (o->dirty ? 1u : 0u) | (l->wrapped ? 2u : 0u));
	put32(h + 40, 0);
	put32(h + 44, HEADER);
	if (o->no_eof) { /* the header must still find a record: the oldest, or a later one */
		uint32_t start = l->begin;
		size_t k = 0;
		for (size_t i = r.head; o->stale_start && i < r.tail; i++)
			if (r.q[i].number != 0 && k++ == o->stale_start) {
				start = r.q[i].start;
				break;
			}
		put32(h + 16, start);
	}
	free(rec);
	free(r.q);
	out->data = r.img;
	out->size = r.size;
	return true;
oom:
	*why = "out of memory";
fail:
	free(rec);
	free(r.q);
	free(r.img);
	return false;
}

void evtw_free(struct evtw_image *img)
{
	free(img->data);
	img->data = NULL;
}
