/* esegen: writes an ESE database file for tests: a header page, its shadow
 * and N data pages with valid old-format checksums, in a chosen state, and
 * optionally one kind of damage. Usage:
 *   esegen OUT [state=N] [pages=N] [page-size=N] [type=N] [empty=I]
 *              [damage=header|shadow|shadow-differs|signature|page:I|pagenum:I|truncate:BYTES]
 * Page indexes I count from 0 in the file (0 header, 1 shadow, 2 first data page).
 * With pages=24 or more, libesedb's esedbinfo opens the file (an empty catalog). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ese.h"

struct spec {
	const char *out;
	uint32_t state, page_size, file_type;
	unsigned long pages;
	long empty_page;
	const char *damage;
	uint32_t revision; /* 0x0c and later: pages carry a non-XOR (ECC-style) checksum */
};

static void put_u32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
	p[off + 2] = (uint8_t)(v >> 16);
	p[off + 3] = (uint8_t)(v >> 24);
}

static void put_u16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void seal(uint8_t *page, size_t size)
{
	put_u32(page, 0, ese_xor_checksum(page, size));
}

static void make_header(uint8_t *page, const struct spec *s)
{
	memset(page, 0, s->page_size);
	put_u32(page, ESE_OFF_SIGNATURE, ESE_SIGNATURE);
	put_u32(page, ESE_OFF_FORMAT_VERSION, 0x620);
	put_u32(page, ESE_OFF_FILE_TYPE, s->file_type);
	put_u32(page, 16, 0x1234);       /* database time */
	put_u32(page, 24, 0x4b4d5321);   /* database signature: random number */
	memcpy(page + 36, "KMSHOST", 7); /* ... and computer name */
	put_u32(page, ESE_OFF_DB_STATE, s->state);
	put_u32(page, ESE_OFF_FORMAT_REVISION, s->revision);
	put_u32(page, ESE_OFF_PAGE_SIZE, s->page_size);
	seal(page, s->page_size);
}

/* A data page as ESE lays out an empty B-tree root (old page format): the
 * 40-byte page header, one tag whose value is the 16-byte root header.
 * Page numbers 1, 4 and 24 are the roots libesedb opens first (database,
 * catalog, backup catalog), so esedbinfo can open a file of 24+ pages. */
static void make_data_page(uint8_t *page, const struct spec *s, unsigned long index)
{
	uint32_t pgno = (uint32_t)(index - 1), size = s->page_size;
	uint32_t fdp = pgno == 4 ? 2 : pgno == 24 ? 3 : 1;
	memset(page, 0, size);
	put_u32(page, 4, pgno);                            /* the page number */
	put_u32(page, 8, 0x1234 + pgno);                   /* database time of the last change */
	put_u32(page, 24, fdp);                            /* father data page object */
	put_u32(page, 40, 1);                              /* root header: initial number of pages */
	put_u32(page, 44, fdp);                            /* ... parent FDP */
	put_u16(page, 28, (uint16_t)(size - 40 - 16 - 4)); /* available data size */
	put_u16(page, 32, 16);                             /* first available data offset */
	put_u16(page, 34, 1);                              /* first available page tag: one tag */
	put_u32(page, 36, 0x0003);                         /* flags: root, leaf */
	put_u16(page, size - 4, 16);                       /* tag 0: value size 16 at offset 0 */
	seal(page, size);
	if (s->revision >= ESE_REVISION_NEW_PAGE_CHECKSUMS) /* another scheme: not the XOR value */
		put_u32(page, 0, ese_xor_checksum(page, size) ^ 0x5a5a0f0fu);
}

static unsigned long damage_index(const char *damage, const char *kind)
{
	size_t n = strlen(kind);
	return strncmp(damage, kind, n) == 0 ? strtoul(damage + n, NULL, 10) : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: esegen OUT [state=N] [pages=N] [page-size=N] [type=N] [empty=I] [revision=N] "
	                "[damage=header|shadow|shadow-differs|signature|page:I|pagenum:I|truncate:BYTES]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct spec s = {.state = ESE_STATE_CLEAN_SHUTDOWN,
	                 .page_size = 4096,
	                 .pages = 4,
	                 .empty_page = -1,
	                 .revision = 9};
	if (argc < 2)
		return usage();
	s.out = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "state=", 6) == 0)
			s.state = (uint32_t)strtoul(a + 6, NULL, 0);
		else if (strncmp(a, "pages=", 6) == 0)
			s.pages = strtoul(a + 6, NULL, 10);
		else if (strncmp(a, "page-size=", 10) == 0)
			s.page_size = (uint32_t)strtoul(a + 10, NULL, 10);
		else if (strncmp(a, "type=", 5) == 0)
			s.file_type = (uint32_t)strtoul(a + 5, NULL, 10);
		else if (strncmp(a, "revision=", 9) == 0)
			s.revision = (uint32_t)strtoul(a + 9, NULL, 0);
		else if (strncmp(a, "empty=", 6) == 0)
			s.empty_page = strtol(a + 6, NULL, 10);
		else if (strncmp(a, "damage=", 7) == 0)
			s.damage = a + 7;
		else
			return usage();
	}
	if (s.page_size < ESE_PAGE_SIZE_MIN || s.page_size > ESE_PAGE_SIZE_MAX)
		return usage();
	const char *d = s.damage ? s.damage : "";
	uint8_t *header = calloc(2, s.page_size);
	if (!header)
		return 1;
	uint8_t *page = header + s.page_size;
	FILE *f = fopen(s.out, "wb");
	if (!f) {
		perror(s.out);
		return 1;
	}
	make_header(header, &s);
	if (strcmp(d, "signature") == 0) {
		put_u32(header, ESE_OFF_SIGNATURE, 0x12345678);
		seal(header, s.page_size);
	}
	memcpy(page, header, s.page_size);
	if (strcmp(d, "header") == 0)
		header[100] ^= 0x40; /* a flipped bit: checksum no longer holds */
	if (strcmp(d, "shadow") == 0)
		page[100] ^= 0x40;
	if (strcmp(d, "shadow-differs") == 0) { /* a valid shadow of another state */
		put_u32(page, ESE_OFF_DB_STATE, s.state == 3 ? 2 : 3);
		seal(page, s.page_size);
	}
	fwrite(header, 1, s.page_size, f);
	fwrite(page, 1, s.page_size, f);
	unsigned long bad_page = damage_index(d, "page:"), bad_number = damage_index(d, "pagenum:");
	for (unsigned long i = 2; i < s.pages + 2; i++) {
		make_data_page(page, &s, i);
		if ((long)i == s.empty_page)
			memset(page, 0, s.page_size);
		if (i == bad_page)
			page[s.page_size / 2] ^= 0x01;
		if (i == bad_number) {
			put_u32(page, 4, (uint32_t)i + 7);
			seal(page, s.page_size);
		}
		fwrite(page, 1, s.page_size, f);
	}
	int rc = fclose(f) == 0 ? 0 : 1;
	unsigned long cut = damage_index(d, "truncate:");
	if (cut > 0 && rc == 0) { /* keep only the first cut bytes */
		f = fopen(s.out, "rb");
		uint8_t *all = calloc(1, cut);
		size_t n = f && all ? fread(all, 1, cut, f) : 0;
		if (f)
			fclose(f);
		f = fopen(s.out, "wb");
		if (!f || fwrite(all, 1, n, f) != n)
			rc = 1;
		if (f && fclose(f) != 0)
			rc = 1;
		free(all);
	}
	free(header);
	return rc;
}
