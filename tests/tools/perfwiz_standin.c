/* perfwiz_standin: built as perfwiz.exe, the name of Exchange's Performance
 * Optimizer. It only runs (at most SECONDS, default 120, so a test that
 * forgets it leaks nothing for long) for the checks that look for it. */
#include <stdlib.h>
#include <windows.h>

int main(int argc, char **argv)
{
	long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : 120;
	if (seconds <= 0 || seconds > 3600)
		seconds = 120;
	Sleep((DWORD)seconds * 1000);
	return 0;
}
