/* lock, POSIX: a non-blocking flock on "<dir>/<name>.lock". The kernel drops
 * it when the descriptor closes, so a holder that dies frees it. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct lock {
	int fd;
};

enum lock_result lock_take(const char *name, const char *dir, struct lock **out, char *err, size_t errcap)
{
	*out = NULL;
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
	                  strlen(name)) {
		snprintf(err, errcap, "'%s' is not a lock name", name);
		return LOCK_ERROR;
	}
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s.lock", dir, name) >= sizeof path) {
		snprintf(err, errcap, "the lock path under '%s' is too long", dir);
		return LOCK_ERROR;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errcap, "cannot open the lock '%s': %s", path, strerror(errno));
		return LOCK_ERROR;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return LOCK_BUSY;
		snprintf(err, errcap, "cannot lock '%s': %s", path, strerror(e));
		return LOCK_ERROR;
	}
	struct lock *l = malloc(sizeof *l);
	if (!l) {
		close(fd);
		snprintf(err, errcap, "out of memory");
		return LOCK_ERROR;
	}
	l->fd = fd;
	*out = l;
	return LOCK_TAKEN;
}

enum lock_result lock_take_within(const char *name, const char *dir, long wait_ms, struct lock **out,
                                  char *err, size_t errcap)
{
	struct timespec tenth = {0, 100000000L};
	for (long waited = 0;; waited += 100) {
		enum lock_result r = lock_take(name, dir, out, err, errcap);
		if (r != LOCK_BUSY || waited >= wait_ms)
			return r;
		nanosleep(&tenth, NULL);
	}
}

void lock_release(struct lock *lock)
{
	if (!lock)
		return;
	close(lock->fd);
	free(lock);
}
