/* exchsetup: where this machine's Exchange keeps Kmsdata, for programs
 * whose --kmsdata defaults to the live folder. Windows reads the registry
 * (exchsetup_win32.c); other systems have no default (exchsetup_posix.c). */
#ifndef KMS_EXCHSETUP_H
#define KMS_EXCHSETUP_H

#include <stdbool.h>
#include <stddef.h>

/* The Exchange install folder: HKLM\SOFTWARE\Microsoft\Exchange\Setup,
 * value "Services" (unconfirmed: C:\exchsrvr when absent). */
#define EXCHSETUP_KEY      "SOFTWARE\\Microsoft\\Exchange\\Setup"
#define EXCHSETUP_VALUE    "Services"
#define EXCHSETUP_FALLBACK "C:\\exchsrvr"

/* Write the default live Kmsdata folder into buf ("<install>\kmsdata");
 * false when this platform has none. */
bool exchsetup_kmsdata_dir(char *buf, size_t cap);

#endif
