/* ledger: the restart handler's memory, one small text file under its state
 * directory, written atomically (atomicfile): the restarts it made (for the
 * budget, N per DURATION, and so a HARD problem does not restart again after
 * a SOFT restart), the last time the service was seen started by it, and the
 * last recovery. Parsing and formatting are pure; never prints or exits. */
#ifndef KMS_LEDGER_H
#define KMS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomicfile.h"

#define LEDGER_MAX 256 /* entries kept; the oldest restarts go first */
/* The largest budget the ledger can count: room for the restarts, the newest
 * STARTED and the newest RECOVERED entry. */
#define LEDGER_MAX_BUDGET (LEDGER_MAX - 2)
#define LEDGER_FILE_MAX   16384
/* The ledger's file name in handle_kms_restart's --state-dir. */
#define LEDGER_FILE_NAME "kms-restart.ledger"

enum ledger_kind {
	LEDGER_RESTART,  /* a restart was attempted */
	LEDGER_STARTED,  /* the service reached RUNNING after one */
	LEDGER_RECOVERED /* the monitoring core reported the service OK again */
};

struct ledger_entry {
	enum ledger_kind kind;
	int64_t time; /* Unix seconds */
	bool soft;    /* LEDGER_RESTART: made on a SOFT state */
};

struct ledger {
	size_t n;
	struct ledger_entry entry[LEDGER_MAX]; /* oldest first */
};

/* Text form, one entry a line after a comment line:
 *   restart 1763719200 soft|hard
 *   started 1763719230
 *   recovered 1763719290
 * Blank and '#' lines are skipped; anything else is an error naming the
 * line. Entries are put in time order. */
bool ledger_parse(const char *text, size_t len, struct ledger *out, char *why, size_t whycap);
/* Returns the length; the text is complete only when it is < cap. */
size_t ledger_format(const struct ledger *l, char *buf, size_t cap);

/* Add an entry (in time order, after entries of the same second). When full,
 * the oldest restart goes (with none, the oldest entry that is not the newest
 * of its kind): the newest STARTED and RECOVERED entries always stay. */
void ledger_add(struct ledger *l, enum ledger_kind kind, int64_t time, bool soft);
/* Forget restarts older than `before`, and all but the newest STARTED and
 * RECOVERED entries: what the file needs to answer the questions below. */
void ledger_prune(struct ledger *l, int64_t before);

/* Restarts at or after `since`: what the budget counts. */
unsigned ledger_restarts_since(const struct ledger *l, int64_t since);
/* The newest entry of kind, or false when there is none. */
bool ledger_last(const struct ledger *l, enum ledger_kind kind, int64_t *time);
/* Was there a restart at or after `since` and after the last recovery (in
 * ledger order: a recovery noted after a restart of the same second ends
 * that restart's episode)? */
bool ledger_restarted_this_episode(const struct ledger *l, int64_t since);

/* Load path (MISSING: an empty ledger, a first run) and save it atomically. */
enum atomicfile_status ledger_load(const char *path, struct ledger *l, char *err, size_t errcap);
bool ledger_save(const char *path, const struct ledger *l, char *err, size_t errcap);

#endif
