/* lock, Windows: a named mutex. Taking it is a zero-time wait; an abandoned
 * mutex (its holder died) counts as taken. The system releases it when the
 * holding process ends. */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "wintext.h"

struct lock {
	HANDLE mutex;
};

static HANDLE open_mutex(const char *name, DWORD *code)
{
	wchar_t wide[300];
	char full[300];
	snprintf(full, sizeof full, "Global\\%s", name);
	HANDLE h = win_to_wide(full, wide, 300) ? CreateMutexW(NULL, FALSE, wide) : NULL;
	*code = h ? 0 : GetLastError();
	/* Only where Global\ does not exist (NT 4 without Terminal Services)
	 * the session's name is the machine's: any other failure, access
	 * denied above all, must not send two handlers to two different locks. */
	if (!h &&
	    (*code == ERROR_PATH_NOT_FOUND || *code == ERROR_INVALID_NAME || *code == ERROR_FILE_NOT_FOUND) &&
	    win_to_wide(name, wide, 300)) {
		h = CreateMutexW(NULL, FALSE, wide);
		*code = h ? 0 : GetLastError();
	}
	return h;
}

enum lock_result lock_take(const char *name, const char *dir, struct lock **out, char *err, size_t errcap)
{
	(void)dir;
	*out = NULL;
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
	                  strlen(name)) {
		snprintf(err, errcap, "'%s' is not a lock name", name);
		return LOCK_ERROR;
	}
	DWORD code;
	HANDLE h = open_mutex(name, &code);
	if (!h) {
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(err, errcap, "cannot create the lock '%s': %s (%lu)", name, message,
		         (unsigned long)code);
		return LOCK_ERROR;
	}
	DWORD waited = WaitForSingleObject(h, 0);
	if (waited == WAIT_TIMEOUT) {
		CloseHandle(h);
		return LOCK_BUSY;
	}
	if (waited != WAIT_OBJECT_0 && waited != WAIT_ABANDONED) {
		snprintf(err, errcap, "cannot take the lock '%s' (error %lu)", name,
		         (unsigned long)GetLastError());
		CloseHandle(h);
		return LOCK_ERROR;
	}
	struct lock *l = malloc(sizeof *l);
	if (!l) {
		ReleaseMutex(h);
		CloseHandle(h);
		snprintf(err, errcap, "out of memory");
		return LOCK_ERROR;
	}
	l->mutex = h;
	*out = l;
	return LOCK_TAKEN;
}

enum lock_result lock_take_within(const char *name, const char *dir, long wait_ms, struct lock **out,
                                  char *err, size_t errcap)
{
	for (long waited = 0;; waited += 100) {
		enum lock_result r = lock_take(name, dir, out, err, errcap);
		if (r != LOCK_BUSY || waited >= wait_ms)
			return r;
		Sleep(100);
	}
}

void lock_release(struct lock *lock)
{
	if (!lock)
		return;
	ReleaseMutex(lock->mutex);
	CloseHandle(lock->mutex);
	free(lock);
}
