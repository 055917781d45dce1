/* atomicfile_posix: the POSIX half of atomicfile.h: a temporary beside the
 * target, write + fsync, rename over the target, fsync of the directory. */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool atomicfile_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	if (!path || !*path)
		return fail(err, errlen, "write", "", ENOENT);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= sizeof tmp)
		return fail(err, errlen, "write", path, ENAMETOOLONG);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
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
	int fd = open(path, O_RDONLY);
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
