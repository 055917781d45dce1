/* proc: looks up local processes by image name (Performance Optimizer,
 * perfwiz.exe, must not run while the KM service does). Windows only
 * (proc_win32.c, a Toolhelp snapshot). Never prints, never exits. */
#ifndef KMS_PROC_H
#define KMS_PROC_H

#include <stdbool.h>
#include <stddef.h>

enum proc_lookup {
	PROC_NOT_FOUND = 0,
	PROC_FOUND,
	PROC_ERROR /* err says why */
};

/* Find a running process whose image name is `image` (case-insensitive,
 * "perfwiz.exe"); *pid is the first one found. */
enum proc_lookup proc_find_by_name(const char *image, unsigned long *pid, char *err, size_t errcap);

#endif
