/* evsource, Windows: the registry calls on the source's key. */
#include "evsource.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "wintext.h"

#define KEY_CAP 512

static void describe(char *err, size_t errcap, const char *what, const char *source, LONG code)
{
	char message[256];
	win_error_message((unsigned long)code, message, sizeof message);
	snprintf(err, errcap, "cannot %s the event source %s (HKLM\\%s\\%s): %s (%ld)", what, source,
	         EVSOURCE_KEY, source, message, (long)code);
}

static bool key_name(const char *source, wchar_t *out, char *err, size_t errcap)
{
	char name[KEY_CAP];
	int n = snprintf(name, sizeof name, "%s\\%s", EVSOURCE_KEY, source);
	if (!*source || strpbrk(source, "\\/") || n < 0 || (size_t)n >= sizeof name ||
	    !win_to_wide(name, out, KEY_CAP)) {
		snprintf(err, errcap, "'%s' is not a usable event source name", source);
		return false;
	}
	return true;
}

bool evsource_register(const char *source, const char *message_file, char *err, size_t errcap)
{
	wchar_t key_path[KEY_CAP], file[MAX_PATH * 2];
	if (!key_name(source, key_path, err, errcap))
		return false;
	if (!win_to_wide(message_file, file, MAX_PATH * 2)) {
		snprintf(err, errcap, "'%s' is not a usable file name", message_file);
		return false;
	}
	HKEY key;
	DWORD disposition;
	LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key_path, 0, NULL, REG_OPTION_NON_VOLATILE,
	                          KEY_SET_VALUE, NULL, &key, &disposition);
	if (rc != ERROR_SUCCESS) {
		describe(err, errcap, "register", source, rc);
		return false;
	}
	DWORD types = EVSOURCE_TYPES;
	rc = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)file,
	                    (DWORD)((wcslen(file) + 1) * sizeof file[0]));
	if (rc == ERROR_SUCCESS)
		rc = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof types);
	RegCloseKey(key);
	if (rc != ERROR_SUCCESS) {
		describe(err, errcap, "register", source, rc);
		return false;
	}
	return true;
}

bool evsource_unregister(const char *source, char *err, size_t errcap)
{
	wchar_t key_path[KEY_CAP];
	if (!key_name(source, key_path, err, errcap))
		return false;
	LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, key_path);
	if (rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND)
		return true;
	describe(err, errcap, "remove", source, rc);
	return false;
}

enum evsource_state evsource_query(const char *source, char *file, size_t filecap, char *err, size_t errcap)
{
	wchar_t key_path[KEY_CAP], value[MAX_PATH * 2 + 1];
	*file = '\0';
	if (!key_name(source, key_path, err, errcap))
		return EVSOURCE_ERROR;
	HKEY key;
	LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_path, 0, KEY_QUERY_VALUE, &key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return EVSOURCE_ABSENT;
	if (rc != ERROR_SUCCESS) {
		describe(err, errcap, "read", source, rc);
		return EVSOURCE_ERROR;
	}
	DWORD type = 0, size = sizeof value - sizeof value[0];
	memset(value, 0, sizeof value);
	rc = RegQueryValueExW(key, L"EventMessageFile", NULL, &type, (BYTE *)value, &size);
	RegCloseKey(key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return EVSOURCE_ABSENT;
	if (rc != ERROR_SUCCESS || (type != REG_EXPAND_SZ && type != REG_SZ)) {
		describe(err, errcap, "read", source, rc != ERROR_SUCCESS ? rc : ERROR_INVALID_DATA);
		return EVSOURCE_ERROR;
	}
	win_from_wide(value, file, filecap);
	return EVSOURCE_REGISTERED;
}

bool evsource_program_dir(char *buf, size_t cap)
{
	wchar_t path[MAX_PATH * 2];
	DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH * 2);
	if (n == 0 || n >= MAX_PATH * 2)
		return false;
	wchar_t *slash = wcsrchr(path, L'\\');
	if (!slash)
		return false;
	*slash = L'\0';
	return win_from_wide(path, buf, cap);
}
