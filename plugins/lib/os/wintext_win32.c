/* wintext, Windows: UTF-8 <-> UTF-16 at the Win32 API boundary and the
 * system's message for an error code, shared by every *_win32.c module. */
#include "wintext.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

bool win_to_wide(const char *text, wchar_t *out, size_t cap)
{
	if (cap == 0)
		return false;
	out[0] = L'\0';
	if (cap > INT_MAX)
		cap = INT_MAX;
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, out, (int)cap);
	if (n == 0 && GetLastError() == ERROR_NO_UNICODE_TRANSLATION)
		n = MultiByteToWideChar(CP_ACP, 0, text, -1, out, (int)cap);
	if (n == 0) {
		out[0] = L'\0';
		return false;
	}
	return true;
}

bool win_from_wide(const wchar_t *text, char *out, size_t cap)
{
	if (cap == 0)
		return false;
	if (cap > INT_MAX)
		cap = INT_MAX;
	if (WideCharToMultiByte(CP_UTF8, 0, text, -1, out, (int)cap, NULL, NULL) == 0) {
		out[0] = '\0';
		return false;
	}
	return true;
}

size_t win_error_message(unsigned long code, char *buf, size_t cap)
{
	wchar_t wide[512];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
	                         (DWORD)code, 0, wide, sizeof wide / sizeof wide[0], NULL);
	if (n == 0 || !win_from_wide(wide, buf, cap))
		snprintf(buf, cap, "Win32 error %lu", code);
	/* One line, no trailing period or blanks. */
	for (char *p = buf; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	size_t len = strlen(buf);
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '.'))
		buf[--len] = '\0';
	return len;
}
