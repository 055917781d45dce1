/* check_kms_events: how many times the KM Server logged Event 5058 (or
 * other KMS events) in a window or since the last check, read from the
 * Application log (live on Windows, or exported .evt files anywhere).
 * options (parse) -> last start (--clear-on-start) -> query -> report. */
#include <stdio.h>
#include <string.h>

#include "evtcheck.h"
#include "kms.h"
#include "options.h"
#include "perfdata.h"
#include "text.h"

/* What an event id means, for the long output (kms.h). */
static const char *event_meaning(uint16_t id)
{
	return kms_event_meaning(id);
}

/* Defaults, each written once: the help text shows these. */
#define DEFAULT_LOG      "Application"
#define DEFAULT_SOURCE   KMS_SERVICE_NAME
#define DEFAULT_IDS      KMS_EVENT_TRAPPED_EXCEPTION_TEXT
#define DEFAULT_CRITICAL "0"
/* The KM service as 7036 names it (--service). */
static const char *const default_services[] = {KMS_DISPLAY_NAME, KMS_DISPLAY_NAME_OLD, KMS_SERVICE_NAME,
                                               NULL};

/* The options as popt leaves them. */
static struct {
	struct evtcheck_args log;
	const char **sources;
	const char **ids;
	char *types;
	const char **matches;
	int clear_on_start;
	char *system_file;
	const char **services;
} given;

/* What this run does, filled by parse(). */
struct config {
	struct evtquery query;  /* sources, ids, types, texts (window and bookmark: evtcheck) */
	const char *const *ids; /* --id as given, for the first line (NULL: DEFAULT_IDS) */
	bool clear_on_start;
	const char *system_file;     /* NULL: the live System log */
	const char *const *services; /* the KM service's names in start events */
	bool services_given;
	struct common_options common;
};

static const struct program_info info = {
    .name = "EVENTS",
    .progname = "check_kms_events",
    .purpose = "Counts the Exchange Key Management Server's events in the Application log - by default "
               "Event 5058, \"the KM service has trapped an exception\": its Kmsdata folder is corrupt or "
               "incomplete and must be restored from an offline backup (article Q190698). Reads the live "
               "log on Windows (-H for another host) or exported .evt files on any system.",
    .flags = OPTS_THRESHOLDS | OPTS_HOSTNAME,
    .exclusive = evtcheck_exclusive,
    .threshold_kind = VALUE_PLAIN,
    .warning_help = "WARNING when the count is outside RANGE (default: none)",
    .critical_help =
        "CRITICAL when the count is outside RANGE (default " DEFAULT_CRITICAL ": any occurrence)",
    .hostname_help = "Read the live log of Windows host HOST (through the event log RPC)",
    .default_critical = DEFAULT_CRITICAL,
    .notes = "Known KMS events (--id): 5057 the KMS password is not valid; 5058 Kmsdata is corrupt or\n"
             "incomplete (restore it from an offline backup); 5060 the crypto provider's signature\n"
             "cannot be verified; 5085 the KM database cannot be mounted; 5389 the KM Server exits\n"
             "(database newer than the service pack). Ids are the displayed ones (low 16 bits).\n"
             "\n"
             "Window or bookmark: a window (--window 24h) answers \"did it happen lately\" and clears\n"
             "by itself when the event ages out; a bookmark (--state-file) alerts once per new event,\n"
             "and the next check is OK again. --clear-on-start keeps an occurrence counting until the\n"
             "KM service next starts successfully: event 7036 \"running\" in the System log (logged from\n"
             "Windows XP on: no source shows it on NT 4.0 or 2000), or, in the Application log (the\n"
             "--file exports or the live log), the suite's own handle_kms_restart 1, kms_backup 101 or\n"
             "kms_restore 201 (with --service: only those whose text names one of the services).\n"
             "\n"
             "Output: the first line gives the count, the window, the last occurrence (UTC) and the\n"
             "remedy; the long output lists the events (time, id, type, source, record number,\n"
             "insertion strings), at most --max-events.\n"
             "Perfdata: events=N;WARN;CRIT;0; (matching events counted).\n"
             "Exit status: 0 OK, 1 WARNING, 2 CRITICAL (count outside -w/-c), 3 UNKNOWN (bad option,\n"
             "unreadable or damaged log: the file and byte offset are named, timeout).\n"
             "\n"
             "Examples:\n"
             "  check_kms_events                               live Application log, Event 5058, 24h\n"
             "  check_kms_events -f AppEvent.evt --window all  every 5058 in an exported log\n"
             "  check_kms_events --id 5057,5058 -w 0 -c 2 --window 7d\n"
             "  check_kms_events --state-file /var/lib/kms/events.state\n"
             "  check_kms_events -f App.evt --clear-on-start --system-file SysEvent.evt\n",
};

/* Clear-on-start: the newest successful start of the KM service. */
struct start_match {
	const char *const *services;
	size_t n_services;
	bool any_service; /* suite events: without --service, any text */
};

/* 7036's insertion strings: the service's display name, the state entered. */
#define ENTERED_STATE_NAME_STRING  0
#define ENTERED_STATE_STATE_STRING 1
/* The suite's start events: the program's result line is %1. */
#define SUITE_START_TEXT_STRING 0

static bool is_km_service_running(const struct evt_record *r, void *ctx)
{
	const struct start_match *m = ctx;
	char name[256], state[64];
	evt_record_string(r, ENTERED_STATE_NAME_STRING, name, sizeof name);
	evt_record_string(r, ENTERED_STATE_STATE_STRING, state, sizeof state);
	if (!text_equal_nocase(state, "running"))
		return false;
	for (size_t i = 0; i < m->n_services; i++)
		if (text_equal_nocase(name, m->services[i]))
			return true;
	return false;
}

struct clearing {
	bool found;
	uint32_t started; /* occurrences generated before this do not count */
	unsigned long cleared;
};

static bool not_cleared(const struct evt_record *r, void *ctx)
{
	struct clearing *c = ctx;
	if (c->found && r->time_generated < c->started) {
		c->cleared++;
		return false;
	}
	return true;
}

/* What Windows NT 4.0 and 2000 log when the KM service has started: not 7036
 * (the service manager logs it from XP on, as far as anyone can show), but
 * the suite's own events in the Application log, each source with its id. */
static const struct suite_start {
	const char *source;
	uint16_t id;
} suite_starts[] = {
    {"handle_kms_restart", 1}, /* restarted: the KM service is RUNNING */
    {"kms_backup", 101},       /* backup taken and the KM service RUNNING again */
    {"kms_restore", 201},      /* Kmsdata restored and the KM service RUNNING */
};
#define N_SUITE_STARTS (sizeof suite_starts / sizeof suite_starts[0])

/* One of suite_starts; with --service, its text (%1, the program's result
 * line) must name one of the services. */
static bool is_suite_start(const struct evt_record *r, void *ctx)
{
	const struct start_match *m = ctx;
	char source[64], text[1024];
	evt_record_source(r, source, sizeof source);
	bool known = false;
	for (size_t i = 0; i < N_SUITE_STARTS; i++)
		known = known || (r->event_id == suite_starts[i].id &&
		                  text_equal_nocase(source, suite_starts[i].source));
	if (!known || m->any_service)
		return known;
	evt_record_string(r, SUITE_START_TEXT_STRING, text, sizeof text);
	for (size_t i = 0; i < m->n_services; i++)
		if (text_contains_nocase(text, m->services[i]))
			return true;
	return false;
}

/* The newest match of q in one log (file, or the live log when NULL). */
static bool newest_start(const char *file, const char *host, const char *log, struct evtquery *q,
                         struct clearing *clear, struct evtcheck_error *err)
{
	struct evt_source *src = evtcheck_open(file, host, log, err);
	if (!src)
		return false;
	struct evtquery_result res;
	bool ok = evtcheck_query(src, q, &res, err);
	evt_source_close(src);
	if (ok && res.count > 0 && (!clear->found || res.newest > clear->started)) {
		clear->found = true;
		clear->started = res.newest;
	}
	return ok;
}

/* The newest successful start of the KM service: 7036 "running" in the
 * System log, or one of suite_starts in each Application log source. */
static bool find_last_start(const struct config *cfg, const struct evtcheck *c, struct clearing *clear,
                            struct evtcheck_error *err)
{
	struct start_match m = {cfg->services, 0, !cfg->services_given};
	while (m.services[m.n_services])
		m.n_services++;
	struct evtquery q = {.sources = {SCM_SOURCE},
	                     .n_sources = 1,
	                     .ids = {{SCM_EVENT_ENTERED_STATE, SCM_EVENT_ENTERED_STATE}}};
	q.n_ids = 1;
	q.limit = 1;
	q.accept = is_km_service_running;
	q.accept_ctx = &m;
	if (!newest_start(cfg->system_file, c->host, "System", &q, clear, err))
		return false;
	struct evtquery suite = {.limit = 1, .accept = is_suite_start, .accept_ctx = &m};
	for (size_t i = 0; i < N_SUITE_STARTS; i++) {
		suite.sources[suite.n_sources++] = suite_starts[i].source;
		suite.ids[suite.n_ids].first = suite_starts[i].id;
		suite.ids[suite.n_ids++].last = suite_starts[i].id;
	}
	for (size_t i = 0; i < (c->n_files ? c->n_files : 1); i++)
		if (!newest_start(c->n_files ? c->files[i] : NULL, c->host, "Application", &suite, clear,
		                  err))
			return false;
	return true;
}

/* --source, --id, --type, --match into q; --system-file and --service
 * only with --clear-on-start. */
static void setup_query(struct evtquery *q)
{
	static const char *const default_sources[] = {DEFAULT_SOURCE, NULL};
	const char *const *sources = given.sources ? given.sources : default_sources;
	for (size_t i = 0; sources[i]; i++) {
		if (q->n_sources == EVTQ_MAX_SOURCES)
			option_fail("--source", "at most %d sources", EVTQ_MAX_SOURCES);
		if (!*sources[i])
			option_fail("--source", "is empty");
		q->sources[q->n_sources++] = sources[i];
	}
	const char *why;
	for (size_t i = 0; given.ids && given.ids[i]; i++)
		if (!evtquery_parse_ids(given.ids[i], q, &why))
			option_fail("--id", "'%s' %s", given.ids[i], why);
	if (!given.ids)
		evtquery_parse_ids(DEFAULT_IDS, q, &why);
	if (given.types && !evtquery_parse_types(given.types, &q->types, &why))
		option_fail("--type", "'%s' %s", given.types, why);
	for (size_t i = 0; given.matches && given.matches[i]; i++) {
		if (q->n_matches == EVTQ_MAX_MATCHES)
			option_fail("--match", "at most %d texts", EVTQ_MAX_MATCHES);
		q->matches[q->n_matches++] = given.matches[i];
	}
	if (given.system_file && !given.clear_on_start)
		option_fail("--system-file", "'%s' is only read with --clear-on-start", given.system_file);
	if (given.services && !given.clear_on_start)
		option_fail("--service", "'%s' is only used with --clear-on-start", given.services[0]);
}

/* "Event 5058" or "Events 5057,5058" as the user asked. */
static void describe_ids(const char *const *ids, char *buf, size_t cap)
{
	if (!ids) {
		snprintf(buf, cap, "Event " DEFAULT_IDS);
		return;
	}
	size_t len = (size_t)snprintf(buf, cap, "%s", ids[1] || strpbrk(ids[0], ",-") ? "Events " : "Event ");
	for (size_t i = 0; ids[i] && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "," : "", ids[i]);
}

/* Room for this program's options with the log options evtcheck shares. */
#define OWN_OPTIONS_MAX 16

/* This program's options, after the log options evtcheck shares. */
static void add_own_options(struct poptOption *own, size_t *n, size_t cap)
{
	static const struct poptOption table[] = {
	    {"source", 's', POPT_ARG_ARGV, &given.sources, 0,
	     "Count events of source NAME (any case; repeatable; default " DEFAULT_SOURCE ")", "NAME"},
	    {"id", 'i', POPT_ARG_ARGV, &given.ids, 0,
	     "Count these event ids: a list with ranges, e.g. 5058 or 5057,5060-5085 "
	     "(repeatable; default " DEFAULT_IDS ")",
	     "LIST"},
	    {"type", '\0', POPT_ARG_STRING, &given.types, 0,
	     "Only events of these types: error, warning, information, audit-success, "
	     "audit-failure, comma-separated (default: any)",
	     "LIST"},
	    {"match", '\0', POPT_ARG_ARGV, &given.matches, 0,
	     "Only events with TEXT (any case) in an insertion string (repeatable: "
	     "all must occur)",
	     "TEXT"},
	    {"clear-on-start", '\0', POPT_ARG_NONE, &given.clear_on_start, 0,
	     "An occurrence followed by a successful start of the KM service (7036 "
	     "\"running\" in the System log, or handle_kms_restart 1, kms_backup 101, kms_restore 201 "
	     "in the Application log) no longer counts",
	     NULL},
	    {"system-file", '\0', POPT_ARG_STRING, &given.system_file, 0,
	     "With --clear-on-start: read the System log from this exported .evt "
	     "file (default: the live System log)",
	     "PATH"},
	    {"service", '\0', POPT_ARG_ARGV, &given.services, 0,
	     "With --clear-on-start: the KM service's name in 7036 events (any "
	     "case; repeatable; default \"" KMS_DISPLAY_NAME "\", \"" KMS_DISPLAY_NAME_OLD
	     "\" (Exchange 4.0/5.0) and " KMS_SERVICE_NAME ")",
	     "NAME"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		options_append(own, n, cap, table[i]);
	own[*n] = (struct poptOption)POPT_TABLEEND;
}

/* The first line (count, window, last occurrence, remedy), the events, perfdata. */
static _Noreturn void report_events(const struct config *cfg, const struct evtcheck *check,
                                    const struct clearing *clear)
{
	const struct common_options *common = &cfg->common;
	struct report r;
	report_init(&r, info.name);
	report_raise(&r, threshold_state(&common->warning, &common->critical, (double)check->count));
	char what[160];
	describe_ids(cfg->ids, what, sizeof what);
	if (check->count == 0) {
		report_summary(&r, "no %s %s", what, check->scope);
	} else {
		char last[32];
		evt_time_format(check->newest, last, sizeof last);
		const char *meaning = kms_event_meaning(check->newest_id);
		report_summary(&r, "%lu x %s %s, last at %s%s%s", check->count, what, check->scope, last,
		               meaning ? ": " : "", meaning ? meaning : "");
	}
	if (clear->cleared) {
		char started[32];
		evt_time_format(clear->started, started, sizeof started);
		report_summary(&r, "%lu earlier cleared by the KM service's start at %s", clear->cleared,
		               started);
	}
	evtcheck_report_events(check, &r, event_meaning, common->verbose);
	if (check->count && check->newest_id == KMS_EVENT_TRAPPED_EXCEPTION)
		report_detail(
		    &r, "Remedy (article Q190698): stop the KM service, restore Exchsrvr\\Kmsdata (every "
		        "file and subfolder) from the newest offline backup, then start the service with "
		        "its startup parameter, the KMS password.");
	struct perfdata p = {.label = "events",
	                     .value = (double)check->count,
	                     .uom = "",
	                     .warn = &common->warning,
	                     .crit = &common->critical,
	                     .has_min = true,
	                     .min = 0};
	report_perf(&r, &p);
	report_exit(&r);
}

/* The options into cfg and the log settings into check (UNKNOWN on a bad one). */
static void parse(int argc, char **argv, struct config *cfg, struct evtcheck *check)
{
	struct poptOption own[OWN_OPTIONS_MAX];
	size_t n = 0;
	evtcheck_add_options(own, &n, OWN_OPTIONS_MAX, &given.log, DEFAULT_LOG);
	add_own_options(own, &n, OWN_OPTIONS_MAX);
	options_parse(argc, argv, &info, own, &cfg->common);
	struct evtcheck_error err;
	if (!evtcheck_setup(check, &given.log, cfg->common.hostname, DEFAULT_LOG, &err))
		evtcheck_exit(&err);
	setup_query(&cfg->query);
	cfg->ids = given.ids;
	cfg->clear_on_start = given.clear_on_start != 0;
	cfg->system_file = given.system_file;
	cfg->services_given = given.services != NULL;
	cfg->services = given.services ? given.services : default_services;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct evtcheck check;
	struct clearing clear = {0};
	struct evtcheck_error err;
	parse(argc, argv, &cfg, &check);
	if (cfg.clear_on_start) {
		if (!find_last_start(&cfg, &check, &clear, &err)) /* the KM service's newest start */
			evtcheck_exit(&err);
		cfg.query.accept = not_cleared; /* occurrences before it do not count */
		cfg.query.accept_ctx = &clear;
	}
	if (!evtcheck_run(&check, &cfg.query, &err)) /* count, keep the newest, move the bookmark */
		evtcheck_exit(&err);
	report_events(&cfg, &check, &clear);
}
