/* fuzz_evt_file: the .evt file source on arbitrary files (written to a
 * scratch file per input): locating the EOF record, following the chain,
 * walking back through wraps and padding. No crash, no hang, no overread;
 * a run either ends or reports damage. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "evtfile.h"
#include "evtquery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_evt_file.%ld.evt", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	char err[1024];
	struct evt_source *src = evtfile_open(path, err, sizeof err);
	if (src) {
		struct evtquery q = {.sources = {"MSExchangeKMS"}, .n_sources = 1};
		struct evtquery_result res;
		evtquery_run(&q, src, &res, err, sizeof err);
		evt_source_close(src);
	}
	return 0;
}
