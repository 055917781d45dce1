/* fuzz_ledger: the restart ledger parser over any bytes: no read outside
 * the input; whatever it accepts formats back to text that parses to the
 * same entries, in time order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ledger a, b;
	static char text[LEDGER_FILE_MAX * 2];
	char why[128];
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ledger_parse(copy, size, &a, why, sizeof why)) {
		for (size_t i = 1; i < a.n; i++)
			if (a.entry[i - 1].time > a.entry[i].time)
				abort();
		size_t len = ledger_format(&a, text, sizeof text);
		if (len >= sizeof text || !ledger_parse(text, len, &b, why, sizeof why) || b.n != a.n ||
		    memcmp(a.entry, b.entry, a.n * sizeof a.entry[0]) != 0)
			abort();
	}
	free(copy);
	return 0;
}
