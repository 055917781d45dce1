/* atomicfile_win32: the Windows half of atomicfile.h: a temporary beside the
 * target, WriteFile + FlushFileBuffers, then MoveFileExW with
 * MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH (Windows 2000 and later). */
#include "atomicfile.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "wintext.h"

static void describe(char *err, size_t errlen, const char *what, const char *path, DWORD code)
{
	if (!err || !errlen)
		return;
	char reason[512];
	win_error_message(code, reason, sizeof reason);
	snprintf(err, errlen, "cannot %s '%s': %s (error %lu)", what, path, reason, (unsigned long)code);
}

/* tmp = target + ".tmp" + hex digits of (process id, tick count, attempt)
 * (tmp holds MAX_PATH + 64). */
static void make_temp_name(const wchar_t *target, wchar_t *tmp, unsigned long attempt)
{
	size_t n = wcslen(target);
	memcpy(tmp, target, n * sizeof *tmp);
	memcpy(tmp + n, L".tmp", 4 * sizeof *tmp);
	n += 4;
	unsigned long parts[3] = {GetCurrentProcessId(), GetTickCount(), attempt};
	for (int i = 0; i < 3; i++)
		for (int shift = 28; shift >= 0; shift -= 4)
			tmp[n++] = L"0123456789abcdef"[(parts[i] >> shift) & 0xF];
	tmp[n] = L'\0';
}

/* A fresh temporary: CREATE_NEW never opens what is already there (a file,
 * a link or a reparse point planted at the name); a taken name is retried. */
static HANDLE create_temp(const wchar_t *target, wchar_t *tmp)
{
	static unsigned long counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		make_temp_name(target, tmp, ++counter);
		HANDLE h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
		if (h != INVALID_HANDLE_VALUE || GetLastError() != ERROR_FILE_EXISTS)
			return h;
	}
	SetLastError(ERROR_FILE_EXISTS);
	return INVALID_HANDLE_VALUE;
}

bool atomicfile_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	wchar_t target[MAX_PATH + 32], tmp[MAX_PATH + 64];
	if (!path || !*path || !win_to_wide(path, target, MAX_PATH)) {
		describe(err, errlen, "write", path ? path : "", ERROR_INVALID_NAME);
		return false;
	}
	HANDLE h = create_temp(target, tmp);
	if (h == INVALID_HANDLE_VALUE) {
		describe(err, errlen, "write", path, GetLastError());
		return false;
	}
	DWORD code = 0;
	const unsigned char *p = data;
	while (len > 0 && code == 0) {
		DWORD chunk = len > 0x10000000 ? 0x10000000 : (DWORD)len, wrote = 0;
		if (!WriteFile(h, p, chunk, &wrote, NULL) || wrote == 0)
			code = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
		p += wrote;
		len -= wrote;
	}
	if (code == 0 && !FlushFileBuffers(h))
		code = GetLastError();
	CloseHandle(h);
	if (code == 0 && !MoveFileExW(tmp, target, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		code = GetLastError();
	if (code != 0) {
		DeleteFileW(tmp);
		describe(err, errlen, "write", path, code);
		return false;
	}
	return true;
}

enum atomicfile_status atomicfile_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                                       size_t errlen)
{
	wchar_t wide[MAX_PATH + 32];
	*len = 0;
	if (cap == 0) {
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': no room for it", path);
		return ATOMICFILE_ERROR;
	}
	buf[0] = '\0';
	if (!win_to_wide(path, wide, MAX_PATH)) {
		describe(err, errlen, "read", path, ERROR_INVALID_NAME);
		return ATOMICFILE_ERROR;
	}
	HANDLE h = CreateFileW(wide, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	                       NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();
		if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
			return ATOMICFILE_MISSING;
		describe(err, errlen, "read", path, code);
		return ATOMICFILE_ERROR;
	}
	if (GetFileType(h) != FILE_TYPE_DISK) { /* a pipe or a device: never wait on it */
		CloseHandle(h);
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': it is not a regular file", path);
		return ATOMICFILE_ERROR;
	}
	size_t got = 0;
	for (;;) {
		DWORD want = (DWORD)(cap - 1 - got > 0x10000000 ? 0x10000000 : cap - 1 - got), n = 0;
		char probe;
		bool full = want == 0;
		if (!ReadFile(h, full ? &probe : buf + got, full ? 1 : want, &n, NULL)) {
			DWORD code = GetLastError();
			CloseHandle(h);
			describe(err, errlen, "read", path, code);
			return ATOMICFILE_ERROR;
		}
		if (n == 0)
			break;
		if (full) {
			CloseHandle(h);
			if (err && errlen)
				snprintf(err, errlen, "cannot read '%s': it is larger than %lu bytes", path,
				         (unsigned long)(cap - 1));
			return ATOMICFILE_ERROR;
		}
		got += n;
	}
	CloseHandle(h);
	buf[got] = '\0';
	*len = got;
	return ATOMICFILE_OK;
}
