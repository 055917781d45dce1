/* evtlog: the live event log as an event source. evtlog_open is the
 * platform's (Windows: OpenEventLogW/ReadEventLogW, backwards, local or
 * remote; elsewhere: an explanation). The reading loop around the reads
 * (growing the buffer on ERROR_INSUFFICIENT_BUFFER, splitting it into
 * records through the shared decoder) is portable, so tests drive it with
 * a fake reader. */
#ifndef KMS_EVTLOG_H
#define KMS_EVTLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "evtsource.h"

/* Open the log named log ("Application", "System", ...) on host (NULL:
 * this machine). NULL with err on failure. */
struct evt_source *evtlog_open(const char *host, const char *log, char *err, size_t errlen);

/* The logs a Windows 2000 server has; a name not listed is refused, since
 * OpenEventLogW silently opens Application for unknown names. */
bool evtlog_name_known(const char *log, const char **canonical);

enum evtlog_read {
	EVTLOG_READ_OK,    /* *got bytes of whole records, newest first */
	EVTLOG_READ_END,   /* no more records */
	EVTLOG_READ_GROW,  /* the next record needs *needed bytes of buffer */
	EVTLOG_READ_FAILED /* err says why */
};

/* One ReadEventLogW-like read into buf. */
struct evtlog_reader {
	enum evtlog_read (*read)(void *ctx, void *buf, size_t cap, size_t *got, size_t *needed, char *err,
	                         size_t errlen);
	void (*close)(void *ctx);
	void *ctx;
};

/* A source over reader (which it closes). name is for messages. */
struct evt_source *evtlog_source(const struct evtlog_reader *reader, const char *name, char *err,
                                 size_t errlen);

#endif
