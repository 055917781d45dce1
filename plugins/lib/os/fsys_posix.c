/* fsys, POSIX: lstat/stat, opendir/readdir, open/read/write/fsync, mkdir,
 * rename (refusing to replace), unlink, rmdir. Reasons come from strerror. */
#include "fsys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

struct fsys_dir {
	DIR *dir;
};

struct fsys_file {
	int fd;
	bool writing;
};

static void set_err(char *err, int code)
{
	if (err)
		snprintf(err, FSYS_ERR_MAX, "%s", strerror(code));
}

static void fill_info(const struct stat *st, struct fsys_info *out)
{
	if (S_ISREG(st->st_mode))
		out->kind = FSYS_FILE;
	else if (S_ISDIR(st->st_mode))
		out->kind = FSYS_DIR;
	else if (S_ISLNK(st->st_mode))
		out->kind = FSYS_LINK;
	else
		out->kind = FSYS_OTHER;
	out->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	out->mtime = (int64_t)st->st_mtime;
}

static bool stat_with(int (*fn)(const char *, struct stat *), const char *path, struct fsys_info *out,
                      char *err)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (fn(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			out->kind = FSYS_MISSING;
			return true;
		}
		set_err(err, errno);
		return false;
	}
	fill_info(&st, out);
	return true;
}

bool fsys_lstat(const char *path, struct fsys_info *out, char *err)
{
	return stat_with(lstat, path, out, err);
}

bool fsys_stat(const char *path, struct fsys_info *out, char *err)
{
	return stat_with(stat, path, out, err);
}

struct fsys_dir *fsys_dir_open(const char *path, char *err)
{
	DIR *dir = opendir(path);
	if (!dir) {
		set_err(err, errno);
		return NULL;
	}
	struct fsys_dir *d = malloc(sizeof *d);
	if (!d) {
		closedir(dir);
		set_err(err, ENOMEM);
		return NULL;
	}
	d->dir = dir;
	return d;
}

const char *fsys_dir_next(struct fsys_dir *d, bool *failed, char *err)
{
	*failed = false;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d->dir);
		if (!e) {
			if (errno != 0) {
				*failed = true;
				set_err(err, errno);
			}
			return NULL;
		}
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			return e->d_name;
	}
}

void fsys_dir_close(struct fsys_dir *d)
{
	if (d) {
		closedir(d->dir);
		free(d);
	}
}

/* fd as an fsys_file. Opened for reading (non-blocking, so that a FIFO
 * never waits for a writer), it must be a regular file, and then blocks. */
static struct fsys_file *file_from_fd(int fd, bool writing, char *err)
{
	struct stat st;
	if (!writing) {
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			if (err)
				snprintf(err, FSYS_ERR_MAX, "not a regular file");
			return NULL;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	struct fsys_file *f = malloc(sizeof *f);
	if (!f) {
		close(fd);
		set_err(err, ENOMEM);
		return NULL;
	}
	f->fd = fd;
	f->writing = writing;
	return f;
}

static struct fsys_file *open_with(const char *path, int flags, bool writing, char *err)
{
	int fd = open(path, flags | O_CLOEXEC | (writing ? 0 : O_NONBLOCK), 0644);
	if (fd < 0) {
		set_err(err, errno);
		return NULL;
	}
	return file_from_fd(fd, writing, err);
}

struct fsys_file *fsys_open_read(const char *path, char *err)
{
	return open_with(path, O_RDONLY, false, err);
}

static void set_err_link(char *err, int code)
{
	if (code == ELOOP || code == EMLINK) { /* O_NOFOLLOW met a link */
		if (err)
			snprintf(err, FSYS_ERR_MAX, "is a link: not followed");
	} else {
		set_err(err, code);
	}
}

struct fsys_file *fsys_open_read_nofollow(const char *path, char *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		set_err_link(err, errno);
		return NULL;
	}
	return file_from_fd(fd, false, err);
}

struct fsys_dir *fsys_dir_open_at(struct fsys_dir *d, const char *name, char *err)
{
	int fd = openat(d ? dirfd(d->dir) : AT_FDCWD, name,
	                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int code = errno;
		struct stat st; /* O_DIRECTORY on a link says ENOTDIR: say what it is */
		if (code == ENOTDIR &&
		    fstatat(d ? dirfd(d->dir) : AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			code = ELOOP;
		set_err_link(err, code);
		return NULL;
	}
	struct fsys_dir *sub = malloc(sizeof *sub);
	DIR *dir = sub ? fdopendir(fd) : NULL;
	if (!dir) {
		int code = sub ? errno : ENOMEM;
		close(fd);
		free(sub);
		set_err(err, code);
		return NULL;
	}
	sub->dir = dir;
	return sub;
}

bool fsys_lstat_at(struct fsys_dir *d, const char *name, struct fsys_info *out, char *err)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (fstatat(dirfd(d->dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			out->kind = FSYS_MISSING;
			return true;
		}
		set_err(err, errno);
		return false;
	}
	fill_info(&st, out);
	return true;
}

struct fsys_file *fsys_open_read_at(struct fsys_dir *d, const char *name, char *err)
{
	int fd = openat(dirfd(d->dir), name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		set_err_link(err, errno);
		return NULL;
	}
	return file_from_fd(fd, false, err);
}

bool fsys_remove_file_at(struct fsys_dir *d, const char *name, char *err)
{
	if (unlinkat(dirfd(d->dir), name, 0) != 0) { /* a link is removed, never its target */
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_remove_dir_at(struct fsys_dir *d, const char *name, char *err)
{
	if (unlinkat(dirfd(d->dir), name, AT_REMOVEDIR) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

struct fsys_file *fsys_create_new(const char *path, char *err)
{
	return open_with(path, O_WRONLY | O_CREAT | O_EXCL, true, err);
}

/* Read up to n bytes, retrying short reads and EINTR: at the file position,
 * or at offset off when positioned. Returns the count, or -1 with err set. */
static long long read_fully(struct fsys_file *f, bool positioned, uint64_t off, void *buf, size_t n,
                            char *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = positioned ? pread(f->fd, (char *)buf + got, n - got, (off_t)(off + got))
		                       : read(f->fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errno);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long long)got;
}

long long fsys_read(struct fsys_file *f, void *buf, size_t n, char *err)
{
	return read_fully(f, false, 0, buf, n, err);
}

long long fsys_read_at(struct fsys_file *f, uint64_t off, void *buf, size_t n, char *err)
{
	return read_fully(f, true, off, buf, n, err);
}

bool fsys_file_size(struct fsys_file *f, uint64_t *size, char *err)
{
	struct stat st;
	if (fstat(f->fd, &st) != 0) {
		set_err(err, errno);
		return false;
	}
	*size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	return true;
}

bool fsys_write(struct fsys_file *f, const void *buf, size_t n, char *err)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(f->fd, (const char *)buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			set_err(err, w < 0 ? errno : EIO);
			return false;
		}
		done += (size_t)w;
	}
	return true;
}

bool fsys_close(struct fsys_file *f, char *err)
{
	if (!f)
		return true;
	bool ok = true;
	if (f->writing && fsync(f->fd) != 0) {
		set_err(err, errno);
		ok = false;
	}
	if (close(f->fd) != 0 && ok) {
		set_err(err, errno);
		ok = false;
	}
	free(f);
	return ok;
}

bool fsys_set_mtime(const char *path, int64_t mtime, char *err)
{
	struct timeval tv[2] = {{.tv_sec = (time_t)mtime}, {.tv_sec = (time_t)mtime}};
	if (utimes(path, tv) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_share_read(const char *path, char *err)
{
	if (chmod(path, 0644) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_mkdir(const char *path, char *err)
{
	if (mkdir(path, 0755) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_rename(const char *from, const char *to, char *err)
{
	struct stat st;
	if (lstat(to, &st) == 0) {
		set_err(err, EEXIST);
		return false;
	}
	if (rename(from, to) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_remove_file(const char *path, char *err)
{
	if (unlink(path) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_remove_dir(const char *path, char *err)
{
	if (rmdir(path) != 0) {
		set_err(err, errno);
		return false;
	}
	return true;
}

bool fsys_same_path(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}
