/* console, Windows: WriteFile on the raw stdout handle (no CRT text mode,
 * so no CRLF), and TerminateProcess, which cannot deadlock on the loader
 * or CRT locks another thread may hold. */
#include "console.h"

#include <windows.h>

void console_write(const char *buf, size_t len)
{
	HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
	if (out == NULL || out == INVALID_HANDLE_VALUE)
		return;
	while (len > 0) {
		DWORD chunk = len > 65536 ? 65536 : (DWORD)len;
		DWORD written = 0;
		if (!WriteFile(out, buf, chunk, &written, NULL) || written == 0)
			return;
		buf += written;
		len -= written;
	}
}

_Noreturn void console_exit_now(int status)
{
	TerminateProcess(GetCurrentProcess(), (UINT)status);
	ExitProcess((UINT)status); /* not reached */
}
