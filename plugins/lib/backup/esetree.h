/* esetree: the structure of an ESE database beyond its header: the fixed
 * system pages (the database root, its space trees, the catalog and its
 * backup) and the pages the database owns by its space tree. Proves that a
 * file holds the pages its own structure says it uses, and that none of
 * them is all zero or out of place. Reads pages through a callback, so a
 * file or a buffer in memory (the fuzzer's) can be checked alike. Never
 * prints, never exits.
 *
 * Sources (libyal/libesedb, documentation/"Extensible Storage Engine (ESE)
 * Database File (EDB) format.asciidoc"): page number N is at file offset
 * (N + 1) x page size; the page header (40 bytes: page number at 4, father
 * data page object at 24, page flags at 36, first available page tag at
 * 34); page tags at the end of the page, back to front, 4 bytes each (size,
 * then offset and tag flags); the root page header (16 bytes, the first tag:
 * initial number of pages, parent FDP, extent space, space tree page); the
 * space tree (the primary page holds the owned space, the next page the
 * available space; leaf entries end in a 4-byte number of pages; defunct
 * entries do not count); "the database metadata table is always stored as
 * FDP object identifier 1 with parent FDP page number 1". The catalog's
 * and its backup's page numbers, 4 and 24, are libesedb's
 * LIBESEDB_PAGE_NUMBER_CATALOG and _CATALOG_BACKUP (libesedb_definitions.h.in):
 * the documentation does not state them. */
#ifndef KMS_ESETREE_H
#define KMS_ESETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESE_PAGE_HEADER_LEN 40 /* the old (pre-Windows 7) page header */
/* From this format revision on, pages of 16 KiB and more have an 80-byte
 * header and other tags: not decoded here. */
#define ESE_REVISION_EXTENDED_PAGE_HEADER 0x11u
#define ESE_EXTENDED_PAGE_SIZE_MIN        16384u
#define ESE_PAGE_TAG_LEN                  4
#define ESE_ROOT_HEADER_LEN               16

/* Page header offsets. */
enum {
	ESE_PAGE_OFF_NUMBER = 4, /* old checksum format only */
	ESE_PAGE_OFF_FDP = 24,
	ESE_PAGE_OFF_FIRST_FREE_TAG = 34, /* the number of tags in use */
	ESE_PAGE_OFF_FLAGS = 36,
};

/* Page flags. */
enum {
	ESE_PAGE_FLAG_ROOT = 0x01,
	ESE_PAGE_FLAG_LEAF = 0x02,
	ESE_PAGE_FLAG_PARENT = 0x04,
	ESE_PAGE_FLAG_EMPTY = 0x08,
	ESE_PAGE_FLAG_SPACE_TREE = 0x20,
};

/* Page tag flags (the top 3 bits of a tag's offset field). */
enum { ESE_TAG_DEFUNCT = 0x02, ESE_TAG_COMMON_KEY = 0x04 };

/* Root page header offsets (within the first tag's value). */
enum {
	ESE_ROOT_OFF_INITIAL_PAGES = 0,
	ESE_ROOT_OFF_PARENT_FDP = 4,
	ESE_ROOT_OFF_EXTENT_SPACE = 8, /* 0 single, 1 multiple */
	ESE_ROOT_OFF_SPACE_TREE = 12,  /* the owned-space tree's page */
};

/* The fixed system pages. */
#define ESE_PGNO_DATABASE       1u
#define ESE_PGNO_CATALOG        4u
#define ESE_PGNO_CATALOG_BACKUP 24u
#define ESE_FDP_DATABASE        1u

/* One page tag's value: [offset, offset + size) after the page header. */
struct ese_tag {
	const uint8_t *value;
	size_t size;
	unsigned flags;
};

/* The number of tags in use on a page (its header says). */
unsigned ese_page_tag_count(const uint8_t *page, size_t page_size);

/* Reads ESE page number `pgno` (1 .. pages) into buf (page_size bytes);
 * false with err (FSYS_ERR_MAX bytes) on an I/O error. */
typedef bool (*ese_page_reader)(void *ctx, uint64_t pgno, uint8_t *buf, char *err);

struct ese_source {
	ese_page_reader read;
	void *ctx;
	uint32_t page_size;
	uint64_t pages;    /* data pages the file holds (after header and shadow) */
	bool page_numbers; /* the old checksum format: each page names itself */
};

enum ese_structure_status {
	ESE_STRUCTURE_OK,
	ESE_STRUCTURE_TRUNCATED, /* a page the structure uses is past the end */
	ESE_STRUCTURE_DAMAGED,   /* a used page all zero, out of place, or not what it must be */
	ESE_STRUCTURE_UNREADABLE /* an I/O error (text says which) */
};

struct ese_structure {
	enum ese_structure_status status;
	uint64_t owned; /* pages the database owns by its space tree (0: unknown) */
	char text[160]; /* what is wrong, e.g. "page 4 (the catalog) is all zero" */
};

/* Check the fixed system pages and the database's owned space. */
void ese_structure_check(const struct ese_source *src, struct ese_structure *out);

/* A source over a whole file image in memory (the header page and its
 * shadow first): for tests and the fuzzer. m must outlive src. */
struct ese_memory {
	const uint8_t *data;
	size_t len;
	uint32_t page_size;
};
void ese_source_memory(struct ese_source *src, struct ese_memory *m, const uint8_t *data, size_t len,
                       uint32_t page_size, bool page_numbers);

#endif
