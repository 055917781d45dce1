/* fuzz_evt_record: the record, header and EOF decoders and the live-log
 * reading loop on arbitrary bytes: no crash, no overread (ASan, UBSan),
 * and every accepted record's strings can be read back. */
#include <stdint.h>
#include <string.h>

#include "evt.h"
#include "evtlog.h"
#include "evtquery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct one_read {
	const uint8_t *data;
	size_t size;
	bool done;
};

/* The whole input as the answer to one ReadEventLogW call. */
static enum evtlog_read read_once(void *ctx, void *buf, size_t cap, size_t *got, size_t *needed, char *err,
                                  size_t errlen)
{
	struct one_read *r = ctx;
	(void)err;
	(void)errlen;
	if (r->done || r->size == 0)
		return EVTLOG_READ_END;
	if (r->size > cap) {
		*needed = r->size;
		return EVTLOG_READ_GROW;
	}
	memcpy(buf, r->data, r->size);
	*got = r->size;
	r->done = true;
	return EVTLOG_READ_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evt_record rec;
	struct evt_problem problem;
	char text[512];
	if (evt_record_decode(data, size, &rec, &problem)) {
		evt_record_source(&rec, text, sizeof text);
		evt_record_computer(&rec, text, sizeof text);
		for (unsigned i = 0; i <= rec.num_strings; i++)
			evt_record_string(&rec, i, text, sizeof text);
		if (rec.data_length)
			text[0] = (char)rec.base[rec.data_offset + rec.data_length - 1];
	}
	struct evt_header header;
	evt_header_decode(data, size, &header, &problem);
	struct evt_eof eof;
	evt_eof_decode(data, size, &eof, &problem);
	evt_utf16_to_utf8(data, size / 2, text, sizeof text);

	struct one_read once = {data, size, false};
	struct evtlog_reader reader = {read_once, NULL, &once};
	char err[256];
	struct evt_source *src = evtlog_source(&reader, "fuzz", err, sizeof err);
	if (src) {
		struct evtquery q = {.n_matches = 1, .matches = {"x"}};
		struct evtquery_result res;
		evtquery_run(&q, src, &res, err, sizeof err);
		evt_source_close(src);
	}
	return 0;
}
