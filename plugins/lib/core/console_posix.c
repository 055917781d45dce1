/* console, POSIX: write(2) loop and _exit(2); async-signal-safe. */
#include "console.h"

#include <errno.h>
#include <unistd.h>

void console_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* stdout gone: nothing left to tell */
		}
		buf += n;
		len -= (size_t)n;
	}
}

_Noreturn void console_exit_now(int status)
{
	_exit(status);
}
