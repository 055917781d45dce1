/* test_evt_file: the .evt file source against the fixture layout engine:
 * every layout (clean, wrapped, tail padding, split record, split EOF,
 * EOF at the start, dirty with a stale header, no EOF record) yields
 * exactly the surviving records newest first; damage anywhere is an error
 * naming the file and the byte offset, never a wrong count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtfile.h"
#include "evtwrite.h"
#include "test_evt.h"

#define NREC 60
static struct evtw_record recs[NREC];
static char texts[NREC][32];
static char path[64];

static const struct evtw_record *get(size_t i, void *ctx)
{
	(void)ctx;
	return &recs[i];
}

static void make_records(void)
{
	for (size_t i = 0; i < NREC; i++) {
		snprintf(texts[i], sizeof texts[i], "string %zu%.*s", i, (int)(i % 7), "yyyyyyy");
		recs[i] = (struct evtw_record){.time_generated = 1700000000 + (uint32_t)i * 60,
		                               .time_written = 1700000000 + (uint32_t)i * 60,
		                               .event_id_full = 5057 + (uint32_t)(i % 3),
		                               .type = 1,
		                               .source = "MSExchangeKMS",
		                               .computer = "KMSHOST",
		                               .strings = {texts[i], "x"},
		                               .nstrings = 2,
		                               .sid_len = i % 5 == 0 ? 28 : 0,
		                               .data_len = (unsigned)(i % 9)};
	}
	snprintf(path, sizeof path, "/tmp/kms-evtfile-%ld.evt", (long)getpid());
}

static void remove_file(void)
{
	unlink(path);
}

static void write_image(const struct evtw_image *img)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(img->data, 1, img->size, f), img->size);
	fclose(f);
}

enum want { ANY, PADDING, SPLIT_RECORD, SPLIT_EOF, EOF_AT_START };

static bool has(const struct evtw_layout *l, enum want w)
{
	switch (w) {
	case PADDING: return l->padding_bytes > 0;
	case SPLIT_RECORD: return l->split_records > 0;
	case SPLIT_EOF: return l->eof_split;
	case EOF_AT_START: return l->wrapped && l->end == 0x30;
	default: return true;
	}
}

/* Lay out the records in the smallest ring from `from` bytes with the wanted shape. */
static struct evtw_image build(uint32_t from, enum want w, const struct evtw_options *base)
{
	struct evtw_options o = *base;
	struct evtw_image img;
	const char *why;
	for (uint32_t size = from;; size += 4) {
		ck_assert_uint_lt(size, from + 8192);
		o.ring_size = size;
		if (!evtw_build(get, NULL, NREC, 1, &o, &img, &why))
			continue;
		if (has(&img.layout, w))
			return img;
		evtw_free(&img);
	}
}

/* Reads src: the records must be the survivors, newest first. */
static void expect_survivors_in(struct evt_source *src, const struct evtw_image *img, const char *note_part)
{
	size_t expect = img->layout.survivors, seen = 0;
	struct evt_record r;
	enum evt_next got;
	while ((got = evt_source_next(src, &r)) == EVT_NEXT_RECORD) {
		size_t i = NREC - 1 - seen;
		ck_assert_uint_lt(seen, expect);
		ck_assert_uint_eq(r.record_number, i + 1);
		ck_assert_uint_eq(r.time_generated, recs[i].time_generated);
		ck_assert_uint_eq(r.data_length, recs[i].data_len);
		char text[64];
		evt_record_string(&r, 0, text, sizeof text);
		ck_assert_str_eq(text, texts[i]);
		seen++;
	}
	ck_assert_msg(got == EVT_NEXT_END, "error: %s", src->error);
	ck_assert_uint_eq(seen, expect);
	if (note_part)
		ck_assert_msg(strstr(src->note, note_part), "note '%s' lacks '%s'", src->note, note_part);
	else
		ck_assert_str_eq(src->note, "");
	evt_source_close(src);
}

/* The file, and the same image from memory (the source the fuzzer uses):
 * the same records, the same note. */
static void expect_survivors(const struct evtw_image *img, const char *note_part)
{
	char err[1024];
	struct evt_source *src = evtfile_open(path, err, sizeof err);
	ck_assert_msg(src != NULL, "open failed: %s", err);
	expect_survivors_in(src, img, note_part);
	src = evtfile_open_memory(img->data, img->size, "'memory'", err, sizeof err);
	ck_assert_msg(src != NULL, "open from memory failed: %s", err);
	expect_survivors_in(src, img, note_part);
}

START_TEST(every_layout_reads_back)
{
	static const struct {
		uint32_t from;
		enum want w;
		struct evtw_options o;
		const char *note;
	} cases[] = {
	    {0, ANY, {0}, NULL},
	    {3000, PADDING, {0}, NULL},
	    {3000, SPLIT_RECORD, {0}, NULL},
	    {3000, SPLIT_EOF, {0}, NULL},
	    {3000, EOF_AT_START, {0}, NULL},
	    {1200, PADDING, {0}, NULL},
	    {0, ANY, {.dirty = true, .header_current = true}, NULL},
	    {0, ANY, {.dirty = true}, "header is stale"},
	    {3000, SPLIT_RECORD, {.dirty = true}, "header is stale"},
	    {3000, SPLIT_EOF, {.dirty = true}, "header is stale"},
	    {3000, PADDING, {.dirty = true, .no_eof = true}, "no EOF record"},
	    {3000, SPLIT_RECORD, {.dirty = true, .no_eof = true}, "no EOF record"},
	    {0, ANY, {.no_eof = true}, "no EOF record"},
	    /* a stale header start: the records before it are found walking back */
	    {0, ANY, {.no_eof = true, .stale_start = 30}, "30 older records before it"},
	    {3000, PADDING, {.dirty = true, .no_eof = true, .stale_start = 5}, "5 older records"},
	    {3000, SPLIT_RECORD, {.dirty = true, .no_eof = true, .stale_start = 7}, "7 older records"},
	    {3000, EOF_AT_START, {.dirty = true, .no_eof = true, .stale_start = 3}, "3 older records"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct evtw_image img;
		if (cases[c].from == 0) {
			const char *why;
			ck_assert(evtw_build(get, NULL, NREC, 1, &cases[c].o, &img, &why));
		} else {
			img = build(cases[c].from, cases[c].w, &cases[c].o);
		}
		write_image(&img);
		expect_survivors(&img, cases[c].note);
		evtw_free(&img);
	}
}
END_TEST

/* Reads all records; returns the error text ("" when none) and the count. */
static const char *read_all(size_t *count)
{
	static char err[1024];
	*count = 0;
	struct evt_source *src = evtfile_open(path, err, sizeof err);
	if (!src)
		return err;
	struct evt_record r;
	enum evt_next got;
	while ((got = evt_source_next(src, &r)) == EVT_NEXT_RECORD)
		(*count)++;
	snprintf(err, sizeof err, "%s", got == EVT_NEXT_ERROR ? src->error : "");
	if (got == EVT_NEXT_ERROR)
		ck_assert_int_eq(evt_source_next(src, &r), EVT_NEXT_ERROR); /* stays failed */
	evt_source_close(src);
	return err;
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* An empty log in both forms: oldest 0 / current 1 (what Windows writes for
 * a cleared log) and oldest == current; neither is damage. */
START_TEST(empty_log)
{
	for (int form = 0; form < 3; form++) {
		struct evtw_options o = {0};
		struct evtw_image img;
		const char *why;
		ck_assert(evtw_build(get, NULL, 0, form == 0 ? 1 : 5, &o, &img, &why));
		ck_assert_uint_eq(img.layout.oldest_number, 0);
		if (form == 1) { /* oldest == current */
			put32le(img.data + 28, 5);
			put32le(img.data + img.layout.end + 32, 5);
		}
		write_image(&img);
		char err[256] = "";
		struct evt_source *src = evtfile_open(path, err, sizeof err);
		ck_assert_msg(src != NULL, "form %d: %s", form, err);
		struct evt_record r;
		ck_assert_int_eq(evt_source_next(src, &r), EVT_NEXT_END);
		ck_assert_int_eq(evt_source_next(src, &r), EVT_NEXT_END);
		evt_source_close(src);
		evtw_free(&img);
	}
	/* oldest 7, current 9 and nothing stored: still damage */
	struct evtw_options o = {0};
	struct evtw_image img;
	const char *why;
	ck_assert(evtw_build(get, NULL, 0, 9, &o, &img, &why));
	put32le(img.data + 28, 7);
	put32le(img.data + img.layout.end + 32, 7);
	write_image(&img);
	size_t count;
	ck_assert_ptr_nonnull(strstr(read_all(&count), "none are stored"));
	evtw_free(&img);
}
END_TEST

/* Any single damaged word among the records gives an error or the right
 * records, never a silently different count. */
START_TEST(damage_never_gives_a_wrong_count)
{
	struct evtw_options o = {0};
	struct evtw_image img = build(3000, SPLIT_RECORD, &o);
	size_t damaged = 0;
	for (size_t off = 0x30; off + 4 <= img.size; off += 4) {
		uint8_t saved[4];
		memcpy(saved, img.data + off, 4);
		uint32_t word =
		    saved[0] | (uint32_t)saved[1] << 8 | (uint32_t)saved[2] << 16 | (uint32_t)saved[3] << 24;
		uint32_t bad = word ^ 0x00010104u;
		for (int i = 0; i < 4; i++)
			img.data[off + (size_t)i] = (uint8_t)(bad >> (8 * i));
		write_image(&img);
		size_t count;
		const char *err = read_all(&count);
		if (*err) {
			damaged++;
			ck_assert_msg(strstr(err, path) && strstr(err, "byte offset"), "vague: %s", err);
		} else {
			ck_assert_msg(count == img.layout.survivors, "damage at %zu: %zu records, not %zu",
			              off, count, img.layout.survivors);
		}
		memcpy(img.data + off, saved, 4);
	}
	ck_assert_uint_gt(damaged, 50); /* the test can fail: damage is seen */
	evtw_free(&img);
}
END_TEST

START_TEST(damage_names_the_offset)
{
	struct evtw_options o = {0};
	const char *why;
	struct evtw_image img;
	ck_assert(evtw_build(get, NULL, 3, 1, &o, &img, &why));
	/* The newest record's signature. */
	size_t newest = img.layout.end - evtw_length(&recs[2]);
	img.data[newest + 4] = 'X';
	write_image(&img);
	size_t count;
	const char *err = read_all(&count);
	char want[128];
	snprintf(want, sizeof want, "damaged at byte offset %zu: record has no 'LfLe' signature", newest + 4);
	ck_assert_msg(strstr(err, want), "got '%s'", err);
	ck_assert_uint_eq(count, 0);
	evtw_free(&img);
}
END_TEST

/* An EOF record whose oldest-record offset skips records: the walk ends
 * early, and the record numbers tell. */
START_TEST(skipped_records_are_damage)
{
	struct evtw_options o = {0};
	const char *why;
	struct evtw_image img;
	ck_assert(evtw_build(get, NULL, 3, 1, &o, &img, &why));
	uint32_t second = (uint32_t)(0x30 + evtw_length(&recs[0]));
	uint8_t *eof = img.data + img.layout.end;
	for (int i = 0; i < 4; i++)
		eof[0x14 + i] = (uint8_t)(second >> (8 * i));
	write_image(&img);
	size_t count;
	const char *err = read_all(&count);
	char want[160];
	snprintf(want, sizeof want, "damaged at byte offset %u: the EOF record names record 1 as the oldest",
	         img.layout.end + 0x20);
	ck_assert_msg(strstr(err, want), "got '%s'", err);
	evtw_free(&img);
}
END_TEST

START_TEST(not_an_event_log)
{
	char err[1024];
	FILE *f = fopen(path, "wb");
	fputs("this is a text file, long enough to hold a header of 48 bytes or more\n", f);
	fclose(f);
	ck_assert_ptr_null(evtfile_open(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "is not an event log file"));
	ck_assert_ptr_nonnull(strstr(err, path));
	f = fopen(path, "wb");
	fclose(f);
	ck_assert_ptr_null(evtfile_open(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "shorter than the 48-byte"));
	ck_assert_ptr_null(evtfile_open("/nonexistent/app.evt", err, sizeof err));
	ck_assert_str_eq(err, "cannot open '/nonexistent/app.evt': No such file or directory");
	ck_assert_ptr_null(evtfile_open("/tmp", err, sizeof err));
	ck_assert_str_eq(err, "cannot open '/tmp': not a regular file");
	/* A FIFO is refused at once, not waited on until the timeout. */
	char fifo[80];
	snprintf(fifo, sizeof fifo, "%s.fifo", path);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(3);
	struct evt_source *none = evtfile_open(fifo, err, sizeof err);
	alarm(0);
	unlink(fifo);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	/* A header and nothing else. */
	struct evtw_options o = {0};
	const char *why;
	struct evtw_image img;
	ck_assert(evtw_build(get, NULL, 3, 1, &o, &img, &why));
	img.size = 0x40;
	write_image(&img);
	ck_assert_ptr_null(evtfile_open(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "ends before its first record"));
	evtw_free(&img);
}
END_TEST

Suite *evtfile_suite(void)
{
	Suite *s = suite_create("evtfile");
	TCase *tc = tcase_create("evtfile");
	tcase_add_unchecked_fixture(tc, make_records, remove_file);
	tcase_add_test(tc, every_layout_reads_back);
	tcase_add_test(tc, empty_log);
	tcase_add_test(tc, damage_never_gives_a_wrong_count);
	tcase_add_test(tc, damage_names_the_offset);
	tcase_add_test(tc, skipped_records_are_damage);
	tcase_add_test(tc, not_an_event_log);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
