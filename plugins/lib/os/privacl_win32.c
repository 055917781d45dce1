/* privacl, Windows: a security descriptor built by hand (InitializeAcl,
 * AddAccessAllowedAce, InitializeSecurityDescriptor,
 * SetSecurityDescriptorDacl), given to
 * CreateDirectoryW / CreateFileW; the judge reads the list back with
 * GetFileSecurityW and walks it with GetAce. No SDDL strings, no
 * SetEntriesInAcl (neither is sourced for NT 4.0). */
#include "privacl.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "winsid.h"
#include "wintext.h"

/* Rights that change a file or folder or its access list. */
#define CHANGE_RIGHTS                                                                                        \
	(FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | FILE_DELETE_CHILD |    \
	 DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL | MAXIMUM_ALLOWED)
#define READ_RIGHTS   (FILE_READ_DATA | GENERIC_READ)
#define INHERIT_FLAGS (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)

struct private_sd {
	PSID system, admins;
	SECURITY_DESCRIPTOR sd;
	SECURITY_ATTRIBUTES sa;
	DWORD acl_mem[64]; /* two ACEs of two small SIDs, DWORD-aligned */
};

static void describe(char *err, size_t errcap, const char *what, const char *path, DWORD code)
{
	char message[256];
	win_error_message(code, message, sizeof message);
	snprintf(err, errcap, "cannot %s '%s': %s (%lu)", what, path, message, (unsigned long)code);
}

static bool known_sids(PSID *system, PSID *admins)
{
	*system = winsid_alloc(WINSID_SYSTEM);
	*admins = winsid_alloc(WINSID_ADMINS);
	if (*system && *admins)
		return true;
	if (*system)
		FreeSid(*system);
	if (*admins)
		FreeSid(*admins);
	*system = *admins = NULL;
	return false;
}

static void private_sd_free(struct private_sd *p)
{
	if (p->system)
		FreeSid(p->system);
	if (p->admins)
		FreeSid(p->admins);
}

/* SYSTEM and Administrators, full control; inherited inside a folder (the
 * flags set on the entries after adding them, as AddAccessAllowedAce takes
 * none). */
static bool private_sd_init(struct private_sd *p, bool folder)
{
	ACL *acl = (ACL *)p->acl_mem;
	memset(p, 0, sizeof *p);
	if (!known_sids(&p->system, &p->admins))
		return false;
	bool ok = InitializeAcl(acl, sizeof p->acl_mem, ACL_REVISION) &&
	          AddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, p->system) &&
	          AddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, p->admins);
	for (DWORD i = 0; ok && folder && i < 2; i++) {
		ACE_HEADER *ace = NULL;
		ok = GetAce(acl, i, (void **)&ace);
		if (ok)
			ace->AceFlags |= INHERIT_FLAGS;
	}
	ok = ok && InitializeSecurityDescriptor(&p->sd, SECURITY_DESCRIPTOR_REVISION) &&
	     SetSecurityDescriptorDacl(&p->sd, TRUE, acl, FALSE);
	p->sa = (SECURITY_ATTRIBUTES){sizeof p->sa, &p->sd, FALSE};
	return ok;
}

bool privacl_make_dir(const char *path, bool *existed, char *err, size_t errcap)
{
	wchar_t wide[MAX_PATH * 2];
	struct private_sd p;
	*existed = false;
	if (!win_to_wide(path, wide, MAX_PATH * 2)) {
		snprintf(err, errcap, "'%s' is not a usable folder name", path);
		return false;
	}
	if (!private_sd_init(&p, true)) {
		describe(err, errcap, "build an access list for", path, GetLastError());
		private_sd_free(&p);
		return false;
	}
	BOOL made = CreateDirectoryW(wide, &p.sa);
	DWORD code = GetLastError();
	private_sd_free(&p);
	if (made)
		return true;
	DWORD attrs = GetFileAttributesW(wide);
	if (code == ERROR_ALREADY_EXISTS && attrs != INVALID_FILE_ATTRIBUTES &&
	    (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
		*existed = true;
		return true;
	}
	describe(err, errcap, "create the folder", path, code);
	return false;
}

static bool write_all(HANDLE h, const void *data, size_t len)
{
	DWORD written = 0;
	return len <= 0xFFFFFFFFu && WriteFile(h, data, (DWORD)len, &written, NULL) && written == len &&
	       FlushFileBuffers(h);
}

bool privacl_write_file(const char *path, const void *data, size_t len, char *err, size_t errcap)
{
	wchar_t wide[MAX_PATH * 2], tmp[MAX_PATH * 2 + 16];
	struct private_sd p;
	if (!win_to_wide(path, wide, MAX_PATH * 2)) {
		snprintf(err, errcap, "'%s' is not a usable file name", path);
		return false;
	}
	_snwprintf(tmp, sizeof tmp / sizeof tmp[0], L"%ls.new%lu", wide,
	           (unsigned long)GetCurrentProcessId());
	tmp[sizeof tmp / sizeof tmp[0] - 1] = L'\0';
	if (!private_sd_init(&p, false)) {
		describe(err, errcap, "build an access list for", path, GetLastError());
		private_sd_free(&p);
		return false;
	}
	HANDLE h = CreateFileW(tmp, GENERIC_WRITE, 0, &p.sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
	DWORD code = GetLastError();
	private_sd_free(&p);
	if (h == INVALID_HANDLE_VALUE) {
		describe(err, errcap, "create a file beside", path, code);
		return false;
	}
	bool written = write_all(h, data, len);
	code = GetLastError();
	CloseHandle(h);
	if (written && MoveFileExW(tmp, wide, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		return true;
	if (written)
		code = GetLastError();
	DeleteFileW(tmp);
	describe(err, errcap, "write", path, code);
	return false;
}

/* The first allowed entry giving `rights` to someone not trusted, or -1. */
static long first_stranger(ACL *dacl, DWORD rights, PSID user)
{
	PSID system, admins;
	ACL_SIZE_INFORMATION info;
	if (!known_sids(&system, &admins))
		return -2;
	long found = -1;
	if (!GetAclInformation(dacl, &info, sizeof info, AclSizeInformation))
		found = -2;
	for (DWORD i = 0; found == -1 && i < info.AceCount; i++) {
		ACCESS_ALLOWED_ACE *ace = NULL;
		if (!GetAce(dacl, i, (void **)&ace)) {
			found = -2;
			break;
		}
		if (ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    (ace->Header.AceFlags & INHERIT_ONLY_ACE) || !(ace->Mask & rights))
			continue;
		PSID sid = (PSID)&ace->SidStart;
		if (!EqualSid(sid, system) && !EqualSid(sid, admins) && !(user && EqualSid(sid, user)))
			found = (long)i;
	}
	FreeSid(system);
	FreeSid(admins);
	return found;
}

static enum privacl_verdict judge_dacl(const char *path, PSECURITY_DESCRIPTOR sd, DWORD rights, char *err,
                                       size_t errcap)
{
	BOOL present = FALSE, defaulted = FALSE;
	ACL *dacl = NULL;
	BYTE user_buf[256];
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) {
		describe(err, errcap, "read the access list of", path, GetLastError());
		return PRIVACL_ERROR;
	}
	if (!present || !dacl) {
		snprintf(err, errcap, "'%s' has no access list: everyone may change it", path);
		return PRIVACL_OPEN;
	}
	long i = first_stranger(dacl, rights, winsid_process_user(user_buf, sizeof user_buf));
	if (i == -2) {
		snprintf(err, errcap, "cannot walk the access list of '%s'", path);
		return PRIVACL_ERROR;
	}
	if (i < 0)
		return PRIVACL_PRIVATE;
	ACCESS_ALLOWED_ACE *ace = NULL;
	GetAce(dacl, (DWORD)i, (void **)&ace);
	char name[256];
	winsid_account_name((PSID)&ace->SidStart, name, sizeof name);
	snprintf(err, errcap, "'%s' is %s by %s: allow only SYSTEM and Administrators", path,
	         (ace->Mask & CHANGE_RIGHTS) ? "changeable" : "readable", name);
	return PRIVACL_OPEN;
}

enum privacl_verdict privacl_judge(const char *path, bool reading_counts, char *err, size_t errcap)
{
	wchar_t wide[MAX_PATH * 2];
	static BYTE sd_mem[65536];
	DWORD needed = 0;
	if (!win_to_wide(path, wide, MAX_PATH * 2)) {
		snprintf(err, errcap, "'%s' is not a usable file name", path);
		return PRIVACL_ERROR;
	}
	if (GetFileAttributesW(wide) == INVALID_FILE_ATTRIBUTES) {
		DWORD code = GetLastError();
		if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
			return PRIVACL_MISSING;
		describe(err, errcap, "look at", path, code);
		return PRIVACL_ERROR;
	}
	if (!GetFileSecurityW(wide, DACL_SECURITY_INFORMATION, (PSECURITY_DESCRIPTOR)sd_mem, sizeof sd_mem,
	                      &needed)) {
		describe(err, errcap, "read the access list of", path, GetLastError());
		return PRIVACL_ERROR;
	}
	DWORD rights = CHANGE_RIGHTS | (reading_counts ? READ_RIGHTS : 0);
	return judge_dacl(path, (PSECURITY_DESCRIPTOR)sd_mem, rights, err, errcap);
}
