/* winsid: the accounts the suite trusts and names, for every Windows module
 * that builds or judges an access list: the well-known SIDs of LocalSystem
 * and BUILTIN\Administrators, this process's user, and an account's name
 * (or its SID text when it has none). NT 3.1 calls only
 * (AllocateAndInitializeSid, EqualSid, OpenProcessToken,
 * GetTokenInformation, LookupAccountSidW). Windows only. */
#ifndef KMS_WINSID_H
#define KMS_WINSID_H

#include <stdbool.h>
#include <stddef.h>
#include <windows.h>

enum winsid_known { WINSID_SYSTEM, WINSID_ADMINS };

/* A new SID for LocalSystem or BUILTIN\Administrators (FreeSid it), or NULL. */
PSID winsid_alloc(enum winsid_known which);
/* Is sid that well-known account? */
bool winsid_is(PSID sid, enum winsid_known which);
/* This process's user, copied into buf (cap bytes); NULL when unknown. */
PSID winsid_process_user(BYTE *buf, DWORD cap);
/* "DOMAIN\name", or the SID's text (S-1-...) when the account has no name. */
void winsid_account_name(PSID sid, char *out, size_t cap);

#endif
