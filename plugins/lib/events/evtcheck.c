/* evtcheck: the shared middle of the two event log checks: options in,
 * sources opened, query run with window or bookmark, events kept for the
 * long output. Bad input and unreadable logs end here as UNKNOWN. */
#include "evtcheck.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "evtfile.h"
#include "evtlog.h"
#include "fsys.h"
#include "lock.h"
#include "options.h"
#include "strbuf.h"
#include "text.h"

const char *const evtcheck_exclusive[] = {"log file", "since window", NULL};

void evtcheck_add_options(struct poptOption *t, size_t *n, size_t cap, struct evtcheck_args *a,
                          const char *default_log)
{
	static char log_help[160];
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
	    (struct poptOption){
	        "window", '\0', POPT_ARG_STRING, &a->window, 0,
	        "Count events generated in the last DURATION (90s, 15m, 26h, 7d, 2w), or "
	        "'all' for the whole log (default 24h). Reading stops, newest first, once past the window "
	        "by --clock-slack",
	        "DURATION|all"});
	options_append(
	    t, n, cap,
	    (struct poptOption){
	        "clock-slack", '\0', POPT_ARG_STRING, &a->clock_slack, 0,
	        "A window reads on past records written up to DURATION before it began, so a clock "
	        "stepped back that far hides no event (default 1h); 'all' reads every record of the log "
	        "(slower on big logs, blind to any clock step)",
	        "DURATION|all"});
	options_append(t, n, cap,
	               (struct poptOption){"since", '\0', POPT_ARG_STRING, &a->since, 0,
	                                   "Count events generated at or after TIME, ISO-8601 UTC with Z "
	                                   "(2026-11-21T09:30:00Z), or a date alone (from its start in UTC); "
	                                   "instead of --window",
	                                   "TIME"});
	options_append(
	    t, n, cap,
	    (struct poptOption){
	        "state-file", '\0', POPT_ARG_STRING, &a->state_file, 0,
	        "Bookmark mode: count only events newer than the previous run's, remembered in PATH (written "
	        "atomically and locked while in use: a second check sharing it waits up to 5 s; survives a "
	        "log "
	        "that wrapped (a note names records overwritten unread) or was cleared; an older copy never "
	        "moves it back). The first run uses the window",
	        "PATH"});
	options_append(t, n, cap,
	               (struct poptOption){
	                   "max-events", '\0', POPT_ARG_STRING, &a->max_events, 0,
	                   "List at most N matching events in the long output (default 10, 0 to 100)", "N"});
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

/* Refuse, before any work, a source whose bookmark key would not fit whole
 * (never cut short: two logs would share one bookmark): the option that
 * named it and why. */
static void check_bookmark_key(const char *file, const char *host, const char *log)
{
	char key[EVT_BOOKMARK_KEY_MAX];
	const char *option = file ? "--file" : "--hostname", *what = file ? file : host;
	size_t len = bookmark_key(key, file, host, log);
	if (len >= EVT_BOOKMARK_KEY_MAX)
		option_fail(option,
		            "'%s' is too long to keep a bookmark for in --state-file (at most %zu bytes)",
		            what, EVT_BOOKMARK_KEY_MAX - 1 - (len - strlen(what)));
	if (evt_bookmark_key_fit(key) == EVT_KEY_LINE_BREAK)
		option_fail(option, "'%s' holds a line break: --state-file cannot keep a bookmark for it",
		            what);
}

void evtcheck_setup(struct evtcheck *c, const struct evtcheck_args *a, const char *host,
                    const char *default_log)
{
	memset(c, 0, sizeof *c);
	c->host = host;
	if (!evtlog_name_known(a->log ? a->log : default_log, &c->log))
		option_fail("--log",
		            "'%s' is not a known event log (Application, System, Security, Directory "
		            "Service, DNS Server, File Replication Service)",
		            a->log);
	for (size_t i = 0; a->files && a->files[i]; i++) {
		if (c->n_files == EVTCHECK_MAX_FILES)
			option_fail("--file", "at most %d files", EVTCHECK_MAX_FILES);
		if (!*a->files[i])
			option_fail("--file", "is empty");
		for (size_t j = 0; j < c->n_files; j++) {
			if (fsys_same_path(c->files[j], a->files[i]))
				option_fail("--file", "'%s' is given twice: its events would count twice",
				            a->files[i]);
		}
		c->files[c->n_files++] = a->files[i];
	}
	if (c->n_files && host)
		option_fail("--hostname",
		            "'%s' and --file exclude each other: a file is read where the plugin runs", host);
	uint32_t now = (uint32_t)time(NULL);
	c->now = now;
	if (a->since) {
		const char *why;
		if (!evt_time_parse(a->since, &c->since, &why))
			option_fail("--since", "'%s' %s", a->since, why);
		c->bounded = true;
		char text[32];
		evt_time_format(c->since, text, sizeof text);
		snprintf(c->scope, sizeof c->scope, "since %s", text);
	} else if (a->window && text_equal_nocase(a->window, "all")) {
		snprintf(c->scope, sizeof c->scope, "in the whole log");
	} else {
		const char *text = a->window ? a->window : "24h";
		double seconds = option_duration("--window", text);
		if (seconds < 1)
			option_fail("--window", "'%s' is empty: give at least 1s, or 'all'", text);
		c->bounded = true;
		c->since = seconds >= now ? 0 : now - (uint32_t)seconds;
		snprintf(c->scope, sizeof c->scope, "in the last %s", text);
	}
	if (!a->clock_slack) {
		c->time_slack = EVTQ_TIME_SLACK;
	} else if (text_equal_nocase(a->clock_slack, "all")) {
		c->scan_whole = true;
	} else {
		double slack = option_duration("--clock-slack", a->clock_slack);
		if (slack > 366.0 * 86400)
			option_fail("--clock-slack", "'%s' is more than a year: give 'all'", a->clock_slack);
		c->time_slack = (uint32_t)slack;
	}
	c->max_events = a->max_events
	                    ? (unsigned)option_integer("--max-events", a->max_events, 0, EVTCHECK_MAX_EVENTS)
	                    : 10;
	if (a->state_file && !*a->state_file)
		option_fail("--state-file", "is empty");
	c->state_file = a->state_file;
	for (size_t i = 0; c->state_file && i < (c->n_files ? c->n_files : 1); i++)
		check_bookmark_key(c->n_files ? c->files[i] : NULL, host, c->log);
}

struct evt_source *evtcheck_open(const char *file, const char *host, const char *log)
{
	char err[1024];
	struct evt_source *src =
	    file ? evtfile_open(file, err, sizeof err) : evtlog_open(host, log, err, sizeof err);
	if (!src)
		plugin_exit(STATE_UNKNOWN, "%s", err);
	return src;
}

void evtcheck_query(struct evt_source *src, const struct evtquery *q, struct evtquery_result *res)
{
	char err[1024];
	if (!evtquery_run(q, src, res, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "%s", err);
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

/* The lock of a state file, so two checks sharing it never lose each
 * other's bookmarks: "kms-evt-<file name>-<hash of the path>" in the state
 * file's folder. The hash (letters in any case, either separator) tells
 * state files apart where the lock ignores the folder (Windows: a global
 * mutex). */
static struct lock *lock_state_file(const char *path)
{
	char dir[4096], name[160] = "kms-evt-";
	const char *base = path, *p;
	for (p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t dlen = (size_t)(base - path);
	if (dlen == 0) {
		snprintf(dir, sizeof dir, ".");
	} else {
		if (dlen > 1)
			dlen--; /* without the separator, except for the root */
		if (dlen >= sizeof dir)
			plugin_exit(STATE_UNKNOWN, "--state-file: '%s' is too long", path);
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	size_t n = strlen(name);
	for (p = base; *p && n < 100; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		          ch == '_' || ch == '-' || ch == '.';
		name[n++] = ok ? ch : '_';
	}
	name[n] = '\0';
	snprintf(name + n, sizeof name - n, "-%08lx", (unsigned long)fsys_path_hash(path));
	char err[1024];
	struct lock *held = NULL;
	/* Another check is at work: wait for it, 5 s at most. */
	enum lock_result r = lock_take_within(name, dir, 5000, &held, err, sizeof err);
	if (r == LOCK_ERROR)
		plugin_exit(STATE_UNKNOWN, "--state-file: cannot lock '%s': %s", path, err);
	if (r == LOCK_BUSY)
		plugin_exit(STATE_UNKNOWN, "--state-file: '%s' is in use by another check (waited 5 s)",
		            path);
	return held;
}

void evtcheck_run(struct evtcheck *c, struct evtquery *q)
{
	static struct evt_bookmarks marks;
	char err[1024];
	/* Held from load to save: two checks sharing the file never lose updates. */
	struct lock *held = c->state_file ? lock_state_file(c->state_file) : NULL;
	if (c->state_file && evt_bookmarks_load(c->state_file, &marks, err, sizeof err) == ATOMICFILE_ERROR)
		plugin_exit(STATE_UNKNOWN, "--state-file: %s", err);
	q->visit = keep_event;
	q->visit_ctx = c;
	size_t n_sources = c->n_files ? c->n_files : 1;
	bool all_bookmarked = c->state_file != NULL;
	for (size_t i = 0; i < n_sources; i++) {
		const char *file = c->n_files ? c->files[i] : NULL;
		struct evt_bookmark *mark = NULL;
		q->bounded = c->bounded;
		q->since = c->since;
		q->after.set = false;
		q->scan_whole = c->scan_whole;
		q->time_slack = c->time_slack;
		if (c->state_file) {
			char key[EVT_BOOKMARK_KEY_MAX];
			bookmark_key(key, file, c->host, c->log); /* fits: checked by evtcheck_setup */
			mark = evt_bookmarks_slot(&marks, key);
			if (!mark)
				plugin_exit(STATE_UNKNOWN,
				            "--state-file: '%s' cannot hold another log (at most %d)",
				            c->state_file, EVT_BOOKMARKS_MAX);
			if (mark->set) {
				q->after = *mark;
				q->bounded = false;
			} else {
				all_bookmarked = false;
			}
		}
		c->reading = file;
		struct evt_source *src = evtcheck_open(file, c->host, c->log);
		struct evtquery_result res;
		evtcheck_query(src, q, &res);
		if (src->note[0] && c->n_notes < 4)
			snprintf(c->notes[c->n_notes++], sizeof c->notes[0], "%s", src->note);
		evt_source_close(src);
		if (res.count) {
			if (c->count == 0 || res.oldest < c->oldest)
				c->oldest = res.oldest;
			if (c->count == 0 || res.newest > c->newest)
				c->newest = res.newest;
		}
		c->count += res.count;
		c->records_read += res.records_read;
		if (mark && mark->set && !res.reached_bookmark && res.oldest_seen.set &&
		    res.oldest_seen.record_number > mark->record_number + 1 &&
		    res.oldest_seen.record_number - mark->record_number < 0x80000000u && c->n_notes < 4)
			snprintf(c->notes[c->n_notes++], sizeof c->notes[0],
			         "%s wrapped: records %lu to %lu, after the last check's bookmark, were "
			         "overwritten before this check read them: events in them were missed",
			         file ? file : c->log, (unsigned long)mark->record_number + 1,
			         (unsigned long)res.oldest_seen.record_number - 1);
		/* Never backwards (an older copy of the log): only to a newer record,
		 * by number or, once the log was cleared and numbering restarted, by
		 * the time it was written (evt_bookmark_newer). */
		if (mark && res.newest_seen.set &&
		    (!mark->set ||
		     evt_bookmark_newer(mark, res.newest_seen.record_number, res.newest_seen.time_written))) {
			*mark = res.newest_seen;
			mark->taken = c->now;
		}
	}
	if (c->state_file) {
		if (!evt_bookmarks_save(c->state_file, &marks, err, sizeof err))
			plugin_exit(STATE_UNKNOWN, "--state-file: %s", err);
		lock_release(held);
		if (all_bookmarked)
			snprintf(c->scope, sizeof c->scope, "since the last check");
		else {
			struct strbuf scope = {c->scope, strlen(c->scope), sizeof c->scope, false};
			strbuf_append(&scope, " (first run of --state-file)");
		}
	}
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
