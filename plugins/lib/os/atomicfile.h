/* atomicfile: small state files (bookmarks, restart ledger, backup manifest)
 * written so that a crash or a deadline mid-write never leaves a torn file:
 * the data goes to a temporary file beside the target, is flushed to disk,
 * then renamed over the target in one step. Readers see old or new, never half.
 * POSIX: write + fsync + rename (+ fsync of the directory);
 * Windows: WriteFile + FlushFileBuffers + MoveFileExW(REPLACE_EXISTING | WRITE_THROUGH).
 * Paths are UTF-8 (on Windows, text that is not valid UTF-8 is taken in the ANSI
 * code page, as argv delivers it). Never prints, never exits. */
#ifndef KMS_ATOMICFILE_H
#define KMS_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Replace the file at path with exactly len bytes of data. The temporary is
 * "<path>.tmp<pid>" in the same directory (same file system, so the rename is
 * atomic); it is removed when anything fails. On failure returns false and
 * writes one line into err (at most errlen bytes) naming the path and the
 * reason, e.g. "cannot write '/var/x/state': No space left on device". */
bool atomicfile_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

enum atomicfile_status {
	ATOMICFILE_ERROR = 0,  /* unreadable, too large, not a regular file: err says why */
	ATOMICFILE_OK = 1,     /* buf holds *len bytes, then a NUL */
	ATOMICFILE_MISSING = 2 /* no such file (a first run): *len = 0, buf = "" */
};

/* Read the whole file at path into buf. At most cap - 1 bytes fit: buf is
 * always NUL-terminated so text can be parsed in place; a larger file is an
 * error ("... is larger than N bytes"), never a silent cut. cap must be >= 1. */
enum atomicfile_status atomicfile_read(const char *path, char *buf, size_t cap, size_t *len, char *err,
                                       size_t errlen);

#endif
