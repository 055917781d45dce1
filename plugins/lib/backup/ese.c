/* ese: decodes the ESE database header page and verifies old-format page
 * checksums. Every field read goes through read_u32, which checks the
 * offset against the length it is given; the file reader keeps two pages. */
#include "ese.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"

static bool read_u32(const uint8_t *buf, size_t len, size_t off, uint32_t *out)
{
	if (len < 4 || off > len - 4)
		return false;
	*out = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 | (uint32_t)buf[off + 2] << 16 |
	       (uint32_t)buf[off + 3] << 24;
	return true;
}

uint32_t ese_xor_checksum(const uint8_t *page, size_t len)
{
	uint32_t sum = ESE_SIGNATURE;
	len -= len % 4;
	for (size_t off = 4; off < len; off += 4) {
		uint32_t word = 0;
		read_u32(page, len, off, &word);
		sum ^= word;
	}
	return sum;
}

static bool page_size_valid(uint32_t size)
{
	for (uint32_t p = ESE_PAGE_SIZE_MIN; p <= ESE_PAGE_SIZE_MAX; p *= 2)
		if (size == p)
			return true;
	return false;
}

enum ese_header_status ese_header_decode(const uint8_t *buf, size_t len, struct ese_header *out)
{
	memset(out, 0, sizeof *out);
	uint32_t signature = 0;
	read_u32(buf, len, ESE_OFF_CHECKSUM, &out->stored_checksum);
	if (!read_u32(buf, len, ESE_OFF_SIGNATURE, &signature))
		return ESE_HEADER_TRUNCATED;
	if (signature != ESE_SIGNATURE)
		return ESE_HEADER_NOT_ESE;
	read_u32(buf, len, ESE_OFF_FORMAT_VERSION, &out->format_version);
	read_u32(buf, len, ESE_OFF_FILE_TYPE, &out->file_type);
	read_u32(buf, len, ESE_OFF_DB_STATE, &out->db_state);
	read_u32(buf, len, ESE_OFF_FORMAT_REVISION, &out->format_revision);
	uint32_t page_size = 0;
	if (!read_u32(buf, len, ESE_OFF_PAGE_SIZE, &page_size))
		return ESE_HEADER_TRUNCATED;
	out->page_size = page_size == 0 ? ESE_OLD_PAGE_SIZE : page_size;
	if (!page_size_valid(out->page_size))
		return ESE_HEADER_BAD_PAGE_SIZE;
	if (len < out->page_size)
		return ESE_HEADER_TRUNCATED;
	out->computed_checksum = ese_xor_checksum(buf, out->page_size);
	return out->computed_checksum == out->stored_checksum ? ESE_HEADER_OK : ESE_HEADER_BAD_CHECKSUM;
}

enum ese_page_status ese_page_verify(const uint8_t *page, size_t page_size, uint64_t file_page_index)
{
	if (page_size < 8)
		return ESE_PAGE_BAD_CHECKSUM; /* not even a page header */
	bool all_zero = true;
	for (size_t i = 0; i < page_size && all_zero; i++)
		all_zero = page[i] == 0;
	if (all_zero)
		return ESE_PAGE_EMPTY;
	uint32_t stored = 0, number = 0;
	if (!read_u32(page, page_size, 0, &stored) || !read_u32(page, page_size, 4, &number))
		return ESE_PAGE_BAD_CHECKSUM;
	if (ese_xor_checksum(page, page_size) != stored)
		return ESE_PAGE_BAD_CHECKSUM;
	if (file_page_index < 1 || (uint64_t)number != file_page_index - 1)
		return ESE_PAGE_WRONG_NUMBER;
	return ESE_PAGE_OK;
}

const char *ese_state_name(uint32_t state, char *buf, size_t cap)
{
	switch (state) {
	case ESE_STATE_JUST_CREATED: return "just created";
	case ESE_STATE_DIRTY_SHUTDOWN: return "dirty shutdown";
	case ESE_STATE_CLEAN_SHUTDOWN: return "clean shutdown";
	case ESE_STATE_BEING_CONVERTED: return "being converted";
	case ESE_STATE_FORCE_DETACH: return "force detach";
	default: snprintf(buf, cap, "state %u", (unsigned)state); return buf;
	}
}

const char *ese_header_status_text(enum ese_header_status s)
{
	switch (s) {
	case ESE_HEADER_OK: return "valid";
	case ESE_HEADER_TRUNCATED: return "truncated";
	case ESE_HEADER_NOT_ESE: return "not an ESE database (no 0x89abcdef signature)";
	case ESE_HEADER_BAD_PAGE_SIZE: return "has an impossible page size";
	case ESE_HEADER_BAD_CHECKSUM: return "has a bad checksum";
	}
	return "?";
}

/* Read exactly n bytes (fewer only at the end of the file): bytes read or -1. */
static long long read_block(struct fsys_file *f, uint8_t *buf, size_t n, struct ese_file_check *out)
{
	long long got = fsys_read(f, buf, n, out->error);
	if (got < 0)
		out->readable = false;
	return got;
}

static void verify_pages(struct fsys_file *f, uint8_t *page, struct ese_file_check *out)
{
	size_t size = out->info.page_size;
	for (uint64_t index = 2;; index++) {
		long long got = read_block(f, page, size, out);
		if (got <= 0)
			return;
		if ((size_t)got < size) {
			out->partial_page = true;
			return;
		}
		out->pages++;
		enum ese_page_status s = ese_page_verify(page, size, index);
		if (s == ESE_PAGE_EMPTY) {
			out->pages_empty++;
		} else if (s != ESE_PAGE_OK) {
			if (out->pages_bad++ == 0) {
				out->first_bad_page = index;
				out->first_bad_status = s;
			}
		}
	}
}

/* The structure check over the open file (ESE page N at (N + 1) x size). */
struct file_pages {
	struct fsys_file *f;
	uint32_t page_size;
};

static bool read_file_page(void *ctx, uint64_t pgno, uint8_t *buf, char *err)
{
	const struct file_pages *fp = ctx;
	long long got = fsys_read_at(fp->f, (pgno + 1) * fp->page_size, buf, fp->page_size, err);
	if (got >= 0 && (size_t)got != fp->page_size)
		snprintf(err, FSYS_ERR_MAX, "the file shrank while it was read");
	return got >= 0 && (size_t)got == fp->page_size;
}

static void check_structure(struct fsys_file *f, struct ese_file_check *out)
{
	uint32_t size = out->info.page_size;
	if (size >= ESE_EXTENDED_PAGE_SIZE_MIN &&
	    out->info.format_revision >= ESE_REVISION_EXTENDED_PAGE_HEADER)
		return;
	struct file_pages fp = {f, size};
	uint64_t whole = out->file_size / size;
	struct ese_source src = {.read = read_file_page,
	                         .ctx = &fp,
	                         .page_size = size,
	                         .pages = whole > 2 ? whole - 2 : 0,
	                         .page_numbers = !out->pages_new_format};
	ese_structure_check(&src, &out->structure);
	out->structure_checked = true;
	if (out->structure.status == ESE_STRUCTURE_UNREADABLE) {
		out->readable = false;
		snprintf(out->error, sizeof out->error, "%s", out->structure.text);
	}
}

static bool check_file(const char *path, bool verify, bool follow, struct ese_file_check *out)
{
	memset(out, 0, sizeof *out);
	out->header = out->shadow = ESE_HEADER_TRUNCATED;
	struct fsys_info st;
	if (!(follow ? fsys_stat : fsys_lstat)(path, &st, out->error))
		return false;
	if (st.kind != FSYS_FILE) {
		snprintf(out->error, sizeof out->error, "%s",
		         st.kind == FSYS_MISSING ? "No such file"
		         : st.kind == FSYS_LINK  ? "is a link: not followed"
		                                 : "not a regular file");
		return false;
	}
	struct fsys_file *f =
	    follow ? fsys_open_read(path, out->error) : fsys_open_read_nofollow(path, out->error);
	if (!f)
		return false;
	if (!fsys_file_size(f, &st.size, out->error)) { /* the size of what was opened */
		fsys_close(f, NULL);
		return false;
	}
	uint8_t *pages = malloc(2 * (size_t)ESE_PAGE_SIZE_MAX);
	if (!pages) {
		fsys_close(f, NULL);
		snprintf(out->error, sizeof out->error, "out of memory");
		return false;
	}
	uint8_t *header = pages, *other = pages + ESE_PAGE_SIZE_MAX;
	out->readable = true;
	out->file_size = st.size;

	/* The page size is inside the first page: read the smallest page, then the rest. */
	long long got = read_block(f, header, ESE_OLD_PAGE_SIZE, out);
	size_t have = got > 0 ? (size_t)got : 0;
	out->header = ese_header_decode(header, have, &out->info);
	if (out->readable && out->info.page_size > have && have == ESE_OLD_PAGE_SIZE &&
	    (out->header == ESE_HEADER_TRUNCATED)) {
		got = read_block(f, header + have, out->info.page_size - have, out);
		have += got > 0 ? (size_t)got : 0;
		out->header = ese_header_decode(header, have, &out->info);
	}
	bool sized = out->header == ESE_HEADER_OK || out->header == ESE_HEADER_BAD_CHECKSUM;
	if (out->readable && sized) {
		size_t size = out->info.page_size;
		if (have > size) { /* 2 KiB pages: part of the shadow is already here */
			memcpy(other, header + size, have - size);
		}
		size_t shadow_have = have > size ? have - size : 0;
		got = read_block(f, other + shadow_have, size - shadow_have, out);
		shadow_have += got > 0 ? (size_t)got : 0;
		struct ese_header shadow;
		out->shadow = ese_header_decode(other, shadow_have, &shadow);
		out->shadow_matches = shadow_have == size && memcmp(header, other, size) == 0;
		uint64_t whole = st.size / size;
		out->pages = whole > 2 ? whole - 2 : 0;
		out->partial_page = st.size % size != 0;
		if (verify && out->readable && shadow_have == size &&
		    out->info.format_revision >= ESE_REVISION_NEW_PAGE_CHECKSUMS) {
			out->pages_new_format = true; /* not the XOR layout: never call them damaged */
		} else if (verify && out->readable && shadow_have == size) {
			out->pages = 0;
			out->partial_page = false;
			out->pages_verified = true;
			verify_pages(f, other, out);
		}
		if (out->readable && shadow_have == size) /* a few pages: always */
			check_structure(f, out);
	}
	free(pages);
	fsys_close(f, NULL);
	return out->readable;
}

bool ese_file_check(const char *path, bool verify, struct ese_file_check *out)
{
	return check_file(path, verify, true, out);
}

bool ese_file_check_nofollow(const char *path, bool verify, struct ese_file_check *out)
{
	return check_file(path, verify, false, out);
}

bool ese_file_header_sound(const struct ese_file_check *c)
{
	return c->readable && c->header == ESE_HEADER_OK && c->shadow == ESE_HEADER_OK && c->shadow_matches &&
	       c->info.file_type == ESE_FILE_DATABASE;
}

size_t ese_file_problem(const struct ese_file_check *c, char *buf, size_t cap)
{
	int n = 0;
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (!c->readable)
		n = snprintf(buf, cap, "cannot be read: %s", c->error);
	else if (c->header != ESE_HEADER_OK)
		n = c->header == ESE_HEADER_TRUNCATED && c->file_size == 0
		        ? snprintf(buf, cap, "is empty")
		        : snprintf(buf, cap, "header %s", ese_header_status_text(c->header));
	else if (c->info.file_type != ESE_FILE_DATABASE)
		n = snprintf(buf, cap, "is an ESE file of type %u, not a database",
		             (unsigned)c->info.file_type);
	else if (c->shadow == ESE_HEADER_TRUNCATED)
		n = snprintf(buf, cap, "is truncated: no shadow header (page 1)");
	else if (c->shadow != ESE_HEADER_OK)
		n = snprintf(buf, cap, "shadow header (page 1) %s", ese_header_status_text(c->shadow));
	else if (!c->shadow_matches)
		n = snprintf(buf, cap, "shadow header (page 1) disagrees with the header");
	else if (c->partial_page)
		n = snprintf(buf, cap, "is truncated: %llu bytes is not a whole number of %u-byte pages",
		             (unsigned long long)c->file_size, (unsigned)c->info.page_size);
	else if (c->structure.status == ESE_STRUCTURE_TRUNCATED)
		n = snprintf(buf, cap, "is truncated: %s", c->structure.text);
	else if (c->pages_bad > 0)
		n = snprintf(buf, cap, "%llu of %llu pages damaged (first: page %llu, %s)",
		             (unsigned long long)c->pages_bad, (unsigned long long)c->pages,
		             (unsigned long long)c->first_bad_page - 1,
		             c->first_bad_status == ESE_PAGE_WRONG_NUMBER ? "holds another page's number"
		                                                          : "bad checksum");
	else if (c->structure.status != ESE_STRUCTURE_OK)
		n = snprintf(buf, cap, "%s", c->structure.text);
	if (n < 0)
		n = 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
