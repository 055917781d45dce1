/* check_kms_startup: how many startup timeouts and failed starts the KM
 * service had, counted from Service Control Manager events in the System
 * log (live on Windows, or exported .evt files anywhere).
 * options (parse) -> query + classification -> thresholds -> report. */
#include <stdio.h>
#include <string.h>

#include "evtcheck.h"
#include "kms.h"
#include "options.h"
#include "perfdata.h"
#include "text.h"

/* Defaults, each written once: the help text shows these. */
#define DEFAULT_LOG             "System"
#define DEFAULT_WARNING         "0"
#define DEFAULT_CRITICAL        "2"
#define DEFAULT_FAILED_WARNING  "0"
#define DEFAULT_FAILED_CRITICAL "2"
/* The KM service as SCM events name it (--service). */
static const char *const default_services[] = {KMS_DISPLAY_NAME, KMS_DISPLAY_NAME_OLD, KMS_SERVICE_NAME,
                                               NULL};

/* The options as popt leaves them, starting from their defaults. */
static struct {
	struct evtcheck_args log;
	const char **services;
	char *failed_warning;
	char *failed_critical;
} given = {.failed_warning = DEFAULT_FAILED_WARNING, .failed_critical = DEFAULT_FAILED_CRITICAL};

/* What this run does, filled by parse(). */
struct config {
	const char *const *services; /* the KM service's names */
	size_t n_services;
	struct range failed_warn, failed_crit; /* thresholds of the failed starts */
	struct common_options common;          /* -w/-c: the startup timeouts */
};

static const struct program_info info = {
    .name = "STARTUP",
    .progname = "check_kms_startup",
    .purpose = "Counts the startup timeouts and failed starts of the Exchange Key Management Server "
               "service, from the Service Control Manager's events in the System log: the KM service "
               "cannot start without its startup parameter, and whatever starts it without one hangs "
               "until the service manager gives up (article Q263718). Reads the live log on Windows (-H "
               "for another host) or exported .evt files on any system.",
    .flags = OPTS_THRESHOLDS | OPTS_HOSTNAME,
    .exclusive = evtcheck_exclusive,
    .threshold_kind = VALUE_PLAIN,
    .warning_help = "WARNING when the startup timeouts are outside RANGE (default " DEFAULT_WARNING ": any)",
    .critical_help =
        "CRITICAL when the startup timeouts are outside RANGE (default " DEFAULT_CRITICAL ": three or more)",
    .hostname_help = "Read the live System log of Windows host HOST",
    .default_warning = DEFAULT_WARNING,
    .default_critical = DEFAULT_CRITICAL,
    .notes = "What is counted (Service Control Manager events naming the KM service):\n"
             "  startup timeouts: 7009 and 7011 (the service is their 2nd insertion string), 7022,\n"
             "                    and 7000 whose error is %%1053 (\"did not respond in a timely fashion\")\n"
             "  failed starts:    every other 7000, 7023, 7024, 7031, 7034 (service in the 1st string)\n"
             "Ids are compared as displayed (EventID & 0xFFFF), service names in any case.\n"
             "On NT 4.0 and Windows 2000: 7023 is logged there (KB Q133010: NT 3.51, 4.0, 2000, XP),\n"
             "7024 on NT 4.0 (KB Q157815); for 7000, 7009, 7011, 7022, 7031 and 7034 no source was\n"
             "found for those systems: counted wherever they are logged, their absence proves nothing.\n"
             "\n"
             "Output: the first line gives both counts broken down by event id, the window and the\n"
             "last occurrence (UTC); the long output lists the events and how to avoid them.\n"
             "Perfdata: timeouts=N;WARN;CRIT;0; failed_starts=N;WARN;CRIT;0;\n"
             "Exit status: the worse of the two thresholds: 0 OK, 1 WARNING, 2 CRITICAL; 3 UNKNOWN\n"
             "(bad option, unreadable or damaged log: the file and byte offset are named, timeout).\n"
             "\n"
             "Examples:\n"
             "  check_kms_startup                                  live System log, last 24h\n"
             "  check_kms_startup -f SysEvent.evt --window 7d -w 0 -c 1\n"
             "  check_kms_startup --failed-warning 1 --failed-critical 3\n"
             "  check_kms_startup --state-file /var/lib/kms/startup.state\n",
};

struct tally {
	const char *const *services;
	size_t n_services;
	unsigned long timeouts, failed;
	unsigned long by_kind[SCM_EVENTS_COUNT + 1]; /* the last: 7000 with %%1053 */
};

/* Does the record name the KM service in the insertion string its id uses? */
static bool names_km_service(const struct evt_record *r, void *ctx)
{
	const struct tally *t = ctx;
	const struct scm_event *e = scm_event_find(r->event_id);
	char name[256];
	if (!e || e->service_string >= r->num_strings)
		return false;
	evt_record_string(r, e->service_string, name, sizeof name);
	for (size_t i = 0; i < t->n_services; i++)
		if (text_equal_nocase(name, t->services[i]))
			return true;
	return false;
}

/* 7000's insertion strings: the service, then the error (%%1053, ...). */
#define FAILED_TO_START_ERROR_STRING 1

/* 7000 whose error is %%1053: a timeout, counted apart from other 7000s. */
static bool is_timeout_7000(const struct evt_record *r)
{
	char error[64];
	evt_record_string(r, FAILED_TO_START_ERROR_STRING, error, sizeof error);
	return r->event_id == SCM_EVENT_FAILED_TO_START && scm_event_is_timeout(r->event_id, error);
}

static void classify(const struct evt_record *r, void *ctx)
{
	struct tally *t = ctx;
	const struct scm_event *e = scm_event_find(r->event_id);
	bool timeout_7000 = is_timeout_7000(r);
	t->by_kind[timeout_7000 ? SCM_EVENTS_COUNT : (size_t)(e - scm_events)]++;
	if (timeout_7000 || (e && e->timeout))
		t->timeouts++;
	else
		t->failed++;
}

static const char *startup_meaning(uint16_t id)
{
	const struct scm_event *e = scm_event_find(id);
	return e ? e->text : NULL;
}

/* "7009: 1, 7000/%%1053: 2" for the kinds that are timeouts (or not). */
static void breakdown(const struct tally *t, bool timeouts, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t k = 0; k <= SCM_EVENTS_COUNT; k++) {
		uint16_t id = k < SCM_EVENTS_COUNT ? scm_events[k].id : SCM_EVENT_FAILED_TO_START;
		bool is_timeout = k == SCM_EVENTS_COUNT || scm_events[k].timeout;
		if (!t->by_kind[k] || is_timeout != timeouts || len >= cap)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%u%s: %lu", len ? ", " : "", (unsigned)id,
		                        k == SCM_EVENTS_COUNT ? "/" SCM_ERROR_REQUEST_TIMEOUT : "",
		                        t->by_kind[k]);
	}
}

/* "1 startup timeout (7000/%%1053: 1)" */
static void count_text(unsigned long n, const char *one, const char *many, const char *detail, char *buf,
                       size_t cap)
{
	snprintf(buf, cap, "%lu %s%s%s%s", n, n == 1 ? one : many, *detail ? " (" : "", detail,
	         *detail ? ")" : "");
}

/* Room for this program's options with the log options evtcheck shares. */
#define OWN_OPTIONS_MAX 12

/* This program's options, after the log options evtcheck shares. */
static void add_own_options(struct poptOption *own, size_t *n, size_t cap)
{
	static const struct poptOption table[] = {
	    {"service", '\0', POPT_ARG_ARGV, &given.services, 0,
	     "The KM service as SCM events name it (any case; repeatable; default \"" KMS_DISPLAY_NAME
	     "\", \"" KMS_DISPLAY_NAME_OLD "\" (Exchange 4.0/5.0) and " KMS_SERVICE_NAME ")",
	     "NAME"},
	    {"failed-warning", '\0', POPT_ARG_STRING, &given.failed_warning, 0,
	     "WARNING when the failed starts are outside RANGE (default " DEFAULT_FAILED_WARNING ": any)",
	     "RANGE"},
	    {"failed-critical", '\0', POPT_ARG_STRING, &given.failed_critical, 0,
	     "CRITICAL when the failed starts are outside RANGE (default " DEFAULT_FAILED_CRITICAL
	     ": three or more)",
	     "RANGE"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		options_append(own, n, cap, table[i]);
	own[*n] = (struct poptOption)POPT_TABLEEND;
}

/* The first line (breakdown by id, last occurrence), the events, the KMS advice, perfdata. */
static _Noreturn void report_tally(const struct config *cfg, const struct evtcheck *check,
                                   const struct tally *tally)
{
	const struct common_options *common = &cfg->common;
	const struct range *failed_warn = &cfg->failed_warn, *failed_crit = &cfg->failed_crit;
	struct report r;
	report_init(&r, info.name);
	report_raise(&r, threshold_state(&common->warning, &common->critical, (double)tally->timeouts));
	report_raise(&r, threshold_state(failed_warn, failed_crit, (double)tally->failed));
	char detail[256], timeouts[320], failed[320], last[32] = "";
	breakdown(tally, true, detail, sizeof detail);
	count_text(tally->timeouts, "startup timeout", "startup timeouts", detail, timeouts, sizeof timeouts);
	breakdown(tally, false, detail, sizeof detail);
	count_text(tally->failed, "failed start", "failed starts", detail, failed, sizeof failed);
	if (check->count)
		evt_time_format(check->newest, last, sizeof last);
	report_summary(&r, "KM service: %s and %s %s%s%s", timeouts, failed, check->scope,
	               *last ? ", last at " : "", last);
	evtcheck_report_events(check, &r, startup_meaning, common->verbose);
	if (tally->timeouts)
		report_detail(
		    &r, "The KM service cannot start without its startup parameter, the KMS password: a "
		        "start without it (Performance Optimizer, a plain 'net start') hangs until the "
		        "service manager gives up, \"did not respond in a timely manner\" [800FF351]. "
		        "Start it with its password; stop it before running Performance Optimizer, or "
		        "tell Performance Optimizer not to restart services (article Q263718).");
	struct perfdata p = {.label = "timeouts",
	                     .value = (double)tally->timeouts,
	                     .uom = "",
	                     .warn = &common->warning,
	                     .crit = &common->critical,
	                     .has_min = true};
	report_perf(&r, &p);
	p = (struct perfdata){.label = "failed_starts",
	                      .value = (double)tally->failed,
	                      .uom = "",
	                      .warn = failed_warn,
	                      .crit = failed_crit,
	                      .has_min = true};
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
	cfg->failed_warn = option_range("--failed-warning", given.failed_warning, VALUE_PLAIN);
	cfg->failed_crit = option_range("--failed-critical", given.failed_critical, VALUE_PLAIN);
	struct evtcheck_error err;
	if (!evtcheck_setup(check, &given.log, cfg->common.hostname, DEFAULT_LOG, &err))
		evtcheck_exit(&err);
	cfg->services = given.services ? given.services : default_services;
	for (cfg->n_services = 0; cfg->services[cfg->n_services]; cfg->n_services++)
		if (!*cfg->services[cfg->n_services])
			option_fail("--service", "is empty");
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct evtcheck check;
	struct evtcheck_error err;
	parse(argc, argv, &cfg, &check);
	struct tally tally = {.services = cfg.services, .n_services = cfg.n_services};
	struct evtquery q = {.sources = {SCM_SOURCE}, .n_sources = 1};
	for (size_t i = 0; i < SCM_EVENTS_COUNT; i++)
		q.ids[q.n_ids++] = (struct evtq_id_range){scm_events[i].id, scm_events[i].id};
	q.accept = names_km_service; /* the KM service's events only */
	q.accept_ctx = &tally;
	check.on_match = classify; /* timeouts and failed starts, by id */
	check.on_match_ctx = &tally;
	if (!evtcheck_run(&check, &q, &err))
		evtcheck_exit(&err);
	report_tally(&cfg, &check, &tally);
}
