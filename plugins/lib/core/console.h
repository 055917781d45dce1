/* console: raw, untranslated writes to standard output and an immediate
 * process exit. Both are safe to call from a signal handler (POSIX) or a
 * timer thread (Windows), so the deadline can use them too. */
#ifndef KMS_CONSOLE_H
#define KMS_CONSOLE_H

#include <stddef.h>

/* Write all of buf to stdout: no stdio buffering, no CRLF translation. */
void console_write(const char *buf, size_t len);

/* End the process now with status, running no atexit handlers. */
_Noreturn void console_exit_now(int status);

#endif
