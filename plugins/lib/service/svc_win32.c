/* svc, Windows: the service manager API (OpenSCManagerW, QueryServiceStatus,
 * QueryServiceConfigW, StartServiceW, ControlService) and the service's own
 * process (GetProcessTimes, TerminateProcess). The pid comes from
 * QueryServiceStatusEx where Windows has it (2000); on NT 4.0 from the one
 * process running the service's image (proc.h), never from a guess. Every
 * wait is bounded by its timeout and by the program's deadline. */
#include "svc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "deadline.h"
#include "kms.h"
#include "proc.h"
#include "strbuf.h"
#include "winapi.h"
#include "wintext.h"

/* Time kept back from the deadline so the caller can still report. */
#define SVC_DEADLINE_MARGIN_MS 1500

struct svc {
	SC_HANDLE manager;
	SC_HANDLE service;
	char name[256];
	bool remote;
};

/* Why the last status had no pid although the service has a process (NT 4.0:
 * no process, or several, run its image): said when that pid is asked for. */
static char pid_unknown_why[256];

static svc_fail_kind classify(DWORD code)
{
	switch (code) {
	case ERROR_SERVICE_DOES_NOT_EXIST: return SVC_FAIL_NOT_FOUND;
	case ERROR_ACCESS_DENIED: return SVC_FAIL_ACCESS_DENIED;
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	case ERROR_INVALID_COMPUTERNAME:
	case ERROR_NO_NETWORK:
	case ERROR_NETNAME_DELETED:
	case RPC_S_SERVER_UNAVAILABLE:
	case RPC_S_CALL_FAILED:
	case RPC_S_CALL_FAILED_DNE:
	case EPT_S_NOT_REGISTERED:
	case RPC_S_INVALID_NET_ADDR: return SVC_FAIL_UNREACHABLE;
	default: return SVC_FAIL_OTHER;
	}
}

static bool fail_code(struct svc_error *err, DWORD code, const char *fmt, ...) KMS_PRINTF(3, 4);
static bool fail_code(struct svc_error *err, DWORD code, const char *fmt, ...)
{
	char what[256];
	char message[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	win_error_message(code, message, sizeof message);
	err->kind = classify(code);
	err->code = code;
	snprintf(err->text, sizeof err->text, "%s: %s (%lu)", what, message, (unsigned long)code);
	return false;
}

/* Record GetLastError() of the call that just failed. */
#define fail_last(err, ...) fail_code((err), GetLastError(), __VA_ARGS__)

/* No pid to act on: why, when the last status could not name its process. */
static bool fail_no_pid(struct svc_error *err, const char *verb)
{
	if (!*pid_unknown_why)
		return fail_code(err, ERROR_INVALID_PARAMETER, "no process to %s", verb);
	err->kind = SVC_FAIL_OTHER;
	err->code = ERROR_INVALID_PARAMETER;
	snprintf(err->text, sizeof err->text, "no process to %s: %s", verb, pid_unknown_why);
	return false;
}

static void no_error(struct svc_error *err)
{
	err->kind = SVC_FAIL_NONE;
	err->code = 0;
	err->text[0] = '\0';
}

struct svc *svc_open(const char *host, const char *name, bool control, struct svc_error *err)
{
	no_error(err);
	wchar_t host_w[300];
	wchar_t name_w[256];
	char unc[300];
	if (host) {
		snprintf(unc, sizeof unc, "%s%s", strncmp(host, "\\\\", 2) == 0 ? "" : "\\\\", host);
		if (!win_to_wide(unc, host_w, sizeof host_w / sizeof host_w[0])) {
			fail_code(err, ERROR_INVALID_COMPUTERNAME, "host '%s'", host);
			return NULL;
		}
	}
	if (!win_to_wide(name, name_w, sizeof name_w / sizeof name_w[0]) || !*name) {
		fail_code(err, ERROR_INVALID_NAME, "service '%s'", name);
		return NULL;
	}
	struct svc *s = calloc(1, sizeof *s);
	if (!s) {
		fail_code(err, ERROR_NOT_ENOUGH_MEMORY, "service '%s'", name);
		return NULL;
	}
	snprintf(s->name, sizeof s->name, "%s", name);
	s->remote = host != NULL;
	s->manager = OpenSCManagerW(host ? host_w : NULL, NULL, SC_MANAGER_CONNECT);
	if (!s->manager) {
		fail_last(err, "cannot open the service manager%s%s", host ? " on " : "", host ? host : "");
		free(s);
		return NULL;
	}
	DWORD access = SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG;
	if (control)
		access |= SERVICE_START | SERVICE_STOP;
	s->service = OpenServiceW(s->manager, name_w, access);
	if (!s->service) {
		fail_last(err, "cannot open service '%s'", name);
		CloseServiceHandle(s->manager);
		free(s);
		return NULL;
	}
	return s;
}

void svc_close(struct svc *s)
{
	if (!s)
		return;
	CloseServiceHandle(s->service);
	CloseServiceHandle(s->manager);
	free(s);
}

static svc_state state_from(DWORD state)
{
	return (state >= 1 && state <= 7) ? (svc_state)state : SVC_STOPPED;
}

static void status_from(const struct winapi_service_status_process *p, struct svc_status *out)
{
	out->state = state_from(p->current_state);
	out->checkpoint = p->checkpoint;
	out->wait_hint_ms = p->wait_hint;
	out->pid = p->process_id;
	out->win32_exit_code = p->win32_exit_code;
	out->service_exit_code = p->service_exit_code;
	out->controls_accepted = p->controls_accepted;
	out->service_type = p->service_type;
	out->service_flags = p->service_flags;
}

bool svc_status_own_process(const struct svc_status *st)
{
	return (st->service_type & (SERVICE_WIN32_OWN_PROCESS | SERVICE_WIN32_SHARE_PROCESS)) ==
	           SERVICE_WIN32_OWN_PROCESS &&
	       !(st->service_flags & SERVICE_RUNS_IN_SYSTEM_PROCESS);
}

/* The image's base name in a service's binary path, quoted or not, with
 * arguments or not ("C:\\Exchsrvr\\bin\\kms.exe" -x: kms.exe). */
static void image_of(const char *binary_path, char *out, size_t cap)
{
	const char *start = binary_path, *end;
	if (*start == '"') {
		start++;
		end = strchr(start, '"');
	} else {
		end = strstr(start, ".exe");
		if (!end)
			end = strstr(start, ".EXE");
		end = end ? end + 4 : strchr(start, ' ');
	}
	if (!end)
		end = start + strlen(start);
	for (const char *c = start; c < end; c++)
		if (*c == '\\' || *c == '/')
			start = c + 1;
	snprintf(out, cap, "%.*s", (int)(end - start), start);
}

/* NT 4.0: the pid of the one process running the service's image (local only). */
static unsigned long pid_from_image(struct svc *s)
{
	struct svc_config cfg;
	struct svc_error err;
	char image[MAX_PATH], why[256];
	unsigned long pid = 0;
	unsigned count = 0;
	if (s->remote) {
		snprintf(pid_unknown_why, sizeof pid_unknown_why,
		         "this Windows cannot name the process of a service on another host");
		return 0;
	}
	if (!svc_query_config(s, &cfg, &err)) {
		snprintf(pid_unknown_why, sizeof pid_unknown_why, "%s", err.text);
		return 0;
	}
	image_of(cfg.binary_path, image, sizeof image);
	if (proc_count_by_name(image, &pid, &count, why, sizeof why) == PROC_ERROR)
		snprintf(pid_unknown_why, sizeof pid_unknown_why, "%s", why);
	else if (count == 0)
		snprintf(pid_unknown_why, sizeof pid_unknown_why, "no process runs its image %s", image);
	else if (count > 1)
		snprintf(pid_unknown_why, sizeof pid_unknown_why,
		         "%u processes run its image %s: its pid is ambiguous and none is ended on a guess",
		         count, image);
	return count == 1 ? pid : 0;
}

bool svc_query_status(struct svc *s, struct svc_status *out, struct svc_error *err)
{
	no_error(err);
	pid_unknown_why[0] = '\0';
	struct winapi_service_status_process p;
	memset(&p, 0, sizeof p);
	winapi_query_service_status_ex_fn query_ex = winapi_query_service_status_ex();
	DWORD needed = 0;
	if (query_ex) {
		if (!query_ex(s->service, WINAPI_SC_STATUS_PROCESS_INFO, (BYTE *)&p, sizeof p, &needed))
			return fail_last(err, "cannot query service '%s'", s->name);
		status_from(&p, out);
		return true;
	}
	SERVICE_STATUS basic;
	if (!QueryServiceStatus(s->service, &basic))
		return fail_last(err, "cannot query service '%s'", s->name);
	/* SERVICE_STATUS is the head of SERVICE_STATUS_PROCESS, field by field. */
	memcpy(&p, &basic, sizeof basic);
	status_from(&p, out);
	if (out->state != SVC_STOPPED)
		out->pid = pid_from_image(s);
	return true;
}

static void copy_dependencies(const wchar_t *list, struct svc_config *out)
{
	out->dependency_count = 0;
	for (const wchar_t *d = list; d && *d; d += wcslen(d) + 1) {
		if (*d == SC_GROUP_IDENTIFIERW || out->dependency_count == SVC_MAX_DEPENDENCIES)
			continue;
		if (win_from_wide(d, out->dependency[out->dependency_count], sizeof out->dependency[0]))
			out->dependency_count++;
	}
}

bool svc_query_config(struct svc *s, struct svc_config *out, struct svc_error *err)
{
	no_error(err);
	memset(out, 0, sizeof *out);
	DWORD needed = 0;
	QueryServiceConfigW(s->service, NULL, 0, &needed);
	DWORD code = GetLastError();
	if (needed == 0)
		return fail_code(err, code, "cannot read the configuration of service '%s'", s->name);
	QUERY_SERVICE_CONFIGW *cfg = malloc(needed);
	if (!cfg)
		return fail_code(err, ERROR_NOT_ENOUGH_MEMORY, "service '%s'", s->name);
	if (!QueryServiceConfigW(s->service, cfg, needed, &needed)) {
		fail_last(err, "cannot read the configuration of service '%s'", s->name);
		free(cfg);
		return false;
	}
	out->start_type = cfg->dwStartType <= 4 ? (svc_start_type)cfg->dwStartType : SVC_START_DEMAND;
	if (cfg->lpDisplayName)
		win_from_wide(cfg->lpDisplayName, out->display_name, sizeof out->display_name);
	if (cfg->lpBinaryPathName)
		win_from_wide(cfg->lpBinaryPathName, out->binary_path, sizeof out->binary_path);
	copy_dependencies(cfg->lpDependencies, out);
	free(cfg);
	return true;
}

bool svc_query_other(struct svc *s, const char *name, svc_state *out, struct svc_error *err)
{
	no_error(err);
	wchar_t name_w[256];
	if (!win_to_wide(name, name_w, sizeof name_w / sizeof name_w[0]))
		return fail_code(err, ERROR_INVALID_NAME, "service '%s'", name);
	SC_HANDLE other = OpenServiceW(s->manager, name_w, SERVICE_QUERY_STATUS);
	if (!other) {
		if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
			*out = SVC_NOT_INSTALLED;
			return true;
		}
		return fail_last(err, "cannot open service '%s'", name);
	}
	SERVICE_STATUS st;
	bool ok = QueryServiceStatus(other, &st);
	if (!ok)
		fail_last(err, "cannot query service '%s'", name);
	CloseServiceHandle(other);
	if (ok)
		*out = state_from(st.dwCurrentState);
	return ok;
}

static ULONGLONG filetime_value(FILETIME t)
{
	return ((ULONGLONG)t.dwHighDateTime << 32) | t.dwLowDateTime;
}

static bool handle_age(HANDLE h, unsigned long pid, double *seconds, struct svc_error *err)
{
	FILETIME created, exited, kernel, user, now;
	if (!GetProcessTimes(h, &created, &exited, &kernel, &user))
		return fail_last(err, "cannot read the start time of process %lu", pid);
	GetSystemTimeAsFileTime(&now);
	ULONGLONG a = filetime_value(created), b = filetime_value(now);
	*seconds = b > a ? (double)(b - a) / 1e7 : 0.0;
	return true;
}

bool svc_process_age(unsigned long pid, double *seconds, struct svc_error *err)
{
	no_error(err);
	HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, (DWORD)pid);
	if (!h)
		return fail_last(err, "cannot open process %lu", pid);
	bool ok = handle_age(h, pid, seconds, err);
	CloseHandle(h);
	return ok;
}

struct svc_process {
	HANDLE handle;
	unsigned long pid;
};

struct svc_process *svc_process_open(unsigned long pid, struct svc_error *err)
{
	no_error(err);
	if (pid == 0) {
		fail_no_pid(err, "open");
		return NULL;
	}
	HANDLE h =
	    OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)pid);
	if (!h) {
		fail_last(err, "cannot open process %lu", pid);
		return NULL;
	}
	struct svc_process *p = malloc(sizeof *p);
	if (!p) {
		CloseHandle(h);
		fail_code(err, ERROR_NOT_ENOUGH_MEMORY, "cannot open process %lu", pid);
		return NULL;
	}
	p->handle = h;
	p->pid = pid;
	return p;
}

bool svc_process_handle_age(struct svc_process *p, double *seconds, struct svc_error *err)
{
	no_error(err);
	return handle_age(p->handle, p->pid, seconds, err);
}

static long bounded(long timeout_ms);

static bool end_and_wait(HANDLE h, unsigned long pid, long timeout_ms, struct svc_error *err)
{
	if (!TerminateProcess(h, ERROR_SERVICE_REQUEST_TIMEOUT))
		return fail_last(err, "cannot end process %lu", pid);
	DWORD waited = WaitForSingleObject(h, (DWORD)bounded(timeout_ms));
	if (waited != WAIT_OBJECT_0)
		return fail_code(err, waited == WAIT_TIMEOUT ? WAIT_TIMEOUT : GetLastError(),
		                 "process %lu did not end", pid);
	return true;
}

bool svc_process_end(struct svc_process *p, long timeout_ms, struct svc_error *err)
{
	no_error(err);
	return end_and_wait(p->handle, p->pid, timeout_ms, err);
}

void svc_process_close(struct svc_process *p)
{
	if (!p)
		return;
	CloseHandle(p->handle);
	free(p);
}

bool svc_start(struct svc *s, int argc, const char *const *argv, struct svc_error *err)
{
	no_error(err);
	enum { MAX_ARGS = 16, ARG_CHARS = 1024 };
	if (argc < 0 || argc > MAX_ARGS)
		return fail_code(err, ERROR_INVALID_PARAMETER, "cannot start service '%s'", s->name);
	wchar_t *args[MAX_ARGS];
	int made = 0;
	bool ok = true;
	for (; made < argc; made++) {
		args[made] = calloc(ARG_CHARS, sizeof(wchar_t));
		if (!args[made] || !win_to_wide(argv[made], args[made], ARG_CHARS)) {
			/* Never name the argument: it may be the password. */
			fail_code(err, ERROR_INVALID_PARAMETER, "cannot start service '%s': argument %d",
			          s->name, made + 1);
			ok = false;
			if (args[made])
				made++;
			break;
		}
	}
	if (ok && !StartServiceW(s->service, (DWORD)argc, (LPCWSTR *)args))
		ok = fail_last(err, "cannot start service '%s'", s->name);
	for (int i = 0; i < made; i++) {
		SecureZeroMemory(args[i], ARG_CHARS * sizeof(wchar_t));
		free(args[i]);
	}
	return ok;
}

bool svc_stop(struct svc *s, struct svc_error *err)
{
	no_error(err);
	SERVICE_STATUS st;
	memset(&st, 0, sizeof st);
	if (!ControlService(s->service, SERVICE_CONTROL_STOP, &st))
		return fail_last(err, "cannot stop service '%s'", s->name);
	return true;
}

/* How long a wait may still last: its own budget, less what the deadline leaves. */
static long bounded(long timeout_ms)
{
	long left = deadline_remaining_ms() - SVC_DEADLINE_MARGIN_MS;
	if (left < 0)
		left = 0;
	return timeout_ms < left ? timeout_ms : left;
}

/* The wait loop; stalled NULL: no stall rule. */
static enum svc_wait_result wait_for(struct svc *s, svc_state want, long timeout_ms, struct svc_status *last,
                                     bool *progressed, bool *stalled, struct svc_error *err)
{
	DWORD start = GetTickCount(), moved_at = start;
	long budget = bounded(timeout_ms);
	*progressed = false;
	if (stalled)
		*stalled = false;
	bool first = true;
	unsigned long checkpoint = 0;
	for (;;) {
		if (!svc_query_status(s, last, err))
			return SVC_WAIT_FAILED;
		if (last->state == want)
			return SVC_WAIT_REACHED;
		if (last->state == SVC_STOPPED && want != SVC_STOPPED)
			return SVC_WAIT_STOPPED;
		DWORD now = GetTickCount();
		if (first || last->checkpoint != checkpoint)
			moved_at = now;
		if (!first && last->checkpoint != checkpoint)
			*progressed = true;
		checkpoint = last->checkpoint;
		first = false;
		/* A wait hint is a DWORD: clamped (1 s to 600 s) before it meets a long. */
		long hint = last->wait_hint_ms < 1000     ? 1000
		            : last->wait_hint_ms > 600000 ? 600000
		                                          : (long)last->wait_hint_ms;
		if (stalled && (long)(now - moved_at) >= hint) {
			*stalled = true;
			return SVC_WAIT_TIMED_OUT;
		}
		long elapsed = (long)(now - start);
		if (elapsed >= budget)
			return SVC_WAIT_TIMED_OUT;
		long step = (long)(last->wait_hint_ms / 10);
		step = step < 100 ? 100 : step > 500 ? 500 : step;
		if (step > budget - elapsed)
			step = budget - elapsed;
		Sleep((DWORD)step);
	}
}

enum svc_wait_result svc_wait(struct svc *s, svc_state want, long timeout_ms, struct svc_status *last,
                              bool *progressed, struct svc_error *err)
{
	return wait_for(s, want, timeout_ms, last, progressed, NULL, err);
}

enum svc_wait_result svc_wait_progress(struct svc *s, svc_state want, long timeout_ms,
                                       struct svc_status *last, bool *progressed, bool *stalled,
                                       struct svc_error *err)
{
	return wait_for(s, want, timeout_ms, last, progressed, stalled, err);
}

size_t svc_describe_exit(const struct svc_status *st, char *buf, size_t cap)
{
	if (st->win32_exit_code == SVC_SERVICE_SPECIFIC_ERROR) {
		const char *meaning = kms_event_meaning(st->service_exit_code);
		snprintf(buf, cap, "service-specific error %lu%s%s", st->service_exit_code,
		         meaning ? ": " : "", meaning ? meaning : "");
	} else if (st->win32_exit_code == 0) {
		snprintf(buf, cap, "exit code 0 (stopped cleanly or never started)");
	} else {
		char message[256];
		win_error_message(st->win32_exit_code, message, sizeof message);
		snprintf(buf, cap, "exit code %lu: %s", st->win32_exit_code, message);
	}
	return strlen(buf);
}

const char *svc_state_name(svc_state state)
{
	switch (state) {
	case SVC_NOT_INSTALLED: return "NOT_INSTALLED";
	case SVC_STOPPED: return "STOPPED";
	case SVC_START_PENDING: return "START_PENDING";
	case SVC_STOP_PENDING: return "STOP_PENDING";
	case SVC_RUNNING: return "RUNNING";
	case SVC_CONTINUE_PENDING: return "CONTINUE_PENDING";
	case SVC_PAUSE_PENDING: return "PAUSE_PENDING";
	case SVC_PAUSED: return "PAUSED";
	}
	return "UNKNOWN_STATE";
}

const char *svc_start_type_name(svc_start_type type)
{
	switch (type) {
	case SVC_START_BOOT: return "boot";
	case SVC_START_SYSTEM: return "system";
	case SVC_START_AUTO: return "auto";
	case SVC_START_DEMAND: return "demand";
	case SVC_START_DISABLED: return "disabled";
	}
	return "unknown";
}
