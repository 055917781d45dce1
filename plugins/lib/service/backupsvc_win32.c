/* backupsvc, Windows: composed from the shared service layer (svc: stop,
 * start with arguments, bounded wait) and password reader (secret), the
 * same pieces handle_kms_restart uses; nothing here talks to the service
 * manager or reads the password file directly. */
#include "backupsvc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "secret.h"
#include "svc.h"

#define ERROR_SERVICE_ALREADY_RUNNING_CODE 1056UL

struct backupsvc {
	struct svc *svc;
	struct secret password;
	struct lock *lock; /* KMS_SERVICE_LOCK, from open to close */
};

struct backupsvc *backupsvc_open(const char *service, const char *password_file, char *err, size_t errcap)
{
	struct backupsvc *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	char why[512];
	enum lock_result locked = lock_take(KMS_SERVICE_LOCK, NULL, &s->lock, why, sizeof why);
	if (locked != LOCK_TAKEN) {
		if (locked == LOCK_BUSY)
			snprintf(err, errcap,
			         "handle_kms_restart (or another kms_backup) is at work on the service "
			         "(lock '%s' held)",
			         KMS_SERVICE_LOCK);
		else
			snprintf(err, errcap, "%s", why);
		backupsvc_close(s);
		return NULL;
	}
	if (secret_read_file(password_file, &s->password, why, sizeof why) != SECRET_OK) {
		snprintf(err, errcap, "--password-file: %s", why);
		backupsvc_close(s);
		return NULL;
	}
	struct svc_error e;
	s->svc = svc_open(NULL, service, true, &e);
	if (!s->svc) {
		snprintf(err, errcap, "%s", e.text);
		backupsvc_close(s);
		return NULL;
	}
	return s;
}

bool backupsvc_stop(struct backupsvc *s, long timeout_ms, bool *was_running, char *state, size_t statecap,
                    char *err, size_t errcap)
{
	struct svc_status st;
	struct svc_error e;
	bool progressed;
	*was_running = false;
	if (!svc_query_status(s->svc, &st, &e)) {
		snprintf(err, errcap, "%s", e.text);
		return false;
	}
	snprintf(state, statecap, "%s", svc_state_name(st.state));
	if (st.state == SVC_STOPPED)
		return true;
	*was_running = st.state != SVC_STOP_PENDING;
	if (st.state != SVC_STOP_PENDING && !svc_stop(s->svc, &e)) {
		snprintf(err, errcap, "%s", e.text);
		return false;
	}
	enum svc_wait_result w = svc_wait(s->svc, SVC_STOPPED, timeout_ms, &st, &progressed, &e);
	snprintf(state, statecap, "%s", svc_state_name(st.state));
	if (w == SVC_WAIT_REACHED || w == SVC_WAIT_STOPPED)
		return true;
	if (w == SVC_WAIT_FAILED)
		snprintf(err, errcap, "%s", e.text);
	else
		snprintf(err, errcap, "the service did not stop within %ld s (it is %s)", timeout_ms / 1000,
		         svc_state_name(st.state));
	return false;
}

/* Start with the password and wait for RUNNING; watched: also give up when
 * the checkpoint stalls for the wait hint, as handle_kms_restart does. */
static bool start_and_wait(struct backupsvc *s, long timeout_ms, bool watched, char *err, size_t errcap)
{
	struct svc_status st;
	struct svc_error e;
	bool progressed, stalled = false;
	const char *args[] = {s->password.value};
	/* Already running (1056) may also be a start hung in START_PENDING:
	 * wait for RUNNING all the same and report what the service does. */
	if (!svc_start(s->svc, 1, args, &e) && e.code != ERROR_SERVICE_ALREADY_RUNNING_CODE) {
		snprintf(err, errcap, "%s", e.text);
		return false;
	}
	enum svc_wait_result w =
	    watched ? svc_wait_progress(s->svc, SVC_RUNNING, timeout_ms, &st, &progressed, &stalled, &e)
	            : svc_wait(s->svc, SVC_RUNNING, timeout_ms, &st, &progressed, &e);
	char why[256];
	if (w == SVC_WAIT_REACHED)
		return true;
	if (w == SVC_WAIT_FAILED)
		snprintf(err, errcap, "%s", e.text);
	else if (w == SVC_WAIT_STOPPED && watched && svc_describe_exit(&st, why, sizeof why) > 0)
		snprintf(err, errcap, "the service stopped while starting, %s", why);
	else if (w == SVC_WAIT_STOPPED)
		snprintf(err, errcap, "the service stopped while starting (exit code %lu, service code %lu)",
		         st.win32_exit_code, st.service_exit_code);
	else if (stalled)
		snprintf(err, errcap,
		         "the service is still %s, its checkpoint %lu unmoved for its wait hint: it hangs in "
		         "its start",
		         svc_state_name(st.state), st.checkpoint);
	else
		snprintf(err, errcap, "the service did not reach RUNNING within %ld s (it is %s)",
		         timeout_ms / 1000, svc_state_name(st.state));
	return false;
}

bool backupsvc_start(struct backupsvc *s, long timeout_ms, char *err, size_t errcap)
{
	return start_and_wait(s, timeout_ms, false, err, errcap);
}

bool backupsvc_start_watched(struct backupsvc *s, long timeout_ms, char *err, size_t errcap)
{
	return start_and_wait(s, timeout_ms, true, err, errcap);
}

bool backupsvc_record(const char *source, const char *log_file, enum eventsink_level level, unsigned id,
                      const char *text, char *err, size_t errcap)
{
	struct eventsink *sink = eventsink_open(source, log_file, err, errcap);
	if (!sink)
		return false;
	bool ok = eventsink_write(sink, level, id, text);
	if (!ok)
		snprintf(err, errcap, "cannot record event %u under %s", id, source);
	eventsink_close(sink);
	return ok;
}

void backupsvc_close(struct backupsvc *s)
{
	if (!s)
		return;
	if (s->svc)
		svc_close(s->svc);
	secret_clear(&s->password);
	lock_release(s->lock);
	free(s);
}
