/* winapi, Windows: the run-time lookups of what Windows 2000 added
 * (GetProcAddress, NT 3.1) and NT 4.0's process list. No function here is
 * imported that NT 4.0 SP6a lacks (tests/win2000/check-imports-nt4.sh). */
#include "config.h"

#include "winapi.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The forced NT 4.0 path of a --enable-test-hooks build. */
static bool forced_nt4(void)
{
#ifdef KMS_TEST_HOOKS
	char value[8];
	DWORD n = GetEnvironmentVariableA("KMS_TEST_WINDOWS", value, sizeof value);
	return n > 0 && n < sizeof value && strcmp(value, "nt4") == 0;
#else
	return false;
#endif
}

const char *winapi_windows(void)
{
	return forced_nt4() ? "nt4 (forced)" : "2000";
}

static FARPROC lookup(const wchar_t *dll, const char *name)
{
	if (forced_nt4())
		return NULL;
	HMODULE module = GetModuleHandleW(dll);
	return module ? GetProcAddress(module, name) : NULL;
}

winapi_query_service_status_ex_fn winapi_query_service_status_ex(void)
{
	return (winapi_query_service_status_ex_fn)(void (*)(void))lookup(L"advapi32.dll",
	                                                                 "QueryServiceStatusEx");
}

bool winapi_global_names(void)
{
	return !forced_nt4();
}

/* --- the process list --- */

typedef HANDLE(WINAPI *snapshot_fn)(DWORD flags, DWORD pid);
typedef BOOL(WINAPI *process_walk_fn)(HANDLE snapshot, PROCESSENTRY32W *entry);

static bool each_toolhelp(bool (*each)(const struct winapi_process *, void *), void *ctx, DWORD *code)
{
	snapshot_fn snapshot =
	    (snapshot_fn)(void (*)(void))lookup(L"kernel32.dll", "CreateToolhelp32Snapshot");
	process_walk_fn first = (process_walk_fn)(void (*)(void))lookup(L"kernel32.dll", "Process32FirstW");
	process_walk_fn next = (process_walk_fn)(void (*)(void))lookup(L"kernel32.dll", "Process32NextW");
	HANDLE snap = snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE) {
		*code = GetLastError();
		return false;
	}
	PROCESSENTRY32W entry;
	entry.dwSize = sizeof entry;
	struct winapi_process p;
	for (BOOL more = first(snap, &entry); more; more = next(snap, &entry)) {
		p.pid = entry.th32ProcessID;
		wcsncpy(p.image, entry.szExeFile, MAX_PATH - 1);
		p.image[MAX_PATH - 1] = L'\0';
		if (!each(&p, ctx))
			break;
	}
	CloseHandle(snap);
	return true;
}

/* NtQuerySystemInformation (ntdll; NT 3.5 and later: Nebbett, "Windows NT/2000
 * Native API Reference", 2000, ZwQuerySystemInformation). */
typedef LONG(WINAPI *nt_query_system_information_fn)(ULONG info_class, void *buf, ULONG size, ULONG *needed);
#define NT_SYSTEM_PROCESS_INFORMATION  5
#define NT_STATUS_INFO_LENGTH_MISMATCH ((LONG)0xC0000004L)
#define NT_LIST_FIRST_SIZE             (64u * 1024u)
#define NT_LIST_LARGEST                (16u * 1024u * 1024u)

/* The head of one SYSTEM_PROCESS_INFORMATION record: only the fields NT 4.0
 * and Windows 2000 share. Windows 2000 inserted IO_COUNTERS after the
 * VM_COUNTERS, further on (Nebbett, SYSTEM_PROCESSES: "IoCounters, Windows
 * 2000 only"), which moves the thread array: it is never read. The offsets
 * are those of Microsoft's winternl.h SYSTEM_PROCESS_INFORMATION
 * (NextEntryOffset, NumberOfThreads, Reserved1[48], ImageName, BasePriority,
 * UniqueProcessId), checked below for both pointer sizes. */
struct nt_process_head {
	ULONG next_entry_offset; /* 0: bytes to the next record, 0 on the last */
	ULONG thread_count;      /* 4 */
	BYTE times_and_counts[48];
	USHORT image_bytes; /* 56: ImageName, a UNICODE_STRING: length in bytes, */
	USHORT image_capacity;
	wchar_t *image; /* not terminated; NULL for the idle process */
	LONG base_priority;
	HANDLE unique_process_id; /* 32-bit: 68; 64-bit: 80 */
};
_Static_assert(offsetof(struct nt_process_head, image_bytes) == 56, "ImageName at 56");
_Static_assert(offsetof(struct nt_process_head, unique_process_id) == (sizeof(void *) == 8 ? 80 : 68),
               "UniqueProcessId at 68 (32-bit) or 80 (64-bit)");

static BYTE *nt_process_list(nt_query_system_information_fn query, DWORD *code)
{
	for (ULONG size = NT_LIST_FIRST_SIZE; size <= NT_LIST_LARGEST; size *= 2) {
		BYTE *buf = malloc(size);
		if (!buf) {
			*code = ERROR_NOT_ENOUGH_MEMORY;
			return NULL;
		}
		ULONG needed = 0;
		LONG status = query(NT_SYSTEM_PROCESS_INFORMATION, buf, size, &needed);
		if (status >= 0)
			return buf;
		free(buf);
		if (status != NT_STATUS_INFO_LENGTH_MISMATCH) {
			*code = ERROR_GEN_FAILURE;
			return NULL;
		}
	}
	*code = ERROR_NOT_ENOUGH_MEMORY;
	return NULL;
}

static bool each_nt(nt_query_system_information_fn query, bool (*each)(const struct winapi_process *, void *),
                    void *ctx, DWORD *code)
{
	BYTE *list = nt_process_list(query, code);
	if (!list)
		return false;
	struct winapi_process p;
	for (size_t at = 0;;) {
		struct nt_process_head head;
		memcpy(&head, list + at, sizeof head);
		size_t chars = head.image_bytes / sizeof(wchar_t);
		if (chars > MAX_PATH - 1 || !head.image)
			chars = head.image ? MAX_PATH - 1 : 0;
		if (chars)
			memcpy(p.image, head.image, chars * sizeof(wchar_t));
		p.image[chars] = L'\0';
		p.pid = (unsigned long)(ULONG_PTR)head.unique_process_id;
		if (!each(&p, ctx) || head.next_entry_offset == 0)
			break;
		at += head.next_entry_offset;
	}
	free(list);
	return true;
}

bool winapi_each_process(bool (*each)(const struct winapi_process *p, void *ctx), void *ctx,
                         const char **which, DWORD *code)
{
	*code = 0;
	if (lookup(L"kernel32.dll", "CreateToolhelp32Snapshot") &&
	    lookup(L"kernel32.dll", "Process32FirstW") && lookup(L"kernel32.dll", "Process32NextW")) {
		*which = "Toolhelp";
		return each_toolhelp(each, ctx, code);
	}
	*which = "NtQuerySystemInformation";
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	nt_query_system_information_fn query =
	    ntdll ? (nt_query_system_information_fn)(void (*)(void))GetProcAddress(ntdll,
	                                                                           "NtQuerySystemInformation")
	          : NULL;
	if (!query) {
		*code = ERROR_PROC_NOT_FOUND;
		return false;
	}
	return each_nt(query, each, ctx, code);
}
