/* kms: what the suite knows of the Exchange Key Management Server, in one
 * place: its service's names, its events and what they mean, and the
 * Service Control Manager events that concern a service's start. Sources:
 * KB Q184420 and Q190699 (5057), article Q190698 (5058), KB Q176737
 * (5060), KB 818952 (5085), KB Q259906 (5389); the SCM's message texts
 * (netevent.dll) for 7000-7036, KB Q133010 (7023 on NT 3.51 to XP) and
 * KB Q157815 (7024 on NT 4.0); what NT 4.0 and 2000 log is in README. */
#ifndef KMS_KMS_H
#define KMS_KMS_H

#include <stdbool.h>
#include <stdint.h>

/* The service name, which is also the source of its Application log events. */
#define KMS_SERVICE_NAME "MSExchangeKMS"
/* Its display name, which SCM events carry; Exchange 4.0 and 5.0 named it
 * "Key Manager". */
#define KMS_DISPLAY_NAME     "Microsoft Exchange Key Management Server"
#define KMS_DISPLAY_NAME_OLD "Microsoft Exchange Key Manager"
/* The directory service, which the KM service depends on. */
#define KMS_DS_SERVICE_NAME "MSExchangeDS"

/* The KM service's events, which are also its service-specific exit codes. */
enum {
	KMS_EVENT_BAD_PASSWORD = 5057,
	KMS_EVENT_TRAPPED_EXCEPTION = 5058, /* Kmsdata corrupt or incomplete */
	KMS_EVENT_CSP_SIGNATURE = 5060,
	KMS_EVENT_CANNOT_MOUNT = 5085,
	KMS_EVENT_DATABASE_TOO_NEW = 5389,
};
#define KMS_EVENT_TRAPPED_EXCEPTION_TEXT "5058"

/* What a KMS event (or exit code) means; NULL when unknown. */
const char *kms_event_meaning(unsigned id);

#define SCM_SOURCE "Service Control Manager"

enum {
	SCM_EVENT_FAILED_TO_START = 7000,
	SCM_EVENT_CONNECT_TIMEOUT = 7009,
	SCM_EVENT_TRANSACTION_TIMEOUT = 7011,
	SCM_EVENT_HUNG_ON_STARTING = 7022,
	SCM_EVENT_TERMINATED_ERROR = 7023,
	SCM_EVENT_TERMINATED_SPECIFIC = 7024,
	SCM_EVENT_TERMINATED_UNEXPECTEDLY = 7031,
	SCM_EVENT_TERMINATED_UNEXPECTEDLY_2 = 7034,
	SCM_EVENT_ENTERED_STATE = 7036, /* "entered the running state" (XP and later) */
};
/* 7000's second string when the start timed out: ERROR_SERVICE_REQUEST_TIMEOUT. */
#define SCM_ERROR_REQUEST_TIMEOUT "%%1053"

/* The SCM events about a service's start and end that the suite counts. */
struct scm_event {
	uint16_t id;
	unsigned service_string; /* the insertion string that names the service */
	bool timeout;            /* a startup timeout (7000 only with %%1053) */
	const char *text;
};

#define SCM_EVENTS_COUNT 8
extern const struct scm_event scm_events[SCM_EVENTS_COUNT];

/* The entry of id, or NULL. */
const struct scm_event *scm_event_find(uint16_t id);
/* Is an SCM event with this id and second insertion string a startup
 * timeout? 7009, 7011, 7022, and 7000 whose error is %%1053. */
bool scm_event_is_timeout(uint16_t id, const char *second_string);

#endif
