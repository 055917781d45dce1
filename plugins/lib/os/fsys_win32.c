/* fsys, Windows: UTF-8 paths widened for the W API (FindFirstFileW,
 * GetFileAttributesExW, CreateFileW, MoveFileW...); reparse points count as
 * links and are never followed; reasons come from FormatMessageW. */
#include "fsys.h"
#include "wintext.h"

#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fsys_dir {
	char path[FSYS_PATH_MAX]; /* for the *_at calls */
	HANDLE find;
	WIN32_FIND_DATAW data;
	bool first;
	char name[FSYS_PATH_MAX];
};

struct fsys_file {
	HANDLE h;
	bool writing;
};

static void set_err(char *err, DWORD code)
{
	if (err)
		win_error_message(code, err, FSYS_ERR_MAX);
}

/* UTF-8 to UTF-16 (text that is not UTF-8 is taken in the ANSI code page,
 * as argv delivers it). */
static bool widen(const char *path, wchar_t *out, int cap, char *err)
{
	if (win_to_wide(path, out, (size_t)cap))
		return true;
	if (err)
		snprintf(err, FSYS_ERR_MAX, "path too long or not valid text");
	return false;
}

static int64_t unix_time(FILETIME ft)
{
	ULARGE_INTEGER t;
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return (int64_t)(t.QuadPart / 10000000ULL) - 11644473600LL;
}

static FILETIME file_time(int64_t unix_seconds)
{
	ULARGE_INTEGER t;
	t.QuadPart = (ULONGLONG)(unix_seconds + 11644473600LL) * 10000000ULL;
	FILETIME ft = {t.LowPart, t.HighPart};
	return ft;
}

static bool missing_error(DWORD e)
{
	return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND || e == ERROR_INVALID_NAME;
}

/* follow: a reparse point the user named counts as what it points at. */
static bool stat_path(const char *path, struct fsys_info *out, char *err, bool follow)
{
	wchar_t wide[FSYS_PATH_MAX];
	WIN32_FILE_ATTRIBUTE_DATA a;
	memset(out, 0, sizeof *out);
	if (!widen(path, wide, FSYS_PATH_MAX, err))
		return false;
	if (!GetFileAttributesExW(wide, GetFileExInfoStandard, &a)) {
		DWORD e = GetLastError();
		if (missing_error(e)) {
			out->kind = FSYS_MISSING;
			return true;
		}
		set_err(err, e);
		return false;
	}
	if ((a.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) && !follow)
		out->kind = FSYS_LINK;
	else if (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		out->kind = FSYS_DIR;
	else if (a.dwFileAttributes & FILE_ATTRIBUTE_DEVICE)
		out->kind = FSYS_OTHER;
	else
		out->kind = FSYS_FILE;
	out->size = ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
	out->mtime = unix_time(a.ftLastWriteTime);
	return true;
}

bool fsys_lstat(const char *path, struct fsys_info *out, char *err)
{
	return stat_path(path, out, err, false);
}

bool fsys_stat(const char *path, struct fsys_info *out, char *err)
{
	return stat_path(path, out, err, true);
}

struct fsys_dir *fsys_dir_open(const char *path, char *err)
{
	char pattern[FSYS_PATH_MAX];
	wchar_t wide[FSYS_PATH_MAX];
	if (!fsys_join(pattern, sizeof pattern, path, "*")) {
		if (err)
			snprintf(err, FSYS_ERR_MAX, "path too long");
		return NULL;
	}
	if (!widen(pattern, wide, FSYS_PATH_MAX, err))
		return NULL;
	struct fsys_dir *d = calloc(1, sizeof *d);
	if (!d) {
		set_err(err, ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	snprintf(d->path, sizeof d->path, "%s", path);
	d->find = FindFirstFileW(wide, &d->data);
	if (d->find == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		if (e != ERROR_FILE_NOT_FOUND) { /* an empty root has no entries at all */
			set_err(err, e);
			free(d);
			return NULL;
		}
	}
	d->first = true;
	return d;
}

const char *fsys_dir_next(struct fsys_dir *d, bool *failed, char *err)
{
	*failed = false;
	if (d->find == INVALID_HANDLE_VALUE)
		return NULL;
	for (;;) {
		if (!d->first && !FindNextFileW(d->find, &d->data)) {
			DWORD e = GetLastError();
			if (e != ERROR_NO_MORE_FILES) {
				*failed = true;
				set_err(err, e);
			}
			return NULL;
		}
		d->first = false;
		const wchar_t *n = d->data.cFileName;
		if (wcscmp(n, L".") == 0 || wcscmp(n, L"..") == 0)
			continue;
		if (WideCharToMultiByte(CP_UTF8, 0, n, -1, d->name, sizeof d->name, NULL, NULL) > 0)
			return d->name;
	}
}

void fsys_dir_close(struct fsys_dir *d)
{
	if (!d)
		return;
	if (d->find != INVALID_HANDLE_VALUE)
		FindClose(d->find);
	free(d);
}

static struct fsys_file *open_with(const char *path, bool writing, char *err)
{
	wchar_t wide[FSYS_PATH_MAX];
	if (!widen(path, wide, FSYS_PATH_MAX, err))
		return NULL;
	HANDLE h = writing
	               ? CreateFileW(wide, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL)
	               : CreateFileW(wide, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
	                             OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		set_err(err, GetLastError());
		return NULL;
	}
	if (!writing && GetFileType(h) != FILE_TYPE_DISK) {
		CloseHandle(h);
		if (err)
			snprintf(err, FSYS_ERR_MAX, "not a regular file");
		return NULL;
	}
	struct fsys_file *f = malloc(sizeof *f);
	if (!f) {
		CloseHandle(h);
		set_err(err, ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	f->h = h;
	f->writing = writing;
	return f;
}

struct fsys_file *fsys_open_read(const char *path, char *err)
{
	return open_with(path, false, err);
}

struct fsys_file *fsys_create_new(const char *path, char *err)
{
	return open_with(path, true, err);
}

/* Windows never follows a reparse point here: the entry is looked at
 * first, and a file is opened with FILE_FLAG_OPEN_REPARSE_POINT, so one
 * swapped in after the look is opened itself (and refused), not its target. */
static bool expect_kind(const char *path, enum fsys_kind want, char *err)
{
	struct fsys_info info;
	if (!fsys_lstat(path, &info, err))
		return false;
	if (info.kind == want)
		return true;
	if (err)
		snprintf(err, FSYS_ERR_MAX, "%s",
		         info.kind == FSYS_LINK      ? "is a link: not followed"
		         : info.kind == FSYS_MISSING ? "No such file or directory"
		         : want == FSYS_DIR          ? "not a folder"
		                                     : "not a regular file");
	return false;
}

struct fsys_file *fsys_open_read_nofollow(const char *path, char *err)
{
	wchar_t wide[FSYS_PATH_MAX];
	if (!expect_kind(path, FSYS_FILE, err) || !widen(path, wide, FSYS_PATH_MAX, err))
		return NULL;
	HANDLE h = CreateFileW(wide, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
	                       FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		set_err(err, GetLastError());
		return NULL;
	}
	BY_HANDLE_FILE_INFORMATION fi;
	if (GetFileType(h) != FILE_TYPE_DISK || !GetFileInformationByHandle(h, &fi) ||
	    (fi.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY))) {
		CloseHandle(h);
		if (err)
			snprintf(err, FSYS_ERR_MAX, "not a regular file");
		return NULL;
	}
	struct fsys_file *f = malloc(sizeof *f);
	if (!f) {
		CloseHandle(h);
		set_err(err, ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	f->h = h;
	f->writing = false;
	return f;
}

static bool join_at(char *out, struct fsys_dir *d, const char *name, char *err)
{
	if (fsys_join(out, FSYS_PATH_MAX, d->path, name))
		return true;
	if (err)
		snprintf(err, FSYS_ERR_MAX, "path too long");
	return false;
}

struct fsys_dir *fsys_dir_open_at(struct fsys_dir *d, const char *name, char *err)
{
	char path[FSYS_PATH_MAX];
	if (d) {
		if (!join_at(path, d, name, err))
			return NULL;
	} else if ((size_t)snprintf(path, sizeof path, "%s", name) >= sizeof path) {
		if (err)
			snprintf(err, FSYS_ERR_MAX, "path too long");
		return NULL;
	}
	if (!expect_kind(path, FSYS_DIR, err))
		return NULL;
	return fsys_dir_open(path, err);
}

bool fsys_lstat_at(struct fsys_dir *d, const char *name, struct fsys_info *out, char *err)
{
	char path[FSYS_PATH_MAX];
	return join_at(path, d, name, err) && fsys_lstat(path, out, err);
}

struct fsys_file *fsys_open_read_at(struct fsys_dir *d, const char *name, char *err)
{
	char path[FSYS_PATH_MAX];
	return join_at(path, d, name, err) ? fsys_open_read_nofollow(path, err) : NULL;
}

bool fsys_remove_file_at(struct fsys_dir *d, const char *name, char *err)
{
	char path[FSYS_PATH_MAX];
	return join_at(path, d, name, err) && fsys_remove_file(path, err);
}

bool fsys_remove_dir_at(struct fsys_dir *d, const char *name, char *err)
{
	char path[FSYS_PATH_MAX];
	return join_at(path, d, name, err) && fsys_remove_dir(path, err);
}

long long fsys_read(struct fsys_file *f, void *buf, size_t n, char *err)
{
	size_t got = 0;
	while (got < n) {
		DWORD chunk = n - got > (1u << 20) ? (1u << 20) : (DWORD)(n - got), r = 0;
		if (!ReadFile(f->h, (char *)buf + got, chunk, &r, NULL)) {
			set_err(err, GetLastError());
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	return (long long)got;
}

long long fsys_read_at(struct fsys_file *f, uint64_t off, void *buf, size_t n, char *err)
{
	/* SetFilePointer with its high word (NT 3.1; SetFilePointerEx is 2000):
	 * INVALID_SET_FILE_POINTER is also a valid low word, so the error is
	 * GetLastError's, cleared first. */
	LONG high = (LONG)(off >> 32);
	SetLastError(NO_ERROR);
	DWORD low = SetFilePointer(f->h, (LONG)(DWORD)off, &high, FILE_BEGIN);
	if (low == INVALID_SET_FILE_POINTER && GetLastError() != NO_ERROR) {
		set_err(err, GetLastError());
		return -1;
	}
	return fsys_read(f, buf, n, err);
}

bool fsys_file_size(struct fsys_file *f, uint64_t *size, char *err)
{
	/* GetFileSize with its high word (NT 3.1; GetFileSizeEx is 2000), the
	 * same care with INVALID_FILE_SIZE as a valid low word. */
	DWORD high = 0;
	SetLastError(NO_ERROR);
	DWORD low = GetFileSize(f->h, &high);
	if (low == INVALID_FILE_SIZE && GetLastError() != NO_ERROR) {
		set_err(err, GetLastError());
		return false;
	}
	*size = ((uint64_t)high << 32) | low;
	return true;
}

bool fsys_write(struct fsys_file *f, const void *buf, size_t n, char *err)
{
	size_t done = 0;
	while (done < n) {
		DWORD chunk = n - done > (1u << 20) ? (1u << 20) : (DWORD)(n - done), w = 0;
		if (!WriteFile(f->h, (const char *)buf + done, chunk, &w, NULL) || w == 0) {
			set_err(err, GetLastError());
			return false;
		}
		done += w;
	}
	return true;
}

bool fsys_close(struct fsys_file *f, char *err)
{
	if (!f)
		return true;
	bool ok = true;
	if (f->writing && !FlushFileBuffers(f->h)) {
		set_err(err, GetLastError());
		ok = false;
	}
	CloseHandle(f->h);
	free(f);
	return ok;
}

bool fsys_set_mtime(const char *path, int64_t mtime, char *err)
{
	wchar_t wide[FSYS_PATH_MAX];
	if (!widen(path, wide, FSYS_PATH_MAX, err))
		return false;
	HANDLE h = CreateFileW(wide, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
	                       FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		set_err(err, GetLastError());
		return false;
	}
	FILETIME ft = file_time(mtime);
	bool ok = SetFileTime(h, NULL, NULL, &ft) != 0;
	if (!ok)
		set_err(err, GetLastError());
	CloseHandle(h);
	return ok;
}

bool fsys_share_read(const char *path, char *err)
{
	(void)path, (void)err;
	return true;
}

bool fsys_mkdir(const char *path, char *err)
{
	wchar_t wide[FSYS_PATH_MAX];
	if (!widen(path, wide, FSYS_PATH_MAX, err))
		return false;
	if (!CreateDirectoryW(wide, NULL)) {
		set_err(err, GetLastError());
		return false;
	}
	return true;
}

bool fsys_rename(const char *from, const char *to, char *err)
{
	wchar_t wfrom[FSYS_PATH_MAX], wto[FSYS_PATH_MAX];
	if (!widen(from, wfrom, FSYS_PATH_MAX, err) || !widen(to, wto, FSYS_PATH_MAX, err))
		return false;
	if (!MoveFileW(wfrom, wto)) { /* never replaces an existing target */
		set_err(err, GetLastError());
		return false;
	}
	return true;
}

/* Call remove (DeleteFileW or RemoveDirectoryW) on path, err on failure. */
static bool remove_with(BOOL(WINAPI *remove)(LPCWSTR), const char *path, char *err)
{
	wchar_t wide[FSYS_PATH_MAX];
	if (!widen(path, wide, FSYS_PATH_MAX, err))
		return false;
	if (!remove(wide)) {
		set_err(err, GetLastError());
		return false;
	}
	return true;
}

bool fsys_remove_file(const char *path, char *err)
{
	return remove_with(DeleteFileW, path, err);
}

bool fsys_remove_dir(const char *path, char *err)
{
	return remove_with(RemoveDirectoryW, path, err);
}

bool fsys_same_path(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a == '/' ? '\\' : *a;
		char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b == '/' ? '\\' : *b;
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}
