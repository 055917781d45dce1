/* winsid: well-known SIDs, this process's user, account names (winsid.h). */
#include "winsid.h"

#include <wchar.h>

#include "wintext.h"

#define ACCOUNT_NAME_MAX 128

PSID winsid_alloc(enum winsid_known which)
{
	SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
	PSID sid = NULL;
	BOOL made =
	    which == WINSID_ADMINS
	        ? AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0,
	                                   0, 0, 0, 0, &sid)
	        : AllocateAndInitializeSid(&nt, 1, SECURITY_LOCAL_SYSTEM_RID, 0, 0, 0, 0, 0, 0, 0, &sid);
	return made ? sid : NULL;
}

bool winsid_is(PSID sid, enum winsid_known which)
{
	PSID known = winsid_alloc(which);
	bool same = known && EqualSid(sid, known);
	if (known)
		FreeSid(known);
	return same;
}

PSID winsid_process_user(BYTE *buf, DWORD cap)
{
	HANDLE token;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return NULL;
	DWORD needed = 0;
	BOOL ok = GetTokenInformation(token, TokenUser, buf, cap, &needed);
	CloseHandle(token);
	return ok ? ((TOKEN_USER *)buf)->User.Sid : NULL;
}

void winsid_account_name(PSID sid, char *out, size_t cap)
{
	wchar_t name[ACCOUNT_NAME_MAX], domain[ACCOUNT_NAME_MAX], full[2 * ACCOUNT_NAME_MAX + 4];
	DWORD n = ACCOUNT_NAME_MAX, d = ACCOUNT_NAME_MAX;
	SID_NAME_USE use;
	if (!LookupAccountSidW(NULL, sid, name, &n, domain, &d, &use)) {
		win_sid_text(sid, out, cap);
		return;
	}
	_snwprintf(full, sizeof full / sizeof full[0], L"%ls%ls%ls", domain, *domain ? L"\\" : L"", name);
	full[sizeof full / sizeof full[0] - 1] = L'\0';
	win_from_wide(full, out, cap);
}
