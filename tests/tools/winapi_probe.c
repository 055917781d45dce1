/* winapi_probe: says what the library's NT 4.0 layer answers, for the Wine
 * tests that compare the Windows 2000 paths with the forced NT 4.0 ones
 * (tests/wine/t_nt4_paths.sh). Windows only, never installed.
 *   winapi_probe which            the Windows the lookups answer for and the paths taken
 *   winapi_probe procs IMAGE      how many processes run IMAGE, and the first one's pid
 *   winapi_probe size FILE OFF    the file's size and its byte at offset OFF
 *   winapi_probe sid              SID texts made from their fields, checked against
 *                                 ConvertSidToStringSidW where this Windows has it */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "fsys.h"
#include "proc.h"
#include "winapi.h"
#include "wintext.h"

static bool first_only(const struct winapi_process *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return false;
}

static int which(void)
{
	const char *list = "";
	DWORD code = 0;
	bool listed = winapi_each_process(first_only, NULL, &list, &code);
	printf("windows=%s QueryServiceStatusEx=%s Global=%s processes=%s%s\n", winapi_windows(),
	       winapi_query_service_status_ex() ? "present" : "absent", winapi_global_names() ? "yes" : "no",
	       list, listed ? "" : " (failed)");
	return 0;
}

static int procs(const char *image)
{
	unsigned long pid = 0;
	unsigned count = 0;
	char err[256];
	if (proc_count_by_name(image, &pid, &count, err, sizeof err) == PROC_ERROR) {
		printf("error: %s\n", err);
		return 1;
	}
	printf("count=%u pid=%lu\n", count, pid);
	return 0;
}

static int size(const char *path, const char *offset)
{
	char err[FSYS_ERR_MAX];
	unsigned char byte = 0;
	uint64_t n = 0;
	struct fsys_file *f = fsys_open_read(path, err);
	if (!f || !fsys_file_size(f, &n, err) ||
	    fsys_read_at(f, strtoull(offset, NULL, 10), &byte, 1, err) != 1) {
		printf("error: %s\n", err);
		fsys_close(f, err);
		return 1;
	}
	fsys_close(f, err);
	printf("size=%llu byte=0x%02x\n", (unsigned long long)n, byte);
	return 0;
}

typedef BOOL(WINAPI *sid_to_text_fn)(PSID, LPWSTR *);

/* One SID: our text, and whether Windows 2000's own text agrees. */
static void sid_line(PSID sid, sid_to_text_fn system_text)
{
	char ours[256], theirs[256] = "";
	wchar_t *wide = NULL;
	win_sid_text(sid, ours, sizeof ours);
	if (system_text && system_text(sid, &wide)) {
		win_from_wide(wide, theirs, sizeof theirs);
		LocalFree(wide);
	}
	printf("%s %s\n", ours,
	       !system_text                ? "(ConvertSidToStringSidW absent)"
	       : strcmp(ours, theirs) == 0 ? "same"
	                                   : theirs);
}

static int sids(void)
{
	HMODULE advapi = GetModuleHandleW(L"advapi32.dll");
	sid_to_text_fn system_text =
	    advapi ? (sid_to_text_fn)(void (*)(void))GetProcAddress(advapi, "ConvertSidToStringSidW") : NULL;
	SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY}, wide_authority = {{1, 2, 3, 4, 5, 6}};
	PSID sid = NULL;
	if (AllocateAndInitializeSid(&nt, 1, SECURITY_LOCAL_SYSTEM_RID, 0, 0, 0, 0, 0, 0, 0, &sid)) {
		sid_line(sid, system_text);
		FreeSid(sid);
	}
	if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0,
	                             0, 0, &sid)) {
		sid_line(sid, system_text);
		FreeSid(sid);
	}
	if (AllocateAndInitializeSid(&wide_authority, 8, 1, 2, 3, 4, 5, 6, 7, 4294967295u, &sid)) {
		sid_line(sid, system_text);
		FreeSid(sid);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "which") == 0)
		return which();
	if (argc == 3 && strcmp(argv[1], "procs") == 0)
		return procs(argv[2]);
	if (argc == 4 && strcmp(argv[1], "size") == 0)
		return size(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "sid") == 0)
		return sids();
	static const char usage[] = "Usage: winapi_probe which | procs IMAGE | size FILE OFFSET | sid\n"
	                            "Prints what the NT 4.0 layer (winapi.h) answers.\n";
	bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
	fputs(usage, help ? stdout : stderr);
	return help ? 0 : 2;
}
