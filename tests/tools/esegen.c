/* esegen: writes an ESE database file for tests: a header page, its shadow
 * and N data pages with valid old-format checksums laid out as a database
 * (see esetree.h): page 1 the database root owning every page by its space
 * tree (pages 2 and 3), page 4 the catalog, page 24 its backup, the others
 * B-tree roots; in a chosen state, optionally with one kind of damage.
 * Page indexes I count from 0 in the file (0 header, 1 shadow, 2 the first
 * data page, ESE page 1). libesedb's esedbinfo opens what it writes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ese.h"
#include "esetree.h"

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

/* The 40-byte page header and the tags of a page; tag i's value of size
 * bytes at offset (after the header); returns where the next value goes. */
static size_t put_tag(uint8_t *page, uint32_t size, unsigned i, size_t offset, size_t len)
{
	put_u16(page, size - ESE_PAGE_TAG_LEN * (i + 1), (uint16_t)len);        /* value size */
	put_u16(page, size - ESE_PAGE_TAG_LEN * (i + 1) + 2, (uint16_t)offset); /* and offset */
	return offset + len;
}

/* A root page header value (16 bytes) at p. */
static void put_root_header(uint8_t *p, uint32_t initial, uint32_t parent, uint32_t multiple, uint32_t space)
{
	put_u32(p, ESE_ROOT_OFF_INITIAL_PAGES, initial);
	put_u32(p, ESE_ROOT_OFF_PARENT_FDP, parent);
	put_u32(p, ESE_ROOT_OFF_EXTENT_SPACE, multiple);
	put_u32(p, ESE_ROOT_OFF_SPACE_TREE, space);
}

/* A data page as ESE lays out a B-tree root (old page format): the page
 * header, tag 0 the root header. Page 1, the database root (object 1),
 * owns its space by the tree at pages 2 (owned: one extent of every page,
 * keyed by its last page number) and 3 (available: empty). Pages 4 and 24
 * are the catalog and its backup (objects 2 and 3); the rest roots of the
 * database object. */
static void make_data_page(uint8_t *page, const struct spec *s, unsigned long index)
{
	uint32_t pgno = (uint32_t)(index - 1), size = s->page_size;
	uint32_t fdp = pgno == ESE_PGNO_CATALOG ? 2 : pgno == ESE_PGNO_CATALOG_BACKUP ? 3 : ESE_FDP_DATABASE;
	bool space = pgno == 2 || pgno == 3;
	uint8_t *values = page + ESE_PAGE_HEADER_LEN;
	memset(page, 0, size);
	put_u32(page, ESE_PAGE_OFF_NUMBER, pgno);
	put_u32(page, 8, 0x1234 + pgno); /* database time of the last change */
	put_u32(page, ESE_PAGE_OFF_FDP, fdp);
	put_u32(page, ESE_PAGE_OFF_FLAGS,
	        ESE_PAGE_FLAG_ROOT | ESE_PAGE_FLAG_LEAF | (space ? ESE_PAGE_FLAG_SPACE_TREE : 0));
	if (pgno == ESE_PGNO_DATABASE)
		put_root_header(values, (uint32_t)s->pages, ESE_FDP_DATABASE, 1, 2);
	else
		put_root_header(values, 1, fdp, 0, 0);
	size_t used = put_tag(page, size, 0, 0, ESE_ROOT_HEADER_LEN);
	unsigned tags = 1;
	if (pgno == 2) { /* one owned extent: key size, key (last page, big-endian), pages */
		uint8_t *e = values + used;
		put_u16(e, 0, 4);
		e[2] = (uint8_t)(s->pages >> 24), e[3] = (uint8_t)(s->pages >> 16);
		e[4] = (uint8_t)(s->pages >> 8), e[5] = (uint8_t)s->pages;
		put_u32(e, 6, (uint32_t)s->pages);
		used = put_tag(page, size, tags++, used, 10);
	}
	put_u16(page, 28,
	        (uint16_t)(size - ESE_PAGE_HEADER_LEN - used - ESE_PAGE_TAG_LEN * tags)); /* available */
	put_u16(page, 32, (uint16_t)used); /* first available data offset */
	put_u16(page, ESE_PAGE_OFF_FIRST_FREE_TAG, (uint16_t)tags);
	seal(page, size);
	if (s->revision >= ESE_REVISION_NEW_PAGE_CHECKSUMS) /* another scheme: not the XOR value */
		put_u32(page, 0, ese_xor_checksum(page, size) ^ 0x5a5a0f0fu);
}

static unsigned long damage_index(const char *damage, const char *kind)
{
	size_t n = strlen(kind);
	return strncmp(damage, kind, n) == 0 ? strtoul(damage + n, NULL, 10) : 0;
}

static const char usage_text[] =
    "Usage: esegen OUT [state=N] [pages=N] [page-size=N] [type=N] [empty=I] [revision=N]\n"
    "              [damage=header|shadow|shadow-differs|signature|page:I|pagenum:I|truncate:BYTES]\n"
    "Writes an ESE database for tests: pages=N data pages (default and least 24:\n"
    "a database's backup catalog is page 24), laid out as a database; state=N\n"
    "(default 3, clean shutdown); empty=I leaves file page I all zero; damage=\n"
    "one kind of damage. Page indexes I count from 0 in the file (0 header,\n"
    "1 shadow, 2 the first data page).\n";

static int usage(const char *why, const char *arg)
{
	fprintf(stderr, "esegen: %s '%s'\n%s", why, arg, usage_text);
	return 2;
}

/* A whole number in base 10 (or 0x hex), all of text; false otherwise. */
static bool number(const char *text, unsigned long *out)
{
	char *end;
	if (!*text || *text == '-')
		return false;
	*out = strtoul(text, &end, 0);
	return *end == '\0';
}

/* key=value arguments into s; 0, or the exit code of a refusal. */
static int parse(int argc, char **argv, struct spec *s)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		}
	if (argc < 2 || argv[1][0] == '-' || strchr(argv[1], '='))
		return usage(argc < 2 ? "no output file" : "the first argument must be the output file, not",
		             argc < 2 ? "" : argv[1]);
	s->out = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = strchr(a, '=');
		unsigned long n = 0;
		bool numeric = v && number(v + 1, &n);
		if (!v)
			return usage("not a key=value argument:", a);
		if (strncmp(a, "damage=", 7) == 0)
			s->damage = v + 1;
		else if (!numeric)
			return usage("not a key=number argument:", a);
		else if (strncmp(a, "state=", 6) == 0)
			s->state = (uint32_t)n;
		else if (strncmp(a, "pages=", 6) == 0)
			s->pages = n < ESE_PGNO_CATALOG_BACKUP ? ESE_PGNO_CATALOG_BACKUP : n;
		else if (strncmp(a, "page-size=", 10) == 0)
			s->page_size = (uint32_t)n;
		else if (strncmp(a, "type=", 5) == 0)
			s->file_type = (uint32_t)n;
		else if (strncmp(a, "revision=", 9) == 0)
			s->revision = (uint32_t)n;
		else if (strncmp(a, "empty=", 6) == 0)
			s->empty_page = (long)n;
		else
			return usage("unknown argument", a);
	}
	if (s->page_size < ESE_PAGE_SIZE_MIN || s->page_size > ESE_PAGE_SIZE_MAX)
		return usage("page-size must be 2048 to 32768, not", "");
	return 0;
}

int main(int argc, char **argv)
{
	struct spec s = {.state = ESE_STATE_CLEAN_SHUTDOWN,
	                 .page_size = 4096,
	                 .pages = ESE_PGNO_CATALOG_BACKUP,
	                 .empty_page = -1,
	                 .revision = 9};
	int refused = parse(argc, argv, &s);
	if (refused)
		return refused;
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
