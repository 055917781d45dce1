/* secret, Windows: opens the password file, reads its access list from the
 * open handle and refuses it when any allow entry lets someone other than
 * SYSTEM, Administrators, the file's owner or the current user read or
 * change it (or its access list), or when the list cannot be read;
 * then reads the file whole. */
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <aclapi.h>

#include "secret.h"
#include "winsid.h"
#include "wintext.h"

/* Rights that let a trustee read the file's contents, or change the file or
 * its access list (and so read it next). */
#define READ_RIGHTS    (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED)
#define CHANGE_RIGHTS  (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | WRITE_DAC | WRITE_OWNER | DELETE)
#define REFUSED_RIGHTS (READ_RIGHTS | CHANGE_RIGHTS)

/* SECRET_OK when only the allowed trustees may read; why names the first other. */
static enum secret_status check_acl(HANDLE file, const char *path, char *why, size_t whycap)
{
	PSID owner = NULL;
	PACL dacl = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	DWORD rc =
	    GetSecurityInfo(file, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
	                    &owner, NULL, &dacl, NULL, &sd);
	if (rc != ERROR_SUCCESS) {
		char message[256];
		win_error_message(rc, message, sizeof message);
		snprintf(why, whycap, "cannot read the access list of '%s': %s (%lu)", path, message,
		         (unsigned long)rc);
		return SECRET_IO;
	}
	enum secret_status result = SECRET_OK;
	BYTE user_buf[256];
	PSID user = winsid_process_user(user_buf, sizeof user_buf);
	ACL_SIZE_INFORMATION info;
	if (!dacl) {
		snprintf(why, whycap, "'%s' has no access list: everyone may read it", path);
		result = SECRET_TOO_OPEN;
	} else if (!GetAclInformation(dacl, &info, sizeof info, AclSizeInformation)) {
		/* An access list it cannot walk is not one it may trust. */
		DWORD code = GetLastError();
		snprintf(why, whycap, "cannot read the access list of '%s' (error %lu)", path,
		         (unsigned long)code);
		result = SECRET_IO;
	} else {
		for (DWORD i = 0; i < info.AceCount && result == SECRET_OK; i++) {
			ACCESS_ALLOWED_ACE *ace = NULL;
			if (!GetAce(dacl, i, (void **)&ace)) {
				snprintf(why, whycap,
				         "cannot read entry %lu of the access list of '%s' (error %lu)",
				         (unsigned long)i, path, (unsigned long)GetLastError());
				result = SECRET_IO;
				break;
			}
			if (ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
			    (ace->Header.AceFlags & INHERIT_ONLY_ACE) || !(ace->Mask & REFUSED_RIGHTS))
				continue;
			PSID sid = (PSID)&ace->SidStart;
			if (winsid_is(sid, WINSID_SYSTEM) || winsid_is(sid, WINSID_ADMINS) ||
			    (owner && EqualSid(sid, owner)) || (user && EqualSid(sid, user)))
				continue;
			char name[256];
			winsid_account_name(sid, name, sizeof name);
			snprintf(why, whycap,
			         "'%s' is %s by %s: allow only SYSTEM, Administrators and its owner", path,
			         (ace->Mask & READ_RIGHTS) ? "readable"
			                                   : "changeable (write or access-list rights)",
			         name);
			result = SECRET_TOO_OPEN;
		}
	}
	LocalFree(sd);
	return result;
}

enum secret_status secret_read_private(const char *path, char *buf, size_t cap, size_t *len, char *why,
                                       size_t whycap)
{
	*len = 0;
	buf[0] = '\0';
	wchar_t wpath[MAX_PATH * 2];
	if (!win_to_wide(path, wpath, sizeof wpath / sizeof wpath[0])) {
		snprintf(why, whycap, "'%s' is not a usable file name", path);
		return SECRET_IO;
	}
	HANDLE file = CreateFileW(wpath, GENERIC_READ | READ_CONTROL, FILE_SHARE_READ, NULL, OPEN_EXISTING,
	                          FILE_ATTRIBUTE_NORMAL, NULL);
	if (file == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(why, whycap, "cannot open '%s': %s (%lu)", path, message, (unsigned long)code);
		return (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) ? SECRET_MISSING
		                                                                      : SECRET_IO;
	}
	enum secret_status result = SECRET_OK;
	if (GetFileType(file) != FILE_TYPE_DISK) {
		snprintf(why, whycap, "'%s' is not a regular file", path);
		result = SECRET_IO;
	}
	if (result == SECRET_OK)
		result = check_acl(file, path, why, whycap);
	while (result == SECRET_OK) {
		DWORD got = 0;
		if (*len + 1 >= cap) {
			char extra;
			if (ReadFile(file, &extra, 1, &got, NULL) && got > 0) {
				snprintf(why, whycap, "'%s' is larger than %zu bytes", path, cap - 1);
				result = SECRET_MALFORMED;
			}
			break;
		}
		DWORD want = (DWORD)(cap - 1 - *len);
		if (!ReadFile(file, buf + *len, want, &got, NULL)) {
			snprintf(why, whycap, "cannot read '%s' (error %lu)", path,
			         (unsigned long)GetLastError());
			result = SECRET_IO;
		}
		if (got == 0)
			break;
		*len += got;
	}
	buf[*len] = '\0';
	CloseHandle(file);
	if (result == SECRET_OK && *len == 0) {
		snprintf(why, whycap, "'%s' is empty", path);
		result = SECRET_EMPTY;
	}
	return result;
}
