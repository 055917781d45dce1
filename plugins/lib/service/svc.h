/* svc: one Windows service through the service manager, local or on a remote
 * host (OpenSCManager's RPC): query its status and configuration, start it
 * with arguments, stop it, wait for a state (bounded), and end a hung service's
 * own process. Windows only (svc_win32.c). Never prints, never exits: every
 * failure fills a struct svc_error with the Win32 code and its system message. */
#ifndef KMS_SVC_H
#define KMS_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* The service states, with the service manager's numbers (SERVICE_STOPPED..). */
typedef enum {
	SVC_NOT_INSTALLED = 0, /* not a state of the service manager: our own */
	SVC_STOPPED = 1,
	SVC_START_PENDING = 2,
	SVC_STOP_PENDING = 3,
	SVC_RUNNING = 4,
	SVC_CONTINUE_PENDING = 5,
	SVC_PAUSE_PENDING = 6,
	SVC_PAUSED = 7
} svc_state;

/* Start types, with the service manager's numbers (SERVICE_BOOT_START..). */
typedef enum {
	SVC_START_BOOT = 0,
	SVC_START_SYSTEM = 1,
	SVC_START_AUTO = 2,
	SVC_START_DEMAND = 3,
	SVC_START_DISABLED = 4
} svc_start_type;

/* What kind of failure, for callers that react differently to each. */
typedef enum {
	SVC_FAIL_NONE = 0,
	SVC_FAIL_NOT_FOUND,     /* no such service (1060) */
	SVC_FAIL_ACCESS_DENIED, /* 5 */
	SVC_FAIL_UNREACHABLE,   /* the remote service manager cannot be reached (53, 1722, ...) */
	SVC_FAIL_OTHER
} svc_fail_kind;

struct svc_error {
	svc_fail_kind kind;
	unsigned long code; /* the Win32 error code */
	char text[512];     /* "cannot open service 'X': The specified service does not exist... (1060)" */
};

struct svc_status {
	svc_state state;
	unsigned long checkpoint;
	unsigned long wait_hint_ms;
	unsigned long pid;               /* 0 when no process */
	unsigned long win32_exit_code;   /* 1066 (ERROR_SERVICE_SPECIFIC_ERROR): see the next */
	unsigned long service_exit_code; /* the service's own code (KMS: 5057 bad password...) */
	unsigned long controls_accepted; /* SERVICE_ACCEPT_* bits */
	unsigned long service_type;      /* SERVICE_WIN32_OWN_PROCESS (0x10), SHARE_PROCESS (0x20)... */
	unsigned long service_flags;     /* SERVICE_RUNS_IN_SYSTEM_PROCESS (1) */
};

/* True when the service runs alone in its own process (SERVICE_WIN32_OWN_PROCESS,
 * not in a system process): only then may its process be ended for it. */
bool svc_status_own_process(const struct svc_status *st);

/* ERROR_SERVICE_SPECIFIC_ERROR: win32_exit_code saying "see service_exit_code". */
#define SVC_SERVICE_SPECIFIC_ERROR 1066UL

#define SVC_MAX_DEPENDENCIES 8

struct svc_config {
	svc_start_type start_type;
	char display_name[256]; /* UTF-8 */
	char binary_path[1024]; /* UTF-8 */
	/* Services it depends on (load-order groups, "+name", left out). */
	char dependency[SVC_MAX_DEPENDENCIES][256];
	unsigned dependency_count;
};

struct svc; /* an open service; opaque */

/* Open service `name` on `host` (NULL: this machine). With `control`, also
 * ask for the rights to start and stop it; otherwise query rights only. */
struct svc *svc_open(const char *host, const char *name, bool control, struct svc_error *err);
void svc_close(struct svc *s);

bool svc_query_status(struct svc *s, struct svc_status *out, struct svc_error *err);
bool svc_query_config(struct svc *s, struct svc_config *out, struct svc_error *err);

/* The state of another service on the same service manager (a dependency):
 * SVC_NOT_INSTALLED when it does not exist. */
bool svc_query_other(struct svc *s, const char *name, svc_state *out, struct svc_error *err);

/* Seconds since the process `pid` started (GetProcessTimes): how long a
 * START_PENDING has lasted, or the uptime of a running service. Local only. */
bool svc_process_age(unsigned long pid, double *seconds, struct svc_error *err);

/* Start the service with argc arguments (UTF-8; they reach ServiceMain after
 * argv[0], never a process command line). The wide copies are wiped. */
bool svc_start(struct svc *s, int argc, const char *const *argv, struct svc_error *err);

/* Send the stop control (the caller then waits with svc_wait). */
bool svc_stop(struct svc *s, struct svc_error *err);

enum svc_wait_result {
	SVC_WAIT_REACHED,   /* the state wanted */
	SVC_WAIT_STOPPED,   /* stopped while waiting for another state (a failed start) */
	SVC_WAIT_TIMED_OUT, /* time ran out: *last tells where it stood */
	SVC_WAIT_FAILED     /* a query failed: err says why */
};

/* Wait until the service is in `want`, at most timeout_ms and never past the
 * program's deadline (less a margin to report). Polls every tenth of the wait
 * hint (100 to 500 ms); *last is the last status seen, *progressed true when its
 * checkpoint moved. */
enum svc_wait_result svc_wait(struct svc *s, svc_state want, long timeout_ms, struct svc_status *last,
                              bool *progressed, struct svc_error *err);

/* svc_wait that also gives up (SVC_WAIT_TIMED_OUT, *stalled true) when the
 * checkpoint has not moved for the service's wait hint (at least 1 s): a
 * pending service that makes no progress within its own hint is hung, as
 * Microsoft's service control samples judge it. */
enum svc_wait_result svc_wait_progress(struct svc *s, svc_state want, long timeout_ms,
                                       struct svc_status *last, bool *progressed, bool *stalled,
                                       struct svc_error *err);

/* A service's process held open from the moment it is judged hung
 * (PROCESS_QUERY_INFORMATION | PROCESS_TERMINATE | SYNCHRONIZE): its age
 * and its end are those of that very process, even if the pid is reused. */
struct svc_process;
struct svc_process *svc_process_open(unsigned long pid, struct svc_error *err);
bool svc_process_handle_age(struct svc_process *p, double *seconds, struct svc_error *err);
/* Terminate it and wait on its handle, at most timeout_ms (bounded by the
 * deadline). */
bool svc_process_end(struct svc_process *p, long timeout_ms, struct svc_error *err);
void svc_process_close(struct svc_process *p);

/* Why a stopped service stopped, one phrase: "exited cleanly", "The service
 * did not respond... (1053)", or for service-specific codes the KM service's
 * own meaning ("service-specific error 5057: the KMS password is not valid
 * (wrong or missing startup parameter)"). */
size_t svc_describe_exit(const struct svc_status *st, char *buf, size_t cap);

/* "RUNNING", "START_PENDING", ... "NOT_INSTALLED". */
const char *svc_state_name(svc_state state);
/* "boot", "system", "auto", "demand", "disabled". */
const char *svc_start_type_name(svc_start_type type);

#endif
