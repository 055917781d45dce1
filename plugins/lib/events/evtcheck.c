/* evtcheck: the shared middle of the two event log checks: options in,
 * sources opened, query run with window or bookmark, events kept for the
 * long output. Bad input and unreadable logs come back as an error for the
 * program to end with (evtcheck_exit). */
#include "evtcheck.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "evtfile.h"
#include "evtlog.h"
#include "fsys.h"
#include "lock.h"
#include "options.h"
#include "range.h"
#include "strbuf.h"
#include "text.h"

/* Sizes of a state file's folder and lock name, and how much of its file
 * name the lock name keeps. */
#define PATH_TEXT_MAX      4096
#define LOCK_NAME_MAX      160
#define LOCK_NAME_BASE_MAX 100
#define MS_PER_SECOND      1000
#define SECONDS_PER_HOUR   3600u
/* Record numbers further apart than this have wrapped round (serial
 * number arithmetic): not a gap after the bookmark. */
#define EVT_RECORD_NUMBER_HALF 0x80000000u

const char *const evtcheck_exclusive[] = {"log file", "since window", NULL};

void evtcheck_add_options(struct poptOption *t, size_t *n, size_t cap, struct evtcheck_args *a,
                          const char *default_log)
{
	static char log_help[160], window_help[256], slack_help[256], state_help[512], max_help[96];
	snprintf(window_help, sizeof window_help,
	         "Count events generated in the last DURATION (90s, 15m, 26h, 7d, 2w), or 'all' for the "
	         "whole log (default %s). Reading stops, newest first, once past the window by "
	         "--clock-slack",
	         EVTCHECK_DEFAULT_WINDOW);
	snprintf(slack_help, sizeof slack_help,
	         "A window reads on past records written up to DURATION before it began, so a clock "
	         "stepped back that far hides no event (default %uh); 'all' reads every record of the log "
	         "(slower on big logs, blind to any clock step)",
	         EVTQ_TIME_SLACK / SECONDS_PER_HOUR);
	snprintf(state_help, sizeof state_help,
	         "Bookmark mode: count only events newer than the previous run's, remembered in PATH "
	         "(written atomically and locked while in use: a second check sharing it waits up to %d "
	         "s; survives a log that wrapped (a note names records overwritten unread) or was "
	         "cleared; an older copy never moves it back). The first run uses the window",
	         EVTCHECK_LOCK_WAIT_S);
	snprintf(max_help, sizeof max_help,
	         "List at most N matching events in the long output (default %d, 0 to %d)",
	         EVTCHECK_DEFAULT_MAX_EVENTS, EVTCHECK_MAX_EVENTS);
	snprintf(log_help, sizeof log_help,
	         "Read the live NAME log (Windows; default %s). Known: Application, System, Security, "
	         "Directory Service, DNS Server, File Replication Service",
	         default_log);
	options_append(
	    t, n, cap,
	    (struct poptOption){"file", 'f', POPT_ARG_ARGV, &a->files, 0,
	                        "Read the exported .evt file PATH instead of the live log; repeatable "
	                        "(counts add up). Wrapped and dirty copies are read too",
	                        "PATH"});
	options_append(t, n, cap,
	               (struct poptOption){"log", 'l', POPT_ARG_STRING, &a->log, 0, log_help, "NAME"});
	options_append(
	    t, n, cap,
	    (struct poptOption){"window", '\0', POPT_ARG_STRING, &a->window, 0, window_help, "DURATION|all"});
	options_append(t, n, cap,
	               (struct poptOption){"clock-slack", '\0', POPT_ARG_STRING, &a->clock_slack, 0,
	                                   slack_help, "DURATION|all"});
	options_append(t, n, cap,
	               (struct poptOption){"since", '\0', POPT_ARG_STRING, &a->since, 0,
	                                   "Count events generated at or after TIME, ISO-8601 UTC with Z "
	                                   "(2026-11-21T09:30:00Z), or a date alone (from its start in UTC); "
	                                   "instead of --window",
	                                   "TIME"});
	options_append(
	    t, n, cap,
	    (struct poptOption){"state-file", '\0', POPT_ARG_STRING, &a->state_file, 0, state_help, "PATH"});
	options_append(
	    t, n, cap,
	    (struct poptOption){"max-events", '\0', POPT_ARG_STRING, &a->max_events, 0, max_help, "N"});
}

/* The bookmark key of a source, "file PATH" or "log HOST NAME", in key
 * (EVT_BOOKMARK_KEY_MAX bytes); returns the length of the whole key, which
 * may be more than key holds. */
static size_t bookmark_key(char *key, const char *file, const char *host, const char *log)
{
	int n = file ? snprintf(key, EVT_BOOKMARK_KEY_MAX, "file %s", file)
	             : snprintf(key, EVT_BOOKMARK_KEY_MAX, "log %s %s", host ? host : ".", log);
	return n < 0 ? SIZE_MAX : (size_t)n;
}

/* Fill err (option NULL: not an option's fault) and return false. */
static bool fail(struct evtcheck_error *err, const char *option, const char *fmt, ...) KMS_PRINTF(3, 4);
static bool fail(struct evtcheck_error *err, const char *option, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->option = option;
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
	return false;
}

_Noreturn void evtcheck_exit(const struct evtcheck_error *err)
{
	if (err->option)
		option_fail(err->option, "%s", err->text);
	plugin_exit(STATE_UNKNOWN, "%s", err->text);
}

/* A duration of option, as option_duration reads it, or false. */
static bool parse_duration(const char *option, const char *text, double *out, struct evtcheck_error *err)
{
	char why[OPTION_WHY_MAX];
	return option_check_quantity(text, VALUE_DURATION, out, why, sizeof why) ||
	       fail(err, option, "'%s' %s", text, why);
}

/* A whole number from min to max, as option_integer reads it, or false. */
static bool parse_integer(const char *option, const char *text, long min, long max, long *out,
                          struct evtcheck_error *err)
{
	char why[OPTION_WHY_MAX];
	return option_check_integer(text, min, max, out, why, sizeof why) ||
	       fail(err, option, "'%s' %s", text, why);
}

/* Refuse, before any work, a source whose bookmark key would not fit whole
 * (never cut short: two logs would share one bookmark): the option that
 * named it and why. */
static bool check_bookmark_key(const char *file, const char *host, const char *log,
                               struct evtcheck_error *err)
{
	char key[EVT_BOOKMARK_KEY_MAX];
	const char *option = file ? "--file" : "--hostname", *what = file ? file : host;
	size_t len = bookmark_key(key, file, host, log);
	if (len >= EVT_BOOKMARK_KEY_MAX)
		return fail(err, option,
		            "'%s' is too long to keep a bookmark for in --state-file (at most %zu bytes)",
		            what, EVT_BOOKMARK_KEY_MAX - 1 - (len - strlen(what)));
	if (evt_bookmark_key_fit(key) == EVT_KEY_LINE_BREAK)
		return fail(err, option,
		            "'%s' holds a line break: --state-file cannot keep a bookmark for it", what);
	return true;
}

/* --log and every --file (none empty, none twice, never with --hostname). */
static bool setup_sources(struct evtcheck *c, const struct evtcheck_args *a, const char *default_log,
                          struct evtcheck_error *err)
{
	if (!evtlog_name_known(a->log ? a->log : default_log, &c->log))
		return fail(err, "--log",
		            "'%s' is not a known event log (Application, System, Security, Directory "
		            "Service, DNS Server, File Replication Service)",
		            a->log);
	for (size_t i = 0; a->files && a->files[i]; i++) {
		if (c->n_files == EVTCHECK_MAX_FILES)
			return fail(err, "--file", "at most %d files", EVTCHECK_MAX_FILES);
		if (!*a->files[i])
			return fail(err, "--file", "is empty");
		for (size_t j = 0; j < c->n_files; j++) {
			if (fsys_same_path(c->files[j], a->files[i]))
				return fail(err, "--file",
				            "'%s' is given twice: its events would count twice", a->files[i]);
		}
		c->files[c->n_files++] = a->files[i];
	}
	if (c->n_files && c->host)
		return fail(err, "--hostname",
		            "'%s' and --file exclude each other: a file is read where the plugin runs",
		            c->host);
	return true;
}

/* --since, or --window (a duration or 'all'): where counting starts. */
static bool setup_scope(struct evtcheck *c, const struct evtcheck_args *a, struct evtcheck_error *err)
{
	if (a->since) {
		const char *why;
		if (!evt_time_parse(a->since, &c->since, &why))
			return fail(err, "--since", "'%s' %s", a->since, why);
		c->bounded = true;
		char text[32];
		evt_time_format(c->since, text, sizeof text);
		snprintf(c->scope, sizeof c->scope, "since %s", text);
	} else if (a->window && text_equal_nocase(a->window, "all")) {
		snprintf(c->scope, sizeof c->scope, "in the whole log");
	} else {
		const char *text = a->window ? a->window : EVTCHECK_DEFAULT_WINDOW;
		double seconds;
		if (!parse_duration("--window", text, &seconds, err))
			return false;
		if (seconds < 1)
			return fail(err, "--window", "'%s' is empty: give at least 1s, or 'all'", text);
		c->bounded = true;
		c->since = seconds >= c->now ? 0 : c->now - (uint32_t)seconds;
		snprintf(c->scope, sizeof c->scope, "in the last %s", text);
	}
	return true;
}

/* --clock-slack (a duration up to a year, or 'all') and --max-events. */
static bool setup_reading(struct evtcheck *c, const struct evtcheck_args *a, struct evtcheck_error *err)
{
	if (!a->clock_slack) {
		c->time_slack = EVTQ_TIME_SLACK;
	} else if (text_equal_nocase(a->clock_slack, "all")) {
		c->scan_whole = true;
	} else {
		double slack;
		if (!parse_duration("--clock-slack", a->clock_slack, &slack, err))
			return false;
		if (slack > EVTCHECK_MAX_CLOCK_SLACK_S)
			return fail(err, "--clock-slack", "'%s' is more than a year: give 'all'",
			            a->clock_slack);
		c->time_slack = (uint32_t)slack;
	}
	long max_events = EVTCHECK_DEFAULT_MAX_EVENTS;
	if (a->max_events &&
	    !parse_integer("--max-events", a->max_events, 0, EVTCHECK_MAX_EVENTS, &max_events, err))
		return false;
	c->max_events = (unsigned)max_events;
	return true;
}

bool evtcheck_setup(struct evtcheck *c, const struct evtcheck_args *a, const char *host,
                    const char *default_log, struct evtcheck_error *err)
{
	memset(c, 0, sizeof *c);
	c->host = host;
	c->now = (uint32_t)time(NULL);
	if (!setup_sources(c, a, default_log, err) || !setup_scope(c, a, err) || !setup_reading(c, a, err))
		return false;
	if (a->state_file && !*a->state_file)
		return fail(err, "--state-file", "is empty");
	c->state_file = a->state_file;
	for (size_t i = 0; c->state_file && i < (c->n_files ? c->n_files : 1); i++)
		if (!check_bookmark_key(c->n_files ? c->files[i] : NULL, host, c->log, err))
			return false;
	return true;
}

struct evt_source *evtcheck_open(const char *file, const char *host, const char *log,
                                 struct evtcheck_error *err)
{
	err->option = NULL;
	struct evt_source *src = file ? evtfile_open(file, err->text, sizeof err->text)
	                              : evtlog_open(host, log, err->text, sizeof err->text);
	return src;
}

bool evtcheck_query(struct evt_source *src, const struct evtquery *q, struct evtquery_result *res,
                    struct evtcheck_error *err)
{
	err->option = NULL;
	return evtquery_run(q, src, res, err->text, sizeof err->text);
}

/* A match dated ahead of the clock is counted like any other; remember it
 * (the one furthest ahead) so the long output can say so. */
static void note_ahead(struct evtcheck *c, const struct evt_record *r)
{
	if (r->time_generated <= c->now || r->time_generated - c->now <= EVTCHECK_AHEAD_SLACK)
		return;
	if (c->ahead++ == 0 || r->time_generated > c->ahead_time) {
		c->ahead_time = r->time_generated;
		c->ahead_number = r->record_number;
		c->ahead_file = c->reading;
	}
}

/* Keep the newest max_events matches across all sources, newest first. */
static void keep_event(const struct evt_record *r, void *ctx)
{
	struct evtcheck *c = ctx;
	if (c->on_match)
		c->on_match(r, c->on_match_ctx);
	note_ahead(c, r);
	if (!c->have_newest || r->time_generated > c->newest_seen_time) {
		c->have_newest = true;
		c->newest_seen_time = r->time_generated;
		c->newest_id = r->event_id;
	}
	size_t at = c->n_events;
	while (at > 0 && c->events[at - 1].time < r->time_generated)
		at--;
	if (at >= c->max_events)
		return;
	size_t last = c->n_events < c->max_events ? c->n_events : c->max_events - 1;
	memmove(&c->events[at + 1], &c->events[at], (last - at) * sizeof c->events[0]);
	if (c->n_events < c->max_events)
		c->n_events++;
	struct evtcheck_event *e = &c->events[at];
	e->time = r->time_generated;
	e->number = r->record_number;
	e->id = r->event_id;
	e->type = r->event_type;
	evt_record_source(r, e->source, sizeof e->source);
	size_t len = 0;
	e->strings[0] = '\0';
	for (unsigned s = 0; s < r->num_strings && len + 4 < sizeof e->strings; s++) {
		if (s) {
			memcpy(e->strings + len, "; ", 3);
			len += 2;
		}
		len += evt_record_string(r, s, e->strings + len, sizeof e->strings - len);
	}
}

/* The lock's name for a state file: "kms-evt-<file name>-<hash of the
 * path>" (the hash, of letters in any case and either separator, tells
 * state files apart where the lock ignores the folder: Windows, a global
 * mutex), and its folder in dir; false when the folder is too long. */
static bool state_lock_name(const char *path, char *dir, size_t dir_cap, char *name, size_t name_cap)
{
	const char *base = path, *p;
	for (p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t dlen = (size_t)(base - path);
	if (dlen == 0) {
		snprintf(dir, dir_cap, ".");
	} else {
		if (dlen > 1)
			dlen--; /* without the separator, except for the root */
		if (dlen >= dir_cap)
			return false;
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	size_t n = (size_t)snprintf(name, name_cap, "kms-evt-");
	for (p = base; *p && n < LOCK_NAME_BASE_MAX; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		          ch == '_' || ch == '-' || ch == '.';
		name[n++] = ok ? ch : '_';
	}
	name[n] = '\0';
	snprintf(name + n, name_cap - n, "-%08lx", (unsigned long)fsys_path_hash(path));
	return true;
}

/* The lock of a state file, so two checks sharing it never lose each
 * other's bookmarks; NULL with err filled when it cannot be had. */
static struct lock *lock_state_file(const char *path, struct evtcheck_error *err)
{
	char dir[PATH_TEXT_MAX], name[LOCK_NAME_MAX];
	if (!state_lock_name(path, dir, sizeof dir, name, sizeof name)) {
		fail(err, NULL, "--state-file: '%s' is too long", path);
		return NULL;
	}
	char why[1024];
	struct lock *held = NULL;
	/* Another check is at work: wait for it, EVTCHECK_LOCK_WAIT_S at most. */
	enum lock_result r =
	    lock_take_within(name, dir, EVTCHECK_LOCK_WAIT_S * MS_PER_SECOND, &held, why, sizeof why);
	if (r == LOCK_ERROR)
		fail(err, NULL, "--state-file: cannot lock '%s': %s", path, why);
	else if (r == LOCK_BUSY)
		fail(err, NULL, "--state-file: '%s' is in use by another check (waited %d s)", path,
		     EVTCHECK_LOCK_WAIT_S);
	return r == LOCK_TAKEN ? held : NULL;
}

/* Set q for one source: the window, or the bookmark of the source in marks
 * (*mark, NULL without --state-file); false when marks is full. */
static bool query_for_source(struct evtcheck *c, struct evtquery *q, const char *file,
                             struct evt_bookmarks *marks, struct evt_bookmark **mark,
                             struct evtcheck_error *err)
{
	q->bounded = c->bounded;
	q->since = c->since;
	q->after.set = false;
	q->scan_whole = c->scan_whole;
	q->time_slack = c->time_slack;
	*mark = NULL;
	if (!c->state_file)
		return true;
	char key[EVT_BOOKMARK_KEY_MAX];
	bookmark_key(key, file, c->host, c->log); /* fits: checked by evtcheck_setup */
	*mark = evt_bookmarks_slot(marks, key);
	if (!*mark)
		return fail(err, NULL, "--state-file: '%s' cannot hold another log (at most %d)",
		            c->state_file, EVT_BOOKMARKS_MAX);
	if ((*mark)->set) {
		q->after = **mark;
		q->bounded = false;
	}
	return true;
}

/* Add one source's result to the totals, say when it wrapped past the
 * bookmark, and move the bookmark on (never backwards: an older copy of the
 * log moves it only to a newer record, by number or, once the log was
 * cleared and numbering restarted, by the time it was written). */
static void merge_result(struct evtcheck *c, const char *file, const struct evtquery_result *res,
                         struct evt_bookmark *mark)
{
	if (res->count) {
		if (c->count == 0 || res->oldest < c->oldest)
			c->oldest = res->oldest;
		if (c->count == 0 || res->newest > c->newest)
			c->newest = res->newest;
	}
	c->count += res->count;
	c->records_read += res->records_read;
	if (mark && mark->set && !res->reached_bookmark && res->oldest_seen.set &&
	    res->oldest_seen.record_number > mark->record_number + 1 &&
	    res->oldest_seen.record_number - mark->record_number < EVT_RECORD_NUMBER_HALF &&
	    c->n_notes < EVTCHECK_MAX_NOTES)
		snprintf(c->notes[c->n_notes++], sizeof c->notes[0],
		         "%s wrapped: records %lu to %lu, after the last check's bookmark, were "
		         "overwritten before this check read them: events in them were missed",
		         file ? file : c->log, (unsigned long)mark->record_number + 1,
		         (unsigned long)res->oldest_seen.record_number - 1);
	if (mark && res->newest_seen.set &&
	    (!mark->set ||
	     evt_bookmark_newer(mark, res->newest_seen.record_number, res->newest_seen.time_written))) {
		*mark = res->newest_seen;
		mark->taken = c->now;
	}
}

/* Open one source, run q over it, keep its note; false with err filled. */
static bool read_source(struct evtcheck *c, const char *file, const struct evtquery *q,
                        struct evtquery_result *res, struct evtcheck_error *err)
{
	c->reading = file;
	struct evt_source *src = evtcheck_open(file, c->host, c->log, err);
	if (!src)
		return false;
	bool ok = evtcheck_query(src, q, res, err);
	if (ok && src->note[0] && c->n_notes < EVTCHECK_MAX_NOTES)
		snprintf(c->notes[c->n_notes++], sizeof c->notes[0], "%s", src->note);
	evt_source_close(src);
	return ok;
}

/* Every source in turn, with its bookmark when marks is not NULL. */
static bool read_sources(struct evtcheck *c, struct evtquery *q, struct evt_bookmarks *marks,
                         bool *all_bookmarked, struct evtcheck_error *err)
{
	q->visit = keep_event;
	q->visit_ctx = c;
	*all_bookmarked = marks != NULL;
	for (size_t i = 0; i < (c->n_files ? c->n_files : 1); i++) {
		const char *file = c->n_files ? c->files[i] : NULL;
		struct evt_bookmark *mark;
		if (!query_for_source(c, q, file, marks, &mark, err))
			return false;
		if (mark && !mark->set)
			*all_bookmarked = false;
		struct evtquery_result res;
		if (!read_source(c, file, q, &res, err))
			return false;
		merge_result(c, file, &res, mark);
	}
	return true;
}

bool evtcheck_run(struct evtcheck *c, struct evtquery *q, struct evtcheck_error *err)
{
	static struct evt_bookmarks marks;
	bool all_bookmarked;
	if (!c->state_file)
		return read_sources(c, q, NULL, &all_bookmarked, err);
	/* Held from load to save: two checks sharing the file never lose updates. */
	struct lock *held = lock_state_file(c->state_file, err);
	if (!held)
		return false;
	char why[1024];
	bool ok = evt_bookmarks_load(c->state_file, &marks, why, sizeof why) != ATOMICFILE_ERROR;
	if (!ok)
		fail(err, NULL, "--state-file: %s", why);
	ok = ok && read_sources(c, q, &marks, &all_bookmarked, err);
	if (ok && !evt_bookmarks_save(c->state_file, &marks, why, sizeof why))
		ok = fail(err, NULL, "--state-file: %s", why);
	lock_release(held);
	if (!ok)
		return false;
	if (all_bookmarked)
		snprintf(c->scope, sizeof c->scope, "since the last check");
	else {
		struct strbuf scope = {c->scope, strlen(c->scope), sizeof c->scope, false};
		strbuf_append(&scope, " (first run of --state-file)");
	}
	return true;
}

void evtcheck_report_events(const struct evtcheck *c, struct report *r, const char *(*meaning)(uint16_t id),
                            int verbose)
{
	for (size_t i = 0; i < c->n_events; i++) {
		const struct evtcheck_event *e = &c->events[i];
		char when[32], scratch[16];
		evt_time_format(e->time, when, sizeof when);
		const char *what = meaning ? meaning(e->id) : NULL;
		report_detail(r, "%s event %u (%s) from %s, record %lu%s%s%s%s", when, (unsigned)e->id,
		              evt_type_name(e->type, scratch, sizeof scratch), e->source,
		              (unsigned long)e->number, e->strings[0] ? ": " : "", e->strings,
		              what ? " - " : "", what ? what : "");
	}
	if (c->count > c->n_events && c->n_events > 0)
		report_detail(r, "(%lu more not listed: see --max-events)",
		              c->count - (unsigned long)c->n_events);
	for (size_t i = 0; i < c->n_notes; i++)
		report_detail(r, "Note: %s", c->notes[i]);
	if (c->ahead > 0) {
		char when[32];
		evt_time_format(c->ahead_time, when, sizeof when);
		report_detail(
		    r,
		    "Note: %lu matching record%s dated ahead of this clock (%srecord %lu of %s, %s): "
		    "counted; the clock that wrote %s, or this one, is wrong",
		    c->ahead, c->ahead == 1 ? " is" : "s are",
		    c->ahead == 1 ? "" : "the furthest: ", (unsigned long)c->ahead_number,
		    c->ahead_file ? c->ahead_file : c->log, when, c->ahead == 1 ? "it" : "them");
	}
	if (verbose)
		report_detail(
		    r,
		    "Read %lu records from %zu %s (newest first, stopping at the bookmark or past the "
		    "window by --clock-slack)",
		    c->records_read, c->n_files ? c->n_files : 1,
		    c->n_files ? (c->n_files == 1 ? "file" : "files") : "live log");
}
