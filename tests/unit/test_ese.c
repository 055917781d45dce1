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
		/* Three pages of noise: sound pages, but no database structure. */
		ck_assert(c.structure_checked);
		ck_assert_int_eq(c.structure.status, ESE_STRUCTURE_DAMAGED);
		char text[256];
		ese_file_problem(&c, text, sizeof text);
		ck_assert_msg(strncmp(text, "page 1 (the database root) has flags", 36) == 0, "%s", text);
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
	ck_assert_str_eq(text, "1 of 6 pages damaged (first: page 3, bad checksum)"); /* ESE page 3 */
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

/* ---- structure (esetree), on database images built in memory ---- */

#define PS       2048u /* page size of the images */
#define PAGES_AT 48u   /* room for pages 1..46 */
static uint8_t image[PAGES_AT * PS];
static size_t used[PAGES_AT]; /* bytes of values per page */

static uint8_t *page_at(uint32_t pgno)
{
	return image + ((size_t)pgno + 1) * PS;
}

static void put_u16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void page_init(uint32_t pgno, uint32_t flags, uint32_t fdp)
{
	uint8_t *p = page_at(pgno);
	memset(p, 0, PS);
	put_u32(p, ESE_PAGE_OFF_NUMBER, pgno);
	put_u32(p, ESE_PAGE_OFF_FDP, fdp);
	put_u32(p, ESE_PAGE_OFF_FLAGS, flags);
	used[pgno] = 0;
}

/* Append a tag (the next one) holding len bytes of v, with tag flags. */
static void add_tag(uint32_t pgno, const uint8_t *v, size_t len, unsigned flags)
{
	uint8_t *p = page_at(pgno);
	unsigned i = ese_page_tag_count(p, PS);
	memcpy(p + ESE_PAGE_HEADER_LEN + used[pgno], v, len);
	put_u16(p, PS - 4 * (i + 1), (uint16_t)len);
	put_u16(p, PS - 4 * (i + 1) + 2, (uint16_t)(used[pgno] | flags << 13));
	used[pgno] += len;
	put_u16(p, ESE_PAGE_OFF_FIRST_FREE_TAG, (uint16_t)(i + 1));
}

static void add_root_header(uint32_t pgno, uint32_t initial, uint32_t multiple, uint32_t space)
{
	uint8_t h[ESE_ROOT_HEADER_LEN] = {0};
	put_u32(h, ESE_ROOT_OFF_INITIAL_PAGES, initial);
	put_u32(h, ESE_ROOT_OFF_PARENT_FDP, 1);
	put_u32(h, ESE_ROOT_OFF_EXTENT_SPACE, multiple);
	put_u32(h, ESE_ROOT_OFF_SPACE_TREE, space);
	add_tag(pgno, h, sizeof h, 0);
}

/* An entry: key size, a 4-byte key, then 4 bytes of data (a page count
 * on a leaf, a child page on a branch); with common, a common key size first. */
static void add_entry(uint32_t pgno, uint32_t value, unsigned flags)
{
	uint8_t e[12] = {0};
	size_t at = flags & ESE_TAG_COMMON_KEY ? 2 : 0;
	put_u16(e, at, 4);
	put_u32(e, at + 6, value);
	add_tag(pgno, e, at + 10, flags);
}

/* Pages 1..n, every one a B-tree root; page 1 the database root with a
 * single extent of `initial` pages. */
static void build_single(uint32_t n, uint32_t initial)
{
	memset(image, 0, sizeof image);
	for (uint32_t i = 1; i <= n; i++) {
		page_init(i, ESE_PAGE_FLAG_ROOT | ESE_PAGE_FLAG_LEAF, 1);
		add_root_header(i, 1, 0, 0);
	}
	page_init(1, ESE_PAGE_FLAG_ROOT | ESE_PAGE_FLAG_LEAF, 1);
	add_root_header(1, initial, 0, 0);
}

static void run_structure(uint32_t n, struct ese_structure *out)
{
	struct ese_memory m;
	struct ese_source src;
	ese_source_memory(&src, &m, image, ((size_t)n + 2) * PS, PS, true);
	ck_assert_uint_eq(src.pages, n);
	ese_structure_check(&src, out);
}

START_TEST(structure_single_extent)
{
	struct ese_structure st;
	build_single(24, 24);
	run_structure(24, &st);
	ck_assert_int_eq(st.status, ESE_STRUCTURE_OK);
	ck_assert_uint_eq(st.owned, 24);
	run_structure(23, &st); /* cut at a page boundary */
	ck_assert_int_eq(st.status, ESE_STRUCTURE_TRUNCATED);
	ck_assert_str_eq(st.text, "page 24 (the backup catalog) is past the end of the file (23 pages)");
	run_structure(0, &st);
	ck_assert_str_eq(st.text, "page 1 (the database root) is past the end of the file (0 pages)");
	build_single(30, 40);
	run_structure(30, &st);
	ck_assert_int_eq(st.status, ESE_STRUCTURE_TRUNCATED);
	ck_assert_str_eq(st.text, "its root page owns 40 pages, the file holds 30");
}
END_TEST

START_TEST(structure_damage)
{
	/* One change to a sound image each (width 0: the page zeroed). */
	static const struct {
		uint32_t pgno;
		size_t off;
		int width;
		uint32_t value;
		const char *want;
	} cases[] = {
	    {4, 0, 0, 0, "page 4 (the catalog) is all zero"},
	    {24, ESE_PAGE_OFF_NUMBER, 4, 9, "page 24 (the backup catalog) holds page 9"},
	    {1, ESE_PAGE_OFF_FDP, 4, 7, "page 1 (the database root) belongs to object 7, not 1"},
	    {1, ESE_PAGE_OFF_FLAGS, 4, ESE_PAGE_FLAG_LEAF,
	     "page 1 (the database root) has flags 0x2, not those of a B-tree root"},
	    {1, ESE_PAGE_OFF_FIRST_FREE_TAG, 2, 0, "page 1 (the database root) has no root header"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ese_structure st;
		build_single(24, 24);
		uint8_t *p = page_at(cases[i].pgno);
		if (cases[i].width == 0)
			memset(p, 0, PS);
		else if (cases[i].width == 2)
			put_u16(p, cases[i].off, (uint16_t)cases[i].value);
		else
			put_u32(p, cases[i].off, cases[i].value);
		run_structure(24, &st);
		ck_assert_int_eq(st.status, ESE_STRUCTURE_DAMAGED);
		ck_assert_str_eq(st.text, cases[i].want);
	}
}
END_TEST

/* Page 1 owns its space by a two-level tree: page 2 a branch over leaves
 * 30 and 31; page 3 the available space. Defunct entries do not count. */
static void build_tree(void)
{
	const uint32_t space = ESE_PAGE_FLAG_ROOT | ESE_PAGE_FLAG_SPACE_TREE;
	build_single(40, 1);
	page_init(1, ESE_PAGE_FLAG_ROOT | ESE_PAGE_FLAG_LEAF, 1);
	add_root_header(1, 16, 1, 2);
	page_init(2, space, 1);
	add_root_header(2, 1, 0, 0);
	add_entry(2, 30, 0);
	add_entry(2, 31, ESE_TAG_COMMON_KEY);
	page_init(3, space | ESE_PAGE_FLAG_LEAF, 1);
	add_root_header(3, 1, 0, 0);
	page_init(30, ESE_PAGE_FLAG_SPACE_TREE | ESE_PAGE_FLAG_LEAF, 1);
	add_tag(30, (const uint8_t *)"", 0, 0);
	add_entry(30, 16, 0);
	add_entry(30, 1000, ESE_TAG_DEFUNCT);
	page_init(31, ESE_PAGE_FLAG_SPACE_TREE | ESE_PAGE_FLAG_LEAF, 1);
	add_tag(31, (const uint8_t *)"", 0, 0);
	add_entry(31, 20, ESE_TAG_COMMON_KEY);
}

START_TEST(structure_space_tree)
{
	struct ese_structure st;
	build_tree();
	run_structure(40, &st);
	ck_assert_msg(st.status == ESE_STRUCTURE_OK, "%s", st.text);
	ck_assert_uint_eq(st.owned, 36);
	run_structure(35, &st);
	ck_assert_int_eq(st.status, ESE_STRUCTURE_TRUNCATED);
	ck_assert_str_eq(st.text, "its space tree owns 36 pages, the file holds 35");
	build_tree();
	memset(page_at(31), 0, PS); /* a used space tree page zeroed */
	run_structure(40, &st);
	ck_assert_str_eq(st.text, "page 31 (the database's space tree) is all zero");
	build_tree();
	memset(page_at(3), 0, PS);
	run_structure(40, &st);
	ck_assert_str_eq(st.text, "page 3 (the database's available-space tree) is all zero");
	build_tree();
	add_entry(2, 2, 0); /* a branch pointing at itself: bounded, never a hang */
	run_structure(40, &st);
	ck_assert_int_eq(st.status, ESE_STRUCTURE_DAMAGED);
	ck_assert_str_eq(st.text, "its space tree is deeper or larger than a database's");
	build_tree();
	uint8_t bad[4] = {0xff, 0x00, 0, 0}; /* a key longer than its entry */
	add_tag(30, bad, sizeof bad, 0);
	run_structure(40, &st);
	ck_assert_str_eq(st.text, "page 30 (the database's space tree) entry 3 is malformed");
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
	TCase *t2 = tcase_create("structure");
	tcase_add_test(t2, structure_single_extent);
	tcase_add_test(t2, structure_damage);
	tcase_add_test(t2, structure_space_tree);
	suite_add_tcase(s, t2);
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
