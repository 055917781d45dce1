/* proc: looks up local processes by image name (Performance Optimizer,
 * perfwiz.exe, must not run while the KM service does; the KM service's
 * own process where the service manager cannot name it, NT 4.0). Windows
 * only (proc_win32.c: the process list of winapi.h, Toolhelp or ntdll's).
 * Never prints, never exits. */
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

/* The same, counting every process of that image: *count of them, *pid the
 * first (a pid is only the process's when *count is 1). */
enum proc_lookup proc_count_by_name(const char *image, unsigned long *pid, unsigned *count, char *err,
                                    size_t errcap);

#endif
