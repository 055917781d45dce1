/* eventsink, POSIX: there is no event log here. A sink records nothing and
 * says so (eventsink_write is false); a log file is a Windows feature of the
 * restart handler, which does not exist here, so asking for one is refused. */
#include "eventsink.h"

#include <stdio.h>
#include <stdlib.h>

struct eventsink {
	int unused;
};

struct eventsink *eventsink_open(const char *source, const char *log_file, char *err, size_t errcap)
{
	(void)source;
	if (log_file) {
		snprintf(err, errcap, "--log: there is no event log on this system");
		return NULL;
	}
	struct eventsink *sink = calloc(1, sizeof *sink);
	if (!sink)
		snprintf(err, errcap, "out of memory");
	return sink;
}

bool eventsink_write(struct eventsink *sink, enum eventsink_level level, unsigned id, const char *text)
{
	(void)sink, (void)level, (void)id, (void)text;
	return false;
}

void eventsink_close(struct eventsink *sink)
{
	free(sink);
}

unsigned long eventsink_event_id(unsigned id)
{
	return id;
}
