/* privacl: files and folders only SYSTEM and Administrators may touch, as
 * kms_setup makes them: the access list is given when the file or folder is
 * created (never loosened after), a private file is written whole or not at
 * all (a temporary beside it, flushed, then moved over it), and an existing
 * one is judged by its access list. Only the classic security calls
 * (InitializeAcl, AddAccessAllowedAce, GetFileSecurityW, ...): no SDDL, no
 * SetEntriesInAcl, no AddAccessAllowedAceEx; their presence on NT 4.0 is for
 * the NT 4.0 import list to source (issue 9, section 1). Windows only
 * (privacl_win32.c). Never prints, never exits. */
#ifndef KMS_PRIVACL_H
#define KMS_PRIVACL_H

#include <stdbool.h>
#include <stddef.h>

/* Make the folder with an access list of SYSTEM and Administrators (full
 * control, inherited by what is made inside). *existed is true, and nothing
 * is changed, when a folder is there already. */
bool privacl_make_dir(const char *path, bool *existed, char *err, size_t errcap);

/* Replace (or make) the file with exactly len bytes, its access list
 * SYSTEM and Administrators from the moment it exists. */
bool privacl_write_file(const char *path, const void *data, size_t len, char *err, size_t errcap);

enum privacl_verdict {
	PRIVACL_PRIVATE, /* only SYSTEM, Administrators and this account have the rights asked about */
	PRIVACL_OPEN,    /* someone else has: err names whom and what */
	PRIVACL_MISSING, /* no such file or folder */
	PRIVACL_ERROR    /* its access list cannot be read: err says why (never trusted) */
};

/* Who besides SYSTEM, Administrators and this account may change the file
 * or folder at path (write, append, delete, access list, owner), and, when
 * reading counts, read it. */
enum privacl_verdict privacl_judge(const char *path, bool reading_counts, char *err, size_t errcap);

#endif
