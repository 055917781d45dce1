/* atomicfile_posix: the POSIX half of atomicfile.h: a temporary beside the
 * target, write + fsync, rename over the target, fsync of the directory. */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static bool fail(char *err, size_t errlen, const char *what, const char *path, int code)
{
	if (err && errlen)
		snprintf(err, errlen, "cannot %s '%s': %s", what, path, strerror(code));
	return false;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Make the rename itself durable: fsync the directory holding path. */
static void sync_directory_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash) {
		strcpy(dir, ".");
	} else {
		size_t n = (size_t)(slash - path);
		if (n == 0)
			n = 1; /* "/file" lives in "/" */
		if (n >= sizeof dir)
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	int fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		fsync(fd); /* best effort: some file systems refuse it on directories */
		close(fd);
	}
}

/* Create a fresh temporary beside path, mkstemp-style: a random suffix,
 * O_CREAT|O_EXCL|O_NOFOLLOW so nothing planted there (a symlink, a FIFO, a
 * file of someone else) is ever opened; a name already taken is retried. */
static int create_temp(const char *path, char *tmp, size_t tmpcap)
{
	static unsigned long counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t seed = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
	int urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (urandom >= 0) {
		uint64_t r = 0;
		if (read(urandom, &r, sizeof r) == (ssize_t)sizeof r)
			seed ^= r;
		close(urandom);
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		/* splitmix64 step: a different name each attempt */
		uint64_t z = (seed += 0x9E3779B97F4A7C15ULL) + ++counter;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		if ((size_t)snprintf(tmp, tmpcap, "%s.tmp%012llx", path,
		                     (unsigned long long)(z & 0xFFFFFFFFFFFFULL)) >= tmpcap) {
			errno = ENAMETOOLONG;
			return -1;
		}
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

bool atomicfile_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	if (!path || !*path)
		return fail(err, errlen, "write", "", ENOENT);
	int fd = create_temp(path, tmp, sizeof tmp);
	if (fd < 0)
		return fail(err, errlen, "write", path, errno);
	int code = 0;
	if (!write_all(fd, data, len))
		code = errno ? errno : EIO;
	else if (fsync(fd) != 0)
		code = errno;
	if (close(fd) != 0 && code == 0)
		code = errno;
	if (code == 0 && rename(tmp, path) != 0)
		code = errno;
	if (code != 0) {
		unlink(tmp);
		return fail(err, errlen, "write", path, code);
	}
	sync_directory_of(path);
	return true;
}

enum atomicfile_status atomicfile_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                                       size_t errlen)
{
	*len = 0;
	if (cap == 0) {
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': no room for it", path);
		return ATOMICFILE_ERROR;
	}
	buf[0] = '\0';
	/* Non-blocking open: a FIFO planted at path must not hold the read
	 * until the plugin's timeout; it is refused below as not regular. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ATOMICFILE_MISSING;
		fail(err, errlen, "read", path, errno);
		return ATOMICFILE_ERROR;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': it is not a regular file", path);
		return ATOMICFILE_ERROR;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	size_t got = 0;
	for (;;) {
		if (got + 1 >= cap) {
			/* Full: one more byte means the file does not fit. */
			char probe;
			ssize_t extra = read(fd, &probe, 1);
			if (extra == 0)
				break;
			close(fd);
			if (err && errlen)
				snprintf(err, errlen, "cannot read '%s': it is larger than %zu bytes", path,
				         cap - 1);
			return ATOMICFILE_ERROR;
		}
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int code = errno;
			close(fd);
			fail(err, errlen, "read", path, code);
			return ATOMICFILE_ERROR;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return ATOMICFILE_OK;
}
