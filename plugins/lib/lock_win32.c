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
	if (!h && win_to_wide(name, wide, 300)) /* NT 4 without Terminal Services: no Global\ */
		h = CreateMutexW(NULL, FALSE, wide);
	*code = h ? 0 : GetLastError();
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

void lock_release(struct lock *lock)
{
	if (!lock)
		return;
	ReleaseMutex(lock->mutex);
	CloseHandle(lock->mutex);
	free(lock);
}
