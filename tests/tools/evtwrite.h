/* evtwrite: builds .evt file images for tests, the way the NT event log
 * service lays them out: records appended circularly, the oldest evicted
 * when the ring is full, 0x00000027 tail padding, records and the EOF
 * record split at the physical end; dirty (stale header) and EOF-less
 * variants. Used by evtgen (the fixture writer) and the unit tests. */
#ifndef KMS_EVTWRITE_H
#define KMS_EVTWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evtw_record {
	uint32_t time_generated, time_written;
	uint32_t event_id_full;
	uint16_t type, category;
	const char *source, *computer; /* ASCII/UTF-8 */
	const char *strings[8];
	unsigned nstrings;
	unsigned sid_len;  /* 0 or a SID of that many bytes */
	unsigned data_len; /* bytes of event data */
};

struct evtw_options {
	uint32_t ring_size;  /* file size; 0: just big enough, never wraps */
	bool dirty;          /* set the DIRTY flag and leave the header stale */
	bool no_eof;         /* do not write the EOF record (a dirty copy) */
	bool header_current; /* with dirty: keep the header right anyway */
	size_t stale_start;  /* with no_eof: the header's start offset points at
	                      * this surviving record (0: the oldest, right) */
};

/* What the layout came out as, for the expected-records file. */
struct evtw_layout {
	bool wrapped;
	uint32_t padding_bytes; /* 0x27 tail padding in front of the EOF position */
	unsigned split_records; /* records split at the physical end */
	bool eof_split;
	uint32_t begin, end; /* oldest record, EOF record */
	uint32_t oldest_number, next_number;
	size_t survivors;      /* records in the file */
	size_t first_survivor; /* index of the oldest surviving input record */
};

struct evtw_image {
	uint8_t *data;
	size_t size;
	struct evtw_layout layout;
};

/* Records are produced by get(i) in chronological order (oldest first);
 * numbers start at first_number. False (with why) when they cannot fit. */
typedef const struct evtw_record *(*evtw_get)(size_t i, void *ctx);
bool evtw_build(evtw_get get, void *ctx, size_t n, uint32_t first_number, const struct evtw_options *o,
                struct evtw_image *out, const char **why);
void evtw_free(struct evtw_image *img);

/* Encode one record (number given) into out; returns its length, 0 when
 * cap is too small. */
size_t evtw_encode(const struct evtw_record *r, uint32_t number, uint8_t *out, size_t cap);

/* The encoded length of r. */
size_t evtw_length(const struct evtw_record *r);

#endif
