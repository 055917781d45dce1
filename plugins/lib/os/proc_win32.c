/* proc, Windows: walks the process list of winapi.h (a Toolhelp snapshot on
 * Windows 2000 and later, ntdll's SystemProcessInformation on NT 4.0)
 * comparing image names without regard to case. */
#include "proc.h"

#include <stdio.h>
#include <windows.h>

#include "winapi.h"
#include "wintext.h"

struct search {
	wchar_t wanted[MAX_PATH];
	unsigned long first_pid;
	unsigned count;
	bool stop_at_first;
};

static bool match(const struct winapi_process *p, void *ctx)
{
	struct search *s = ctx;
	if (_wcsicmp(p->image, s->wanted) != 0)
		return true;
	if (s->count++ == 0)
		s->first_pid = p->pid;
	return !s->stop_at_first;
}

static enum proc_lookup search_processes(const char *image, struct search *s, char *err, size_t errcap)
{
	if (!win_to_wide(image, s->wanted, MAX_PATH) || !*image) {
		snprintf(err, errcap, "'%s' is not a usable process name", image);
		return PROC_ERROR;
	}
	const char *which = "";
	DWORD code = 0;
	if (!winapi_each_process(match, s, &which, &code)) {
		char message[256];
		win_error_message(code, message, sizeof message);
		snprintf(err, errcap, "cannot list processes (%s): %s (%lu)", which, message,
		         (unsigned long)code);
		return PROC_ERROR;
	}
	return s->count ? PROC_FOUND : PROC_NOT_FOUND;
}

enum proc_lookup proc_find_by_name(const char *image, unsigned long *pid, char *err, size_t errcap)
{
	struct search s = {.stop_at_first = true};
	enum proc_lookup found = search_processes(image, &s, err, errcap);
	*pid = s.first_pid;
	return found;
}

enum proc_lookup proc_count_by_name(const char *image, unsigned long *pid, unsigned *count, char *err,
                                    size_t errcap)
{
	struct search s = {.stop_at_first = false};
	enum proc_lookup found = search_processes(image, &s, err, errcap);
	*pid = s.first_pid;
	*count = s.count;
	return found;
}
