/* fuzz_evt_file: the .evt file source on arbitrary images, read from the
 * fuzzer's buffer through the source's byte interface (no file: thousands
 * of inputs a second): locating the EOF record, following the chain,
 * walking back through wraps and padding. No crash, no hang, no overread;
 * a run either ends or reports damage. */
#include <stdint.h>
#include <stdio.h>

#include "evtfile.h"
#include "evtquery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct evt_source *src = evtfile_open_memory(data, size, "'fuzz.evt'", err, sizeof err);
	if (src) {
		struct evtquery q = {.sources = {"MSExchangeKMS"}, .n_sources = 1};
		struct evtquery_result res;
		evtquery_run(&q, src, &res, err, sizeof err);
		evt_source_close(src);
	}
	return 0;
}
