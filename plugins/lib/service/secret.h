/* secret: the KMS password (the service's startup parameter), read from a
 * file that ordinary users cannot read: a Kmspwd.ini ("[config]", "pwd=...")
 * or a file whose first line is the password. The value never leaves the
 * struct secret except as a service argument, and is wiped after use.
 * Never prints, never exits; a failure's text never contains the value. */
#ifndef KMS_SECRET_H
#define KMS_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Longest password accepted (the KMS's are 14 or 15 characters). */
#define SECRET_MAX 255

struct secret {
	char value[SECRET_MAX + 1]; /* NUL-terminated */
	size_t len;
};

enum secret_status {
	SECRET_OK = 0,
	SECRET_MISSING,   /* no such file */
	SECRET_TOO_OPEN,  /* ordinary users may read it (mode / ACL) */
	SECRET_EMPTY,     /* no password in it */
	SECRET_MALFORMED, /* an .ini without [config] pwd=, a value too long */
	SECRET_IO         /* cannot open or read it, not a regular file */
};

/* Read the password from path: check who may read the file, read it, parse
 * it (secret_parse), wipe the raw copy. On failure, why (at most cap bytes)
 * names the file and the reason, e.g. "'/etc/kms/pwd' is readable by group or
 * others (mode 0644): chmod 600 it". */
enum secret_status secret_read_file(const char *path, struct secret *out, char *why, size_t cap);

/* Parse file contents: an .ini (a line "[config]", then "pwd=" in that
 * section; other sections and keys ignored, ';' and '#' comment lines) or,
 * when there is no section line, the first line. CR/LF and a UTF-8 BOM are
 * removed; blanks around an .ini value too, not around a one-line password.
 * *why is a static reason on failure. Pure. */
enum secret_status secret_parse(const char *text, size_t len, struct secret *out, const char **why);

/* Overwrite n bytes with zeros in a way the compiler cannot elide. */
void secret_wipe(void *p, size_t n);

/* Wipe the value and its length. */
void secret_clear(struct secret *s);

/* Platform part (secret_posix.c / secret_win32.c): open path, refuse it when
 * ordinary users may read it (POSIX: any group/other permission bit;
 * Windows: a DACL granting read to anyone but SYSTEM, Administrators, the
 * owner or the current user), then read at most cap - 1 bytes into buf. */
enum secret_status secret_read_private(const char *path, char *buf, size_t cap, size_t *len, char *why,
                                       size_t whycap);

#endif
