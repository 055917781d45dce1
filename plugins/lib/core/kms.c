/* kms: the KM service's event meanings and the SCM start events (kms.h). */
#include "kms.h"

#include <stddef.h>
#include <string.h>

const char *kms_event_meaning(unsigned id)
{
	switch (id) {
	case KMS_EVENT_BAD_PASSWORD:
		return "the KMS password is not valid (wrong or missing startup parameter): the service "
		       "cannot start";
	case KMS_EVENT_TRAPPED_EXCEPTION:
		return "Kmsdata is corrupt or incomplete, restore it from an offline backup";
	case KMS_EVENT_CSP_SIGNATURE:
		return "the KM Server could not verify the signature of its crypto service provider";
	case KMS_EVENT_CANNOT_MOUNT:
		return "the KM service cannot mount its key database: it is missing or corrupt";
	case KMS_EVENT_DATABASE_TOO_NEW:
		return "the KM Server is exiting: its database is newer than the installed service pack";
	default: return NULL;
	}
}

const struct scm_event scm_events[SCM_EVENTS_COUNT] = {
    {SCM_EVENT_FAILED_TO_START, 0, false, "failed to start"},
    {SCM_EVENT_CONNECT_TIMEOUT, 1, true, "timed out connecting to the service manager"},
    {SCM_EVENT_TRANSACTION_TIMEOUT, 1, true, "timed out answering the service manager"},
    {SCM_EVENT_HUNG_ON_STARTING, 0, true, "hung on starting"},
    {SCM_EVENT_TERMINATED_ERROR, 0, false, "terminated with an error"},
    {SCM_EVENT_TERMINATED_SPECIFIC, 0, false, "terminated with a service-specific error"},
    {SCM_EVENT_TERMINATED_UNEXPECTEDLY, 0, false, "terminated unexpectedly"},
    {SCM_EVENT_TERMINATED_UNEXPECTEDLY_2, 0, false, "terminated unexpectedly"},
};

const struct scm_event *scm_event_find(uint16_t id)
{
	for (unsigned i = 0; i < SCM_EVENTS_COUNT; i++)
		if (scm_events[i].id == id)
			return &scm_events[i];
	return NULL;
}

bool scm_event_is_timeout(uint16_t id, const char *second_string)
{
	if (id == SCM_EVENT_FAILED_TO_START)
		return strcmp(second_string, SCM_ERROR_REQUEST_TIMEOUT) == 0;
	const struct scm_event *e = scm_event_find(id);
	return e && e->timeout;
}
