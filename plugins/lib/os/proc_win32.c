/* proc, Windows: walks a Toolhelp process snapshot (Windows 2000 and later)
 * comparing image names without regard to case. */
#include "proc.h"

#include <stdio.h>
#include <windows.h>
#include <tlhelp32.h>

#include "wintext.h"

enum proc_lookup proc_find_by_name(const char *image, unsigned long *pid, char *err, size_t errcap)
{
	wchar_t wanted[MAX_PATH];
	*pid = 0;
	if (!win_to_wide(image, wanted, MAX_PATH)) {
		snprintf(err, errcap, "'%s' is not a usable process name", image);
		return PROC_ERROR;
	}
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(err, errcap, "cannot list processes: %s (%lu)", message, (unsigned long)code);
		return PROC_ERROR;
	}
	PROCESSENTRY32W entry;
	entry.dwSize = sizeof entry;
	enum proc_lookup found = PROC_NOT_FOUND;
	for (BOOL more = Process32FirstW(snap, &entry); more; more = Process32NextW(snap, &entry)) {
		if (_wcsicmp(entry.szExeFile, wanted) == 0) {
			*pid = entry.th32ProcessID;
			found = PROC_FOUND;
			break;
		}
	}
	CloseHandle(snap);
	return found;
}
