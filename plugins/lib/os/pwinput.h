/* pwinput: read one secret line from standard input: from the console with
 * its echo turned off (SetConsoleMode, ReadConsoleW), restored
 * after; from a pipe or file when standard input is not a console. The
 * line ends at CR or LF; nothing of it is ever printed. Windows only
 * (pwinput_win32.c). Never exits. */
#ifndef KMS_PWINPUT_H
#define KMS_PWINPUT_H

#include <stdbool.h>
#include <stddef.h>

enum pwinput_status {
	PWINPUT_OK,
	PWINPUT_EMPTY,    /* an empty line */
	PWINPUT_TOO_LONG, /* more than cap - 1 bytes (UTF-8) */
	PWINPUT_NO_INPUT, /* no standard input, or it ended before a line */
	PWINPUT_ERROR     /* why says what failed */
};

/* Read a line into buf (UTF-8, NUL-terminated, at most cap - 1 bytes) after
 * writing prompt to the console (only when reading from one). Every copy
 * but buf is wiped; on failure buf is wiped too. */
enum pwinput_status pwinput_read(const char *prompt, char *buf, size_t cap, size_t *len, char *why,
                                 size_t whycap);

#endif
