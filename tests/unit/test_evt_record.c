/* test_evt_record: the record, header and EOF decoders: every field of a
 * valid record, every truncation and every bad offset refused with the
 * field's offset, UTF-16 to UTF-8 (surrogates, unpaired halves). */
#include <stdlib.h>
#include <string.h>

#include "evt.h"
#include "evtwrite.h"
#include "test_evt.h"

static const struct evtw_record sample = {
    .time_generated = 1000000000,
    .time_written = 1000000005,
    .event_id_full = 0xC00013C2,
    .type = EVT_TYPE_ERROR,
    .category = 3,
    .source = "MSExchangeKMS",
    .computer = "KMSHOST",
    .strings = {"first", "", "d\xC3\xA9j\xC3\xA0 \xF0\x9F\x94\x91"},
    .nstrings = 3,
    .sid_len = 12,
    .data_len = 5,
};

static uint8_t buf[4096];

static size_t encode(const struct evtw_record *r)
{
	size_t len = evtw_encode(r, 42, buf, sizeof buf);
	ck_assert_uint_gt(len, 0);
	return len;
}

static void put32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		buf[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

START_TEST(decodes_every_field)
{
	size_t len = encode(&sample);
	struct evt_record r;
	struct evt_problem p;
	ck_assert(evt_record_decode(buf, len, &r, &p));
	ck_assert_uint_eq(r.length, len);
	ck_assert_uint_eq(r.record_number, 42);
	ck_assert_uint_eq(r.time_generated, 1000000000);
	ck_assert_uint_eq(r.time_written, 1000000005);
	ck_assert_uint_eq(r.event_id_full, 0xC00013C2);
	ck_assert_uint_eq(r.event_id, 5058);
	ck_assert_uint_eq(r.event_type, EVT_TYPE_ERROR);
	ck_assert_uint_eq(r.category, 3);
	ck_assert_uint_eq(r.num_strings, 3);
	ck_assert_uint_eq(r.sid_length, 12);
	ck_assert_uint_eq(r.data_length, 5);
	char text[128];
	evt_record_source(&r, text, sizeof text);
	ck_assert_str_eq(text, "MSExchangeKMS");
	evt_record_computer(&r, text, sizeof text);
	ck_assert_str_eq(text, "KMSHOST");
	evt_record_string(&r, 0, text, sizeof text);
	ck_assert_str_eq(text, "first");
	evt_record_string(&r, 1, text, sizeof text);
	ck_assert_str_eq(text, "");
	evt_record_string(&r, 2, text, sizeof text);
	ck_assert_str_eq(text, "d\xC3\xA9j\xC3\xA0 \xF0\x9F\x94\x91");
	ck_assert_uint_eq(evt_record_string(&r, 3, text, sizeof text), 0);
	ck_assert_str_eq(text, "");
	ck_assert_uint_eq(buf[r.data_offset], 0xA0);
}
END_TEST

START_TEST(sid_without_strings_or_data)
{
	struct evtw_record r = {.source = "S", .computer = "C", .sid_len = 28, .event_id_full = 7};
	size_t len = encode(&r);
	struct evt_record out;
	ck_assert(evt_record_decode(buf, len, &out, NULL));
	ck_assert_uint_eq(out.sid_length, 28);
	ck_assert_uint_eq(out.num_strings, 0);
	ck_assert_uint_eq(out.data_length, 0);
}
END_TEST

/* Every prefix of a record is refused; none reads past its end (ASan). */
START_TEST(every_truncation_is_refused)
{
	size_t len = encode(&sample);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees overreads */
		memcpy(copy, buf, cut);
		struct evt_record r;
		struct evt_problem p = {0};
		ck_assert_msg(!evt_record_decode(copy, cut, &r, &p), "prefix of %zu bytes accepted", cut);
		ck_assert_ptr_nonnull(p.why);
		/* Again with the length fields saying cut, so the deeper checks
		 * run (some such prefixes are valid records: only no overread). */
		if (cut >= 8) {
			for (int i = 0; i < 4; i++)
				copy[i] = copy[cut - 4 + (size_t)i] = (uint8_t)(cut >> (8 * i));
			(void)evt_record_decode(copy, cut, &r, &p);
		}
		free(copy);
	}
}
END_TEST

static void expect_refused(size_t len, const char *why_part, size_t offset)
{
	struct evt_record r;
	struct evt_problem p = {0};
	ck_assert(!evt_record_decode(buf, len, &r, &p));
	ck_assert_msg(strstr(p.why, why_part), "why '%s' lacks '%s'", p.why, why_part);
	ck_assert_uint_eq(p.offset, offset);
}

START_TEST(bad_fields_are_named)
{
	size_t len = encode(&sample);
	put32(4, 0x12345678);
	expect_refused(len, "signature", 4);
	len = encode(&sample);
	put32(len - 4, (uint32_t)len + 4);
	expect_refused(len, "trailing length", len - 4);
	len = encode(&sample);
	put32(0, (uint32_t)len + 8);
	expect_refused(len, "length does not match", 0);
	len = encode(&sample);
	put32(0x34, (uint32_t)len - 6); /* data runs into the trailing length */
	expect_refused(len, "event data", 0x34);
	len = encode(&sample);
	put32(0x30, 0xFFFFFFF0u); /* data length wraps around */
	expect_refused(len, "event data", 0x34);
	len = encode(&sample);
	put32(0x2c, 0x10); /* SID inside the fixed header */
	expect_refused(len, "SID", 0x2c);
	len = encode(&sample);
	put32(0x28, 0x7FFFFFFF);
	expect_refused(len, "SID", 0x2c);
	len = encode(&sample);
	put32(0x24, (uint32_t)len + 100);
	expect_refused(len, "insertion strings", 0x24);
	len = encode(&sample);
	buf[0x1a] = 50; /* more strings than there are */
	struct evt_record r;
	struct evt_problem p;
	ck_assert(!evt_record_decode(buf, len, &r, &p));
	ck_assert_ptr_nonnull(strstr(p.why, "insertion string runs past"));
	/* A source name without its NUL. */
	len = encode(&sample);
	for (size_t i = 0x38; i < len - 4; i++)
		buf[i] = 'A';
	expect_refused(len, "source name", 0x38);
}
END_TEST

START_TEST(header_and_eof)
{
	uint8_t h[0x30] = {0x30, 0, 0, 0, 'L', 'f', 'L', 'e', 1, 0, 0, 0, 1, 0, 0, 0};
	h[0x10] = 0x30;
	h[0x14] = 0x80;
	h[0x18] = 7;
	h[0x1c] = 3;
	h[0x24] = EVT_FLAG_DIRTY | EVT_FLAG_WRAPPED;
	h[0x2c] = 0x30;
	struct evt_header hd;
	struct evt_problem p;
	ck_assert(evt_header_decode(h, sizeof h, &hd, &p));
	ck_assert_uint_eq(hd.start_offset, 0x30);
	ck_assert_uint_eq(hd.end_offset, 0x80);
	ck_assert_uint_eq(hd.current_record_number, 7);
	ck_assert_uint_eq(hd.oldest_record_number, 3);
	ck_assert_uint_eq(hd.flags, 3);
	ck_assert(!evt_header_decode(h, 0x2f, &hd, &p));
	ck_assert_ptr_nonnull(strstr(p.why, "shorter"));
	h[8] = 2;
	ck_assert(!evt_header_decode(h, sizeof h, &hd, &p));
	ck_assert_uint_eq(p.offset, 8);
	h[8] = 1;
	h[5] = 'X';
	ck_assert(!evt_header_decode(h, sizeof h, &hd, &p));
	ck_assert_ptr_nonnull(strstr(p.why, "no 'LfLe' signature"));

	uint8_t e[0x28] = {0x28, 0,    0,    0,    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x33, 0x33,
	                   0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x30, 0,    0,    0,    0x80, 0,    0,    0,
	                   9,    0,    0,    0,    2,    0,    0,    0,    0x28, 0,    0,    0};
	struct evt_eof eof;
	ck_assert(evt_eof_decode(e, sizeof e, &eof, &p));
	ck_assert_uint_eq(eof.begin_offset, 0x30);
	ck_assert_uint_eq(eof.end_offset, 0x80);
	ck_assert_uint_eq(eof.current_record_number, 9);
	ck_assert_uint_eq(eof.oldest_record_number, 2);
	ck_assert(!evt_eof_decode(e, 0x27, &eof, &p));
	e[0x24] = 0x29;
	ck_assert(!evt_eof_decode(e, sizeof e, &eof, &p));
	ck_assert_uint_eq(p.offset, 0x24);
	e[9] = 0;
	ck_assert(!evt_eof_magic(e, sizeof e));
}
END_TEST

START_TEST(utf16_conversion)
{
	const uint8_t text[] = {'A',  0,    0xE9, 0, 0x3D, 0xD8, 0x11, 0xDD, /* U+1F511 */
	                        0x00, 0xD8, 'B',  0, 0x00, 0xDC};            /* lone high, B, lone low */
	char out[64];
	evt_utf16_to_utf8(text, 7, out, sizeof out);
	ck_assert_str_eq(out, "A\xC3\xA9\xF0\x9F\x94\x91\xEF\xBF\xBD"
	                      "B\xEF\xBF\xBD");
	/* Cut on a character boundary, always terminated. */
	ck_assert_uint_eq(evt_utf16_to_utf8(text, 7, out, 4), 3);
	ck_assert_str_eq(out, "A\xC3\xA9");
	ck_assert_uint_eq(evt_utf16_to_utf8(text, 7, out, 1), 0);
	ck_assert_str_eq(out, "");
	char scratch[16];
	ck_assert_str_eq(evt_type_name(EVT_TYPE_WARNING, scratch, sizeof scratch), "warning");
	ck_assert_str_eq(evt_type_name(0x40, scratch, sizeof scratch), "type 64");
}
END_TEST

Suite *evt_record_suite(void)
{
	Suite *s = suite_create("evt_record");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, decodes_every_field);
	tcase_add_test(tc, sid_without_strings_or_data);
	tcase_add_test(tc, every_truncation_is_refused);
	tcase_add_test(tc, bad_fields_are_named);
	tcase_add_test(tc, header_and_eof);
	tcase_add_test(tc, utf16_conversion);
	suite_add_tcase(s, tc);
	return s;
}
