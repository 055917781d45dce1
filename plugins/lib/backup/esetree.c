/* esetree: checks the fixed system pages of an ESE database and the space
 * it owns by its space tree against the pages the file holds (see
 * esetree.h for the layout and its sources). Every read of a page field is
 * bounded by the page; the space tree walk by depth and page count. */
#include "esetree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"
#include "strbuf.h"

/* A space tree deeper or larger than this is not a Kmsdata database's. */
#define SPACE_TREE_DEPTH_MAX 8
#define SPACE_TREE_PAGES_MAX 4096
#define TAG_FIELD_MASK       0x1fffu /* 13 bits of offset or size */
#define TAG_FLAGS_SHIFT      13

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

unsigned ese_page_tag_count(const uint8_t *page, size_t page_size)
{
	if (page_size < ESE_PAGE_HEADER_LEN)
		return 0;
	return get_u16(page + ESE_PAGE_OFF_FIRST_FREE_TAG);
}

static bool ese_page_tag(const uint8_t *page, size_t page_size, unsigned i, struct ese_tag *out)
{
	if (page_size < ESE_PAGE_HEADER_LEN + ESE_PAGE_TAG_LEN ||
	    i >= (page_size - ESE_PAGE_HEADER_LEN) / ESE_PAGE_TAG_LEN)
		return false;
	const uint8_t *tag = page + page_size - ESE_PAGE_TAG_LEN * ((size_t)i + 1);
	size_t size = get_u16(tag) & TAG_FIELD_MASK;
	uint16_t offset_field = get_u16(tag + 2);
	size_t offset = offset_field & TAG_FIELD_MASK;
	size_t room = page_size - ESE_PAGE_HEADER_LEN;
	if (offset > room || size > room - offset)
		return false;
	out->value = page + ESE_PAGE_HEADER_LEN + offset;
	out->size = size;
	out->flags = offset_field >> TAG_FLAGS_SHIFT;
	return true;
}

static bool ese_entry_data(const struct ese_tag *tag, const uint8_t **data, size_t *size)
{
	size_t at = 0;
	if (tag->flags & ESE_TAG_COMMON_KEY)
		at += 2; /* the common key size */
	if (tag->size < at + 2)
		return false;
	size_t key = get_u16(tag->value + at);
	at += 2;
	if (key > tag->size - at)
		return false;
	at += key;
	*data = tag->value + at;
	*size = tag->size - at;
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void found(struct ese_structure *out, enum ese_structure_status status, const char *fmt, ...)
    KMS_PRINTF(3, 4);

static void found(struct ese_structure *out, enum ese_structure_status status, const char *fmt, ...)
{
	if (out->status != ESE_STRUCTURE_OK)
		return; /* the first problem is the one told */
	out->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->text, sizeof out->text, fmt, ap);
	va_end(ap);
}

/* Read page pgno (named `what` in messages) and check that it is there,
 * not all zero, in its place, and has the flags `want`. */
static bool used_page(const struct ese_source *src, uint64_t pgno, const char *what, uint32_t want,
                      uint8_t *buf, struct ese_structure *out)
{
	char err[FSYS_ERR_MAX];
	if (pgno == 0 || pgno > src->pages) {
		found(out, ESE_STRUCTURE_TRUNCATED,
		      "page %llu (%s) is past the end of the file (%llu page%s)", (unsigned long long)pgno,
		      what, (unsigned long long)src->pages, src->pages == 1 ? "" : "s");
		return false;
	}
	if (!src->read(src->ctx, pgno, buf, err)) {
		found(out, ESE_STRUCTURE_UNREADABLE, "page %llu (%s) cannot be read: %s",
		      (unsigned long long)pgno, what, err);
		return false;
	}
	uint32_t number = get_u32(buf + ESE_PAGE_OFF_NUMBER), flags = get_u32(buf + ESE_PAGE_OFF_FLAGS);
	if (all_zero(buf, src->page_size))
		found(out, ESE_STRUCTURE_DAMAGED, "page %llu (%s) is all zero", (unsigned long long)pgno,
		      what);
	else if (src->page_numbers && number != pgno)
		found(out, ESE_STRUCTURE_DAMAGED, "page %llu (%s) holds page %lu", (unsigned long long)pgno,
		      what, (unsigned long)number);
	else if ((flags & want) != want)
		found(out, ESE_STRUCTURE_DAMAGED, "page %llu (%s) has flags 0x%lx, not those of %s",
		      (unsigned long long)pgno, what, (unsigned long)flags,
		      want & ESE_PAGE_FLAG_SPACE_TREE ? "a space tree" : "a B-tree root");
	else
		return true;
	return false;
}

struct space_walk {
	const struct ese_source *src;
	uint8_t *buf; /* one page per level */
	size_t visited;
	uint64_t owned;
	struct ese_structure *out;
};

/* Add the pages of the owned-space tree below page pgno (tag 0 is the
 * page's header; leaf entries end in a number of pages, branch entries in
 * a child page number). False once a problem is found. */
static bool walk_space(struct space_walk *w, uint64_t pgno, int depth)
{
	uint8_t *page = w->buf + (size_t)depth * w->src->page_size;
	if (depth >= SPACE_TREE_DEPTH_MAX || ++w->visited > SPACE_TREE_PAGES_MAX) {
		found(w->out, ESE_STRUCTURE_DAMAGED, "its space tree is deeper or larger than a database's");
		return false;
	}
	if (!used_page(w->src, pgno, "the database's space tree", ESE_PAGE_FLAG_SPACE_TREE, page, w->out))
		return false;
	bool leaf = get_u32(page + ESE_PAGE_OFF_FLAGS) & ESE_PAGE_FLAG_LEAF;
	unsigned tags = ese_page_tag_count(page, w->src->page_size);
	for (unsigned i = 1; i < tags; i++) {
		struct ese_tag tag;
		const uint8_t *data;
		size_t size;
		if (!ese_page_tag(page, w->src->page_size, i, &tag) || !ese_entry_data(&tag, &data, &size) ||
		    size < 4) {
			found(w->out, ESE_STRUCTURE_DAMAGED,
			      "page %llu (the database's space tree) entry %u is malformed",
			      (unsigned long long)pgno, i);
			return false;
		}
		if (tag.flags & ESE_TAG_DEFUNCT)
			continue;
		if (leaf)
			w->owned += get_u32(data);
		else if (!walk_space(w, get_u32(data + size - 4), depth + 1))
			return false;
	}
	return true;
}

/* The pages the database owns, by the space tree of its root (extent space
 * "multiple") or its single extent, against the pages the file holds. root
 * is page 1; buf has room for SPACE_TREE_DEPTH_MAX pages. */
static void check_owned_space(const struct ese_source *src, const uint8_t *root, uint8_t *buf,
                              struct ese_structure *out)
{
	struct ese_tag header;
	uint32_t fdp = get_u32(root + ESE_PAGE_OFF_FDP);
	if (fdp != ESE_FDP_DATABASE) {
		found(out, ESE_STRUCTURE_DAMAGED, "page 1 (the database root) belongs to object %lu, not 1",
		      (unsigned long)fdp);
		return;
	}
	if (ese_page_tag_count(root, src->page_size) < 1 || !ese_page_tag(root, src->page_size, 0, &header) ||
	    header.size < ESE_ROOT_HEADER_LEN) {
		found(out, ESE_STRUCTURE_DAMAGED, "page 1 (the database root) has no root header");
		return;
	}
	uint32_t initial = get_u32(header.value + ESE_ROOT_OFF_INITIAL_PAGES);
	uint32_t multiple = get_u32(header.value + ESE_ROOT_OFF_EXTENT_SPACE);
	uint32_t space_tree = get_u32(header.value + ESE_ROOT_OFF_SPACE_TREE);
	const char *by = "its root page";
	if (multiple && space_tree) {
		struct space_walk w = {src, buf, 0, 0, out};
		if (!walk_space(&w, space_tree, 0) ||
		    !used_page(src, (uint64_t)space_tree + 1, "the database's available-space tree",
		               ESE_PAGE_FLAG_SPACE_TREE, buf, out))
			return;
		out->owned = w.owned;
		by = "its space tree";
	} else {
		out->owned = initial;
	}
	if (out->owned > src->pages)
		found(out, ESE_STRUCTURE_TRUNCATED, "%s owns %llu pages, the file holds %llu", by,
		      (unsigned long long)out->owned, (unsigned long long)src->pages);
}

void ese_structure_check(const struct ese_source *src, struct ese_structure *out)
{
	memset(out, 0, sizeof *out);
	uint8_t *buf = malloc((size_t)src->page_size * (SPACE_TREE_DEPTH_MAX + 1));
	if (!buf) {
		found(out, ESE_STRUCTURE_UNREADABLE, "out of memory");
		return;
	}
	uint8_t *root = buf + (size_t)src->page_size * SPACE_TREE_DEPTH_MAX;
	/* The fixed pages first, in order: a file cut short names the first one
	 * it lacks. */
	if (used_page(src, ESE_PGNO_DATABASE, "the database root", ESE_PAGE_FLAG_ROOT, root, out) &&
	    used_page(src, ESE_PGNO_CATALOG, "the catalog", ESE_PAGE_FLAG_ROOT, buf, out) &&
	    used_page(src, ESE_PGNO_CATALOG_BACKUP, "the backup catalog", ESE_PAGE_FLAG_ROOT, buf, out))
		check_owned_space(src, root, buf, out);
	free(buf);
}

static bool read_memory_page(void *ctx, uint64_t pgno, uint8_t *buf, char *err)
{
	const struct ese_memory *m = ctx;
	uint64_t off = (pgno + 1) * m->page_size;
	if (off > m->len || m->len - off < m->page_size) {
		snprintf(err, FSYS_ERR_MAX, "page %llu is past the end", (unsigned long long)pgno);
		return false;
	}
	memcpy(buf, m->data + off, m->page_size);
	return true;
}

void ese_source_memory(struct ese_source *src, struct ese_memory *m, const uint8_t *data, size_t len,
                       uint32_t page_size, bool page_numbers)
{
	*m = (struct ese_memory){data, len, page_size};
	uint64_t whole = page_size ? len / page_size : 0;
	*src = (struct ese_source){.read = read_memory_page,
	                           .ctx = m,
	                           .page_size = page_size,
	                           .pages = whole > 2 ? whole - 2 : 0,
	                           .page_numbers = page_numbers};
}
