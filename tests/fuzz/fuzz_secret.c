/* fuzz_secret: the password file parser (Kmspwd.ini or one line) over any
 * bytes: it must never read outside the input, and a value it accepts is
 * NUL-terminated, as long as it says, and free of line breaks and NULs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* exact size: ASan sees any overread */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct secret s;
	const char *why = NULL;
	enum secret_status st = secret_parse(copy, size, &s, &why);
	if (st == SECRET_OK) {
		if (s.len == 0 || s.len > SECRET_MAX || strlen(s.value) != s.len || strchr(s.value, '\n'))
			abort();
	} else if (!why || !*why || s.len != 0) {
		abort();
	}
	secret_clear(&s);
	free(copy);
	return 0;
}
