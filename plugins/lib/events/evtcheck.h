/* evtcheck: what check_kms_events and check_kms_startup share: the event
 * log options (--file, --log, --window, --since, --state-file,
 * --max-events), opening each source (files or the live log), running a
 * query over all of them with the bookmark, and the matching events kept
 * for the long output. Failures come back as a struct evtcheck_error (the
 * option at fault and one line); evtcheck_exit makes it the UNKNOWN line. */
#ifndef KMS_EVTCHECK_H
#define KMS_EVTCHECK_H

#include <popt.h>

#include "evtquery.h"
#include "plugin.h"

/* The event log options that exclude each other (program_info.exclusive). */
extern const char *const evtcheck_exclusive[];

/* Option values as popt leaves them. */
struct evtcheck_args {
	const char **files; /* POPT_ARG_ARGV: every --file */
	char *log;
	char *window;
	char *since;
	char *state_file;
	char *max_events;
	char *clock_slack;
};

/* Append the event log options to a popt table (t[*n] onwards, room for
 * cap entries with its end); default_log is named in the help. */
void evtcheck_add_options(struct poptOption *t, size_t *n, size_t cap, struct evtcheck_args *a,
                          const char *default_log);

#define EVTCHECK_MAX_EVENTS 100
/* Defaults of --window, --max-events, --clock-slack (EVTQ_TIME_SLACK), and
 * how long a check waits for another holding its --state-file. */
#define EVTCHECK_DEFAULT_WINDOW     "24h"
#define EVTCHECK_DEFAULT_MAX_EVENTS 10
#define EVTCHECK_LOCK_WAIT_S        5
/* --clock-slack beyond this is refused ('all' reads everything). */
#define EVTCHECK_MAX_CLOCK_SLACK_S (366.0 * 86400)
/* Remarks of the sources kept for the long output. */
#define EVTCHECK_MAX_NOTES 4
/* A record generated later than this after the check's start is dated
 * ahead of the clock (a live log is written while it is read: a minute
 * covers that). */
#define EVTCHECK_AHEAD_SLACK 60u
#define EVTCHECK_MAX_FILES   16

struct evtcheck_event {
	uint32_t time; /* generated */
	uint32_t number;
	uint16_t id, type;
	char source[64];
	char strings[400]; /* insertion strings joined by "; " */
};

struct evtcheck {
	/* settings (evtcheck_setup) */
	const char *files[EVTCHECK_MAX_FILES];
	size_t n_files;
	const char *log; /* canonical log name */
	const char *host;
	bool bounded;
	uint32_t since;
	uint32_t time_slack; /* seconds a window reads on past its start (--clock-slack) */
	bool scan_whole;     /* --clock-slack all: never stop early on time */
	char scope[128];     /* "in the last 24h", "since 2026-11-21T00:00:00Z", ... */
	const char *state_file;
	unsigned max_events;
	/* results (evtcheck_run) */
	unsigned long count;
	unsigned long records_read; /* records decoded, matching or not */
	uint32_t oldest, newest;
	uint16_t newest_id; /* the id of the newest match */
	bool have_newest;
	uint32_t newest_seen_time;
	struct evtcheck_event events[EVTCHECK_MAX_EVENTS]; /* newest first */
	size_t n_events;
	char notes[EVTCHECK_MAX_NOTES][1024]; /* remarks of the sources (a dirty log recovered) */
	size_t n_notes;
	/* Matches dated more than EVTCHECK_AHEAD_SLACK after now (counted,
	 * and said to be): how many, and the one furthest ahead. */
	uint32_t now;
	const char *reading; /* the file being read, NULL for the live log */
	unsigned long ahead;
	uint32_t ahead_time, ahead_number;
	const char *ahead_file;
	/* called for every match, newest first per source (may be NULL) */
	void (*on_match)(const struct evt_record *r, void *ctx);
	void *on_match_ctx;
};

/* Why evtcheck stopped: the option at fault (NULL when a log or the state
 * file failed) and one line saying what was wrong. */
struct evtcheck_error {
	const char *option;
	char text[1024];
};

/* Check and store the option values; false with err filled on a bad one. */
bool evtcheck_setup(struct evtcheck *c, const struct evtcheck_args *a, const char *host,
                    const char *default_log, struct evtcheck_error *err);

/* Run q (its window and bookmark are set here) over every source of c,
 * keep the newest matching events, update the bookmark state file; false
 * with err filled when a source or the state file fails. */
bool evtcheck_run(struct evtcheck *c, struct evtquery *q, struct evtcheck_error *err);

/* Open one source: the file when file is not NULL, else the live log
 * (NULL with err filled when it cannot be opened). */
struct evt_source *evtcheck_open(const char *file, const char *host, const char *log,
                                 struct evtcheck_error *err);

/* Run q over one source; false with the source's error in err. */
bool evtcheck_query(struct evt_source *src, const struct evtquery *q, struct evtquery_result *res,
                    struct evtcheck_error *err);

/* End the program with err as its UNKNOWN line (with the usage for a bad
 * option, as option_fail does). */
_Noreturn void evtcheck_exit(const struct evtcheck_error *err);

/* Add the kept events and the notes as long output lines; with verbose,
 * also how much of the logs was read. */
void evtcheck_report_events(const struct evtcheck *c, struct report *r, const char *(*meaning)(uint16_t id),
                            int verbose);

#endif
