/* lock: a named lock held by one process at a time, so two restart handlers
 * started together never both act. Released when the holder releases it or
 * exits, even by a crash or the deadline. Windows: a named mutex
 * (lock_win32.c); POSIX: flock on a file in a directory (lock_posix.c).
 * Never prints, never exits. */
#ifndef KMS_LOCK_H
#define KMS_LOCK_H

#include <stddef.h>

enum lock_result {
	LOCK_TAKEN, /* this process holds it now */
	LOCK_BUSY,  /* another process holds it */
	LOCK_ERROR  /* err says why */
};

struct lock;

/* Try once, without waiting, to take the lock `name` (letters, digits, '_',
 * '-', '.'). POSIX keeps the lock file "<dir>/<name>.lock"; Windows takes
 * the mutex "Global\<name>" (or "<name>" where Global\ is unknown, NT 4)
 * and ignores dir. */
enum lock_result lock_take(const char *name, const char *dir, struct lock **out, char *err, size_t errcap);
void lock_release(struct lock *lock);

#endif
