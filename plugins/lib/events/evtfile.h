/* evtfile: an event source over a .evt file: clean, wrapped (records and
 * the EOF record split at the physical end, 0x00000027 tail padding), or
 * dirty (copied while the service ran: the EOF record is the truth; without
 * one the record chain is followed, and the source's note says so).
 * Reads through a fixed 1 MiB window: memory does not grow with the file. */
#ifndef KMS_EVTFILE_H
#define KMS_EVTFILE_H

#include <stddef.h>

#include "evtsource.h"

/* Open path and locate its records. NULL when the file cannot be read or
 * is not an event log or its structure is damaged: err names the file and
 * the byte offset of the damage. Damage among the records themselves is
 * reported by evt_source_next, again with the byte offset. */
struct evt_source *evtfile_open(const char *path, char *err, size_t errlen);

#endif
