/* wintext: text at the Win32 boundary, for the *_win32.c modules only:
 * UTF-8 (or, when it is not valid UTF-8, the ANSI code page argv delivers)
 * to UTF-16 and back, and the system's words for a Win32 error code. */
#ifndef KMS_WINTEXT_H
#define KMS_WINTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "winapi.h" /* and with it the NT 4.0 floor */

/* Both return false when the text does not fit or does not convert (out is then ""). */
bool win_to_wide(const char *text, wchar_t *out, size_t cap);
bool win_from_wide(const wchar_t *text, char *out, size_t cap);

/* The system's message for a Win32 error code, UTF-8, one line, without the
 * final period ("The specified service does not exist as an installed
 * service"); "Win32 error N" when the system has none. Returns the length. */
size_t win_error_message(unsigned long code, char *buf, size_t cap);

/* A SID (a PSID) as text, "S-1-5-32-544", made from its fields
 * (GetSidIdentifierAuthority, GetSidSubAuthorityCount, GetSidSubAuthority:
 * NT 3.1) where ConvertSidToStringSidW would need Windows 2000. Returns the
 * length; truncated to cap. */
size_t win_sid_text(void *sid, char *buf, size_t cap);

#endif
