/* lock: a named lock held by one process at a time, so two restart handlers
 * started together never both act. Released when the holder releases it or
 * exits, even by a crash or the deadline. Windows: a named mutex
 * (lock_win32.c); POSIX: flock on a file in a directory (lock_posix.c).
 * Never prints, never exits. */
#ifndef KMS_LOCK_H
#define KMS_LOCK_H

#include <stddef.h>

/* The lock on the KM service itself: held by handle_kms_restart from its
 * plan to the end of its restart, and by kms_backup from its stop to the end
 * of its start, so neither touches the service while the other is at work. */
#define KMS_SERVICE_LOCK "kms-service"
/* handle_kms_restart's own lock (its ledger; one handler at a time), taken
 * before KMS_SERVICE_LOCK: so when that one is busy, kms_backup holds it. */
#define KMS_HANDLER_LOCK "handle_kms_restart"

enum lock_result {
	LOCK_TAKEN, /* this process holds it now */
	LOCK_BUSY,  /* another process holds it */
	LOCK_ERROR  /* err says why */
};

struct lock;

/* Try once, without waiting, to take the lock `name` (letters, digits, '_',
 * '-', '.'). POSIX keeps the lock file "<dir>/<name>.lock"; Windows takes
 * the mutex "Global\<name>" (or "<name>" only where the Global\ namespace
 * does not exist, NT 4 without Terminal Services) and ignores dir. */
enum lock_result lock_take(const char *name, const char *dir, struct lock **out, char *err, size_t errcap);
/* The same, trying again every 100 ms while another process holds it, for
 * at most wait_ms (0: once). */
enum lock_result lock_take_within(const char *name, const char *dir, long wait_ms, struct lock **out,
                                  char *err, size_t errcap);
void lock_release(struct lock *lock);

#endif
