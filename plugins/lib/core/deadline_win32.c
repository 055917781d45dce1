/* deadline, Windows: a timer thread waits on an event for the timeout; if
 * the event is not set in time it writes the preformatted message to the
 * raw stdout handle and terminates the process, whatever the main thread
 * is blocked in. */
#include "deadline.h"

#include <stdio.h>
#include <windows.h>

#include "console.h"

static char timeout_line[256];
static size_t timeout_line_len;
static int timeout_status = STATE_UNKNOWN;
static HANDLE cancel_event;
static DWORD started_tick;
static DWORD timeout_ms;
static volatile LONG armed;
static volatile LONG firing;

static DWORD WINAPI timer_thread(LPVOID arg)
{
	HANDLE event = (HANDLE)arg;
	if (WaitForSingleObject(event, timeout_ms) == WAIT_TIMEOUT &&
	    InterlockedCompareExchange(&armed, 0, 1) == 1) {
		InterlockedExchange(&firing, 1);
		console_write(timeout_line, timeout_line_len);
		console_exit_now(timeout_status);
	}
	return 0;
}

void deadline_start(unsigned seconds, plugin_state state)
{
	deadline_cancel();
	if (seconds == 0)
		return;
	char text[64];
	snprintf(text, sizeof text, "timed out after %u s", seconds);
	timeout_line_len = plugin_format_line(timeout_line, sizeof timeout_line, state, text);
	timeout_status = plugin_clamp_status((int)state);
	timeout_ms = seconds * 1000u;
	started_tick = GetTickCount();
	cancel_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!cancel_event)
		return;
	InterlockedExchange(&armed, 1);
	HANDLE thread = CreateThread(NULL, 0, timer_thread, cancel_event, 0, NULL);
	if (thread)
		CloseHandle(thread);
	else
		InterlockedExchange(&armed, 0);
}

void deadline_cancel(void)
{
	if (InterlockedExchange(&armed, 0) == 1) {
		if (cancel_event)
			SetEvent(cancel_event);
	} else if (firing) {
		Sleep(INFINITE); /* the timer thread is printing and ending the process */
	}
}

long deadline_remaining_ms(void)
{
	if (!armed)
		return 1000L * 3600 * 24;
	DWORD elapsed = GetTickCount() - started_tick; /* wraps safely */
	return elapsed >= timeout_ms ? 0 : (long)(timeout_ms - elapsed);
}
