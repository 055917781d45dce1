/* evtquery: the question both checks ask of an event source: which records
 * match (sources, event ids, types, insertion strings, a time window or a
 * bookmark), how many, and when the oldest and newest were. Also the
 * parsers of those settings and the bookmark state file. Pure logic over
 * an evt_source: never prints, never exits. */
#ifndef KMS_EVTQUERY_H
#define KMS_EVTQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomicfile.h"
#include "evtsource.h"

#define EVTQ_MAX_SOURCES 16
#define EVTQ_MAX_IDS     32
#define EVTQ_MAX_MATCHES 8
/* The default time_slack: a window reads on past records written up to an
 * hour before its start (a clock stepped back up to an hour hides nothing). */
#define EVTQ_TIME_SLACK 3600u

struct evtq_id_range {
	uint16_t first, last; /* displayed ids (low 16 bits), inclusive */
};

/* The newest record a previous run saw, and when that run took it (its
 * clock; 0: not known). A record is newer when its number is higher (the
 * log went on, even if it wrapped) or it was written later (the log was
 * cleared and numbering restarted): later than the bookmark's record, or
 * than the run that took it when that record is dated ahead of that run's
 * clock (a wrong clock must not hide a cleared log's events for years). */
struct evt_bookmark {
	bool set;
	uint32_t record_number;
	uint32_t time_written;
	uint32_t taken;
};

/* Is the record (number, written) newer than bookmark b (see above)? The
 * record b names itself is not. */
bool evt_bookmark_newer(const struct evt_bookmark *b, uint32_t number, uint32_t written);

struct evtquery {
	const char *sources[EVTQ_MAX_SOURCES]; /* case-insensitive; none: any source */
	size_t n_sources;
	struct evtq_id_range ids[EVTQ_MAX_IDS]; /* none: any id */
	size_t n_ids;
	unsigned types; /* EVT_TYPE_* bits; 0: any type */
	bool bounded;   /* only records generated at or after since */
	uint32_t since;
	const char *matches[EVTQ_MAX_MATCHES]; /* each must occur in some insertion string (any case) */
	size_t n_matches;
	struct evt_bookmark after; /* when set: only records newer than it */
	unsigned long limit;       /* stop after this many matches; 0: no limit */
	/* With bounded: reading stops, newest first, at the first record
	 * written more than time_slack seconds before since (a clock stepped
	 * back less than that hides nothing); with scan_whole it never stops
	 * early on time. */
	uint32_t time_slack;
	bool scan_whole;
	/* An extra test after the ones above (NULL: none), and a visitor of
	 * every match, newest first (NULL: none). */
	bool (*accept)(const struct evt_record *r, void *ctx);
	void *accept_ctx;
	void (*visit)(const struct evt_record *r, void *ctx);
	void *visit_ctx;
};

struct evtquery_result {
	unsigned long count;
	uint32_t oldest, newest;         /* time generated of the matches (when count > 0) */
	struct evt_bookmark newest_seen; /* the newest record read at all: the next bookmark */
	struct evt_bookmark oldest_seen; /* the oldest record read */
	bool reached_bookmark;           /* reading stopped at a record not newer than after */
	unsigned long records_read;
};

/* Run q over src (newest first; stops once past the window or bookmark).
 * False when the source failed: err holds its explanation. */
bool evtquery_run(const struct evtquery *q, struct evt_source *src, struct evtquery_result *res, char *err,
                  size_t errlen);

/* "Was event `id` of `source` logged at or after `since`?": the count of
 * such records in src. The restart handler's question about Event 5058. */
bool evtquery_count_since(struct evt_source *src, const char *source, uint16_t id, uint32_t since,
                          unsigned long *count, char *err, size_t errlen);

/* Add an id list ("5058", "5057,5058", "7000-7034,7036") to q. */
bool evtquery_parse_ids(const char *text, struct evtquery *q, const char **why);
/* Add types ("error", "error,warning", "information", "audit-success", "audit-failure"). */
bool evtquery_parse_types(const char *text, unsigned *types, const char **why);

/* ISO-8601 UTC: "2026-11-21T09:38:14Z", "2026-11-21T09:38Z" (+00:00 for Z, a
 * space instead of T allowed), or a date alone, "2026-11-21" (its start in
 * UTC). A time of day without Z is local time to ISO 8601: refused. */
bool evt_time_parse(const char *text, uint32_t *out, const char **why);
/* "2026-11-21T09:38:14Z" (buf needs 21 bytes). */
size_t evt_time_format(uint32_t t, char *buf, size_t cap);

/* The bookmark state file: one bookmark per log (a file path or a live
 * log name), written atomically. Version 2 lines: "NUMBER WRITTEN TAKEN KEY";
 * version 1 files ("NUMBER WRITTEN KEY") are read too. */
#define EVT_BOOKMARKS_MAX    16
#define EVT_BOOKMARK_KEY_MAX 512 /* bytes of a key with its terminating NUL */
struct evt_bookmarks {
	size_t n;
	struct {
		char key[EVT_BOOKMARK_KEY_MAX];
		struct evt_bookmark mark;
	} item[EVT_BOOKMARKS_MAX];
};
/* MISSING leaves b empty (a first run); ERROR: unreadable or malformed. */
enum atomicfile_status evt_bookmarks_load(const char *path, struct evt_bookmarks *b, char *err,
                                          size_t errlen);
bool evt_bookmarks_save(const char *path, const struct evt_bookmarks *b, char *err, size_t errlen);
/* Can key be one line of the state file, whole? A key is never cut short
 * (two logs would share a bookmark) nor split by a line break. */
enum evt_key_fit { EVT_KEY_FITS, EVT_KEY_TOO_LONG, EVT_KEY_LINE_BREAK };
enum evt_key_fit evt_bookmark_key_fit(const char *key);
/* The bookmark of key (added, unset, when new); NULL when full or when the
 * key does not fit (ask evt_bookmark_key_fit first). */
struct evt_bookmark *evt_bookmarks_slot(struct evt_bookmarks *b, const char *key);

#endif
