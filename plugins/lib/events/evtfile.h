/* evtfile: an event source over a .evt file: clean, wrapped (records and
 * the EOF record split at the physical end, 0x00000027 tail padding), or
 * dirty (copied while the service ran: the EOF record is the truth; without
 * one the record chain is followed, and the source's note says so).
 * Reads through a fixed 1 MiB window: memory does not grow with the file.
 * The bytes come through an interface: a file, or memory (the fuzzer). */
#ifndef KMS_EVTFILE_H
#define KMS_EVTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "evtsource.h"

/* Open path and locate its records. NULL when the file cannot be read or
 * is not an event log or its structure is damaged: err names the file and
 * the byte offset of the damage. Damage among the records themselves is
 * reported by evt_source_next, again with the byte offset. */
struct evt_source *evtfile_open(const char *path, char *err, size_t errlen);

/* Where the bytes of a .evt image come from: an open file (evtfile_open),
 * or anything else that can read at an offset. read_at returns the bytes
 * read (fewer only at the end) or -1 with why (FSYS_ERR_MAX bytes); close
 * (may be NULL) is called once, when the source is closed or not opened. */
struct evtfile_bytes {
	long long (*read_at)(void *ctx, uint64_t off, void *buf, size_t n, char *why);
	uint64_t size;
	void (*close)(void *ctx);
	void *ctx;
};

/* The same as evtfile_open over bytes; name (e.g. "'app.evt'") is how
 * messages name it. */
struct evt_source *evtfile_open_bytes(const struct evtfile_bytes *bytes, const char *name, char *err,
                                      size_t errlen);

/* The same over len bytes at data (kept, not copied: data must outlive the
 * source): the fuzzer's input, a test's image. */
struct evt_source *evtfile_open_memory(const void *data, size_t len, const char *name, char *err,
                                       size_t errlen);

#endif
