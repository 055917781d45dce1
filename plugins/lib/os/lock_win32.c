/* lock, Windows: a named mutex. Taking it is a zero-time wait; an abandoned
 * mutex (its holder died) counts as taken. The system releases it when the
 * holding process ends. It is made with an access list of SYSTEM,
 * Administrators and this account only, and one that already exists must be
 * owned by one of those: an ordinary user cannot squat its name. */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <aclapi.h>

#include "winapi.h"
#include "winsid.h"
#include "wintext.h"

struct lock {
	HANDLE mutex;
};

struct trusted {
	PSID system, admins, user;
	BYTE user_buf[256];
};

static bool trusted_open(struct trusted *t)
{
	t->system = winsid_alloc(WINSID_SYSTEM);
	t->admins = winsid_alloc(WINSID_ADMINS);
	t->user = winsid_process_user(t->user_buf, sizeof t->user_buf);
	return t->system && t->admins && t->user;
}

static void trusted_close(struct trusted *t)
{
	if (t->system)
		FreeSid(t->system);
	if (t->admins)
		FreeSid(t->admins);
}

static bool is_trusted(const struct trusted *t, PSID sid)
{
	return sid && (EqualSid(sid, t->system) || EqualSid(sid, t->admins) || EqualSid(sid, t->user));
}

/* A security descriptor whose access list lets only the trusted in, owned
 * by `owner` (Administrators, so that SYSTEM and administrators trust each
 * other's lock; this account where it may not name that group). */
static bool make_security(const struct trusted *t, PSID owner, SECURITY_DESCRIPTOR *sd, ACL *acl,
                          DWORD aclcap)
{
	return InitializeAcl(acl, aclcap, ACL_REVISION) &&
	       AddAccessAllowedAce(acl, ACL_REVISION, MUTEX_ALL_ACCESS, t->system) &&
	       AddAccessAllowedAce(acl, ACL_REVISION, MUTEX_ALL_ACCESS, t->admins) &&
	       AddAccessAllowedAce(acl, ACL_REVISION, MUTEX_ALL_ACCESS, t->user) &&
	       InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION) &&
	       SetSecurityDescriptorDacl(sd, TRUE, acl, FALSE) &&
	       SetSecurityDescriptorOwner(sd, owner, FALSE);
}

/* Is the mutex owned by SYSTEM, Administrators or this account? */
static bool owner_trusted(const struct trusted *t, HANDLE h)
{
	PSID owner = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) !=
	    ERROR_SUCCESS)
		return false;
	bool ok = is_trusted(t, owner);
	LocalFree(sd);
	return ok;
}

static HANDLE open_mutex(const char *name, SECURITY_ATTRIBUTES *sa, DWORD *code)
{
	wchar_t wide[300];
	char full[300];
	snprintf(full, sizeof full, "Global\\%s", name);
	HANDLE h = NULL;
	if (!winapi_global_names())
		*code = ERROR_PATH_NOT_FOUND; /* NT 4.0's answer, forced */
	else {
		h = win_to_wide(full, wide, 300) ? CreateMutexW(sa, FALSE, wide) : NULL;
		*code = h ? 0 : GetLastError();
	}
	/* Only where Global\ does not exist (NT 4 without Terminal Services)
	 * the session's name is the machine's: any other failure, access
	 * denied above all, must not send two handlers to two different locks. */
	if (!h &&
	    (*code == ERROR_PATH_NOT_FOUND || *code == ERROR_INVALID_NAME || *code == ERROR_FILE_NOT_FOUND) &&
	    win_to_wide(name, wide, 300)) {
		h = CreateMutexW(sa, FALSE, wide);
		*code = h ? 0 : GetLastError();
	}
	return h;
}

enum lock_result lock_take(const char *name, const char *dir, struct lock **out, char *err, size_t errcap)
{
	(void)dir;
	*out = NULL;
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
	                  strlen(name)) {
		snprintf(err, errcap, "'%s' is not a lock name", name);
		return LOCK_ERROR;
	}
	struct trusted t = {0};
	SECURITY_DESCRIPTOR sd;
	DWORD acl_buf[256];
	if (!trusted_open(&t) || !make_security(&t, t.admins, &sd, (ACL *)acl_buf, sizeof acl_buf)) {
		DWORD failed = GetLastError();
		trusted_close(&t);
		snprintf(err, errcap, "cannot make the access list of the lock '%s' (error %lu)", name,
		         (unsigned long)failed);
		return LOCK_ERROR;
	}
	SECURITY_ATTRIBUTES sa = {sizeof sa, &sd, FALSE};
	DWORD code;
	HANDLE h = open_mutex(name, &sa, &code);
	if (!h && code == ERROR_INVALID_OWNER &&
	    make_security(&t, t.user, &sd, (ACL *)acl_buf, sizeof acl_buf))
		h = open_mutex(name, &sa, &code);
	bool existed = h && GetLastError() == ERROR_ALREADY_EXISTS;
	if (h && existed && !owner_trusted(&t, h)) {
		CloseHandle(h);
		trusted_close(&t);
		snprintf(err, errcap,
		         "the lock '%s' exists but is not owned by SYSTEM, Administrators or this account: "
		         "another program holds its name",
		         name);
		return LOCK_ERROR;
	}
	trusted_close(&t);
	if (!h) {
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(err, errcap, "cannot create the lock '%s': %s (%lu)", name, message,
		         (unsigned long)code);
		return LOCK_ERROR;
	}
	DWORD waited = WaitForSingleObject(h, 0);
	if (waited == WAIT_TIMEOUT) {
		CloseHandle(h);
		return LOCK_BUSY;
	}
	if (waited != WAIT_OBJECT_0 && waited != WAIT_ABANDONED) {
		snprintf(err, errcap, "cannot take the lock '%s' (error %lu)", name,
		         (unsigned long)GetLastError());
		CloseHandle(h);
		return LOCK_ERROR;
	}
	struct lock *l = malloc(sizeof *l);
	if (!l) {
		ReleaseMutex(h);
		CloseHandle(h);
		snprintf(err, errcap, "out of memory");
		return LOCK_ERROR;
	}
	l->mutex = h;
	*out = l;
	return LOCK_TAKEN;
}

enum lock_result lock_take_within(const char *name, const char *dir, long wait_ms, struct lock **out,
                                  char *err, size_t errcap)
{
	for (long waited = 0;; waited += 100) {
		enum lock_result r = lock_take(name, dir, out, err, errcap);
		if (r != LOCK_BUSY || waited >= wait_ms)
			return r;
		Sleep(100);
	}
}

void lock_release(struct lock *lock)
{
	if (!lock)
		return;
	ReleaseMutex(lock->mutex);
	CloseHandle(lock->mutex);
	free(lock);
}
