/* perfwiz_standin: built as perfwiz.exe, the name of Exchange's Performance
 * Optimizer. It only runs (at most SECONDS, default 120, so a test that
 * forgets it leaks nothing for long) for the checks that look for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define SECONDS_DEFAULT 120
#define SECONDS_MAX     3600

static const char usage[] = "Usage: perfwiz [SECONDS]\n"
                            "Runs SECONDS (1 to 3600, default 120) under the name of Exchange's\n"
                            "Performance Optimizer, for the checks that look for it.\n";

int main(int argc, char **argv)
{
	long seconds = SECONDS_DEFAULT;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1) {
		char *end;
		seconds = strtol(argv[1], &end, 10);
		if (argc > 2 || *end || end == argv[1] || seconds < 1 || seconds > SECONDS_MAX) {
			fprintf(stderr, "perfwiz: bad argument '%s'\n%s", argv[argc > 2 ? 2 : 1], usage);
			return 2;
		}
	}
	Sleep((DWORD)seconds * 1000);
	return 0;
}
