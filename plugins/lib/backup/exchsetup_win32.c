/* exchsetup, Windows: the Exchange install folder from the registry
 * (RegQueryValueExW, REG_SZ or REG_EXPAND_SZ), else C:\exchsrvr; Kmsdata
 * is its "kmsdata" subfolder. */
#include "exchsetup.h"

#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

static bool install_dir(wchar_t *out, DWORD cap_chars)
{
	HKEY key;
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"" EXCHSETUP_KEY, 0, KEY_QUERY_VALUE, &key) != ERROR_SUCCESS)
		return false;
	DWORD type = 0, bytes = (cap_chars - 1) * sizeof(wchar_t);
	LONG rc = RegQueryValueExW(key, L"" EXCHSETUP_VALUE, NULL, &type, (BYTE *)out, &bytes);
	RegCloseKey(key);
	if (rc != ERROR_SUCCESS || (type != REG_SZ && type != REG_EXPAND_SZ) || bytes < sizeof(wchar_t))
		return false;
	out[bytes / sizeof(wchar_t)] = 0;
	if (type == REG_EXPAND_SZ) {
		wchar_t expanded[MAX_PATH];
		DWORD n = ExpandEnvironmentStringsW(out, expanded, MAX_PATH);
		if (n == 0 || n > MAX_PATH)
			return false;
		wcscpy(out, expanded);
	}
	return out[0] != 0;
}

bool exchsetup_kmsdata_dir(char *buf, size_t cap)
{
	wchar_t dir[MAX_PATH + 1];
	char utf8[MAX_PATH * 3];
	if (!install_dir(dir, MAX_PATH) ||
	    WideCharToMultiByte(CP_UTF8, 0, dir, -1, utf8, (int)sizeof utf8, NULL, NULL) <= 0)
		snprintf(utf8, sizeof utf8, "%s", EXCHSETUP_FALLBACK);
	size_t n = strlen(utf8);
	while (n > 0 && (utf8[n - 1] == '\\' || utf8[n - 1] == '/'))
		utf8[--n] = '\0';
	return snprintf(buf, cap, "%s\\kmsdata", utf8) < (int)cap;
}
