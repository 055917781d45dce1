/* backupsvc, POSIX: there is no Windows service manager here, so opening
 * fails with a clear reason; kms_backup runs with --no-service instead. */
#include "backupsvc.h"

#include <stdio.h>

struct backupsvc *backupsvc_open(const char *service, const char *password_file, char *err, size_t errcap)
{
	(void)password_file;
	snprintf(err, errcap,
	         "cannot stop service '%s': this system has no Windows service manager (use --no-service "
	         "when the service is stopped some other way)",
	         service);
	return NULL;
}

bool backupsvc_stop(struct backupsvc *s, long timeout_ms, bool *was_running, char *state, size_t statecap,
                    char *err, size_t errcap)
{
	(void)s, (void)timeout_ms, (void)statecap;
	*was_running = false;
	state[0] = '\0';
	snprintf(err, errcap, "no service manager");
	return false;
}

bool backupsvc_start(struct backupsvc *s, long timeout_ms, char *err, size_t errcap)
{
	(void)s, (void)timeout_ms;
	snprintf(err, errcap, "no service manager");
	return false;
}

bool backupsvc_start_watched(struct backupsvc *s, long timeout_ms, char *err, size_t errcap)
{
	return backupsvc_start(s, timeout_ms, err, errcap);
}

bool backupsvc_record(const char *source, const char *log_file, enum eventsink_level level, unsigned id,
                      const char *text, char *err, size_t errcap)
{
	(void)source, (void)log_file, (void)level, (void)id, (void)text, (void)err, (void)errcap;
	return true;
}

void backupsvc_close(struct backupsvc *s)
{
	(void)s;
}
