/* eventsink, Windows: RegisterEventSourceW/ReportEventW with the text as
 * the one insertion string and the id of kmsmsg.mc (severity bits and all), and an append-only log file
 * (FILE_APPEND_DATA, so concurrent handlers never overwrite each other's lines). */
#include "eventsink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>

#include "plugins/lib/service/kmsmsg.h"
#include "wintext.h"

/* Every message of kmsmsg.mc, as windmc numbered it. */
static const DWORD message_ids[] = {
    KMS_MSG_HANDLER_RESTARTED,  KMS_MSG_HANDLER_REFUSED, KMS_MSG_HANDLER_FAILED,  KMS_MSG_HANDLER_ACTION,
    KMS_MSG_HANDLER_BUSY,       KMS_MSG_HANDLER_BUDGET,  KMS_MSG_BACKUP_TAKEN,    KMS_MSG_BACKUP_FAILED,
    KMS_MSG_BACKUP_NOT_STARTED, KMS_MSG_RESTORE_DONE,    KMS_MSG_RESTORE_REFUSED, KMS_MSG_RESTORE_FAILED,
};

unsigned long eventsink_event_id(unsigned id)
{
	for (size_t i = 0; i < sizeof message_ids / sizeof message_ids[0]; i++)
		if ((message_ids[i] & 0xFFFFu) == id)
			return message_ids[i];
	return id;
}

struct eventsink {
	HANDLE source;
	HANDLE file; /* INVALID_HANDLE_VALUE: no log file */
	char name[128];
};

static HANDLE open_log(const char *path, char *err, size_t errcap)
{
	wchar_t wide[MAX_PATH * 2];
	if (!win_to_wide(path, wide, sizeof wide / sizeof wide[0])) {
		snprintf(err, errcap, "--log: '%s' is not a usable file name", path);
		return INVALID_HANDLE_VALUE;
	}
	HANDLE h = CreateFileW(wide, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
	                       FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(err, errcap, "--log: cannot open '%s': %s (%lu)", path, message,
		         (unsigned long)code);
	}
	return h;
}

struct eventsink *eventsink_open(const char *source, const char *log_file, char *err, size_t errcap)
{
	struct eventsink *sink = calloc(1, sizeof *sink);
	if (!sink) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	snprintf(sink->name, sizeof sink->name, "%s", source);
	sink->file = INVALID_HANDLE_VALUE;
	if (log_file) {
		sink->file = open_log(log_file, err, errcap);
		if (sink->file == INVALID_HANDLE_VALUE) {
			free(sink);
			return NULL;
		}
	}
	wchar_t wide[128];
	if (win_to_wide(source, wide, 128))
		sink->source = RegisterEventSourceW(NULL, wide);
	return sink;
}

static const char *level_name(enum eventsink_level level)
{
	return level == EVENTSINK_ERROR ? "ERROR" : level == EVENTSINK_WARNING ? "WARNING" : "INFO";
}

static bool append_line(struct eventsink *sink, enum eventsink_level level, unsigned id, const char *text)
{
	char line[2048];
	time_t now = time(NULL);
	struct tm *t = gmtime(&now);
	int n =
	    snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02dZ %s %s %u: %s\r\n",
	             t ? t->tm_year + 1900 : 0, t ? t->tm_mon + 1 : 0, t ? t->tm_mday : 0, t ? t->tm_hour : 0,
	             t ? t->tm_min : 0, t ? t->tm_sec : 0, sink->name, level_name(level), id, text);
	if (n < 0)
		return false;
	DWORD len = (DWORD)((size_t)n < sizeof line ? (size_t)n : sizeof line - 1), written = 0;
	return WriteFile(sink->file, line, len, &written, NULL) && written == len;
}

bool eventsink_write(struct eventsink *sink, enum eventsink_level level, unsigned id, const char *text)
{
	bool any = false;
	if (sink->file != INVALID_HANDLE_VALUE)
		any = append_line(sink, level, id, text);
	if (sink->source) {
		static wchar_t wide[2048];
		if (win_to_wide(text, wide, sizeof wide / sizeof wide[0])) {
			LPCWSTR strings[1] = {wide};
			WORD type = level == EVENTSINK_ERROR     ? EVENTLOG_ERROR_TYPE
			            : level == EVENTSINK_WARNING ? EVENTLOG_WARNING_TYPE
			                                         : EVENTLOG_INFORMATION_TYPE;
			any = ReportEventW(sink->source, type, 0, eventsink_event_id(id), NULL, 1, 0, strings,
			                   NULL) ||
			      any;
		}
	}
	return any;
}

void eventsink_close(struct eventsink *sink)
{
	if (!sink)
		return;
	if (sink->source)
		DeregisterEventSource(sink->source);
	if (sink->file != INVALID_HANDLE_VALUE)
		CloseHandle(sink->file);
	free(sink);
}
