/* fsys, portable part: path joining shared by the POSIX and Windows halves
 * (fsys_posix.c, fsys_win32.c) and by their callers. */
#include "fsys.h"

#include <string.h>

bool fsys_join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	bool sep = dl > 0 && dir[dl - 1] != '/' && dir[dl - 1] != '\\';
	size_t need = dl + (sep ? 1 : 0) + nl + 1;
	if (need > cap || need > FSYS_PATH_MAX)
		return false;
	/* Keep the folder's own style: C:\exchsrvr\kmsdata gets a '\'. */
	char sep_char = (strchr(dir, '\\') && !strchr(dir, '/')) ? '\\' : '/';
	memmove(out, dir, dl);
	if (sep)
		out[dl++] = sep_char;
	memcpy(out + dl, name, nl + 1);
	return true;
}

uint32_t fsys_path_hash(const char *path)
{
	uint32_t hash = 2166136261u; /* FNV-1a offset basis and prime */
	for (const char *p = path; *p; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p == '/' ? '\\' : *p;
		hash = (hash ^ (uint8_t)ch) * 16777619u;
	}
	return hash;
}
