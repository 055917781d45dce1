/* evtlog_posix: there is no live Windows event log here; the checks read
 * exported .evt files instead, and this says so. */
#include <stdio.h>

#include "evtlog.h"

struct evt_source *evtlog_open(const char *host, const char *log, char *err, size_t errlen)
{
	(void)host;
	snprintf(err, errlen,
	         "the live %s log can only be read on Windows: give an exported .evt file instead", log);
	return NULL;
}
