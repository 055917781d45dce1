/* deadline, POSIX: alarm(2) and a SIGALRM handler that only write(2)s a
 * message formatted in advance and _exit(2)s: async-signal-safe, so it
 * works while the program is blocked in read(2) on a silent FIFO. */
#include "deadline.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

static char timeout_line[256];
static size_t timeout_line_len;
static volatile sig_atomic_t timeout_status = STATE_UNKNOWN;
static struct timespec expires;
static int armed;

static void on_alarm(int sig)
{
	(void)sig;
	console_write(timeout_line, timeout_line_len);
	console_exit_now(timeout_status);
}

void deadline_start(unsigned seconds, plugin_state state)
{
	if (seconds == 0) {
		deadline_cancel();
		return;
	}
	char text[64];
	snprintf(text, sizeof text, "timed out after %u s", seconds);
	timeout_line_len = plugin_format_line(timeout_line, sizeof timeout_line, state, text);
	timeout_status = plugin_clamp_status((int)state);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	clock_gettime(CLOCK_MONOTONIC, &expires);
	expires.tv_sec += seconds;
	armed = 1;
	alarm(seconds);
}

void deadline_cancel(void)
{
	alarm(0);
	armed = 0;
}

long deadline_remaining_ms(void)
{
	if (!armed)
		return 1000L * 3600 * 24;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (long)(expires.tv_sec - now.tv_sec) * 1000 + (expires.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}
