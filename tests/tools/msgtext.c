/* msgtext: what Event Viewer shows for an event a program of the suite
 * writes. `msgtext PROGRAM.exe ID TEXT` loads PROGRAM as a data file
 * (LoadLibraryExW, LOAD_LIBRARY_AS_DATAFILE, as the event viewer does with
 * an EventMessageFile) and prints "0xXXXXXXXX <message>" with TEXT as %1
 * (FormatMessageW, FORMAT_MESSAGE_FROM_HMODULE |
 * FORMAT_MESSAGE_ARGUMENT_ARRAY). A decimal ID is mapped to the id eventsink
 * writes for it (severity bits and all); a hex ID (0x80000002, as a trace
 * shows it) is taken as it is. Exit 1 with the system's words when the
 * table has no such message. Test tool. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "eventsink.h"
#include "wintext.h"

static wchar_t path[MAX_PATH * 2], insert[1024], message[8192];
static char shown[16384];

static const char usage[] = "Usage: msgtext PROGRAM.exe ID TEXT\n"
                            "Prints what Event Viewer shows for event ID of PROGRAM.exe's message\n"
                            "table, with TEXT as %1.\n";

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 4 || !win_to_wide(argv[1], path, MAX_PATH * 2) || !win_to_wide(argv[3], insert, 1024)) {
		fputs(usage, stderr);
		return 2;
	}
	HMODULE module = LoadLibraryExW(path, NULL, LOAD_LIBRARY_AS_DATAFILE);
	if (!module) {
		fprintf(stderr, "msgtext: cannot load %s (%lu)\n", argv[1], (unsigned long)GetLastError());
		return 1;
	}
	bool raw = strncmp(argv[2], "0x", 2) == 0 || strncmp(argv[2], "0X", 2) == 0;
	unsigned long given = strtoul(argv[2], NULL, raw ? 16 : 10);
	DWORD id = (DWORD)(raw ? given : eventsink_event_id((unsigned)given));
	DWORD_PTR args[1] = {(DWORD_PTR)insert};
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, module, id, 0,
	                         message, sizeof message / sizeof message[0], (va_list *)args);
	if (n == 0) {
		char why[256];
		win_error_message(GetLastError(), why, sizeof why);
		printf("0x%08lX no message: %s\n", (unsigned long)id, why);
		return 1;
	}
	for (DWORD i = 0; i < n; i++) /* one line: Event Viewer's paragraphs as spaces */
		if (message[i] == L'\r' || message[i] == L'\n')
			message[i] = L' ';
	win_from_wide(message, shown, sizeof shown);
	printf("0x%08lX %s\n", (unsigned long)id, shown);
	FreeLibrary(module);
	return 0;
}
