/* ese: the file header of an ESE ("Jet Blue") database such as Kmsmdb.edb,
 * its shadow copy on page 1, and the old-format (XOR) page checksums.
 * Decoders are pure functions over (pointer, length); ese_file_check reads a
 * file with two page buffers, whatever its size. Never prints, never exits. */
#ifndef KMS_ESE_H
#define KMS_ESE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esetree.h"

#define ESE_SIGNATURE 0x89abcdefu /* at offset 4 of the header page */
/* From this format revision on, data pages use the newer checksum scheme
 * (ECC); the header pages keep the XOR checksum. */
#define ESE_REVISION_NEW_PAGE_CHECKSUMS 0x0cu
#define ESE_PAGE_SIZE_MIN               2048
#define ESE_PAGE_SIZE_MAX               32768
#define ESE_OLD_PAGE_SIZE               4096 /* assumed when the header says 0 */
#define ESE_HEADER_MIN_LEN              240  /* bytes that hold every field decoded here */

/* Header field offsets (libesedb "ESE Database File format"). */
enum {
	ESE_OFF_CHECKSUM = 0,
	ESE_OFF_SIGNATURE = 4,
	ESE_OFF_FORMAT_VERSION = 8,
	ESE_OFF_FILE_TYPE = 12,
	ESE_OFF_DB_STATE = 52,
	ESE_OFF_FORMAT_REVISION = 232,
	ESE_OFF_PAGE_SIZE = 236,
};

enum ese_db_state {
	ESE_STATE_JUST_CREATED = 1,
	ESE_STATE_DIRTY_SHUTDOWN = 2,
	ESE_STATE_CLEAN_SHUTDOWN = 3, /* the only state a good offline copy has */
	ESE_STATE_BEING_CONVERTED = 4,
	ESE_STATE_FORCE_DETACH = 5,
};

enum ese_file_type { ESE_FILE_DATABASE = 0, ESE_FILE_STREAMING = 1 };

struct ese_header {
	uint32_t stored_checksum;
	uint32_t computed_checksum;
	uint32_t format_version; /* 0x620 for the ESE of Exchange 5.5/2000 */
	uint32_t format_revision;
	uint32_t file_type; /* enum ese_file_type */
	uint32_t db_state;  /* enum ese_db_state */
	uint32_t page_size; /* as used: 0 in the file reads as 4096 */
};

enum ese_header_status {
	ESE_HEADER_OK,
	ESE_HEADER_TRUNCATED,     /* shorter than the header page */
	ESE_HEADER_NOT_ESE,       /* the signature is not 0x89abcdef */
	ESE_HEADER_BAD_PAGE_SIZE, /* not 2, 4, 8, 16 or 32 KiB */
	ESE_HEADER_BAD_CHECKSUM,  /* fields decoded, but the checksum disagrees */
};

enum ese_page_status {
	ESE_PAGE_OK,
	ESE_PAGE_EMPTY,        /* all zero: allocated, never written (not damage) */
	ESE_PAGE_BAD_CHECKSUM, /* the XOR checksum disagrees */
	ESE_PAGE_WRONG_NUMBER, /* the checksum holds, but the page says it is another page */
};

/* The old-format checksum of a page: 0x89abcdef XOR every little-endian
 * u32 from offset 4 to the end. len is rounded down to a multiple of 4. */
uint32_t ese_xor_checksum(const uint8_t *page, size_t len);

/* Decode a header page from buf[0..len). Fields are filled as far as len
 * allows even when the status is not OK (out is zeroed first). */
enum ese_header_status ese_header_decode(const uint8_t *buf, size_t len, struct ese_header *out);

/* Verify one data page: file page index i (i >= 2) holds page number i - 1
 * in its second u32 (pages 0 and 1 are the header and its shadow). */
enum ese_page_status ese_page_verify(const uint8_t *page, size_t page_size, uint64_t file_page_index);

/* "clean shutdown", "dirty shutdown", ...; "state N" for others (buf holds it). */
const char *ese_state_name(uint32_t state, char *buf, size_t cap);
const char *ese_header_status_text(enum ese_header_status s);

/* What ese_file_check found. */
struct ese_file_check {
	bool readable; /* false: error says why, nothing else is set */
	char error[256];
	uint64_t file_size;
	enum ese_header_status header; /* page 0 */
	enum ese_header_status shadow; /* page 1 */
	bool shadow_matches;           /* page 1 is byte for byte page 0 */
	struct ese_header info;        /* from page 0 */
	bool partial_page;             /* the size is not a whole number of pages */
	bool pages_verified;
	/* Format revision ESE_REVISION_NEW_PAGE_CHECKSUMS or later: the data
	 * pages carry the newer (ECC) checksums, which are not verified. */
	bool pages_new_format;
	uint64_t pages; /* data pages (after the two header pages) */
	uint64_t pages_bad;
	uint64_t pages_empty;
	uint64_t first_bad_page; /* file page index */
	enum ese_page_status first_bad_status;
	/* The fixed system pages and the owned space, a few pages read, with
	 * or without verify_pages (not checked for the extended page header:
	 * structure_checked false). */
	bool structure_checked;
	struct ese_structure structure;
};

/* Read path's header and shadow, the structure (esetree: a few pages) and,
 * when verify_pages, every page's checksum. Returns false only when the
 * file could not be read at all (out->error says why); decoding problems
 * are in the fields. */
bool ese_file_check(const char *path, bool verify_pages, struct ese_file_check *out);
/* The same, refusing a link as the path's last component (a file inside a
 * backup set: never read through a link planted there). */
bool ese_file_check_nofollow(const char *path, bool verify_pages, struct ese_file_check *out);

/* True when the header and its shadow decode, agree, and say "database". */
bool ese_file_header_sound(const struct ese_file_check *c);

/* One line naming the first problem c shows (header, shadow, partial page,
 * structure, bad pages), or "" when there is none. Pages are named by their
 * ESE page number (page 1 follows the header and its shadow). Returns the
 * length. */
size_t ese_file_problem(const struct ese_file_check *c, char *buf, size_t cap);

#endif
