/* test_restartpolicy: handle_kms_restart's rules (restartpolicy.c) driven
 * through a fake service: the skip rules (CRITICAL only; SOFT at its attempt;
 * HARD at any attempt, Icinga 2's attempt 1 too), the episode and the budget,
 * when Event 5058 counts from, a RUNNING, paused or stopped service, a hung
 * START_PENDING (by its process's age), a STOP_PENDING (by its checkpoint
 * over the longer of its wait hint and --hung-after), a shared or ambiguous
 * process, each refusal in its order, the time left, --dry-run, the end of a
 * hung process and the start's every result. Each outcome's state, event id
 * and text are the handler's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restartpolicy.h"

/* --- the fake service: scripted answers, a fake clock, counts of calls --- */

struct fake {
	struct svc_status status; /* what a query answers ... */
	struct svc_status later;  /* ... and from the second query on, when later_set */
	bool later_set, query_fails, shared, hold_fails, age_fails, end_fails, start_fails;
	double age;
	enum svc_wait_result wait_result;
	struct svc_status wait_last;
	bool wait_moved, wait_stalled;
	long wait_elapse_ms; /* how long a wait takes; -1: its whole timeout */
	long remaining_ms;   /* of the deadline */
	int64_t clock;       /* Unix seconds */
	/* what the policy did */
	int queries, holds, releases, ends, starts, waits;
	unsigned long held_pid;
	long end_timeout_ms, wait_timeout_ms[4];
	svc_state wait_want[4];
	bool wait_progress[4];
};

static struct fake *fake_of(void *ctx)
{
	return ctx;
}

static bool fake_query(void *ctx, struct svc_status *out, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	if (f->query_fails) {
		snprintf(err->text, sizeof err->text, "cannot query service 'MSExchangeKMS': gone (1)");
		return false;
	}
	*out = f->later_set && f->queries > 0 ? f->later : f->status;
	f->queries++;
	return true;
}

static bool fake_own_process(void *ctx, const struct svc_status *st)
{
	(void)st;
	return !fake_of(ctx)->shared;
}

static bool fake_hold_process(void *ctx, unsigned long pid, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	f->holds++;
	f->held_pid = pid;
	if (f->hold_fails)
		snprintf(
		    err->text, sizeof err->text,
		    "no process to open: 2 processes run its image kms.exe: its pid is ambiguous and none is "
		    "ended on a guess");
	return !f->hold_fails;
}

static bool fake_process_age(void *ctx, double *seconds, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	*seconds = f->age;
	if (f->age_fails)
		snprintf(err->text, sizeof err->text, "cannot read the process times (5)");
	return !f->age_fails;
}

static bool fake_end_process(void *ctx, long timeout_ms, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	f->ends++;
	f->end_timeout_ms = timeout_ms;
	if (f->end_fails)
		snprintf(err->text, sizeof err->text, "cannot terminate process 42: Access is denied. (5)");
	return !f->end_fails;
}

static void fake_release_process(void *ctx)
{
	fake_of(ctx)->releases++;
}

static bool fake_start(void *ctx, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	f->starts++;
	if (f->start_fails)
		snprintf(err->text, sizeof err->text,
		         "cannot start service 'MSExchangeKMS': disabled (1058)");
	return !f->start_fails;
}

static enum svc_wait_result fake_wait(void *ctx, svc_state want, long timeout_ms, struct svc_status *last,
                                      bool *moved, bool *stalled, struct svc_error *err)
{
	struct fake *f = fake_of(ctx);
	if (f->waits < 4) {
		f->wait_want[f->waits] = want;
		f->wait_timeout_ms[f->waits] = timeout_ms;
		f->wait_progress[f->waits] = stalled != NULL;
	}
	f->waits++;
	long elapse = f->wait_elapse_ms < 0 ? timeout_ms : f->wait_elapse_ms;
	f->remaining_ms -= elapse;
	f->clock += elapse / 1000;
	*last = f->wait_last;
	*moved = f->wait_moved;
	if (stalled)
		*stalled = f->wait_stalled;
	if (f->wait_result == SVC_WAIT_FAILED)
		snprintf(err->text, sizeof err->text,
		         "cannot query service 'MSExchangeKMS': RPC failed (1726)");
	return f->wait_result;
}

static long fake_remaining_ms(void *ctx)
{
	return fake_of(ctx)->remaining_ms;
}

static int64_t fake_now(void *ctx)
{
	return fake_of(ctx)->clock;
}

static const char *fake_state_name(svc_state state)
{
	static const char *const names[] = {"NOT_INSTALLED", "STOPPED", "START_PENDING",
	                                    "STOP_PENDING",  "RUNNING", "CONTINUE_PENDING",
	                                    "PAUSE_PENDING", "PAUSED"};
	return (unsigned)state < sizeof names / sizeof names[0] ? names[state] : "UNKNOWN_STATE";
}

static size_t fake_describe_exit(const struct svc_status *st, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "service-specific error %lu", st->service_exit_code);
}

static struct fake f;
static struct restart_service svc;
static struct restart_settings cfg;
static struct restart_outcome out;
static struct restart_plan plan;
static struct restart_refusals refusals;
static int advice_calls;

static void advice(const void *ctx, char *buf, size_t cap)
{
	(void)ctx;
	advice_calls++;
	snprintf(buf, cap, "restore Kmsdata from the offline backup: the newest set is 'B'");
}

/* Every test starts from the handler's defaults, a stopped service alone in
 * its process, no refusal, 170 s left. */
static void setup(void)
{
	memset(&f, 0, sizeof f);
	f.status.state = SVC_STOPPED;
	f.status.pid = 0;
	f.wait_elapse_ms = -1;
	f.remaining_ms = 170000;
	f.clock = 1000000;
	svc = (struct restart_service){&f,
	                               fake_query,
	                               fake_own_process,
	                               fake_hold_process,
	                               fake_process_age,
	                               fake_end_process,
	                               fake_release_process,
	                               fake_start,
	                               fake_wait,
	                               fake_remaining_ms,
	                               fake_now,
	                               fake_state_name,
	                               fake_describe_exit};
	cfg = (struct restart_settings){.service = "MSExchangeKMS",
	                                .password_file = "C:\\kms\\Kmspwd.ini",
	                                .soft_attempt = 3,
	                                .max_restarts = 3,
	                                .per = 3600,
	                                .hung_after = 180,
	                                .start_timeout = 120,
	                                .event_window = 86400};
	memset(&out, 0, sizeof out);
	memset(&plan, 0, sizeof plan);
	memset(&refusals, 0, sizeof refusals);
	refusals.perfwiz = "perfwiz.exe";
	refusals.exception_read = true;
	refusals.exception_since_what = "";
	refusals.time_left_ms = 170000;
	refusals.advice = (struct restart_advice){advice, NULL};
	advice_calls = 0;
}

static void outcome_is(plugin_state state, unsigned id, const char *text)
{
	ck_assert_int_eq(out.state, state);
	ck_assert_uint_eq(out.event_id, id);
	ck_assert_str_eq(out.text, text);
}

static void outcome_has(plugin_state state, unsigned id, const char *part)
{
	ck_assert_int_eq(out.state, state);
	ck_assert_uint_eq(out.event_id, id);
	ck_assert_msg(strstr(out.text, part) != NULL, "'%s' not in '%s'", part, out.text);
}

static bool event(plugin_state state, bool hard, long attempt)
{
	struct restart_event ev = {state, hard, attempt};
	return restart_decide_event(&cfg, &ev, &out);
}

/* --- the event --- */

START_TEST(only_critical_restarts)
{
	ck_assert(event(STATE_OK, true, 3));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (OK HARD)");
	ck_assert(event(STATE_WARNING, false, 3));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (WARNING SOFT)");
	ck_assert(event(STATE_UNKNOWN, true, 1));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (UNKNOWN HARD)");
	cfg.verbose = true;
	ck_assert(event(STATE_WARNING, false, 1));
	outcome_is(STATE_OK, RESTART_EV_NONE,
	           "skipped: MSExchangeKMS is WARNING SOFT; only CRITICAL starts a restart");
}
END_TEST

START_TEST(soft_only_at_its_attempt)
{
	ck_assert(event(STATE_CRITICAL, false, 1));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (CRITICAL SOFT attempt 1)");
	ck_assert(event(STATE_CRITICAL, false, 4));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (CRITICAL SOFT attempt 4)");
	cfg.verbose = true;
	ck_assert(event(STATE_CRITICAL, false, 2));
	outcome_is(STATE_OK, RESTART_EV_NONE,
	           "skipped: CRITICAL SOFT attempt 2; the restart is at attempt 3");
	ck_assert(!event(STATE_CRITICAL, false, 3));
	cfg.soft_attempt = 2;
	ck_assert(!event(STATE_CRITICAL, false, 2));
	ck_assert(event(STATE_CRITICAL, false, 3));
}
END_TEST

START_TEST(hard_at_any_attempt)
{
	ck_assert(!event(STATE_CRITICAL, true, 4)); /* Nagios: HARD at max_check_attempts */
	ck_assert(!event(STATE_CRITICAL, true, 1)); /* Icinga 2: HARD counts from 1 again */
}
END_TEST

START_TEST(ok_is_a_recovery)
{
	struct restart_event ok_soft = {STATE_OK, false, 1}, ok_hard = {STATE_OK, true, 1},
	                     crit = {STATE_CRITICAL, true, 1}, warn = {STATE_WARNING, true, 1};
	ck_assert(restart_is_recovery(&ok_soft));
	ck_assert(restart_is_recovery(&ok_hard));
	ck_assert(!restart_is_recovery(&crit));
	ck_assert(!restart_is_recovery(&warn));
}
END_TEST

/* --- the ledger --- */

static bool ledger_rule(const struct ledger *l, bool hard)
{
	struct restart_event ev = {STATE_CRITICAL, hard, hard ? 1 : 3};
	return restart_decide_ledger(&cfg, &ev, l, f.clock, &out);
}

START_TEST(hard_once_per_episode)
{
	struct ledger l = {0};
	ck_assert(!ledger_rule(&l, true));
	ledger_add(&l, LEDGER_RESTART, f.clock - 600, true); /* the SOFT restart of this problem */
	ck_assert(ledger_rule(&l, true));
	outcome_is(STATE_OK, RESTART_EV_NONE, "skipped (CRITICAL HARD after a restart)");
	cfg.verbose = true;
	ck_assert(ledger_rule(&l, true));
	outcome_is(STATE_OK, RESTART_EV_NONE,
	           "skipped: CRITICAL HARD, but this problem was already met by a restart (within 1h)");
	ck_assert(!ledger_rule(&l, false)); /* SOFT: counted by the budget only */
	ledger_add(&l, LEDGER_RECOVERED, f.clock - 300, false);
	ck_assert(!ledger_rule(&l, true)); /* a new problem */
	struct ledger old = {0};
	ledger_add(&old, LEDGER_RESTART, f.clock - 3601, true); /* outside --per */
	ck_assert(!ledger_rule(&old, true));
}
END_TEST

START_TEST(budget_spent)
{
	struct ledger l = {0};
	cfg.max_restarts = 2;
	ledger_add(&l, LEDGER_RESTART, f.clock - 7200, true); /* older than --per: not counted */
	ledger_add(&l, LEDGER_RESTART, f.clock - 100, true);
	ck_assert(!ledger_rule(&l, false));
	ledger_add(&l, LEDGER_RESTART, f.clock - 50, true);
	ck_assert(ledger_rule(&l, false));
	outcome_is(STATE_WARNING, RESTART_EV_BUDGET,
	           "restart budget spent: 2 restarts of MSExchangeKMS in the last 1h (--max-restarts 2): "
	           "doing nothing");
	cfg.max_restarts = 1;
	struct ledger one = {0};
	ledger_add(&one, LEDGER_RESTART, f.clock - 10, true);
	ck_assert(ledger_rule(&one, false));
	outcome_has(STATE_WARNING, RESTART_EV_BUDGET,
	            ": 1 restart of MSExchangeKMS in the last 1h (--max-restarts 1)");
	cfg.max_restarts = 0;
	struct ledger none = {0};
	ck_assert(ledger_rule(&none, false));
	outcome_has(STATE_WARNING, RESTART_EV_BUDGET, "0 restarts");
}
END_TEST

START_TEST(exception_counts_since_the_later_start_or_recovery)
{
	struct ledger l = {0};
	const char *what;
	ck_assert_int_eq(restart_exception_since(&cfg, &l, f.clock, &what), f.clock - 86400);
	ck_assert_str_eq(what, "");
	ledger_add(&l, LEDGER_STARTED, f.clock - 500, false);
	ck_assert_int_eq(restart_exception_since(&cfg, &l, f.clock, &what), f.clock - 500);
	ck_assert_str_eq(what, ", its last successful start");
	ledger_add(&l, LEDGER_RECOVERED, f.clock - 200, false);
	ck_assert_int_eq(restart_exception_since(&cfg, &l, f.clock, &what), f.clock - 200);
	ck_assert_str_eq(what, ", when the service was last seen OK");
	ledger_add(&l, LEDGER_STARTED, f.clock - 100, false);
	ck_assert_int_eq(restart_exception_since(&cfg, &l, f.clock, &what), f.clock - 100);
	ck_assert_str_eq(what, ", its last successful start");
	struct ledger recovered_only = {0};
	ledger_add(&recovered_only, LEDGER_RECOVERED, f.clock - 900, false);
	ck_assert_int_eq(restart_exception_since(&cfg, &recovered_only, f.clock, &what), f.clock - 900);
	ck_assert_str_eq(what, ", when the service was last seen OK");
}
END_TEST

/* --- the service as it is --- */

static bool judge(void)
{
	return restart_judge_service(&svc, &cfg, &plan, &out);
}

START_TEST(running_stopped_paused)
{
	f.status.state = SVC_RUNNING;
	f.status.pid = 42;
	ck_assert(judge());
	outcome_is(STATE_OK, RESTART_EV_NONE, "MSExchangeKMS is RUNNING (pid 42): nothing to do");
	f.status.state = SVC_PAUSED;
	ck_assert(judge());
	outcome_is(STATE_WARNING, RESTART_EV_REFUSED,
	           "MSExchangeKMS is PAUSED: not restarting a paused service");
	f.status.state = SVC_STOPPED;
	ck_assert(!judge());
	ck_assert(!plan.hung);
	ck_assert_int_eq(f.holds, 0);
	f.query_fails = true;
	ck_assert(judge());
	outcome_is(STATE_UNKNOWN, RESTART_EV_FAILED, "cannot query service 'MSExchangeKMS': gone (1)");
}
END_TEST

START_TEST(start_pending_by_its_age)
{
	f.status.state = SVC_START_PENDING;
	f.status.pid = 42;
	f.age = 179;
	ck_assert(judge());
	outcome_is(STATE_WARNING, RESTART_EV_REFUSED,
	           "MSExchangeKMS is START_PENDING for 2m 59s, less than --hung-after 3m: left alone");
	ck_assert_int_eq(f.held_pid, 42);
	ck_assert_int_eq(f.releases, 1);
	f.age = 180; /* as old as --hung-after: hung */
	ck_assert(!judge());
	ck_assert(plan.hung);
	ck_assert_str_eq(plan.what, "end its hung process (pid 42, START_PENDING for 3m), then ");
	ck_assert_int_eq(f.releases, 1); /* held, to be ended */
	ck_assert_int_eq(f.waits, 0);
}
END_TEST

START_TEST(start_pending_ambiguous_or_shared)
{
	f.status.state = SVC_START_PENDING;
	f.status.pid = 42;
	f.age = 1000;
	f.hold_fails = true;
	ck_assert(judge());
	outcome_is(STATE_UNKNOWN, RESTART_EV_FAILED,
	           "MSExchangeKMS is START_PENDING: no process to open: 2 processes run its image kms.exe: "
	           "its pid is "
	           "ambiguous and none is ended on a guess");
	ck_assert(!plan.hung);
	f.hold_fails = false;
	f.age_fails = true;
	ck_assert(judge());
	outcome_is(STATE_UNKNOWN, RESTART_EV_FAILED,
	           "MSExchangeKMS is START_PENDING: cannot read the process times (5)");
	f.age_fails = false;
	f.shared = true;
	f.status.service_type = 0x20;
	ck_assert(judge());
	outcome_is(STATE_CRITICAL, RESTART_EV_REFUSED,
	           "refused: MSExchangeKMS is hung in START_PENDING, but its process (pid 42) is not its own "
	           "(service "
	           "type 0x20, flags 0x0): ending it would end other services too: end it by hand");
	ck_assert(!plan.hung);
	ck_assert_int_eq(f.releases, 3);
}
END_TEST

static void stop_pending(unsigned long checkpoint, unsigned long wait_hint_ms)
{
	f.status.state = SVC_STOP_PENDING;
	f.status.pid = 42;
	f.status.checkpoint = checkpoint;
	f.status.wait_hint_ms = wait_hint_ms;
	f.wait_result = SVC_WAIT_TIMED_OUT;
	f.wait_last = f.status;
	f.remaining_ms = 1000000;
}

START_TEST(stop_pending_watched_for_the_longer_of_hint_and_hung_after)
{
	stop_pending(7, 10000); /* hint 10 s < --hung-after 3m */
	ck_assert(!judge());
	ck_assert_int_eq(f.wait_want[0], SVC_STOPPED);
	ck_assert_int_eq(f.wait_timeout_ms[0], 180000);
	ck_assert(!f.wait_progress[0]);
	ck_assert(plan.hung);
	ck_assert_str_eq(plan.what,
	                 "end its hung process (pid 42, STOP_PENDING, checkpoint 7 unmoved for 3m), then ");
	setup();
	stop_pending(7, 300000); /* hint 5m > --hung-after */
	ck_assert(!judge());
	ck_assert_int_eq(f.wait_timeout_ms[0], 300000);
	ck_assert_str_eq(plan.what,
	                 "end its hung process (pid 42, STOP_PENDING, checkpoint 7 unmoved for 5m), then ");
	setup();
	stop_pending(7, 3600000); /* an hour's hint: the watch is bounded */
	ck_assert(!judge());
	ck_assert_int_eq(f.wait_timeout_ms[0], RESTART_STOP_WATCH_MAX_S * 1000L);
}
END_TEST

START_TEST(stop_pending_checkpoint_moving)
{
	stop_pending(7, 0);
	f.wait_moved = true;
	ck_assert(judge());
	outcome_is(STATE_WARNING, RESTART_EV_REFUSED,
	           "MSExchangeKMS is STOP_PENDING and its checkpoint moves (now 7): left alone");
	ck_assert(!plan.hung);
	ck_assert_int_eq(f.releases, 1);
	setup();
	stop_pending(7, 0);
	f.wait_last.checkpoint = 9; /* moved between the samples */
	ck_assert(judge());
	outcome_is(STATE_WARNING, RESTART_EV_REFUSED,
	           "MSExchangeKMS is STOP_PENDING and its checkpoint moves (now 9): left alone");
	setup();
	stop_pending(7, 0);
	f.wait_last.pid = 43; /* another process */
	ck_assert(judge());
	outcome_has(STATE_WARNING, RESTART_EV_REFUSED, "its checkpoint moves");
}
END_TEST

START_TEST(stop_pending_watch_cut_short_or_ended)
{
	stop_pending(7, 0);
	f.wait_elapse_ms = 180000 - RESTART_WATCH_SLACK_MS - 1;
	ck_assert(judge());
	outcome_is(
	    STATE_WARNING, RESTART_EV_REFUSED,
	    "MSExchangeKMS is STOP_PENDING, its checkpoint 7 unmoved, but watched less than 3m: left alone");
	setup();
	stop_pending(7, 0);
	f.wait_elapse_ms = 180000 - RESTART_WATCH_SLACK_MS; /* within the slack: a whole watch */
	ck_assert(!judge());
	ck_assert(plan.hung);
	setup();
	stop_pending(7, 0);
	f.wait_result = SVC_WAIT_REACHED; /* it stopped by itself: just start it */
	f.wait_last.state = SVC_STOPPED;
	f.wait_last.pid = 0;
	ck_assert(!judge());
	ck_assert(!plan.hung);
	ck_assert_int_eq(plan.status.state, SVC_STOPPED);
	ck_assert_int_eq(f.releases, 1);
	setup();
	stop_pending(7, 0);
	f.wait_result = SVC_WAIT_FAILED;
	ck_assert(judge());
	outcome_is(STATE_UNKNOWN, RESTART_EV_FAILED,
	           "cannot query service 'MSExchangeKMS': RPC failed (1726)");
	setup();
	stop_pending(7, 0);
	f.shared = true;
	ck_assert(judge());
	outcome_has(STATE_CRITICAL, RESTART_EV_REFUSED,
	            "refused: MSExchangeKMS is hung in STOP_PENDING, but its process");
	setup();
	stop_pending(7, 0);
	f.hold_fails = true;
	ck_assert(judge());
	outcome_has(STATE_UNKNOWN, RESTART_EV_FAILED, "MSExchangeKMS is STOP_PENDING: no process to open");
	ck_assert_int_eq(f.waits, 0);
}
END_TEST

START_TEST(stop_pending_without_time_for_the_watch)
{
	stop_pending(7, 0);
	/* the watch (3m), the start (2m) and the report's margin: one ms short */
	f.remaining_ms = 180000 + 120000 + RESTART_REPORT_MARGIN_MS - 1;
	ck_assert(judge());
	outcome_is(
	    STATE_WARNING, RESTART_EV_REFUSED,
	    "MSExchangeKMS is STOP_PENDING: watching its checkpoint for 3m (the longer of its wait hint and "
	    "--hung-after) leaves no time for the start within -t: left alone (raise -t or lower "
	    "--hung-after)");
	ck_assert_int_eq(f.holds, 0);
	ck_assert_int_eq(f.waits, 0);
	f.remaining_ms++;
	ck_assert(!judge());
}
END_TEST

/* --- the refusals --- */

static bool refuse(void)
{
	return restart_decide_refusals(&cfg, &refusals, &plan, &out);
}

START_TEST(perfwiz_refuses)
{
	refusals.perfwiz_found = PROC_FOUND;
	refusals.perfwiz_pid = 77;
	refusals.kmsdata = RESTART_KMSDATA_CORRUPT; /* perfwiz comes first */
	ck_assert(refuse());
	outcome_is(STATE_CRITICAL, RESTART_EV_REFUSED,
	           "refused: Performance Optimizer (perfwiz.exe, pid 77) is running and restarts services "
	           "without their "
	           "startup parameters: let it finish first");
	refusals.perfwiz_found = PROC_ERROR;
	snprintf(refusals.perfwiz_error, sizeof refusals.perfwiz_error, "no process list (5)");
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED,
	           "cannot tell whether Performance Optimizer runs: no process list (5)");
}
END_TEST

START_TEST(unsound_kmsdata_refuses)
{
	refusals.kmsdata = RESTART_KMSDATA_CORRUPT;
	snprintf(refusals.kmsdata_why, sizeof refusals.kmsdata_why, "'K\\Kmsmdb.edb' is missing");
	refusals.exception_read = false; /* Kmsdata comes before the event log */
	ck_assert(refuse());
	outcome_is(
	    STATE_CRITICAL, RESTART_EV_REFUSED,
	    "refused: 'K\\Kmsmdb.edb' is missing: restarting over a corrupt Kmsdata only traps the exception "
	    "again: restore Kmsdata from the offline backup: the newest set is 'B'");
	ck_assert_int_eq(advice_calls, 1);
	refusals.kmsdata = RESTART_KMSDATA_UNKNOWN;
	snprintf(refusals.kmsdata_why, sizeof refusals.kmsdata_why, "--kmsdata: no Kmsdata folder 'K'");
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED, "--kmsdata: no Kmsdata folder 'K'");
	refusals.kmsdata = RESTART_KMSDATA_UNREADABLE;
	snprintf(refusals.kmsdata_why, sizeof refusals.kmsdata_why, "cannot read 'K\\Kmsmdb.edb' (32)");
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED,
	           "cannot tell whether Kmsdata is sound: cannot read 'K\\Kmsmdb.edb' (32): not restarting");
	ck_assert_int_eq(advice_calls, 1);
}
END_TEST

START_TEST(unreadable_database_beside_a_hung_process)
{
	plan.hung = true;
	snprintf(plan.what, sizeof plan.what, "end its hung process (pid 42, START_PENDING for 5m), then ");
	refusals.kmsdata = RESTART_KMSDATA_UNREADABLE;
	snprintf(refusals.kmsdata_why, sizeof refusals.kmsdata_why, "in use (32)");
	refusals.dry_run = true;
	ck_assert(refuse());
	ck_assert(plan.recheck_database);
	outcome_is(
	    STATE_OK, RESTART_EV_ACTION,
	    "dry run: every check passed; it would end its hung process (pid 42, START_PENDING for 5m), then "
	    "read "
	    "Kmsmdb.edb again (now: in use (32)), then start MSExchangeKMS with its startup parameter from "
	    "'C:\\kms\\Kmspwd.ini'");
	ck_assert(restart_decide_recheck(&refusals, &out)); /* still unreadable once it was ended */
	outcome_is(
	    STATE_UNKNOWN, RESTART_EV_REFUSED,
	    "cannot tell whether Kmsdata is sound: in use (32): not restarting (its hung process was ended)");
	refusals.kmsdata = RESTART_KMSDATA_SOUND;
	ck_assert(!restart_decide_recheck(&refusals, &out));
	refusals.kmsdata = RESTART_KMSDATA_CORRUPT;
	ck_assert(restart_decide_recheck(&refusals, &out));
	outcome_has(STATE_CRITICAL, RESTART_EV_REFUSED, "restore Kmsdata from the offline backup");
}
END_TEST

START_TEST(exception_event_refuses)
{
	refusals.exception_count = 2;
	snprintf(refusals.exception_since, sizeof refusals.exception_since, "20261120T000000Z");
	refusals.exception_since_what = ", its last successful start";
	refusals.password = SECRET_TOO_OPEN; /* the event log comes before the password file */
	ck_assert(refuse());
	outcome_is(
	    STATE_CRITICAL, RESTART_EV_REFUSED,
	    "refused: Event 5058 (the KM service trapped an exception) was logged 2 times since "
	    "20261120T000000Z, "
	    "its last successful start: restarting over a corrupt Kmsdata only traps the exception again: "
	    "restore Kmsdata from the offline backup: the newest set is 'B'");
	refusals.exception_count = 1;
	ck_assert(refuse());
	outcome_has(STATE_CRITICAL, RESTART_EV_REFUSED, "was logged 1 time since");
	refusals.exception_read = false;
	snprintf(refusals.exception_error, sizeof refusals.exception_error, "cannot open 'x.evt'");
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED, "cannot look for Event 5058: cannot open 'x.evt'");
}
END_TEST

START_TEST(password_file_refuses)
{
	refusals.password = SECRET_TOO_OPEN;
	snprintf(refusals.password_why, sizeof refusals.password_why, "'pw' is readable by Everyone");
	refusals.time_left_ms = 0; /* the password file comes before the time */
	ck_assert(refuse());
	outcome_is(STATE_CRITICAL, RESTART_EV_REFUSED,
	           "refused: --password-file: 'pw' is readable by Everyone");
	refusals.password = SECRET_MISSING;
	snprintf(refusals.password_why, sizeof refusals.password_why, "cannot open 'pw'");
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED, "--password-file: cannot open 'pw'");
}
END_TEST

START_TEST(not_enough_time_left)
{
	refusals.time_left_ms = 120000 + RESTART_REPORT_MARGIN_MS - 1;
	ck_assert(refuse());
	outcome_is(STATE_UNKNOWN, RESTART_EV_REFUSED,
	           "refused: not enough time left: waiting for RUNNING takes up to 2m (--start-timeout), -t "
	           "leaves 2m 2s: "
	           "raise -t or lower --start-timeout");
	refusals.time_left_ms++;
	memset(&plan, 0, sizeof plan);
	ck_assert(!refuse());
	plan.hung = true; /* ending a hung process takes its time too */
	plan.what[0] = '\0';
	ck_assert(refuse());
	outcome_has(STATE_UNKNOWN, RESTART_EV_REFUSED,
	            "(--start-timeout) after ending the hung process, -t leaves");
	refusals.time_left_ms += RESTART_END_PROCESS_MS + RESTART_END_SETTLE_MS;
	plan.what[0] = '\0';
	ck_assert(!refuse());
}
END_TEST

START_TEST(dry_run_says_what_it_would_do)
{
	refusals.dry_run = true;
	ck_assert(refuse());
	outcome_is(
	    STATE_OK, RESTART_EV_ACTION,
	    "dry run: every check passed; it would start MSExchangeKMS with its startup parameter from "
	    "'C:\\kms\\Kmspwd.ini'");
	refusals.dry_run = false;
	plan.what[0] = '\0';
	ck_assert(!refuse());
	ck_assert_str_eq(plan.what,
	                 "start MSExchangeKMS with its startup parameter from 'C:\\kms\\Kmspwd.ini'");
}
END_TEST

/* --- acting --- */

static void hung_start_pending(void)
{
	f.status.state = SVC_START_PENDING;
	f.status.pid = 42;
	f.age = 600;
	ck_assert(!judge());
	ck_assert(plan.hung);
}

START_TEST(end_hung_only_when_unchanged)
{
	hung_start_pending();
	ck_assert(!restart_end_hung(&svc, &cfg, &plan, &out));
	ck_assert_int_eq(f.ends, 1);
	ck_assert_int_eq(f.end_timeout_ms, RESTART_END_PROCESS_MS);
	ck_assert_int_eq(f.releases, 1);
	ck_assert(!plan.hung);
	ck_assert_int_eq(f.wait_want[0], SVC_STOPPED); /* the short, advisory wait */
	ck_assert_int_eq(f.wait_timeout_ms[0], RESTART_END_SETTLE_MS);
	setup();
	hung_start_pending();
	f.later = f.status;
	f.later.state = SVC_RUNNING;
	f.later_set = true;
	ck_assert(restart_end_hung(&svc, &cfg, &plan, &out));
	outcome_is(STATE_OK, RESTART_EV_ACTION,
	           "MSExchangeKMS reached RUNNING (pid 42) meanwhile: nothing ended, nothing to do");
	ck_assert_int_eq(f.ends, 0);
	setup();
	hung_start_pending();
	f.later = f.status;
	f.later.pid = 43;
	f.later_set = true;
	ck_assert(restart_end_hung(&svc, &cfg, &plan, &out));
	outcome_is(
	    STATE_WARNING, RESTART_EV_REFUSED,
	    "MSExchangeKMS went from START_PENDING (pid 42) to START_PENDING (pid 43) meanwhile: left alone");
	ck_assert_int_eq(f.ends, 0);
	setup();
	hung_start_pending();
	f.end_fails = true;
	ck_assert(restart_end_hung(&svc, &cfg, &plan, &out));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "cannot end the hung MSExchangeKMS: cannot terminate process 42: Access is denied. (5)");
}
END_TEST

static bool start_and_report(const char *ledger_error)
{
	struct restart_start r;
	restart_start_and_wait(&svc, &cfg, &r);
	return restart_report_start(&svc, &cfg, &r, ledger_error, &refusals.advice, &out);
}

START_TEST(start_reaches_running)
{
	f.wait_result = SVC_WAIT_REACHED;
	f.wait_last.state = SVC_RUNNING;
	f.wait_last.pid = 77;
	f.wait_elapse_ms = 5000;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_OK, RESTART_EV_RESTARTED,
	           "restarted MSExchangeKMS with its startup parameter: RUNNING (pid 77) after 5s");
	ck_assert_int_eq(f.starts, 1);
	ck_assert_int_eq(f.wait_want[0], SVC_RUNNING);
	ck_assert_int_eq(f.wait_timeout_ms[0], 120000);
	ck_assert(f.wait_progress[0]); /* gives up when the checkpoint stalls */
	ck_assert(start_and_report("cannot write 'L'"));
	outcome_is(STATE_WARNING, RESTART_EV_RESTARTED,
	           "restarted MSExchangeKMS with its startup parameter: RUNNING (pid 77) after 5s, but "
	           "cannot note it: "
	           "cannot write 'L'");
}
END_TEST

START_TEST(start_fails)
{
	f.start_fails = true;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "restart failed: cannot start service 'MSExchangeKMS': disabled (1058)");
	ck_assert_int_eq(f.waits, 0);
	f.start_fails = false;
	f.wait_result = SVC_WAIT_FAILED;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "restart failed: cannot query service 'MSExchangeKMS': RPC failed (1726)");
}
END_TEST

START_TEST(start_stops_with_its_code)
{
	f.wait_result = SVC_WAIT_STOPPED;
	f.wait_last.state = SVC_STOPPED;
	f.wait_last.win32_exit_code = SVC_SERVICE_SPECIFIC_ERROR;
	f.wait_last.service_exit_code = 5057;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "restart failed: MSExchangeKMS stopped during its start, service-specific error 5057");
	ck_assert_int_eq(advice_calls, 0);
	f.wait_last.service_exit_code = RESTART_KMS_EXCEPTION;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "restart failed: MSExchangeKMS stopped during its start, service-specific error 5058: "
	           "restore Kmsdata "
	           "from the offline backup: the newest set is 'B'");
	ck_assert_int_eq(advice_calls, 1);
}
END_TEST

START_TEST(start_hangs)
{
	f.wait_result = SVC_WAIT_TIMED_OUT;
	f.wait_last.state = SVC_START_PENDING;
	f.wait_last.checkpoint = 1;
	f.wait_last.wait_hint_ms = 500;
	f.wait_elapse_ms = 3000;
	f.wait_stalled = true;
	ck_assert(start_and_report(NULL));
	outcome_is(STATE_CRITICAL, RESTART_EV_FAILED,
	           "restart failed: MSExchangeKMS is still START_PENDING after 3s, its checkpoint 1 unmoved "
	           "for its wait "
	           "hint (1s): it hangs in its start");
	f.wait_stalled = false;
	f.wait_elapse_ms = -1; /* the whole --start-timeout */
	ck_assert(start_and_report(NULL));
	outcome_is(
	    STATE_CRITICAL, RESTART_EV_FAILED,
	    "restart failed: MSExchangeKMS is still START_PENDING after 2m (checkpoint 1, not moving)");
	f.wait_moved = true;
	ck_assert(start_and_report(NULL));
	outcome_has(STATE_CRITICAL, RESTART_EV_FAILED, "(checkpoint 1, moving)");
}
END_TEST

/* A test case of the suite, each test from the handler's defaults (setup). */
static TCase *test_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, NULL);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *restartpolicy_suite(void)
{
	Suite *s = suite_create("restartpolicy");
	TCase *rules = test_case(s, "event and ledger");
	tcase_add_test(rules, only_critical_restarts);
	tcase_add_test(rules, soft_only_at_its_attempt);
	tcase_add_test(rules, hard_at_any_attempt);
	tcase_add_test(rules, ok_is_a_recovery);
	tcase_add_test(rules, hard_once_per_episode);
	tcase_add_test(rules, budget_spent);
	tcase_add_test(rules, exception_counts_since_the_later_start_or_recovery);
	TCase *service = test_case(s, "the service as it is");
	tcase_add_test(service, running_stopped_paused);
	tcase_add_test(service, start_pending_by_its_age);
	tcase_add_test(service, start_pending_ambiguous_or_shared);
	tcase_add_test(service, stop_pending_watched_for_the_longer_of_hint_and_hung_after);
	tcase_add_test(service, stop_pending_checkpoint_moving);
	tcase_add_test(service, stop_pending_watch_cut_short_or_ended);
	tcase_add_test(service, stop_pending_without_time_for_the_watch);
	TCase *refusing = test_case(s, "refusals");
	tcase_add_test(refusing, perfwiz_refuses);
	tcase_add_test(refusing, unsound_kmsdata_refuses);
	tcase_add_test(refusing, unreadable_database_beside_a_hung_process);
	tcase_add_test(refusing, exception_event_refuses);
	tcase_add_test(refusing, password_file_refuses);
	tcase_add_test(refusing, not_enough_time_left);
	tcase_add_test(refusing, dry_run_says_what_it_would_do);
	TCase *acting = test_case(s, "acting");
	tcase_add_test(acting, end_hung_only_when_unchanged);
	tcase_add_test(acting, start_reaches_running);
	tcase_add_test(acting, start_fails);
	tcase_add_test(acting, start_stops_with_its_code);
	tcase_add_test(acting, start_hangs);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(restartpolicy_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
