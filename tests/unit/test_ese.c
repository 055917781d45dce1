/* test_ese: the ESE header decoder, page checksums and the file reader,
 * on pages built here in memory and files written to a temporary folder:
 * valid, truncated at every length, damaged bit by bit, every page size. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ese.h"

static void put_u32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
	p[off + 2] = (uint8_t)(v >> 16);
	p[off + 3] = (uint8_t)(v >> 24);
}

static void build_header(uint8_t *page, uint32_t page_size, uint32_t state)
{
	memset(page, 0, page_size);
	put_u32(page, ESE_OFF_SIGNATURE, ESE_SIGNATURE);
	put_u32(page, ESE_OFF_FORMAT_VERSION, 0x620);
	put_u32(page, ESE_OFF_DB_STATE, state);
	put_u32(page, ESE_OFF_PAGE_SIZE, page_size);
	put_u32(page, 0, ese_xor_checksum(page, page_size));
}

static void build_data_page(uint8_t *page, uint32_t page_size, uint64_t index)
{
	for (size_t i = 8; i < page_size; i++)
		page[i] = (uint8_t)(i * 7 + index);
	put_u32(page, 4, (uint32_t)(index - 1));
	put_u32(page, 0, ese_xor_checksum(page, page_size));
}

START_TEST(checksum_definition)
{
	static uint8_t page[4096];
	memset(page, 0, sizeof page);
	ck_assert_uint_eq(ese_xor_checksum(page, sizeof page), 0x89abcdefu);
	put_u32(page, 0, 0xffffffffu); /* the checksum word itself is not summed */
	ck_assert_uint_eq(ese_xor_checksum(page, sizeof page), 0x89abcdefu);
	put_u32(page, 4, 0x89abcdefu);
	ck_assert_uint_eq(ese_xor_checksum(page, sizeof page), 0);
	put_u32(page, 4092, 0x00000001u);
	ck_assert_uint_eq(ese_xor_checksum(page, sizeof page), 1);
	ck_assert_uint_eq(ese_xor_checksum(page, 4094), 0); /* rounded down to whole words */
}
END_TEST

START_TEST(header_decodes)
{
	static uint8_t page[4096];
	build_header(page, 4096, ESE_STATE_CLEAN_SHUTDOWN);
	struct ese_header h;
	ck_assert_int_eq(ese_header_decode(page, sizeof page, &h), ESE_HEADER_OK);
	ck_assert_uint_eq(h.format_version, 0x620);
	ck_assert_uint_eq(h.db_state, ESE_STATE_CLEAN_SHUTDOWN);
	ck_assert_uint_eq(h.page_size, 4096);
	ck_assert_uint_eq(h.file_type, ESE_FILE_DATABASE);
	ck_assert_uint_eq(h.stored_checksum, h.computed_checksum);
	/* A page size of 0 is an old database: 4096. */
	put_u32(page, ESE_OFF_PAGE_SIZE, 0);
	put_u32(page, 0, ese_xor_checksum(page, 4096));
	ck_assert_int_eq(ese_header_decode(page, sizeof page, &h), ESE_HEADER_OK);
	ck_assert_uint_eq(h.page_size, 4096);
}
END_TEST

START_TEST(header_truncated_at_every_length)
{
	static uint8_t page[8192];
	build_header(page, 8192, ESE_STATE_CLEAN_SHUTDOWN);
	struct ese_header h;
	for (size_t len = 0; len < 8192; len++) {
		uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
		memcpy(copy, page, len);
		enum ese_header_status s = ese_header_decode(copy, len, &h);
		ck_assert_msg(s == ESE_HEADER_TRUNCATED, "length %zu gave %d", len, (int)s);
		free(copy);
	}
	ck_assert_int_eq(ese_header_decode(page, 8192, &h), ESE_HEADER_OK);
}
END_TEST

START_TEST(header_rejections)
{
	static uint8_t page[4096];
	struct ese_header h;
	build_header(page, 4096, 3);
	put_u32(page, ESE_OFF_SIGNATURE, 0x12345678);
	ck_assert_int_eq(ese_header_decode(page, sizeof page, &h), ESE_HEADER_NOT_ESE);
	uint32_t bad_sizes[] = {1024, 3000, 4097, 65536, 0xffffffffu};
	for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
		build_header(page, 4096, 3);
		put_u32(page, ESE_OFF_PAGE_SIZE, bad_sizes[i]);
		ck_assert_int_eq(ese_header_decode(page, sizeof page, &h), ESE_HEADER_BAD_PAGE_SIZE);
	}
	/* Any flipped bit outside the checksum word breaks the checksum (or
	 * the signature or page size, which are checked first). */
	for (size_t bit = 32; bit < 4096 * 8; bit += 97) {
		build_header(page, 4096, 3);
		page[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_ne(ese_header_decode(page, sizeof page, &h), ESE_HEADER_OK);
	}
	build_header(page, 4096, 3);
	page[0] ^= 1;
	ck_assert_int_eq(ese_header_decode(page, sizeof page, &h), ESE_HEADER_BAD_CHECKSUM);
	ck_assert_uint_eq(h.db_state, 3); /* fields are still decoded */
}
END_TEST

START_TEST(page_verification)
{
	static uint8_t page[4096];
	build_data_page(page, 4096, 5);
	ck_assert_int_eq(ese_page_verify(page, 4096, 5), ESE_PAGE_OK);
	ck_assert_int_eq(ese_page_verify(page, 4096, 6), ESE_PAGE_WRONG_NUMBER);
	page[2000] ^= 0x10;
	ck_assert_int_eq(ese_page_verify(page, 4096, 5), ESE_PAGE_BAD_CHECKSUM);
	memset(page, 0, sizeof page);
	ck_assert_int_eq(ese_page_verify(page, 4096, 5), ESE_PAGE_EMPTY);
	page[4095] = 1;
	ck_assert_int_eq(ese_page_verify(page, 4096, 5), ESE_PAGE_BAD_CHECKSUM);
	ck_assert_int_eq(ese_page_verify(page, 3, 5), ESE_PAGE_BAD_CHECKSUM);
}
END_TEST

START_TEST(state_names)
{
	char buf[32];
	ck_assert_str_eq(ese_state_name(3, buf, sizeof buf), "clean shutdown");
	ck_assert_str_eq(ese_state_name(2, buf, sizeof buf), "dirty shutdown");
	ck_assert_str_eq(ese_state_name(5, buf, sizeof buf), "force detach");
	ck_assert_str_eq(ese_state_name(77, buf, sizeof buf), "state 77");
}
END_TEST

/* Write a database of `pages` data pages; damage page `bad` (0: none);
 * then cut the file to `cut` bytes (0: keep it whole). */
static void write_db(const char *path, uint32_t page_size, unsigned pages, unsigned bad, long cut)
{
	uint8_t *page = malloc(page_size);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	build_header(page, page_size, ESE_STATE_CLEAN_SHUTDOWN);
	fwrite(page, 1, page_size, f);
	fwrite(page, 1, page_size, f);
	for (unsigned i = 2; i < pages + 2; i++) {
		build_data_page(page, page_size, i);
		if (i == bad)
			page[page_size - 1] ^= 0x80;
		fwrite(page, 1, page_size, f);
	}
	fclose(f);
	if (cut > 0)
		ck_assert_int_eq(truncate(path, cut), 0);
	free(page);
}

static char tmpdir[64];
static char dbpath[128];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/kms-ese-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/Kmsmdb.edb", tmpdir);
}

static void remove_tmpdir(void)
{
	unlink(dbpath);
	rmdir(tmpdir);
}

START_TEST(file_every_page_size)
{
	for (uint32_t size = ESE_PAGE_SIZE_MIN; size <= ESE_PAGE_SIZE_MAX; size *= 2) {
		write_db(dbpath, size, 3, 0, 0);
		struct ese_file_check c;
		ck_assert(ese_file_check(dbpath, true, &c));
		ck_assert_msg(ese_file_header_sound(&c), "page size %u", size);
		ck_assert_uint_eq(c.info.page_size, size);
		ck_assert_uint_eq(c.pages, 3);
		ck_assert_uint_eq(c.pages_bad, 0);
		ck_assert(!c.partial_page);
		char text[256];
		ck_assert_uint_eq(ese_file_problem(&c, text, sizeof text), 0);
	}
}
END_TEST

START_TEST(file_damaged_page_found_only_when_asked)
{
	write_db(dbpath, 4096, 6, 4, 0);
	struct ese_file_check c;
	ck_assert(ese_file_check(dbpath, false, &c));
	ck_assert(ese_file_header_sound(&c));
	ck_assert(!c.pages_verified);
	ck_assert_uint_eq(c.pages, 6);
	ck_assert_uint_eq(c.pages_bad, 0);
	ck_assert(ese_file_check(dbpath, true, &c));
	ck_assert_uint_eq(c.pages_bad, 1);
	ck_assert_uint_eq(c.first_bad_page, 4);
	char text[256];
	ese_file_problem(&c, text, sizeof text);
	ck_assert_str_eq(text, "1 of 6 pages damaged (first: page 4, bad checksum)");
}
END_TEST

START_TEST(file_truncations)
{
	struct ese_file_check c;
	char text[256];
	long cuts[] = {1, 100, 4095, 4096, 5000, 8191, 8192 + 10};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		write_db(dbpath, 4096, 2, 0, cuts[i]);
		ck_assert(ese_file_check(dbpath, true, &c));
		ck_assert_msg(!ese_file_header_sound(&c) || c.partial_page, "cut %ld", cuts[i]);
		ck_assert_msg(ese_file_problem(&c, text, sizeof text) > 0, "cut %ld", cuts[i]);
		ck_assert_msg(strstr(text, "truncated") != NULL, "cut %ld: %s", cuts[i], text);
	}
	FILE *f = fopen(dbpath, "wb");
	fclose(f);
	ck_assert(ese_file_check(dbpath, false, &c));
	ese_file_problem(&c, text, sizeof text);
	ck_assert_str_eq(text, "is empty");
}
END_TEST

START_TEST(file_unreadable)
{
	struct ese_file_check c;
	char text[256];
	ck_assert(!ese_file_check("/nonexistent/Kmsmdb.edb", false, &c));
	ese_file_problem(&c, text, sizeof text);
	ck_assert_str_eq(text, "cannot be read: No such file");
	ck_assert(!ese_file_check(tmpdir, false, &c));
	ck_assert_str_eq(c.error, "not a regular file");
}
END_TEST

Suite *ese_suite(void);
Suite *ese_suite(void)
{
	Suite *s = suite_create("ese");
	TCase *t = tcase_create("decode");
	tcase_add_test(t, checksum_definition);
	tcase_add_test(t, header_decodes);
	tcase_add_test(t, header_truncated_at_every_length);
	tcase_add_test(t, header_rejections);
	tcase_add_test(t, page_verification);
	tcase_add_test(t, state_names);
	suite_add_tcase(s, t);
	TCase *f = tcase_create("file");
	tcase_add_checked_fixture(f, make_tmpdir, remove_tmpdir);
	tcase_add_test(f, file_every_page_size);
	tcase_add_test(f, file_damaged_page_found_only_when_asked);
	tcase_add_test(f, file_truncations);
	tcase_add_test(f, file_unreadable);
	suite_add_tcase(s, f);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ese_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
