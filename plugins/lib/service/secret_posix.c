/* secret, POSIX: opens the password file, refuses it when its mode gives
 * the group or others any access (checked on the open descriptor, so the
 * file checked is the file read), and reads it whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

enum secret_status secret_read_private(const char *path, char *buf, size_t cap, size_t *len, char *why,
                                       size_t whycap)
{
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whycap, "cannot open '%s': %s", path, strerror(e));
		return e == ENOENT ? SECRET_MISSING : SECRET_IO;
	}
	struct stat st;
	enum secret_status result = SECRET_OK;
	if (fstat(fd, &st) != 0) {
		snprintf(why, whycap, "cannot stat '%s': %s", path, strerror(errno));
		result = SECRET_IO;
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(why, whycap, "'%s' is not a regular file", path);
		result = SECRET_IO;
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(why, whycap, "'%s' is accessible by group or others (mode %04o): chmod 600 it", path,
		         (unsigned)(st.st_mode & 07777));
		result = SECRET_TOO_OPEN;
	}
	while (result == SECRET_OK) {
		if (*len + 1 >= cap) {
			char extra;
			if (read(fd, &extra, 1) > 0) {
				snprintf(why, whycap, "'%s' is larger than %zu bytes", path, cap - 1);
				result = SECRET_MALFORMED;
			}
			break;
		}
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whycap, "cannot read '%s': %s", path, strerror(errno));
			result = SECRET_IO;
		}
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	close(fd);
	if (result == SECRET_OK && *len == 0) {
		snprintf(why, whycap, "'%s' is empty", path);
		result = SECRET_EMPTY;
	}
	return result;
}
