/* check_kms_service: is the Exchange KM service running, hung in its start
 * (started without its password, Q263718), stopped (and why), disabled, or
 * about to be tripped by Performance Optimizer. Windows, local or -H remote:
 * options -> svc (status, config, process age) -> evaluate -> report. */
#include <stdio.h>
#include <string.h>

#include "kms.h"
#include "options.h"
#include "perfdata.h"
#include "plugin.h"
#include "proc.h"
#include "range.h"
#include "svc.h"
#include "text.h"

static const char purpose[] =
    "Checks the Exchange Key Management Server service (MSExchangeKMS): running (with its pid and "
    "uptime), hung starting (START_PENDING: the KM service cannot start without its startup "
    "parameter, the KMS password, article Q263718), stopped (with its last exit code explained), "
    "paused, disabled, its dependencies (MSExchangeDS) not running, and Exchange Performance "
    "Optimizer (perfwiz.exe) running while the KM service runs.";

static const char notes[] =
    "States:\n"
    "  RUNNING                              OK (pid, uptime)\n"
    "  START_PENDING                        OK below --pending-warning, then WARNING, then\n"
    "                                       CRITICAL past --pending-critical; says whether the\n"
    "                                       checkpoint moves (sampled for 1-3 s)\n"
    "  STOPPED                              CRITICAL, with the last exit code explained\n"
    "  STOP_PENDING, PAUSED, PAUSE_PENDING,\n"
    "  CONTINUE_PENDING                     WARNING\n"
    "  not installed                        CRITICAL (see --not-found)\n"
    "  start type disabled                  WARNING\n"
    "  a dependency not running             WARNING, named in the first line (--depends-on\n"
    "                                       when it is not installed at all: long output only;\n"
    "                                       Exchange 2000 has no MSExchangeDS)\n"
    "  perfwiz.exe running (local checks)   WARNING while the service runs\n"
    "  no access, host unreachable          UNKNOWN\n"
    "\n"
    "Performance data:\n"
    "  state=N    0 not installed, 1 STOPPED, 2 START_PENDING, 3 STOP_PENDING, 4 RUNNING,\n"
    "             5 CONTINUE_PENDING, 6 PAUSE_PENDING, 7 PAUSED\n"
    "  pending=Ns time spent in START_PENDING (0 otherwise), with the thresholds\n"
    "  uptime=Ns  age of the running service's process (0 otherwise)\n"
    "Pending time and uptime come from the service process's start time, which only a local\n"
    "check can read: with -H they are 0 and a START_PENDING is WARNING.\n"
    "\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
    "\n"
    "Examples:\n"
    "  check_kms_service\n"
    "  check_kms_service --pending-warning 2m --pending-critical 5m -t 20\n"
    "  check_kms_service -H exchange01 --not-found WARNING\n";

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_SERVICE          KMS_SERVICE_NAME
#define DEFAULT_PENDING_WARNING  "60s"
#define DEFAULT_PENDING_CRITICAL "180s"
#define DEFAULT_NOT_FOUND        "CRITICAL"
#define DEFAULT_PERFWIZ          "perfwiz.exe"
#define DEFAULT_DEPENDS_ON       KMS_DS_SERVICE_NAME

/* A START_PENDING is watched for a tenth of its wait hint, at least 1 s and at most 3 s. */
#define CHECKPOINT_SAMPLE_HINT_DIVISOR 10
#define CHECKPOINT_SAMPLE_MIN_MS       1000
#define CHECKPOINT_SAMPLE_MAX_MS       3000

static const struct program_info info = {
    .name = "SERVICE",
    .progname = "check_kms_service",
    .purpose = purpose,
    .notes = notes,
    .flags = OPTS_HOSTNAME,
    .hostname_help = "Check the service on HOST through its service manager (RPC) instead of this machine",
};

struct config {
	const char *service;
	struct range pending_warning, pending_critical;
	plugin_state not_found_state;
	const char *perfwiz;
	const char *depends_on; /* "" for none */
	struct common_options common;
};

/* The options as given, starting from their defaults. */
static struct {
	char *service, *pending_warning, *pending_critical, *not_found, *perfwiz, *depends_on;
} given = {
    .service = DEFAULT_SERVICE,
    .pending_warning = DEFAULT_PENDING_WARNING,
    .pending_critical = DEFAULT_PENDING_CRITICAL,
    .not_found = DEFAULT_NOT_FOUND,
    .perfwiz = DEFAULT_PERFWIZ,
    .depends_on = DEFAULT_DEPENDS_ON,
};

static const struct poptOption own[] = {
    {"service", 0, POPT_ARG_STRING, &given.service, 0, "Service name (default " DEFAULT_SERVICE ")", "NAME"},
    {"pending-warning", 0, POPT_ARG_STRING, &given.pending_warning, 0,
     "WARNING when START_PENDING has lasted longer (default " DEFAULT_PENDING_WARNING ")", "DURATION"},
    {"pending-critical", 0, POPT_ARG_STRING, &given.pending_critical, 0,
     "CRITICAL when START_PENDING has lasted longer (default " DEFAULT_PENDING_CRITICAL ")", "DURATION"},
    {"not-found", 0, POPT_ARG_STRING, &given.not_found, 0,
     "State when the service is not installed (default " DEFAULT_NOT_FOUND ")", "STATE"},
    {"perfwiz", 0, POPT_ARG_STRING, &given.perfwiz, 0,
     "Image name of Performance Optimizer (default " DEFAULT_PERFWIZ ")", "NAME"},
    {"depends-on", 0, POPT_ARG_STRING, &given.depends_on, 0,
     "A service the KM service needs running, checked besides the dependencies the service manager "
     "lists: WARNING when it is installed but not running (default " DEFAULT_DEPENDS_ON "; '' for none)",
     "NAME"},
    POPT_TABLEEND};

static void parse(int argc, char **argv, struct config *cfg)
{
	options_parse(argc, argv, &info, own, &cfg->common);
	if (!*given.service)
		option_fail("--service", "is empty");
	if (!*given.perfwiz)
		option_fail("--perfwiz", "is empty");
	cfg->service = given.service;
	cfg->perfwiz = given.perfwiz;
	cfg->depends_on = given.depends_on;
	double w = option_duration("--pending-warning", given.pending_warning);
	double c = option_duration("--pending-critical", given.pending_critical);
	cfg->pending_warning = (struct range){.set = true, .end = w};
	cfg->pending_critical = (struct range){.set = true, .end = c};
	cfg->not_found_state = option_state("--not-found", given.not_found);
}

/* What the service manager (and the process table) said. */
struct facts {
	struct svc_status status;
	struct svc_config config;
	bool have_age;
	double age; /* seconds since the service's process started */
	bool checkpoint_moves;
	const char *dependency[SVC_MAX_DEPENDENCIES + 1]; /* configured, and --depends-on */
	svc_state dependency_state[SVC_MAX_DEPENDENCIES + 1];
	unsigned dependency_count;
	bool last_is_implicit; /* the last one is --depends-on, not configured */
	unsigned long perfwiz_pid;
};

/* The configured dependencies (Wine reports none) and --depends-on, once each. */
static void list_dependencies(const struct config *cfg, struct facts *f)
{
	bool listed = !*cfg->depends_on;
	for (unsigned i = 0; i < f->config.dependency_count; i++) {
		f->dependency[f->dependency_count++] = f->config.dependency[i];
		listed = listed || text_equal_nocase(f->config.dependency[i], cfg->depends_on);
	}
	if (!listed) {
		f->dependency[f->dependency_count++] = cfg->depends_on;
		f->last_is_implicit = true;
	}
}

/* Sample a START_PENDING for 1-3 s (a tenth of its wait hint): does its checkpoint move? */
static void sample_checkpoint(struct svc *s, struct facts *f)
{
	struct svc_error err;
	struct svc_status later;
	long sample_ms = (long)(f->status.wait_hint_ms / CHECKPOINT_SAMPLE_HINT_DIVISOR);
	sample_ms = sample_ms < CHECKPOINT_SAMPLE_MIN_MS   ? CHECKPOINT_SAMPLE_MIN_MS
	            : sample_ms > CHECKPOINT_SAMPLE_MAX_MS ? CHECKPOINT_SAMPLE_MAX_MS
	                                                   : sample_ms;
	if (svc_wait(s, SVC_RUNNING, sample_ms, &later, &f->checkpoint_moves, &err) == SVC_WAIT_FAILED)
		plugin_exit(STATE_UNKNOWN, "%s", err.text);
	f->checkpoint_moves = f->checkpoint_moves || later.checkpoint != f->status.checkpoint;
	/* It left START_PENDING meanwhile (RUNNING, STOPPED...): report what it is now. */
	if (later.state != SVC_START_PENDING)
		f->status = later;
}

static void gather(struct svc *s, const struct config *cfg, struct facts *f, struct report *r)
{
	struct svc_error err;
	if (!svc_query_status(s, &f->status, &err) || !svc_query_config(s, &f->config, &err))
		plugin_exit(STATE_UNKNOWN, "%s", err.text);
	bool local = cfg->common.hostname == NULL;
	if (f->status.state == SVC_START_PENDING)
		sample_checkpoint(s, f);
	if (local && f->status.pid) {
		f->have_age = svc_process_age(f->status.pid, &f->age, &err);
		if (!f->have_age)
			report_detail(r, "process age unknown: %s", err.text);
	}
	list_dependencies(cfg, f);
	for (unsigned i = 0; i < f->dependency_count; i++)
		if (!svc_query_other(s, f->dependency[i], &f->dependency_state[i], &err))
			plugin_exit(STATE_UNKNOWN, "%s", err.text);
	char why[512];
	if (local && proc_find_by_name(cfg->perfwiz, &f->perfwiz_pid, why, sizeof why) == PROC_ERROR)
		report_detail(r, "Performance Optimizer not looked for: %s", why);
}

static void evaluate_state(const struct config *cfg, const struct facts *f, struct report *r)
{
	const struct svc_status *st = &f->status;
	char age[64] = "an unknown time", why[512];
	if (f->have_age)
		duration_format(f->age, age, sizeof age);
	switch (st->state) {
	case SVC_RUNNING:
		report_summary(r, "%s is running (pid %lu, up %s)", cfg->service, st->pid, age);
		break;
	case SVC_START_PENDING: {
		plugin_state s = f->have_age
		                     ? threshold_state(&cfg->pending_warning, &cfg->pending_critical, f->age)
		                     : STATE_WARNING;
		report_raise(r, s);
		report_summary(r, "%s is START_PENDING for %s, checkpoint %lu %s", cfg->service, age,
		               st->checkpoint, f->checkpoint_moves ? "moving" : "not moving");
		if (s != STATE_OK || !f->checkpoint_moves)
			report_summary(
			    r, "a KM service hanging in its start was most likely started without its "
			       "startup parameter, the KMS password (article Q263718)");
		break;
	}
	case SVC_STOPPED:
		report_raise(r, STATE_CRITICAL);
		svc_describe_exit(st, why, sizeof why);
		report_summary(r, "%s is stopped, last %s", cfg->service, why);
		break;
	default:
		report_raise(r, STATE_WARNING);
		report_summary(r, "%s is %s", cfg->service, svc_state_name(st->state));
		break;
	}
}

static void evaluate_context(const struct config *cfg, const struct facts *f, struct report *r)
{
	if (f->config.start_type == SVC_START_DISABLED) {
		report_raise(r, STATE_WARNING);
		report_summary(r, "its start type is disabled");
	}
	for (unsigned i = 0; i < f->dependency_count; i++) {
		bool implicit = f->last_is_implicit && i + 1 == f->dependency_count;
		if (f->dependency_state[i] == SVC_RUNNING ||
		    (implicit && f->dependency_state[i] == SVC_NOT_INSTALLED))
			continue;
		report_raise(r, STATE_WARNING);
		report_summary(r, "the service it depends on, %s, is %s", f->dependency[i],
		               f->dependency_state[i] == SVC_NOT_INSTALLED
		                   ? "not installed"
		                   : svc_state_name(f->dependency_state[i]));
	}
	if (!f->perfwiz_pid)
		return;
	if (f->status.state == SVC_RUNNING) {
		report_raise(r, STATE_WARNING);
		report_summary(
		    r,
		    "Performance Optimizer (%s, pid %lu) is running: Performance Optimizer will try to "
		    "restart the KM service without its password: stop the KM service first or choose "
		    "'Do not restart these services'",
		    cfg->perfwiz, f->perfwiz_pid);
	} else {
		report_detail(
		    r,
		    "Performance Optimizer (%s, pid %lu) is running: it restarts services without their "
		    "startup parameters",
		    cfg->perfwiz, f->perfwiz_pid);
	}
}

static void add_details(const struct facts *f, int verbose, struct report *r)
{
	const struct svc_config *c = &f->config;
	report_detail(r, "display name: %s", c->display_name);
	report_detail(r, "start type: %s", svc_start_type_name(c->start_type));
	for (unsigned i = 0; i < f->dependency_count; i++)
		report_detail(r, "depends on: %s (%s)", f->dependency[i],
		              svc_state_name(f->dependency_state[i]));
	if (verbose < 1)
		return;
	const struct svc_status *st = &f->status;
	report_detail(r, "state %s, pid %lu, checkpoint %lu, wait hint %lu ms", svc_state_name(st->state),
	              st->pid, st->checkpoint, st->wait_hint_ms);
	report_detail(r, "exit codes: Win32 %lu, service-specific %lu", st->win32_exit_code,
	              st->service_exit_code);
	report_detail(r, "binary: %s", c->binary_path);
}

/* state=N: the service's state, 0 (not installed) to SVC_PAUSED. */
static void add_state_perf(svc_state state, struct report *r)
{
	struct perfdata perf = {
	    .label = "state", .value = state, .uom = "", .has_min = true, .has_max = true, .max = SVC_PAUSED};
	report_perf(r, &perf);
}

static void add_perfdata(const struct config *cfg, const struct facts *f, struct report *r)
{
	bool pending = f->status.state == SVC_START_PENDING && f->have_age;
	bool running = f->status.state == SVC_RUNNING && f->have_age;
	struct perfdata pend = {.label = "pending",
	                        .value = pending ? f->age : 0,
	                        .uom = "s",
	                        .warn = &cfg->pending_warning,
	                        .crit = &cfg->pending_critical,
	                        .has_min = true};
	struct perfdata up = {.label = "uptime", .value = running ? f->age : 0, .uom = "s", .has_min = true};
	add_state_perf(f->status.state, r);
	report_perf(r, &pend);
	report_perf(r, &up);
}

static _Noreturn void report_not_installed(const struct config *cfg, const struct svc_error *err)
{
	struct report r;
	report_init(&r, info.name);
	report_raise(&r, cfg->not_found_state);
	report_summary(&r, "%s is not installed%s%s", cfg->service, cfg->common.hostname ? " on " : "",
	               cfg->common.hostname ? cfg->common.hostname : "");
	report_detail(&r, "%s", err->text);
	add_state_perf(SVC_NOT_INSTALLED, &r);
	report_exit(&r);
}

int main(int argc, char **argv)
{
	struct config cfg;
	parse(argc, argv, &cfg);
	struct svc_error err;
	struct svc *s = svc_open(cfg.common.hostname, cfg.service, false, &err);
	if (!s && err.kind == SVC_FAIL_NOT_FOUND)
		report_not_installed(&cfg, &err);
	if (!s)
		plugin_exit(STATE_UNKNOWN, "%s", err.text);
	struct report r;
	struct facts f;
	memset(&f, 0, sizeof f);
	report_init(&r, info.name);
	gather(s, &cfg, &f, &r);
	svc_close(s);
	evaluate_state(&cfg, &f, &r);
	evaluate_context(&cfg, &f, &r);
	add_details(&f, cfg.common.verbose, &r);
	add_perfdata(&cfg, &f, &r);
	report_exit(&r);
}
