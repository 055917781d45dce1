/* test_evt_query: the query over records (filters, window stop, bookmark
 * through a wrapped or cleared log, limit), its parsers (id lists, types,
 * UTC times), the bookmark file, and the live-log reading loop driven by a
 * fake ReadEventLogW (growing the buffer, damaged reads, failures). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtlog.h"
#include "evtquery.h"
#include "evtwrite.h"
#include "test_evt.h"

/* A fake ReadEventLogW over encoded records, newest first. */
struct fake_log {
	uint8_t data[1 << 20];
	size_t len, pos;
	size_t reads, grows;
	bool fail;
	bool lie; /* claims more bytes than the buffer holds */
	bool closed;
};

static enum evtlog_read fake_read(void *ctx, void *buf, size_t cap, size_t *got, size_t *needed, char *err,
                                  size_t errlen)
{
	struct fake_log *f = ctx;
	f->reads++;
	if (f->fail) {
		snprintf(err, errlen, "the RPC server is unavailable");
		return EVTLOG_READ_FAILED;
	}
	if (f->pos == f->len)
		return EVTLOG_READ_END;
	size_t n = 0;
	while (f->pos + n < f->len) {
		uint32_t len = evt_u32(f->data + f->pos + n);
		if (n + len > cap)
			break;
		n += len;
	}
	if (n == 0) {
		*needed = evt_u32(f->data + f->pos);
		f->grows++;
		return EVTLOG_READ_GROW;
	}
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	*got = f->lie ? cap + 1 : n;
	return EVTLOG_READ_OK;
}

static void fake_close(void *ctx)
{
	((struct fake_log *)ctx)->closed = true;
}

static struct fake_log log_;

/* Append a record (the log is built newest first). */
static void add(uint32_t number, uint32_t written, const char *source, uint32_t id, const char *s0,
                const char *s1, unsigned data_len)
{
	struct evtw_record r = {.time_generated = written,
	                        .time_written = written,
	                        .event_id_full = id,
	                        .type = 1,
	                        .source = source,
	                        .computer = "HOST",
	                        .strings = {s0, s1},
	                        .nstrings = s0 ? (s1 ? 2 : 1) : 0,
	                        .data_len = data_len};
	size_t n = evtw_encode(&r, number, log_.data + log_.len, sizeof log_.data - log_.len);
	ck_assert_uint_gt(n, 0);
	log_.len += n;
}

static struct evt_source *open_fake(void)
{
	char err[256];
	log_.pos = 0;
	log_.closed = false;
	struct evtlog_reader reader = {fake_read, fake_close, &log_};
	struct evt_source *src = evtlog_source(&reader, "the fake log", err, sizeof err);
	ck_assert_ptr_nonnull(src);
	return src;
}

static void reset(void)
{
	memset(&log_, 0, sizeof log_);
}

/* 10 records, numbers 101..110, written an hour apart ending at T. */
#define T 1700000000u
static void ten_records(void)
{
	reset();
	for (uint32_t i = 10; i >= 1; i--)
		add(100 + i, T - (10 - i) * 3600, i % 2 ? "MSExchangeKMS" : "msexchangeKMS",
		    i % 3 ? 5058 : 5057, i == 4 ? "Exception C0000005" : "ok", NULL, 0);
}

static struct evtquery_result run(struct evtquery *q)
{
	struct evt_source *src = open_fake();
	struct evtquery_result res;
	char err[256];
	ck_assert_msg(evtquery_run(q, src, &res, err, sizeof err), "%s", err);
	evt_source_close(src);
	ck_assert(log_.closed);
	return res;
}

START_TEST(filters_count_and_times)
{
	ten_records();
	struct evtquery q = {.sources = {"MSEXCHANGEKMS"}, .n_sources = 1};
	const char *why;
	ck_assert(evtquery_parse_ids("5058", &q, &why));
	struct evtquery_result res = run(&q);
	ck_assert_uint_eq(res.count, 7); /* i = 1,2,4,5,7,8,10 */
	ck_assert_uint_eq(res.newest, T);
	ck_assert_uint_eq(res.oldest, T - 9 * 3600);
	ck_assert_uint_eq(res.records_read, 10);
	ck_assert(res.newest_seen.set);
	ck_assert_uint_eq(res.newest_seen.record_number, 110);
	q.n_matches = 1;
	q.matches[0] = "c0000005";
	res = run(&q);
	ck_assert_uint_eq(res.count, 1);
	ck_assert_uint_eq(res.newest, T - 6 * 3600);
	q.n_matches = 0;
	q.types = EVT_TYPE_WARNING;
	ck_assert_uint_eq(run(&q).count, 0);
	q.types = 0;
	q.sources[0] = "MSExchangeIS";
	ck_assert_uint_eq(run(&q).count, 0);
}
END_TEST

START_TEST(window_stops_reading)
{
	ten_records();
	struct evtquery q = {.bounded = true, .since = T - 2 * 3600, .time_slack = EVTQ_TIME_SLACK};
	struct evtquery_result res = run(&q);
	ck_assert_uint_eq(res.count, 3); /* T, T-1h, T-2h: the boundary is inclusive */
	/* T-3h is within EVTQ_TIME_SLACK of the window: read on; T-4h stops */
	ck_assert_uint_eq(res.records_read, 5);
	q.limit = 1;
	res = run(&q);
	ck_assert_uint_eq(res.count, 1);
	ck_assert_uint_eq(res.records_read, 1);
}
END_TEST

/* A clock stepped back: record 2 claims to be written 48 h ago between
 * records written 2 h and 1 h ago. A whole scan counts both 5058s; so does
 * a bounded read when the step is within its slack. */
START_TEST(clock_stepped_back_hides_nothing)
{
	reset();
	add(3, T - 3600, "MSExchangeKMS", 5058, NULL, NULL, 0);
	add(2, T - 48 * 3600, "Service Control Manager", 7036, NULL, NULL, 0);
	add(1, T - 2 * 3600, "MSExchangeKMS", 5058, NULL, NULL, 0);
	struct evtquery q = {.bounded = true, .since = T - 24 * 3600, .scan_whole = true};
	struct evtquery_result res = run(&q);
	ck_assert_uint_eq(res.count, 2);
	ck_assert_uint_eq(res.records_read, 3);
	/* Not scanning whole (the live log): a step back within the slack. */
	reset();
	add(3, T - 3600, "MSExchangeKMS", 5058, NULL, NULL, 0);
	add(2, T - 24 * 3600 - 1800, "Service Control Manager", 7036, NULL, NULL, 0);
	add(1, T - 2 * 3600, "MSExchangeKMS", 5058, NULL, NULL, 0);
	q.scan_whole = false;
	q.time_slack = EVTQ_TIME_SLACK;
	ck_assert_uint_eq(run(&q).count, 2);
	/* Without slack the step hides the older 5058: what --clock-slack 0 means. */
	q.time_slack = 0;
	ck_assert_uint_eq(run(&q).count, 1);
}
END_TEST

START_TEST(bookmark_newer_records_only)
{
	ten_records();
	struct evtquery q = {.after = {true, 107, T - 3 * 3600}};
	struct evtquery_result res = run(&q);
	ck_assert_uint_eq(res.count, 3); /* 108, 109, 110 */
	ck_assert_uint_eq(res.records_read, 4);
	/* The log was cleared: numbers restart, but the times are newer. */
	reset();
	add(2, T + 100, "MSExchangeKMS", 5058, NULL, NULL, 0);
	add(1, T + 50, "MSExchangeKMS", 5058, NULL, NULL, 0);
	q.after = (struct evt_bookmark){true, 110, T, 0};
	ck_assert_uint_eq(run(&q).count, 2);
	/* Nothing newer. */
	q.after = (struct evt_bookmark){true, 2, T + 100, 0};
	ck_assert_uint_eq(run(&q).count, 0);
}
END_TEST

START_TEST(count_since_for_the_handler)
{
	ten_records();
	struct evt_source *src = open_fake();
	unsigned long n = 99;
	char err[256];
	ck_assert(evtquery_count_since(src, "msexchangekms", 5058, T - 3 * 3600, &n, err, sizeof err));
	ck_assert_uint_eq(n, 3); /* 110, 108, 107 */
	evt_source_close(src);
}
END_TEST

START_TEST(live_loop_grows_and_fails_cleanly)
{
	reset();
	add(3, T, "MSExchangeKMS", 5058, "small", NULL, 0);
	add(2, T - 1, "MSExchangeKMS", 5058, "big", NULL, 200000); /* more than the first buffer */
	add(1, T - 2, "MSExchangeKMS", 5058, "small", NULL, 0);
	struct evtquery q = {0};
	struct evtquery_result res = run(&q);
	ck_assert_uint_eq(res.count, 3);
	ck_assert_uint_eq(log_.grows, 1);
	/* A failing read is an error naming the reason. */
	log_.fail = true;
	struct evt_source *src = open_fake();
	char err[256];
	ck_assert(!evtquery_run(&q, src, &res, err, sizeof err));
	ck_assert_str_eq(err, "the RPC server is unavailable");
	evt_source_close(src);
	log_.fail = false;
	/* A read that claims more than the buffer: refused. */
	log_.lie = true;
	src = open_fake();
	ck_assert(!evtquery_run(&q, src, &res, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "the fake log: a read returned"));
	evt_source_close(src);
	log_.lie = false;
	/* A damaged record inside a read. */
	log_.data[4] = 'X';
	src = open_fake();
	ck_assert(!evtquery_run(&q, src, &res, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "the fake log: a damaged record"));
	evt_source_close(src);
	/* An absurd size request. */
	reset();
	add(1, T, "S", 1, NULL, NULL, 0);
	log_.data[0] = 0;
	log_.data[1] = 0;
	log_.data[2] = 0;
	log_.data[3] = 0x40; /* 1 GiB */
	src = open_fake();
	ck_assert(!evtquery_run(&q, src, &res, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "not a record size"));
	evt_source_close(src);
}
END_TEST

START_TEST(id_lists)
{
	struct evtquery q = {0};
	const char *why;
	ck_assert(evtquery_parse_ids("5058", &q, &why));
	ck_assert(evtquery_parse_ids("5057,5060-5085,0,65535", &q, &why));
	ck_assert_uint_eq(q.n_ids, 5);
	ck_assert_uint_eq(q.ids[2].first, 5060);
	ck_assert_uint_eq(q.ids[2].last, 5085);
	ck_assert_uint_eq(q.ids[4].first, 65535);
	const char *bad[] = {"",   ",",    "5058,", ",5058", "50a8", "65536", "5059-5058",           "-1",
	                     "1-", "1--2", " 1",    "1 ",    "0x10", "1;2",   "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct evtquery r = {0};
		ck_assert_msg(!evtquery_parse_ids(bad[i], &r, &why), "'%s' accepted", bad[i]);
		ck_assert_uint_eq(r.n_ids, 0);
	}
	struct evtquery full = {0};
	for (int i = 0; i < 32; i++)
		ck_assert(evtquery_parse_ids("1", &full, &why));
	ck_assert(!evtquery_parse_ids("1", &full, &why));
	ck_assert_ptr_nonnull(strstr(why, "too many"));
	unsigned types = 0;
	ck_assert(evtquery_parse_types("error,Warning", &types, &why));
	ck_assert_uint_eq(types, EVT_TYPE_ERROR | EVT_TYPE_WARNING);
	ck_assert(evtquery_parse_types("audit-failure", &types, &why));
	ck_assert(!evtquery_parse_types("error,", &types, &why));
	ck_assert(!evtquery_parse_types("", &types, &why));
	ck_assert(!evtquery_parse_types("errors", &types, &why));
}
END_TEST

START_TEST(utc_times)
{
	static const struct {
		const char *text;
		uint32_t t;
	} good[] = {{"1970-01-01T00:00:00Z", 0},          {"2026-11-21T09:38:14Z", 1795253894},
	            {"2026-11-21 09:38:14Z", 1795253894}, {"2026-11-21T09:38Z", 1795253880},
	            {"2026-11-21", 1795219200},           {"2000-02-29T12:00:00+00:00", 951825600},
	            {"2106-02-07T06:28:15Z", 4294967295u}};
	const char *why;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint32_t t;
		ck_assert_msg(evt_time_parse(good[i].text, &t, &why), "'%s': %s", good[i].text, why);
		ck_assert_uint_eq(t, good[i].t);
	}
	const char *bad[] = {"",
	                     "2026-02-29",
	                     "1900-02-29",
	                     "2026-13-01",
	                     "2026-00-10",
	                     "2026-11-31",
	                     "2026-11-21T24:00",
	                     "2026-11-21T10:60",
	                     "2026-11-21T10:00:60Z",
	                     "2026-11-21T10",
	                     "2026-11-21T10:00:00+01:00",
	                     "2026-11-21T10:00:00", /* no offset: local time */
	                     "2026-11-21 09:38",
	                     "26-11-21",
	                     "2026/11/21",
	                     "2106-02-07T06:28:16Z",
	                     "1969-12-31T23:59:59Z",
	                     "2026-11-21Z ",
	                     "yesterday"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint32_t t;
		ck_assert_msg(!evt_time_parse(bad[i], &t, &why), "'%s' accepted", bad[i]);
	}
	char buf[32];
	for (uint32_t t = 0; t < 4000000000u; t += 86400u * 97 + 3601) {
		uint32_t back;
		evt_time_format(t, buf, sizeof buf);
		ck_assert(evt_time_parse(buf, &back, &why));
		ck_assert_uint_eq(back, t);
	}
	evt_time_format(951825600, buf, sizeof buf);
	ck_assert_str_eq(buf, "2000-02-29T12:00:00Z");
}
END_TEST

START_TEST(bookmark_file)
{
	char path[64], err[512];
	snprintf(path, sizeof path, "/tmp/kms-bm-%ld", (long)getpid());
	unlink(path);
	struct evt_bookmarks b;
	ck_assert_int_eq(evt_bookmarks_load(path, &b, err, sizeof err), ATOMICFILE_MISSING);
	ck_assert_uint_eq(b.n, 0);
	struct evt_bookmark *m = evt_bookmarks_slot(&b, "file /logs/app evt.evt");
	ck_assert(!m->set);
	*m = (struct evt_bookmark){true, 4294967295u, 17, 0};
	*evt_bookmarks_slot(&b, "log . System") = (struct evt_bookmark){true, 5, 6, 0};
	ck_assert_ptr_eq(evt_bookmarks_slot(&b, "log . System"), &b.item[1].mark);
	ck_assert_ptr_null(evt_bookmarks_slot(&b, "new\nline"));
	ck_assert(evt_bookmarks_save(path, &b, err, sizeof err));
	struct evt_bookmarks back;
	ck_assert_int_eq(evt_bookmarks_load(path, &back, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.item[0].key, "file /logs/app evt.evt");
	ck_assert_uint_eq(back.item[0].mark.record_number, 4294967295u);
	ck_assert_uint_eq(back.item[0].mark.time_written, 17);
	ck_assert_uint_eq(back.item[1].mark.record_number, 5);
	const char *bad[] = {"garbage\n",
	                     "kms-evt-bookmarks 1\n1 2\n",
	                     "kms-evt-bookmarks 1\n1 2 key",
	                     "kms-evt-bookmarks 1\nx 2 key\n",
	                     "kms-evt-bookmarks 1\n4294967296 2 key\n",
	                     "kms-evt-bookmarks 2\n1 2 key\n",
	                     "kms-evt-bookmarks 2\n1 2 x key\n",
	                     "kms-evt-bookmarks 3\n1 2 3 key\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		ck_assert_msg(evt_bookmarks_load(path, &back, err, sizeof err) == ATOMICFILE_ERROR,
		              "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, path));
	}
	unlink(path);
	for (int i = 0; b.n < EVT_BOOKMARKS_MAX; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		ck_assert_ptr_nonnull(evt_bookmarks_slot(&b, key));
	}
	ck_assert_ptr_null(evt_bookmarks_slot(&b, "one too many"));
}
END_TEST

/* Version 1 state files are read (their time taken unknown); what is
 * newer than a bookmark dated ahead of the run that took it. */
START_TEST(bookmark_versions_and_future)
{
	char path[64], err[512];
	snprintf(path, sizeof path, "/tmp/kms-bm1-%ld", (long)getpid());
	FILE *f = fopen(path, "w");
	fputs("kms-evt-bookmarks 1\n12 500 file a b.evt\n", f);
	fclose(f);
	struct evt_bookmarks b;
	ck_assert_int_eq(evt_bookmarks_load(path, &b, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.item[0].key, "file a b.evt");
	ck_assert_uint_eq(b.item[0].mark.taken, 0);
	b.item[0].mark.taken = 400;
	ck_assert(evt_bookmarks_save(path, &b, err, sizeof err));
	ck_assert_int_eq(evt_bookmarks_load(path, &b, err, sizeof err), ATOMICFILE_OK);
	ck_assert_uint_eq(b.item[0].mark.taken, 400);
	unlink(path);
	/* Record 12 written at 500, taken at 400 (dated ahead of that clock). */
	const struct evt_bookmark *m = &b.item[0].mark;
	ck_assert(!evt_bookmark_newer(m, 12, 500)); /* itself */
	ck_assert(evt_bookmark_newer(m, 13, 1));    /* the log went on */
	ck_assert(evt_bookmark_newer(m, 3, 450));   /* cleared, written after the run */
	ck_assert(!evt_bookmark_newer(m, 3, 390));  /* an older copy */
	ck_assert(evt_bookmark_newer(m, 12, 450));  /* cleared and refilled to 12 */
	struct evt_bookmark plain = {true, 12, 500, 0};
	ck_assert(!evt_bookmark_newer(&plain, 3, 450)); /* taken unknown: by its record */
	ck_assert(evt_bookmark_newer(&plain, 3, 501));
}
END_TEST

/* A key fills a line whole or is refused: 511 bytes fit, 512 do not. */
START_TEST(bookmark_key_fit)
{
	static char key[EVT_BOOKMARK_KEY_MAX + 1];
	memset(key, 'k', EVT_BOOKMARK_KEY_MAX - 1);
	key[EVT_BOOKMARK_KEY_MAX - 1] = '\0';
	ck_assert_int_eq(evt_bookmark_key_fit(key), EVT_KEY_FITS);
	struct evt_bookmarks b = {0};
	ck_assert_ptr_nonnull(evt_bookmarks_slot(&b, key));
	key[EVT_BOOKMARK_KEY_MAX - 1] = 'k';
	ck_assert_int_eq(evt_bookmark_key_fit(key), EVT_KEY_TOO_LONG);
	ck_assert_ptr_null(evt_bookmarks_slot(&b, key));
	ck_assert_int_eq(evt_bookmark_key_fit("file a\nb"), EVT_KEY_LINE_BREAK);
	ck_assert_uint_eq(b.n, 1);
}
END_TEST

START_TEST(known_logs)
{
	const char *canonical;
	ck_assert(evtlog_name_known("application", &canonical));
	ck_assert_str_eq(canonical, "Application");
	ck_assert(evtlog_name_known("DNS SERVER", &canonical));
	ck_assert(!evtlog_name_known("Applicaton", &canonical));
	ck_assert(!evtlog_name_known("", &canonical));
}
END_TEST

Suite *evtquery_suite(void)
{
	Suite *s = suite_create("evtquery");
	TCase *tc = tcase_create("evtquery");
	tcase_add_test(tc, filters_count_and_times);
	tcase_add_test(tc, window_stops_reading);
	tcase_add_test(tc, clock_stepped_back_hides_nothing);
	tcase_add_test(tc, bookmark_newer_records_only);
	tcase_add_test(tc, count_since_for_the_handler);
	tcase_add_test(tc, live_loop_grows_and_fails_cleanly);
	tcase_add_test(tc, id_lists);
	tcase_add_test(tc, utc_times);
	tcase_add_test(tc, bookmark_file);
	tcase_add_test(tc, bookmark_key_fit);
	tcase_add_test(tc, bookmark_versions_and_future);
	tcase_add_test(tc, known_logs);
	suite_add_tcase(s, tc);
	return s;
}
