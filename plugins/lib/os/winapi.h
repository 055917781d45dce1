/* winapi: what this Windows has. The functions Windows 2000 added that the
 * suite uses where present, found with GetProcAddress (never imported, so
 * every program loads on NT 4.0 SP6a), each with its own function-pointer
 * type (the headers declare them only for _WIN32_WINNT >= 0x0500), and
 * NT 4.0's own ways: the process list from ntdll, the named-object space
 * without Terminal Services. Windows only (winapi_win32.c), for the
 * *_win32.c modules.
 *
 * A build configured with --enable-test-hooks (KMS_TEST_HOOKS, never a
 * release build) treats every lookup as absent when the environment says
 * KMS_TEST_WINDOWS=nt4: the NT 4.0 paths then run under Wine. */
#ifndef KMS_WINAPI_H
#define KMS_WINAPI_H

#include <stdbool.h>
#include <stddef.h>

#include <windows.h>
#include <sddl.h>
#include <tlhelp32.h>

/* advapi32, Windows 2000: QueryServiceStatusEx(SC_STATUS_PROCESS_INFO). */
typedef BOOL(WINAPI *winapi_query_service_status_ex_fn)(SC_HANDLE service, int info_level, BYTE *buf,
                                                        DWORD size, DWORD *needed);
winapi_query_service_status_ex_fn winapi_query_service_status_ex(void);

/* The fields of SERVICE_STATUS_PROCESS (winsvc.h, Windows 2000), declared
 * here because the NT 4.0 headers do not. */
struct winapi_service_status_process {
	DWORD service_type, current_state, controls_accepted, win32_exit_code, service_exit_code, checkpoint,
	    wait_hint, process_id, service_flags;
};
#define WINAPI_SC_STATUS_PROCESS_INFO 0

/* "Global\" names exist (Windows 2000, or NT 4.0 with Terminal Services);
 * false only on the forced NT 4.0 path: the caller then meets what NT 4.0
 * answers, ERROR_PATH_NOT_FOUND, without asking. */
bool winapi_global_names(void);

/* One running process, from Toolhelp (kernel32, Windows 2000) where present,
 * else from NtQuerySystemInformation(SystemProcessInformation) (ntdll, NT 3.5
 * and later). image is the image's base name ("perfwiz.exe"). */
struct winapi_process {
	unsigned long pid;
	wchar_t image[MAX_PATH];
};

/* Calls each(p, ctx) for every running process until it returns false.
 * *which names the source used ("Toolhelp" or "NtQuerySystemInformation").
 * False with *code (a Win32 error) when the list cannot be read. */
bool winapi_each_process(bool (*each)(const struct winapi_process *p, void *ctx), void *ctx,
                         const char **which, DWORD *code);

/* Which Windows the lookups answer for, for tests: "2000" or "nt4 (forced)". */
const char *winapi_windows(void);

/* The compile-time floor. mingw-w64's headers declare these Windows 2000
 * functions whatever _WIN32_WINNT says (0x0400 here), so each is declared
 * again as an error: a direct call in a module that includes this header
 * (every one that includes wintext.h) fails to build. Look them up here. */
#define WINAPI_NOT_ON_NT4 __attribute__((error("not on NT 4.0 SP6a: look it up at run time (winapi.h)")))
WINADVAPI WINBOOL WINAPI QueryServiceStatusEx(SC_HANDLE, SC_STATUS_TYPE, LPBYTE, DWORD,
                                              LPDWORD) WINAPI_NOT_ON_NT4;
WINADVAPI WINBOOL WINAPI ConvertSidToStringSidW(PSID, LPWSTR *) WINAPI_NOT_ON_NT4;
WINADVAPI WINBOOL WINAPI CheckTokenMembership(HANDLE, PSID, PBOOL) WINAPI_NOT_ON_NT4;
WINBASEAPI WINBOOL WINAPI GetFileSizeEx(HANDLE, PLARGE_INTEGER) WINAPI_NOT_ON_NT4;
WINBASEAPI WINBOOL WINAPI SetFilePointerEx(HANDLE, LARGE_INTEGER, PLARGE_INTEGER, DWORD) WINAPI_NOT_ON_NT4;
WINBASEAPI WINBOOL WINAPI IsDBCSLeadByteEx(UINT, BYTE) WINAPI_NOT_ON_NT4;
HANDLE WINAPI CreateToolhelp32Snapshot(DWORD, DWORD) WINAPI_NOT_ON_NT4;
WINBOOL WINAPI Process32FirstW(HANDLE, LPPROCESSENTRY32W) WINAPI_NOT_ON_NT4;
WINBOOL WINAPI Process32NextW(HANDLE, LPPROCESSENTRY32W) WINAPI_NOT_ON_NT4;

#endif
