/* kms_standin: a stand-in Exchange KM service for the Wine tests, and the
 * tool that registers it. "run" is the service itself: without a startup
 * parameter it hangs in START_PENDING (Q263718); with a wrong password it
 * stops with service-specific error 5057; with a corrupt Kmsdata it stops
 * with 5058 and appends a 5058 record to an .evt file (Wine stores no
 * events); with the right password and a sound Kmsdata it runs.
 *   kms_standin install NAME DISPLAY auto|demand|disabled DEPENDENCY|- [RUN-OPTION...]
 *   kms_standin uninstall NAME      kms_standin start NAME [ARG...]      kms_standin stop NAME
 *   kms_standin kill NAME (end its process, by its pid)   kms_standin config NAME auto|demand|disabled
 *   kms_standin squat LOCK SECONDS (hold the mutex Global\LOCK made with default security,
 *                                   as another program might, to prove the lock is not fooled)
 *   kms_standin run [--expect FILE] [--kmsdata DIR] [--evt FILE] [--log FILE]
 *                   [--exit-win32 N] [--exit-specific N] [--moving-checkpoint] [--plain]
 *                   [--start-delay MS] [--hang-always] [--wait-hint MS] [--stop-hang]
 * (--plain: runs at once, whatever its arguments: a stand-in MSExchangeDS.
 * --stop-hang: asked to stop, it stays in STOP_PENDING for ever, its
 * checkpoint moving with --moving-checkpoint.)
 * The expected password is read from a file: it is never on a command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

#include "secret.h"

#define KMS_EVENT_BAD_PASSWORD 5057
#define KMS_EVENT_EXCEPTION    5058

static struct {
	const char *expect_file;
	const char *kmsdata;
	const char *evt_file;
	const char *log_file;
	unsigned long exit_win32;
	unsigned long exit_specific;
	int moving_checkpoint;
	int plain;
	int hang_always;           /* hang in START_PENDING even with a password */
	int stop_hang;             /* hang in STOP_PENDING when asked to stop */
	unsigned long start_delay; /* ms spent in START_PENDING before the checks */
	unsigned long wait_hint;   /* reported in START_PENDING (default 30000 ms) */
} opt;

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

static void log_line(const char *fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	if (!opt.log_file)
		return;
	FILE *f = fopen(opt.log_file, "a");
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(f, "pid %lu: ", (unsigned long)GetCurrentProcessId());
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void report(DWORD state, DWORD win32, DWORD specific)
{
	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
	status.dwWin32ExitCode = specific ? ERROR_SERVICE_SPECIFIC_ERROR : win32;
	status.dwServiceSpecificExitCode = specific;
	status.dwWaitHint = state == SERVICE_START_PENDING ? (opt.wait_hint ? opt.wait_hint : 30000) : 0;
	SetServiceStatus(status_handle, &status);
}

/* --- a minimal .evt writer: header, records, EOF record (no wrapping) --- */

static void put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static unsigned long get32(const unsigned char *p)
{
	return p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

static size_t put_utf16(unsigned char *p, const char *ascii)
{
	size_t n = 0;
	do {
		p[n++] = (unsigned char)*ascii;
		p[n++] = 0;
	} while (*ascii++);
	return n;
}

/* Append a 5058 record (source MSExchangeKMS) to the .evt file at path. */
static void append_exception_event(const char *path)
{
	static unsigned char file[1 << 20];
	size_t len = 0;
	FILE *f = fopen(path, "rb");
	if (f) {
		len = fread(file, 1, sizeof file - 4096, f);
		fclose(f);
	}
	unsigned long number = 1, oldest = 1, end = 0x30;
	if (len >= 0x30 + 0x28 && get32(file + 4) == 0x654c664c) {
		end = get32(file + 20);
		number = get32(file + 24);
		oldest = get32(file + 28);
		if (end < 0x30 || end > len)
			end = 0x30;
	} else {
		memset(file, 0, 0x30);
	}
	unsigned char *r = file + end;
	memset(r, 0, 1024);
	size_t at = 0x38;
	at += put_utf16(r + at, "MSExchangeKMS");
	at += put_utf16(r + at, "KMSHOST");
	while (at % 4)
		at++;
	unsigned long strings = (unsigned long)at;
	at += put_utf16(r + at, "Microsoft Exchange Key Management service has trapped an exception.");
	unsigned long data = (unsigned long)at;
	memcpy(r + at, "\x05\x00\x00\xc0", 4); /* an exception code: access violation */
	at += 4;
	while (at % 4)
		at++;
	at += 4;
	unsigned long now = (unsigned long)time(NULL);
	put32(r, (unsigned long)at);
	put32(r + 4, 0x654c664c);
	put32(r + 8, number);
	put32(r + 12, now);
	put32(r + 16, now);
	put32(r + 20, 0xC0000000UL | KMS_EVENT_EXCEPTION);
	r[24] = 1; /* EVENTLOG_ERROR_TYPE */
	r[26] = 1; /* one string */
	put32(r + 36, strings);
	put32(r + 44, 0x38);
	put32(r + 48, 4);
	put32(r + 52, data);
	put32(r + at - 4, (unsigned long)at);
	unsigned long eof_at = end + (unsigned long)at;
	unsigned char *e = file + eof_at;
	static const unsigned long marks[] = {0x28, 0x11111111, 0x22222222, 0x33333333, 0x44444444};
	for (int i = 0; i < 5; i++)
		put32(e + 4 * i, marks[i]);
	put32(e + 20, 0x30);
	put32(e + 24, eof_at);
	put32(e + 28, number + 1);
	put32(e + 32, oldest);
	put32(e + 36, 0x28);
	static const unsigned long header[] = {0x30, 0x654c664c, 1, 1, 0x30};
	for (int i = 0; i < 5; i++)
		put32(file + 4 * i, header[i]);
	put32(file + 20, eof_at);
	put32(file + 24, number + 1);
	put32(file + 28, oldest);
	put32(file + 32, 0x80000);
	put32(file + 36, 0);
	put32(file + 40, 0);
	put32(file + 44, 0x30);
	f = fopen(path, "wb");
	if (f) {
		fwrite(file, 1, eof_at + 0x28, f);
		fclose(f);
	}
}

/* --- the service --- */

static bool password_matches(const char *given)
{
	char text[1024];
	size_t len = 0;
	FILE *f = opt.expect_file ? fopen(opt.expect_file, "rb") : NULL;
	if (f) {
		len = fread(text, 1, sizeof text - 1, f);
		fclose(f);
	}
	struct secret expected;
	const char *why;
	bool same =
	    secret_parse(text, len, &expected, &why) == SECRET_OK && strcmp(expected.value, given) == 0;
	secret_clear(&expected);
	secret_wipe(text, sizeof text);
	return same;
}

static bool kmsdata_sound(void)
{
	if (!opt.kmsdata)
		return true;
	char path[1024];
	snprintf(path, sizeof path, "%s\\Kmsmdb.edb", opt.kmsdata);
	unsigned char head[8];
	FILE *f = fopen(path, "rb");
	bool sound = f && fread(head, 1, sizeof head, f) == sizeof head && get32(head + 4) == 0x89abcdefUL;
	if (f)
		fclose(f);
	return sound;
}

static DWORD WINAPI control_handler(DWORD control, DWORD type, LPVOID data, LPVOID context)
{
	(void)type, (void)data, (void)context;
	if (control == SERVICE_CONTROL_STOP && status.dwCurrentState == SERVICE_RUNNING) {
		report(SERVICE_STOP_PENDING, 0, 0);
		SetEvent(stop_event);
		return NO_ERROR;
	}
	if (control == SERVICE_CONTROL_INTERROGATE)
		return NO_ERROR;
	return ERROR_CALL_NOT_IMPLEMENTED;
}

/* The KM service's start: false when it stopped (or it hangs for ever). */
static bool start_checks_pass(DWORD argc, LPWSTR *argv)
{
	if (opt.exit_win32 || opt.exit_specific) {
		log_line("stopping with exit codes %lu/%lu", opt.exit_win32, opt.exit_specific);
		report(SERVICE_STOPPED, opt.exit_win32, opt.exit_specific);
		return false;
	}
	for (unsigned long waited = 0; waited < opt.start_delay; waited += 250) {
		Sleep(250);
		status.dwCheckPoint++;
		report(SERVICE_START_PENDING, 0, 0);
	}
	if (opt.plain)
		return true;
	if (argc < 2 || opt.hang_always) {
		log_line("no startup parameter: hanging in START_PENDING");
		for (;;) { /* the hang of Q263718: no password, no progress */
			Sleep(500);
			if (opt.moving_checkpoint) {
				status.dwCheckPoint++;
				report(SERVICE_START_PENDING, 0, 0);
			}
		}
	}
	char given[SECRET_MAX + 1];
	bool converted = WideCharToMultiByte(CP_UTF8, 0, argv[1], -1, given, sizeof given, NULL, NULL) > 0;
	bool right = converted && password_matches(given);
	secret_wipe(given, sizeof given);
	if (!right) {
		log_line("the password is not valid: stopping with 5057");
		report(SERVICE_STOPPED, 0, KMS_EVENT_BAD_PASSWORD);
		return false;
	}
	if (!kmsdata_sound()) {
		log_line("Kmsdata is corrupt: event 5058, stopping");
		if (opt.evt_file)
			append_exception_event(opt.evt_file);
		report(SERVICE_STOPPED, 0, KMS_EVENT_EXCEPTION);
		return false;
	}
	return true;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
	status_handle = RegisterServiceCtrlHandlerExW(argc > 0 ? argv[0] : L"", control_handler, NULL);
	if (!status_handle)
		return;
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	status.dwCheckPoint = 1;
	report(SERVICE_START_PENDING, 0, 0);
	log_line("started with %lu argument(s)", (unsigned long)argc);
	if (!start_checks_pass(argc, argv))
		return;
	status.dwCheckPoint = 0;
	report(SERVICE_RUNNING, 0, 0);
	log_line("running");
	WaitForSingleObject(stop_event, INFINITE);
	if (opt.stop_hang) {
		log_line("asked to stop: hanging in STOP_PENDING");
		for (;;) {
			Sleep(500);
			if (opt.moving_checkpoint) {
				status.dwCheckPoint++;
				report(SERVICE_STOP_PENDING, 0, 0);
			}
		}
	}
	log_line("stopped");
	report(SERVICE_STOPPED, 0, 0);
}

static const char usage[] =
    "Usage: kms_standin install NAME DISPLAY START DEPENDENCIES|- [ARG]...\n"
    "       kms_standin uninstall|stop NAME\n"
    "       kms_standin start NAME [ARG]...\n"
    "       kms_standin run [--stop-hang] [--moving-checkpoint] [--plain] [--hang-always]\n"
    "                       [--expect FILE] [--kmsdata DIR] [--evt FILE] [--log FILE] ...\n"
    "       kms_standin config NAME VALUE | squat NAME PATH | kill PID\n"
    "A stand-in for the KM service under Wine (see the source for every option).\n";

static int run_service(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--stop-hang") == 0) {
			opt.stop_hang = 1;
			continue;
		}
		if (strcmp(a, "--moving-checkpoint") == 0 || strcmp(a, "--plain") == 0 ||
		    strcmp(a, "--hang-always") == 0) {
			*(a[2] == 'm'   ? &opt.moving_checkpoint
			  : a[2] == 'p' ? &opt.plain
			                : &opt.hang_always) = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "kms_standin run: '%s' needs a value\n%s", a, usage);
			return 2;
		}
		i++;
		if (strcmp(a, "--expect") == 0)
			opt.expect_file = v;
		else if (strcmp(a, "--kmsdata") == 0)
			opt.kmsdata = v;
		else if (strcmp(a, "--evt") == 0)
			opt.evt_file = v;
		else if (strcmp(a, "--log") == 0)
			opt.log_file = v;
		else if (strcmp(a, "--exit-win32") == 0)
			opt.exit_win32 = strtoul(v, NULL, 10);
		else if (strcmp(a, "--wait-hint") == 0)
			opt.wait_hint = strtoul(v, NULL, 10);
		else if (strcmp(a, "--start-delay") == 0)
			opt.start_delay = strtoul(v, NULL, 10);
		else if (strcmp(a, "--exit-specific") == 0)
			opt.exit_specific = strtoul(v, NULL, 10);
		else {
			fprintf(stderr, "kms_standin run: unknown option '%s'\n%s", a, usage);
			return 2;
		}
	}
	static SERVICE_TABLE_ENTRYW table[] = {{L"", service_main}, {NULL, NULL}};
	return StartServiceCtrlDispatcherW(table) ? 0 : 1;
}

/* --- registration --- */

static int fail(const char *what)
{
	fprintf(stderr, "kms_standin: %s: error %lu\n", what, (unsigned long)GetLastError());
	return 1;
}

static wchar_t *wide(const char *s)
{
	static wchar_t bufs[4][1024];
	static int next;
	wchar_t *w = bufs[next++ % 4];
	MultiByteToWideChar(CP_UTF8, 0, s, -1, w, 1024);
	return w;
}

static DWORD start_type(const char *name)
{
	return strcmp(name, "auto") == 0       ? SERVICE_AUTO_START
	       : strcmp(name, "disabled") == 0 ? SERVICE_DISABLED
	                                       : SERVICE_DEMAND_START;
}

static int install(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	DWORD start = start_type(argv[4]);
	wchar_t self[MAX_PATH];
	GetModuleFileNameW(NULL, self, MAX_PATH);
	static wchar_t command[8192];
	_snwprintf(command, 8192, L"\"%ls\" run", self);
	for (int i = 6; i < argc; i++) {
		size_t n = wcslen(command);
		_snwprintf(command + n, 8192 - n, L" \"%ls\"", wide(argv[i]));
	}
	command[8191] = L'\0';
	wchar_t deps[300] = {0};
	if (strcmp(argv[5], "-") != 0)
		MultiByteToWideChar(CP_UTF8, 0, argv[5], -1, deps, 298); /* double-NUL ended */
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
	if (!scm)
		return fail("OpenSCManager");
	SC_HANDLE s = CreateServiceW(scm, wide(argv[2]), wide(argv[3]), SERVICE_ALL_ACCESS,
	                             SERVICE_WIN32_OWN_PROCESS, start, SERVICE_ERROR_NORMAL, command, NULL,
	                             NULL, deps[0] ? deps : NULL, NULL, NULL);
	if (!s)
		return fail("CreateService");
	CloseServiceHandle(s);
	CloseServiceHandle(scm);
	return 0;
}

static SC_HANDLE open_service(const char *name)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
	return scm ? OpenServiceW(scm, wide(name), SERVICE_ALL_ACCESS) : NULL;
}

static int uninstall(const char *name)
{
	SC_HANDLE s = open_service(name);
	if (!s)
		return GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST ? 0 : fail("OpenService");
	SERVICE_STATUS st;
	ControlService(s, SERVICE_CONTROL_STOP, &st);
	return DeleteService(s) ? 0 : fail("DeleteService");
}

static int start(int argc, char **argv)
{
	SC_HANDLE s = open_service(argv[2]);
	if (!s)
		return fail("OpenService");
	LPCWSTR args[8];
	int n = 0;
	for (int i = 3; i < argc && n < 4; i++)
		args[n++] = wide(argv[i]);
	return StartServiceW(s, (DWORD)n, n ? args : NULL) ? 0 : fail("StartService");
}

static int stop(const char *name)
{
	SC_HANDLE s = open_service(name);
	SERVICE_STATUS st;
	if (!s)
		return fail("OpenService");
	return ControlService(s, SERVICE_CONTROL_STOP, &st) ? 0 : fail("ControlService");
}

static int kill_process(const char *name)
{
	SC_HANDLE s = open_service(name);
	SERVICE_STATUS_PROCESS st;
	DWORD needed;
	if (!s || !QueryServiceStatusEx(s, SC_STATUS_PROCESS_INFO, (BYTE *)&st, sizeof st, &needed))
		return fail("QueryServiceStatusEx");
	if (st.dwProcessId == 0)
		return 0;
	HANDLE h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, st.dwProcessId);
	if (!h || !TerminateProcess(h, 1))
		return fail("TerminateProcess");
	WaitForSingleObject(h, 10000);
	return 0;
}

static int configure(const char *name, const char *type)
{
	SC_HANDLE s = open_service(name);
	if (!s)
		return fail("OpenService");
	return ChangeServiceConfigW(s, SERVICE_NO_CHANGE, start_type(type), SERVICE_NO_CHANGE, NULL, NULL,
	                            NULL, NULL, NULL, NULL, NULL)
	           ? 0
	           : fail("ChangeServiceConfig");
}

static int squat(const char *name, const char *seconds)
{
	wchar_t wide[300];
	_snwprintf(wide, 300, L"Global\\%hs", name);
	wide[299] = L'\0';
	HANDLE h = CreateMutexW(NULL, TRUE, wide);
	if (!h)
		return fail("CreateMutex");
	printf("holding %s\n", name);
	fflush(stdout);
	Sleep(strtoul(seconds, NULL, 10) * 1000);
	CloseHandle(h);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "squat") == 0)
		return squat(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "kill") == 0)
		return kill_process(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "config") == 0)
		return configure(argv[2], argv[3]);
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return run_service(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "install") == 0)
		return install(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "uninstall") == 0)
		return uninstall(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "start") == 0)
		return start(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "stop") == 0)
		return stop(argv[2]);
	fprintf(stderr, "kms_standin: unknown command '%s'\n%s", argc >= 2 ? argv[1] : "", usage);
	return 2;
}
