/* backupsvc: the two service steps of the offline backup, behind one small
 * interface so kms_backup's logic is the same everywhere: stop the KM
 * service and wait for STOPPED; start it again with its startup parameter
 * (the KMS password, from a protected file) and wait for RUNNING.
 * Windows: the shared svc and secret modules; POSIX: not available. */
#ifndef KMS_BACKUPSVC_H
#define KMS_BACKUPSVC_H

#include <stdbool.h>
#include <stddef.h>

#include "eventsink.h"

/* What kms_backup and kms_restore share around the service steps: the
 * default waits for STOPPED and RUNNING, what -t must leave for the copy,
 * and what the copy leaves unused (--start-timeout and a margin when the
 * service must start again, else time to report). */
#define BACKUPSVC_STOP_TIMEOUT_DEFAULT  "2m"
#define BACKUPSVC_START_TIMEOUT_DEFAULT "2m"
#define BACKUPSVC_COPY_MIN_SECONDS      5
#define BACKUPSVC_START_MARGIN_MS       3000
#define BACKUPSVC_REPORT_RESERVE_MS     1000

struct backupsvc;

/* Take the service lock (KMS_SERVICE_LOCK, lock.h: refused while
 * handle_kms_restart is at work), read the password file (refused when
 * others may read it) and open the service with the rights to stop and start
 * it, before anything changes. The lock is held until backupsvc_close.
 * NULL with err on failure. */
struct backupsvc *backupsvc_open(const char *service, const char *password_file, char *err, size_t errcap);

/* Stop the service and wait for STOPPED, at most timeout_ms. *was_running
 * tells whether it was running (or starting) before: only then must it be
 * started again. state gets the state it ended in ("STOPPED"...). */
bool backupsvc_stop(struct backupsvc *s, long timeout_ms, bool *was_running, char *state, size_t statecap,
                    char *err, size_t errcap);

/* Start it with the password as its startup parameter and wait for RUNNING,
 * at most timeout_ms (also when it was already started: a start hung in
 * START_PENDING is reported, not taken for RUNNING). */
bool backupsvc_start(struct backupsvc *s, long timeout_ms, char *err, size_t errcap);

/* The same start, waiting the way handle_kms_restart waits: at most
 * timeout_ms, and giving up earlier when the checkpoint does not move for
 * the service's wait hint (a hung start, Q263718). err tells a stop during
 * the start by its exit codes (5057: wrong password, 5058: Kmsdata). */
bool backupsvc_start_watched(struct backupsvc *s, long timeout_ms, char *err, size_t errcap);

/* Record text (the program's result line) under event id in the Application
 * event log as `source`, and in log_file when given (eventsink). Windows;
 * POSIX has no event log and records nothing (true). */
bool backupsvc_record(const char *source, const char *log_file, enum eventsink_level level, unsigned id,
                      const char *text, char *err, size_t errcap);

/* Close the service, wipe the password, release the lock. */
void backupsvc_close(struct backupsvc *s);

#endif
