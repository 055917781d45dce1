/* pwinput, Windows: a console line read with echo off (the mode restored
 * before returning), or bytes from a pipe or file up to the first line end. */
#include "pwinput.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "wintext.h"

#define WIDE_CAP 1024

static void say(HANDLE out, const char *text)
{
	DWORD written;
	if (out && out != INVALID_HANDLE_VALUE)
		WriteFile(out, text, (DWORD)strlen(text), &written, NULL);
}

/* Wide characters up to CR or LF into line; false at the end of input. */
static enum pwinput_status read_console(HANDLE in, wchar_t *line, size_t cap, size_t *n)
{
	*n = 0;
	for (;;) {
		wchar_t c;
		DWORD got = 0;
		if (!ReadConsoleW(in, &c, 1, &got, NULL))
			return PWINPUT_ERROR;
		if (got == 0)
			return *n ? PWINPUT_OK : PWINPUT_NO_INPUT;
		if (c == L'\r' || c == L'\n')
			return PWINPUT_OK;
		if (*n + 1 >= cap)
			return PWINPUT_TOO_LONG;
		line[(*n)++] = c;
	}
}

static enum pwinput_status from_console(HANDLE in, DWORD mode, const char *prompt, char *buf, size_t cap)
{
	static wchar_t line[WIDE_CAP];
	size_t n = 0;
	HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
	say(err, prompt);
	SetConsoleMode(in, (mode & ~(DWORD)ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT);
	enum pwinput_status st = read_console(in, line, WIDE_CAP, &n);
	SetConsoleMode(in, mode);
	say(err, "\r\n");
	line[n] = L'\0';
	if (st == PWINPUT_OK && !win_from_wide(line, buf, cap))
		st = PWINPUT_TOO_LONG;
	SecureZeroMemory(line, sizeof line);
	return st;
}

/* Bytes up to the first line end; a CR before it is dropped. */
static enum pwinput_status from_stream(HANDLE in, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	bool any = false;
	for (;;) {
		char c;
		DWORD got = 0;
		if (!ReadFile(in, &c, 1, &got, NULL) || got == 0) {
			DWORD code = got == 0 ? ERROR_HANDLE_EOF : GetLastError();
			if (code != ERROR_HANDLE_EOF && code != ERROR_BROKEN_PIPE)
				return PWINPUT_ERROR;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (n + 1 >= cap)
			return PWINPUT_TOO_LONG;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return any ? PWINPUT_OK : PWINPUT_NO_INPUT;
}

enum pwinput_status pwinput_read(const char *prompt, char *buf, size_t cap, size_t *len, char *why,
                                 size_t whycap)
{
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	DWORD mode = 0;
	enum pwinput_status st;
	*len = 0;
	buf[0] = '\0';
	if (!in || in == INVALID_HANDLE_VALUE)
		st = PWINPUT_NO_INPUT;
	else if (GetConsoleMode(in, &mode))
		st = from_console(in, mode, prompt, buf, cap);
	else
		st = from_stream(in, buf, cap, len);
	if (st == PWINPUT_OK)
		*len = strlen(buf);
	if (st == PWINPUT_OK && *len == 0)
		st = PWINPUT_EMPTY;
	if (st == PWINPUT_ERROR)
		snprintf(why, whycap, "cannot read standard input (error %lu)",
		         (unsigned long)GetLastError());
	if (st != PWINPUT_OK) {
		SecureZeroMemory(buf, cap);
		*len = 0;
	}
	return st;
}
