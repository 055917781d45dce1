/* evtlog_win32: the live event log through OpenEventLogW and ReadEventLogW
 * (sequential, backwards: newest first), local or on a remote host; the
 * portable loop in evtlog.c does the rest. Windows 2000 has all of it. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "evtlog.h"
#include "wintext.h"

struct live {
	HANDLE log;
	char name[300];
};

static void describe(char *err, size_t errlen, const char *what, const char *name, DWORD code)
{
	char reason[512];
	win_error_message(code, reason, sizeof reason);
	snprintf(err, errlen, "cannot %s %s: %s (error %lu)", what, name, reason, (unsigned long)code);
}

static enum evtlog_read live_read(void *ctx, void *buf, size_t cap, size_t *got, size_t *needed, char *err,
                                  size_t errlen)
{
	struct live *l = ctx;
	DWORD read = 0, more = 0;
	if (ReadEventLogW(l->log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0, buf, (DWORD)cap,
	                  &read, &more)) {
		*got = read;
		return EVTLOG_READ_OK;
	}
	DWORD code = GetLastError();
	if (code == ERROR_HANDLE_EOF)
		return EVTLOG_READ_END;
	if (code == ERROR_INSUFFICIENT_BUFFER) {
		*needed = more;
		return EVTLOG_READ_GROW;
	}
	if (code == ERROR_EVENTLOG_FILE_CHANGED) {
		snprintf(err, errlen, "%s was cleared or replaced while it was read: try again", l->name);
		return EVTLOG_READ_FAILED;
	}
	describe(err, errlen, "read", l->name, code);
	return EVTLOG_READ_FAILED;
}

static void live_close(void *ctx)
{
	struct live *l = ctx;
	CloseEventLog(l->log);
	free(l);
}

struct evt_source *evtlog_open(const char *host, const char *log, char *err, size_t errlen)
{
	wchar_t whost[300], wlog[300];
	struct live *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (host)
		snprintf(l->name, sizeof l->name, "the %s log on %s", log, host);
	else
		snprintf(l->name, sizeof l->name, "the %s log", log);
	if ((host && !win_to_wide(host, whost, 300)) || !win_to_wide(log, wlog, 300)) {
		snprintf(err, errlen, "cannot open %s: the name is too long", l->name);
		free(l);
		return NULL;
	}
	l->log = OpenEventLogW(host ? whost : NULL, wlog);
	if (!l->log) {
		describe(err, errlen, "open", l->name, GetLastError());
		free(l);
		return NULL;
	}
	struct evtlog_reader reader = {live_read, live_close, l};
	return evtlog_source(&reader, l->name, err, errlen);
}
