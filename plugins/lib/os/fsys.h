/* fsys: the file system as the backup code needs it: list a folder, look at
 * an entry without following links, read and write files, make, rename and
 * remove. Paths are UTF-8 with '/' or '\' separators (Windows: wide API).
 * Never prints, never exits: failures come back with a reason text. */
#ifndef KMS_FSYS_H
#define KMS_FSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fsys_kind {
	FSYS_MISSING, /* no such entry */
	FSYS_FILE,    /* a regular file */
	FSYS_DIR,     /* a folder */
	FSYS_LINK,    /* a symbolic link or reparse point (never followed) */
	FSYS_OTHER    /* device, FIFO, socket: never opened */
};

struct fsys_info {
	enum fsys_kind kind;
	uint64_t size;
	int64_t mtime; /* seconds since 1970-01-01 UTC */
};

/* Reason texts are written into caller buffers of this size. */
#define FSYS_ERR_MAX 256

/* Look at path without following a final link. A missing entry is not an
 * error (kind FSYS_MISSING, returns true); false means it could not be
 * looked at, with err saying why. */
bool fsys_lstat(const char *path, struct fsys_info *out, char *err);
/* The same, following links (for the folders the user names). */
bool fsys_stat(const char *path, struct fsys_info *out, char *err);

/* Folder listing, without "." and "..". */
struct fsys_dir;
struct fsys_dir *fsys_dir_open(const char *path, char *err);
/* Next name (valid until the next call) or NULL at the end or on an error
 * (then *failed is true and err says why). */
const char *fsys_dir_next(struct fsys_dir *d, bool *failed, char *err);
void fsys_dir_close(struct fsys_dir *d);

/* The same walk, relative to an open folder d, never following a link at
 * name: a folder swapped for a link between the look and the use is refused,
 * not followed (POSIX: openat/fstatat/unlinkat with O_NOFOLLOW; Windows: by
 * path, where reparse points are never followed). fsys_dir_open_at with d
 * NULL opens the path name, refusing a link as its last component. */
struct fsys_dir *fsys_dir_open_at(struct fsys_dir *d, const char *name, char *err);
bool fsys_lstat_at(struct fsys_dir *d, const char *name, struct fsys_info *out, char *err);
struct fsys_file *fsys_open_read_at(struct fsys_dir *d, const char *name, char *err);
bool fsys_remove_file_at(struct fsys_dir *d, const char *name, char *err);
bool fsys_remove_dir_at(struct fsys_dir *d, const char *name, char *err); /* must be empty */

/* Files: read, or create (never over an existing file) and write. */
struct fsys_file;
struct fsys_file *fsys_open_read(const char *path, char *err);
/* The same, refusing a link as the path's last component ("is a link"). */
struct fsys_file *fsys_open_read_nofollow(const char *path, char *err);
struct fsys_file *fsys_create_new(const char *path, char *err);
/* Bytes read (0 at the end), or -1 with err. Reads until n or the end. */
long long fsys_read(struct fsys_file *f, void *buf, size_t n, char *err);
bool fsys_write(struct fsys_file *f, const void *buf, size_t n, char *err);
/* Read up to n bytes at byte offset off (64-bit: files beyond 2 GiB on
 * every platform); bytes read (fewer only at the end), or -1 with err. */
long long fsys_read_at(struct fsys_file *f, uint64_t off, void *buf, size_t n, char *err);
/* The size of an open file. */
bool fsys_file_size(struct fsys_file *f, uint64_t *size, char *err);
/* Flush to disk (files being written) and close. False when the flush failed. */
bool fsys_close(struct fsys_file *f, char *err);
/* Set a file's modification time (copies keep the source's). */
bool fsys_set_mtime(const char *path, int64_t mtime, char *err);

/* Let other local users read the file, as they read the rest of a backup
 * set (POSIX: mode 0644; Windows: the folder's inherited ACL already does). */
bool fsys_share_read(const char *path, char *err);

bool fsys_mkdir(const char *path, char *err);
/* Rename a file or folder; fails when `to` exists. */
bool fsys_rename(const char *from, const char *to, char *err);
bool fsys_remove_file(const char *path, char *err);
bool fsys_remove_dir(const char *path, char *err); /* must be empty */

/* Join a folder and a name into out, with '\\' when the folder is written
 * with backslashes only, else '/'; false when it does not fit. */
bool fsys_join(char *out, size_t cap, const char *dir, const char *name);

/* True when two path strings name the same path as the system spells it:
 * byte for byte on POSIX; on Windows letters in any case and '/' or '\\'. */
bool fsys_same_path(const char *a, const char *b);

/* A 32-bit hash (FNV-1a) of a path folded as Windows compares paths (ASCII
 * letters in any case, '/' as '\\'): one value for every spelling of one path
 * there. For lock names that must tell paths apart where the lock ignores
 * the folder (Windows: a global mutex). */
uint32_t fsys_path_hash(const char *path);

/* Longest path the backup code handles (bytes of UTF-8). */
#define FSYS_PATH_MAX 1024

#endif
