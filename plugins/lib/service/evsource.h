/* evsource: the registration of an event source in the Application log,
 * HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<source>, with
 * EventMessageFile (REG_EXPAND_SZ: the program holding the message table)
 * and TypesSupported (error, warning, information). Event Viewer finds a
 * source's texts there. RegCreateKeyExW, RegSetValueExW, RegQueryValueExW
 * and RegDeleteKeyW. Windows only (evsource_win32.c). Never
 * prints, never exits. */
#ifndef KMS_EVSOURCE_H
#define KMS_EVSOURCE_H

#include <stdbool.h>
#include <stddef.h>

/* The registry key of the sources, under HKLM, for messages. */
#define EVSOURCE_KEY "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application"

/* Error | warning | information (EVENTLOG_*_TYPE). */
#define EVSOURCE_TYPES 7u

/* Create or update the source's key and both values. */
bool evsource_register(const char *source, const char *message_file, char *err, size_t errcap);

/* Remove the source's key; true when it is gone (or was never there). */
bool evsource_unregister(const char *source, char *err, size_t errcap);

enum evsource_state {
	EVSOURCE_REGISTERED, /* file holds EventMessageFile (as stored, unexpanded) */
	EVSOURCE_ABSENT,     /* no key, or no EventMessageFile in it */
	EVSOURCE_ERROR       /* err says why */
};

enum evsource_state evsource_query(const char *source, char *file, size_t filecap, char *err, size_t errcap);

/* The folder of the running program (where the suite's programs, the
 * message files, are installed together). False when it cannot be told. */
bool evsource_program_dir(char *buf, size_t cap);

#endif
