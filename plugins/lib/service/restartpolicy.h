/* restartpolicy: what handle_kms_restart decides, apart from Windows: the
 * skip rules (CRITICAL only; SOFT at one attempt, HARD once per problem), the
 * budget and the episode from the ledger, what to do with the service as it
 * is (RUNNING, a young or hung START_PENDING, a STOP_PENDING judged by its
 * checkpoint, a shared process), the refusals (Performance Optimizer,
 * Kmsdata, Event 5058, the password file, time left), the end of a hung
 * process, the start and its result. Every decision is a struct
 * restart_outcome: the state, the event id recorded (RESTART_EV_*) and the
 * one-line text. The service is reached only through struct restart_service
 * (svc.h behind it on Windows, a fake one in tests/unit/test_restartpolicy.c).
 * Never prints, never exits. */
#ifndef KMS_RESTARTPOLICY_H
#define KMS_RESTARTPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kms.h"
#include "ledger.h"
#include "plugin.h"
#include "proc.h"
#include "secret.h"
#include "svc.h"

/* The handler's event ids (the suite's table; do not renumber). */
enum restart_event_id {
	RESTART_EV_NONE = 0,      /* not recorded: skips and "nothing to do" */
	RESTART_EV_RESTARTED = 1, /* RUNNING after a start with its startup parameter */
	RESTART_EV_REFUSED = 2,   /* Kmsdata unsound, 5058, perfwiz, ... */
	RESTART_EV_FAILED = 3,
	RESTART_EV_ACTION = 4, /* an action about to be taken (hung process ended, ...) */
	RESTART_EV_BUSY = 5,   /* another handler or kms_backup holds the lock */
	RESTART_EV_BUDGET = 6  /* restart budget spent */
};

/* The KM service's "trapped an exception" event id and service-specific
 * exit code (Q190698): Kmsdata is corrupt (kms.h). */
#define RESTART_KMS_EXCEPTION ((unsigned long)KMS_EVENT_TRAPPED_EXCEPTION)

/* Time margins, in milliseconds. */
#define RESTART_REPORT_MARGIN_MS   3000  /* kept from -t to write the report */
#define RESTART_END_PROCESS_MS     10000 /* to end a hung process and see it gone */
#define RESTART_END_SETTLE_MS      3000  /* then, the short wait for the manager's STOPPED */
#define RESTART_WATCH_SLACK_MS     500   /* a watch shorter than its limit by more was cut short */
#define RESTART_STOP_WATCH_MAX_S   600   /* a STOP_PENDING is watched at most this long (s) */
#define RESTART_RECOVERY_WAIT_MS   10000 /* an OK waits at most this for a handler at work */
#define RESTART_RECOVERY_MARGIN_MS 2000  /* ...and leaves this of -t to report */

#define RESTART_TEXT_MAX 2048 /* a path of up to 1 KiB and its sentence */

struct restart_outcome {
	plugin_state state;
	unsigned event_id; /* RESTART_EV_*; RESTART_EV_NONE: not recorded */
	char text[RESTART_TEXT_MAX];
};

/* Fill o; true ("decided"), so a rule can return it. */
bool restart_outcome_set(struct restart_outcome *o, plugin_state state, unsigned event_id, const char *fmt,
                         ...) KMS_PRINTF(4, 5);

/* What the monitoring core reported: $SERVICESTATE$ $SERVICESTATETYPE$ $SERVICEATTEMPT$. */
struct restart_event {
	plugin_state state;
	bool hard;
	long attempt;
};

/* The handler's settings the rules use. */
struct restart_settings {
	const char *service;
	const char *password_file; /* named in the plan's text only */
	long soft_attempt, max_restarts;
	double per, hung_after, start_timeout, event_window; /* seconds */
	bool verbose;
};

/* The service as the policy reaches it. Each call may fail with err. */
struct restart_service {
	void *ctx;
	bool (*query)(void *ctx, struct svc_status *out, struct svc_error *err);
	/* Alone in its own process (only then may the process be ended)? */
	bool (*own_process)(void *ctx, const struct svc_status *st);
	/* Hold the process `pid` open from now on: its age and its end are those
	 * of that very process. Fails when the pid cannot be told (ambiguous). */
	bool (*hold_process)(void *ctx, unsigned long pid, struct svc_error *err);
	bool (*process_age)(void *ctx, double *seconds, struct svc_error *err);
	bool (*end_process)(void *ctx, long timeout_ms, struct svc_error *err);
	void (*release_process)(void *ctx); /* a no-op when none is held */
	/* Start it with its password as the startup parameter (wiped after). */
	bool (*start)(void *ctx, struct svc_error *err);
	/* svc_wait; with `stalled`, svc_wait_progress. */
	enum svc_wait_result (*wait)(void *ctx, svc_state want, long timeout_ms, struct svc_status *last,
	                             bool *moved, bool *stalled, struct svc_error *err);
	long (*remaining_ms)(void *ctx); /* of the program's deadline */
	int64_t (*now)(void *ctx);       /* Unix seconds */
	const char *(*state_name)(svc_state state);
	size_t (*describe_exit)(const struct svc_status *st, char *buf, size_t cap);
};

/* Writes "restore Kmsdata from the offline backup" and the newest set. */
typedef void restart_advice_fn(const void *ctx, char *buf, size_t cap);
struct restart_advice {
	restart_advice_fn *write;
	const void *ctx;
};

/* --- the event and the ledger --- */

/* An OK, SOFT or HARD, is a recovery: the handler notes it in the ledger. */
bool restart_is_recovery(const struct restart_event *ev);
/* Skip unless CRITICAL and SOFT at --soft-attempt, or HARD. */
bool restart_decide_event(const struct restart_settings *s, const struct restart_event *ev,
                          struct restart_outcome *out);
/* Skip a HARD problem already met by a restart; refuse when the budget is spent. */
bool restart_decide_ledger(const struct restart_settings *s, const struct restart_event *ev,
                           const struct ledger *l, int64_t now, struct restart_outcome *out);
/* Since when Event 5058 counts: the later of the last start the handler saw
 * and the last recovery, or --event-window back when neither is known.
 * *since_what names it (", its last successful start", or ""). */
int64_t restart_exception_since(const struct restart_settings *s, const struct ledger *l, int64_t now,
                                const char **since_what);

/* --- the service as it is --- */

struct restart_plan {
	struct svc_status status;
	bool hung;             /* a hung process is held (hold_process): ended before the start */
	bool recheck_database; /* Kmsmdb.edb could not be read: again once the hung process ends */
	char database_error[300];
	char what[RESTART_TEXT_MAX]; /* what it would do, for --dry-run and the log */
};

/* RUNNING: nothing to do; START_PENDING: left alone while its process is
 * younger than --hung-after, else hung; STOP_PENDING: its checkpoint watched
 * for the longer of its wait hint and --hung-after, hung when unmoved;
 * paused: refused; a hung process not its own: refused. */
bool restart_judge_service(const struct restart_service *svc, const struct restart_settings *s,
                           struct restart_plan *p, struct restart_outcome *out);

/* --- the refusals --- */

enum restart_kmsdata {
	RESTART_KMSDATA_SOUND,
	RESTART_KMSDATA_CORRUPT,    /* missing or unsound: why; refused, with the advice */
	RESTART_KMSDATA_UNKNOWN,    /* why is the whole text: cannot tell (UNKNOWN) */
	RESTART_KMSDATA_UNREADABLE, /* Kmsmdb.edb could not be read: why; again after a hung end */
};

struct restart_refusals {
	const char *perfwiz; /* Performance Optimizer's image name */
	enum proc_lookup perfwiz_found;
	unsigned long perfwiz_pid;
	char perfwiz_error[512];
	enum restart_kmsdata kmsdata;
	char kmsdata_why[RESTART_TEXT_MAX];
	bool exception_read; /* the event log was read: exception_count holds */
	unsigned long exception_count;
	char exception_since[32]; /* the time it counts from, as text */
	const char *exception_since_what;
	char exception_error[RESTART_TEXT_MAX];
	enum secret_status password;
	char password_why[RESTART_TEXT_MAX];
	long time_left_ms;
	bool dry_run;
	struct restart_advice advice;
};

/* Performance Optimizer, Kmsdata, Event 5058, the password file, the time
 * left, in that order; then --dry-run says what it would do. Fills p->what. */
bool restart_decide_refusals(const struct restart_settings *s, const struct restart_refusals *r,
                             struct restart_plan *p, struct restart_outcome *out);
/* Kmsmdb.edb read again after the hung process was ended. */
bool restart_decide_recheck(const struct restart_refusals *r, struct restart_outcome *out);

/* --- acting --- */

/* End the held hung process, when the service is still pending with it; then
 * a short, advisory wait for STOPPED. False: go on (note p->what). */
bool restart_end_hung(const struct restart_service *svc, const struct restart_settings *s,
                      struct restart_plan *p, struct restart_outcome *out);

struct restart_start {
	bool start_failed; /* the start call itself: err */
	enum svc_wait_result result;
	struct svc_status last;
	bool moved, stalled;
	double took; /* seconds */
	struct svc_error err;
};

/* Start the service and wait for RUNNING at most --start-timeout, giving up
 * when its checkpoint stalls for its wait hint. */
void restart_start_and_wait(const struct restart_service *svc, const struct restart_settings *s,
                            struct restart_start *r);
/* The outcome of the start; ledger_error: the restart was made but could not
 * be noted (NULL: noted). */
bool restart_report_start(const struct restart_service *svc, const struct restart_settings *s,
                          const struct restart_start *r, const char *ledger_error,
                          const struct restart_advice *advice, struct restart_outcome *out);

#endif
