/* restartpolicy: handle_kms_restart's rules, over struct restart_service (see
 * restartpolicy.h). Every text here is one the handler prints and the Wine
 * scenarios (tests/wine/t_service_restart.sh) check. */
#include "restartpolicy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "range.h"

bool restart_outcome_set(struct restart_outcome *o, plugin_state state, unsigned event_id, const char *fmt,
                         ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
	o->state = state;
	o->event_id = event_id;
	return true;
}

/* --- the event and the ledger --- */

bool restart_is_recovery(const struct restart_event *ev)
{
	return ev->state == STATE_OK;
}

bool restart_decide_event(const struct restart_settings *s, const struct restart_event *ev,
                          struct restart_outcome *out)
{
	const char *type = ev->hard ? "HARD" : "SOFT";
	if (ev->state != STATE_CRITICAL) {
		if (s->verbose)
			return restart_outcome_set(out, STATE_OK, RESTART_EV_NONE,
			                           "skipped: %s is %s %s; only CRITICAL starts a restart",
			                           s->service, state_name(ev->state), type);
		return restart_outcome_set(out, STATE_OK, RESTART_EV_NONE, "skipped (%s %s)",
		                           state_name(ev->state), type);
	}
	if (!ev->hard && ev->attempt != s->soft_attempt) {
		if (s->verbose)
			return restart_outcome_set(
			    out, STATE_OK, RESTART_EV_NONE,
			    "skipped: CRITICAL SOFT attempt %ld; the restart is at attempt %ld", ev->attempt,
			    s->soft_attempt);
		return restart_outcome_set(out, STATE_OK, RESTART_EV_NONE,
		                           "skipped (CRITICAL SOFT attempt %ld)", ev->attempt);
	}
	return false;
}

bool restart_decide_ledger(const struct restart_settings *s, const struct restart_event *ev,
                           const struct ledger *l, int64_t now, struct restart_outcome *out)
{
	char per[64];
	duration_format(s->per, per, sizeof per);
	int64_t since = now - (int64_t)s->per;
	if (ev->hard && ledger_restarted_this_episode(l, since)) {
		if (s->verbose)
			return restart_outcome_set(
			    out, STATE_OK, RESTART_EV_NONE,
			    "skipped: CRITICAL HARD, but this problem was already met by a "
			    "restart (within %s)",
			    per);
		return restart_outcome_set(out, STATE_OK, RESTART_EV_NONE,
		                           "skipped (CRITICAL HARD after a restart)");
	}
	unsigned used = ledger_restarts_since(l, since);
	if (used >= (unsigned long)s->max_restarts)
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_BUDGET,
		    "restart budget spent: %u restart%s of %s in the last %s (--max-restarts "
		    "%ld): doing nothing",
		    used, used == 1 ? "" : "s", s->service, per, s->max_restarts);
	return false;
}

int64_t restart_exception_since(const struct restart_settings *s, const struct ledger *l, int64_t now,
                                const char **since_what)
{
	/* Since the service last ran: the handler saw it start, or the core saw
	 * it OK again (a repair and start by hand), whichever is later. */
	int64_t since = 0, recovered = 0;
	bool started_known = ledger_last(l, LEDGER_STARTED, &since);
	bool recovered_known = ledger_last(l, LEDGER_RECOVERED, &recovered);
	*since_what = started_known ? ", its last successful start" : "";
	if (recovered_known && (!started_known || recovered > since)) {
		since = recovered;
		*since_what = ", when the service was last seen OK";
	}
	if (!started_known && !recovered_known)
		since = now - (int64_t)s->event_window;
	return since;
}

/* --- the service as it is --- */

static long to_ms(double seconds)
{
	return (long)(seconds * 1000);
}

/* Only a service alone in its own process may have that process ended. */
static bool refuse_shared_process(const struct restart_service *svc, const struct restart_settings *s,
                                  const struct svc_status *st, struct restart_outcome *out)
{
	if (svc->own_process(svc->ctx, st))
		return false;
	svc->release_process(svc->ctx);
	return restart_outcome_set(
	    out, STATE_CRITICAL, RESTART_EV_REFUSED,
	    "refused: %s is hung in %s, but its process (pid %lu) is not its own (service "
	    "type 0x%lx, flags 0x%lx): ending it would end other services too: end it by "
	    "hand",
	    s->service, svc->state_name(st->state), st->pid, st->service_type, st->service_flags);
}

/* A watch of `limit` seconds, then the start: does -t leave time for both? */
static bool stop_watch_fits(const struct restart_service *svc, const struct restart_settings *s, double limit)
{
	return svc->remaining_ms(svc->ctx) - to_ms(limit) - to_ms(s->start_timeout) -
	           RESTART_REPORT_MARGIN_MS >=
	       0;
}

/* What the watch of an unmoved STOP_PENDING saw; false: go on. */
static bool judge_stop_watch(const struct restart_service *svc, const struct restart_settings *s,
                             const struct restart_plan *p, const struct svc_status *last, bool moved,
                             long watched, double limit, struct restart_outcome *out)
{
	char limit_text[64];
	duration_format(limit, limit_text, sizeof limit_text);
	if (moved || last->checkpoint != p->status.checkpoint || last->pid != p->status.pid) {
		svc->release_process(svc->ctx);
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_REFUSED,
		    "%s is STOP_PENDING and its checkpoint moves (now %lu): left alone", s->service,
		    last->checkpoint);
	}
	if (watched < to_ms(limit) - RESTART_WATCH_SLACK_MS) {
		svc->release_process(svc->ctx);
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_REFUSED,
		    "%s is STOP_PENDING, its checkpoint %lu unmoved, but watched less than %s: "
		    "left alone",
		    s->service, last->checkpoint, limit_text);
	}
	return false;
}

/* A STOP_PENDING says nothing by its process's age (that is the uptime):
 * watch its checkpoint for the longer of its wait hint and --hung-after; it
 * is hung only when the checkpoint did not move all that time. */
static bool watch_stop_pending(const struct restart_service *svc, const struct restart_settings *s,
                               struct restart_plan *p, struct restart_outcome *out)
{
	struct svc_error err;
	char limit_text[64];
	double hint = p->status.wait_hint_ms / 1000.0;
	double limit = hint > s->hung_after ? hint : s->hung_after;
	limit = limit > RESTART_STOP_WATCH_MAX_S ? RESTART_STOP_WATCH_MAX_S : limit;
	duration_format(limit, limit_text, sizeof limit_text);
	if (!stop_watch_fits(svc, s, limit))
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_REFUSED,
		    "%s is STOP_PENDING: watching its checkpoint for %s (the longer of its "
		    "wait hint and --hung-after) leaves no time for the start within -t: left "
		    "alone (raise -t or lower --hung-after)",
		    s->service, limit_text);
	if (!svc->hold_process(svc->ctx, p->status.pid, &err))
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s is STOP_PENDING: %s",
		                           s->service, err.text);
	struct svc_status last;
	bool moved;
	long before = svc->remaining_ms(svc->ctx);
	enum svc_wait_result r = svc->wait(svc->ctx, SVC_STOPPED, to_ms(limit), &last, &moved, NULL, &err);
	long watched = before - svc->remaining_ms(svc->ctx);
	if (r == SVC_WAIT_FAILED) {
		svc->release_process(svc->ctx);
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err.text);
	}
	if (r == SVC_WAIT_REACHED || r == SVC_WAIT_STOPPED) {
		svc->release_process(svc->ctx); /* it stopped by itself: just start it */
		p->status = last;
		return false;
	}
	if (judge_stop_watch(svc, s, p, &last, moved, watched, limit, out))
		return true;
	p->status = last;
	if (refuse_shared_process(svc, s, &last, out))
		return true;
	p->hung = true;
	snprintf(p->what, sizeof p->what,
	         "end its hung process (pid %lu, STOP_PENDING, checkpoint %lu unmoved for %s), then ",
	         last.pid, last.checkpoint, limit_text);
	return false;
}

/* A START_PENDING: hung when its process is older than --hung-after. The
 * process is held from here, so the age and the end are of one process. */
static bool judge_start_pending(const struct restart_service *svc, const struct restart_settings *s,
                                struct restart_plan *p, struct restart_outcome *out)
{
	struct svc_error err;
	char age_text[64], limit[64];
	double age;
	if (!svc->hold_process(svc->ctx, p->status.pid, &err) || !svc->process_age(svc->ctx, &age, &err)) {
		svc->release_process(svc->ctx);
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s is START_PENDING: %s",
		                           s->service, err.text);
	}
	duration_format(age, age_text, sizeof age_text);
	duration_format(s->hung_after, limit, sizeof limit);
	if (age < s->hung_after) {
		svc->release_process(svc->ctx);
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_REFUSED,
		    "%s is START_PENDING for %s, less than --hung-after %s: left alone", s->service, age_text,
		    limit);
	}
	if (refuse_shared_process(svc, s, &p->status, out))
		return true;
	p->hung = true;
	snprintf(p->what, sizeof p->what, "end its hung process (pid %lu, START_PENDING for %s), then ",
	         p->status.pid, age_text);
	return false;
}

bool restart_judge_service(const struct restart_service *svc, const struct restart_settings *s,
                           struct restart_plan *p, struct restart_outcome *out)
{
	struct svc_error err;
	if (!svc->query(svc->ctx, &p->status, &err))
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err.text);
	svc_state state = p->status.state;
	if (state == SVC_RUNNING)
		return restart_outcome_set(out, STATE_OK, RESTART_EV_NONE,
		                           "%s is RUNNING (pid %lu): nothing to do", s->service,
		                           p->status.pid);
	if (state == SVC_START_PENDING)
		return judge_start_pending(svc, s, p, out);
	if (state == SVC_STOP_PENDING)
		return watch_stop_pending(svc, s, p, out);
	if (state != SVC_STOPPED)
		return restart_outcome_set(out, STATE_WARNING, RESTART_EV_REFUSED,
		                           "%s is %s: not restarting a paused service", s->service,
		                           svc->state_name(state));
	return false;
}

/* --- the refusals --- */

static bool refuse_kmsdata(const struct restart_advice *advice, const char *why, struct restart_outcome *out)
{
	char text[RESTART_TEXT_MAX];
	advice->write(advice->ctx, text, sizeof text);
	return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_REFUSED,
	                           "refused: %s: restarting over a corrupt Kmsdata only traps the exception "
	                           "again: %s",
	                           why, text);
}

static bool refuse_beside_perfwiz(const struct restart_refusals *r, struct restart_outcome *out)
{
	if (r->perfwiz_found == PROC_ERROR)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED,
		                           "cannot tell whether Performance Optimizer runs: %s",
		                           r->perfwiz_error);
	if (r->perfwiz_found == PROC_FOUND)
		return restart_outcome_set(
		    out, STATE_CRITICAL, RESTART_EV_REFUSED,
		    "refused: Performance Optimizer (%s, pid %lu) is running and restarts "
		    "services without their startup parameters: let it finish first",
		    r->perfwiz, r->perfwiz_pid);
	return false;
}

/* Kmsdata's database: missing or decoded-but-unsound is corruption (refused);
 * any other read error is "cannot tell" (UNKNOWN), unless a hung service
 * process may hold the file open: then it is read again after its end. */
static bool refuse_unsound_kmsdata(const struct restart_refusals *r, bool after_kill, struct restart_plan *p,
                                   struct restart_outcome *out)
{
	switch (r->kmsdata) {
	case RESTART_KMSDATA_SOUND: return false;
	case RESTART_KMSDATA_CORRUPT: return refuse_kmsdata(&r->advice, r->kmsdata_why, out);
	case RESTART_KMSDATA_UNKNOWN:
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED, "%s", r->kmsdata_why);
	case RESTART_KMSDATA_UNREADABLE: break;
	}
	if (p && p->hung && !after_kill) {
		p->recheck_database = true;
		snprintf(p->database_error, sizeof p->database_error, "%.*s",
		         (int)sizeof p->database_error - 1, r->kmsdata_why);
		return false;
	}
	return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED,
	                           "cannot tell whether Kmsdata is sound: %s: not restarting%s",
	                           r->kmsdata_why, after_kill ? " (its hung process was ended)" : "");
}

static bool refuse_after_exception_event(const struct restart_refusals *r, struct restart_outcome *out)
{
	if (!r->exception_read)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED,
		                           "cannot look for Event %lu: %s", RESTART_KMS_EXCEPTION,
		                           r->exception_error);
	if (r->exception_count == 0)
		return false;
	char why[RESTART_TEXT_MAX];
	snprintf(why, sizeof why,
	         "Event %lu (the KM service trapped an exception) was logged %lu time%s since %s%s",
	         RESTART_KMS_EXCEPTION, r->exception_count, r->exception_count == 1 ? "" : "s",
	         r->exception_since, r->exception_since_what);
	return refuse_kmsdata(&r->advice, why, out);
}

static bool refuse_password_file(const struct restart_refusals *r, struct restart_outcome *out)
{
	if (r->password == SECRET_TOO_OPEN)
		return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_REFUSED,
		                           "refused: --password-file: %s", r->password_why);
	if (r->password != SECRET_OK)
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED, "--password-file: %s",
		                           r->password_why);
	return false;
}

/* The rest of what it would do, for --dry-run and the log. */
static void describe_plan(const struct restart_settings *s, struct restart_plan *p)
{
	size_t n = strlen(p->what);
	if (p->recheck_database)
		n += (size_t)snprintf(p->what + n, sizeof p->what - n,
		                      "read Kmsmdb.edb again (now: %s), then ", p->database_error);
	if (n < sizeof p->what)
		snprintf(p->what + n, sizeof p->what - n, "start %s with its startup parameter from '%s'",
		         s->service, s->password_file);
}

/* Enough of -t left for the wait for RUNNING (and the end of a hung process)? */
static bool refuse_without_time(const struct restart_settings *s, const struct restart_refusals *r,
                                const struct restart_plan *p, struct restart_outcome *out)
{
	long hung_ms = p->hung ? RESTART_END_PROCESS_MS + RESTART_END_SETTLE_MS : 0;
	long need = to_ms(s->start_timeout) + hung_ms + RESTART_REPORT_MARGIN_MS;
	if (r->time_left_ms >= need)
		return false;
	char start[64], have[64];
	duration_format(s->start_timeout, start, sizeof start);
	duration_format(r->time_left_ms / 1000.0, have, sizeof have);
	return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_REFUSED,
	                           "refused: not enough time left: waiting for RUNNING takes up to %s "
	                           "(--start-timeout)%s, -t leaves %s: raise -t or lower --start-timeout",
	                           start, p->hung ? " after ending the hung process" : "", have);
}

bool restart_decide_refusals(const struct restart_settings *s, const struct restart_refusals *r,
                             struct restart_plan *p, struct restart_outcome *out)
{
	if (refuse_beside_perfwiz(r, out) || refuse_unsound_kmsdata(r, false, p, out) ||
	    refuse_after_exception_event(r, out) || refuse_password_file(r, out))
		return true;
	describe_plan(s, p);
	if (refuse_without_time(s, r, p, out))
		return true;
	if (r->dry_run)
		return restart_outcome_set(out, STATE_OK, RESTART_EV_ACTION,
		                           "dry run: every check passed; it would %s", p->what);
	return false;
}

bool restart_decide_recheck(const struct restart_refusals *r, struct restart_outcome *out)
{
	return refuse_unsound_kmsdata(r, true, NULL, out);
}

/* --- acting --- */

bool restart_end_hung(const struct restart_service *svc, const struct restart_settings *s,
                      struct restart_plan *p, struct restart_outcome *out)
{
	struct svc_error err;
	struct svc_status now;
	/* The state may have changed since the plan: end the process only when
	 * the service is still pending with that very process. */
	if (!svc->query(svc->ctx, &now, &err))
		return restart_outcome_set(out, STATE_UNKNOWN, RESTART_EV_FAILED, "%s", err.text);
	if (now.state == SVC_RUNNING)
		return restart_outcome_set(
		    out, STATE_OK, RESTART_EV_ACTION,
		    "%s reached RUNNING (pid %lu) meanwhile: nothing ended, nothing to do", s->service,
		    now.pid);
	if (now.state != p->status.state || now.pid != p->status.pid)
		return restart_outcome_set(out, STATE_WARNING, RESTART_EV_REFUSED,
		                           "%s went from %s (pid %lu) to %s (pid %lu) meanwhile: left alone",
		                           s->service, svc->state_name(p->status.state), p->status.pid,
		                           svc->state_name(now.state), now.pid);
	bool ended = svc->end_process(svc->ctx, RESTART_END_PROCESS_MS, &err);
	svc->release_process(svc->ctx);
	p->hung = false;
	if (!ended)
		return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_FAILED,
		                           "cannot end the hung %s: %s", s->service, err.text);
	/* The service manager notices the end of the process; Wine may go on
	 * reporting the dead pid, so this wait is short and its result advisory. */
	struct svc_status last;
	bool moved;
	svc->wait(svc->ctx, SVC_STOPPED, RESTART_END_SETTLE_MS, &last, &moved, NULL, &err);
	return false;
}

void restart_start_and_wait(const struct restart_service *svc, const struct restart_settings *s,
                            struct restart_start *r)
{
	memset(r, 0, sizeof *r);
	int64_t started = svc->now(svc->ctx);
	r->start_failed = !svc->start(svc->ctx, &r->err);
	if (r->start_failed)
		return;
	r->result = svc->wait(svc->ctx, SVC_RUNNING, to_ms(s->start_timeout), &r->last, &r->moved,
	                      &r->stalled, &r->err);
	r->took = (double)(svc->now(svc->ctx) - started);
}

/* A start that ended in STOPPED: why, with the advice when Kmsdata is corrupt. */
static bool report_stopped(const struct restart_service *svc, const struct restart_settings *s,
                           const struct restart_start *r, const struct restart_advice *advice,
                           struct restart_outcome *out)
{
	char why[512];
	svc->describe_exit(&r->last, why, sizeof why);
	if (r->last.win32_exit_code == SVC_SERVICE_SPECIFIC_ERROR &&
	    r->last.service_exit_code == RESTART_KMS_EXCEPTION) {
		char text[RESTART_TEXT_MAX];
		advice->write(advice->ctx, text, sizeof text);
		return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_FAILED,
		                           "restart failed: %s stopped during its start, %s: %s", s->service,
		                           why, text);
	}
	return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_FAILED,
	                           "restart failed: %s stopped during its start, %s", s->service, why);
}

bool restart_report_start(const struct restart_service *svc, const struct restart_settings *s,
                          const struct restart_start *r, const char *ledger_error,
                          const struct restart_advice *advice, struct restart_outcome *out)
{
	char took[64], hint[64];
	if (r->start_failed || r->result == SVC_WAIT_FAILED)
		return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_FAILED, "restart failed: %s",
		                           r->err.text);
	duration_format(r->took, took, sizeof took);
	const struct svc_status *last = &r->last;
	if (r->result == SVC_WAIT_REACHED && ledger_error)
		return restart_outcome_set(
		    out, STATE_WARNING, RESTART_EV_RESTARTED,
		    "restarted %s with its startup parameter: RUNNING (pid %lu) after %s, but "
		    "cannot note it: %s",
		    s->service, last->pid, took, ledger_error);
	if (r->result == SVC_WAIT_REACHED)
		return restart_outcome_set(
		    out, STATE_OK, RESTART_EV_RESTARTED,
		    "restarted %s with its startup parameter: RUNNING (pid %lu) after %s", s->service,
		    last->pid, took);
	if (r->result == SVC_WAIT_STOPPED)
		return report_stopped(svc, s, r, advice, out);
	if (r->stalled) {
		duration_format(last->wait_hint_ms < 1000 ? 1 : last->wait_hint_ms / 1000.0, hint,
		                sizeof hint);
		return restart_outcome_set(
		    out, STATE_CRITICAL, RESTART_EV_FAILED,
		    "restart failed: %s is still %s after %s, its checkpoint %lu unmoved for "
		    "its wait hint (%s): it hangs in its start",
		    s->service, svc->state_name(last->state), took, last->checkpoint, hint);
	}
	return restart_outcome_set(out, STATE_CRITICAL, RESTART_EV_FAILED,
	                           "restart failed: %s is still %s after %s (checkpoint %lu, %s)", s->service,
	                           svc->state_name(last->state), took, last->checkpoint,
	                           r->moved ? "moving" : "not moving");
}
