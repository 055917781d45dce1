/* evt: the Windows NT event log binary format (.evt files and ReadEventLogW
 * buffers share it): pure, bounds-checked decoders of the file header, an
 * event record (EVENTLOGRECORD) and the EOF record, over (pointer, length).
 * Format: FORMAT.md beside this file (libyal's "Windows NT Event Log (EVT)
 * format"; Microsoft's EVENTLOGRECORD). */
#ifndef KMS_EVT_H
#define KMS_EVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVT_SIGNATURE        0x654c664cu /* "LfLe" */
#define EVT_HEADER_SIZE      0x30u
#define EVT_RECORD_FIXED     0x38u /* fixed part of a record: never split in a file */
#define EVT_EOF_SIZE         0x28u
#define EVT_TAIL_PADDING     0x00000027u /* fills the end of a wrapped file */
#define EVT_RECORD_MAX       0x100000u   /* longer "records" are damage, not data */
#define EVT_FLAG_DIRTY       0x1u
#define EVT_FLAG_WRAPPED     0x2u
#define EVT_FLAG_LOGFULL     0x4u
#define EVT_FLAG_ARCHIVE_SET 0x8u

/* Byte offsets of the file header's fields (all u32, little-endian). */
enum {
	EVT_OFF_HDR_SIZE = 0x00, /* HeaderSize, 0x30 */
	EVT_OFF_HDR_SIGNATURE = 0x04,
	EVT_OFF_HDR_MAJOR = 0x08, /* 1 */
	EVT_OFF_HDR_MINOR = 0x0c, /* 1 */
	EVT_OFF_HDR_START = 0x10, /* StartOffset: the oldest record */
	EVT_OFF_HDR_END = 0x14,   /* EndOffset: the EOF record */
	EVT_OFF_HDR_CURRENT = 0x18,
	EVT_OFF_HDR_OLDEST = 0x1c,
	EVT_OFF_HDR_MAX_SIZE = 0x20,
	EVT_OFF_HDR_FLAGS = 0x24,
	EVT_OFF_HDR_RETENTION = 0x28,
	EVT_OFF_HDR_END_SIZE = 0x2c /* EndHeaderSize, 0x30 */
};

/* Byte offsets of the EOF record's fields (all u32), after its 20 bytes of
 * magic (0x28, 0x11111111, 0x22222222, 0x33333333, 0x44444444). */
enum {
	EVT_OFF_EOF_BEGIN = 0x14, /* the oldest record */
	EVT_OFF_EOF_END = 0x18,   /* this EOF record */
	EVT_OFF_EOF_CURRENT = 0x1c,
	EVT_OFF_EOF_OLDEST = 0x20,
	EVT_OFF_EOF_END_SIZE = 0x24 /* trailing copy of 0x28 */
};

/* Byte offsets of an event record's fixed fields (EVENTLOGRECORD). */
enum {
	EVT_OFF_REC_LENGTH = 0x00,
	EVT_OFF_REC_SIGNATURE = 0x04,
	EVT_OFF_REC_NUMBER = 0x08,
	EVT_OFF_REC_TIME_GENERATED = 0x0c,
	EVT_OFF_REC_TIME_WRITTEN = 0x10,
	EVT_OFF_REC_EVENT_ID = 0x14,
	EVT_OFF_REC_EVENT_TYPE = 0x18,  /* u16 */
	EVT_OFF_REC_NUM_STRINGS = 0x1a, /* u16 */
	EVT_OFF_REC_CATEGORY = 0x1c,    /* u16; 0x1e ReservedFlags u16, 0x20 ClosingRecordNumber */
	EVT_OFF_REC_STRING_OFFSET = 0x24,
	EVT_OFF_REC_SID_LENGTH = 0x28,
	EVT_OFF_REC_SID_OFFSET = 0x2c,
	EVT_OFF_REC_DATA_LENGTH = 0x30,
	EVT_OFF_REC_DATA_OFFSET = 0x34,
	EVT_OFF_REC_SOURCE = 0x38 /* SourceName, then Computername, NUL-terminated UTF-16LE */
};

/* Event types (EventType). */
enum {
	EVT_TYPE_ERROR = 0x1,
	EVT_TYPE_WARNING = 0x2,
	EVT_TYPE_INFORMATION = 0x4,
	EVT_TYPE_AUDIT_SUCCESS = 0x8,
	EVT_TYPE_AUDIT_FAILURE = 0x10
};

struct evt_header {
	uint32_t start_offset; /* oldest record */
	uint32_t end_offset;   /* the EOF record */
	uint32_t current_record_number;
	uint32_t oldest_record_number;
	uint32_t max_size;
	uint32_t flags;
	uint32_t retention;
};

struct evt_eof {
	uint32_t begin_offset; /* oldest record */
	uint32_t end_offset;   /* this EOF record */
	uint32_t current_record_number;
	uint32_t oldest_record_number;
};

/* A decoded record: numbers, and the positions of its variable fields inside
 * the buffer it was decoded from (valid while that buffer is). Every field
 * was checked to lie inside the record and every string to end with a NUL. */
struct evt_record {
	const uint8_t *base; /* the record's first byte */
	uint32_t length;
	uint32_t record_number;
	uint32_t time_generated; /* Unix seconds, UTC */
	uint32_t time_written;
	uint32_t event_id_full; /* with severity, customer and facility bits */
	uint16_t event_id;      /* displayed id: event_id_full & 0xFFFF */
	uint16_t event_type;
	uint16_t num_strings;
	uint16_t category;
	uint32_t source_offset, source_chars; /* UTF-16LE, chars without the NUL */
	uint32_t computer_offset, computer_chars;
	uint32_t strings_offset; /* num_strings NUL-terminated UTF-16LE strings */
	uint32_t sid_offset, sid_length;
	uint32_t data_offset, data_length;
};

/* Why a decode failed and where: offset of the bad field from the start of
 * the buffer handed to the decoder. */
struct evt_problem {
	const char *why;
	size_t offset;
};

/* Decode the 0x30-byte file header. Checks sizes, signature and version. */
bool evt_header_decode(const void *buf, size_t len, struct evt_header *out, struct evt_problem *problem);

/* True when the 16 bytes at buf are the EOF record's magic (0x28 then
 * 0x11111111 ... 0x44444444) starting at its first byte. */
bool evt_eof_magic(const void *buf, size_t len);

/* Decode an EOF record (0x28 bytes). */
bool evt_eof_decode(const void *buf, size_t len, struct evt_eof *out, struct evt_problem *problem);

/* Decode one record occupying exactly buf[0..len): the Length field must be
 * len and the trailing copy must match. */
bool evt_record_decode(const void *buf, size_t len, struct evt_record *out, struct evt_problem *problem);

/* Little-endian 32-bit read (no alignment needed). */
uint32_t evt_u32(const uint8_t *p);

/* UTF-16LE (chars code units) to UTF-8 in out (always NUL-terminated, cut
 * on a character boundary). Unpaired surrogates become U+FFFD. Returns the
 * length written. */
size_t evt_utf16_to_utf8(const uint8_t *utf16, size_t chars, char *out, size_t cap);

/* The record's source name, computer name and insertion string i (0-based)
 * as UTF-8; "" when i >= num_strings. Return the length written. */
size_t evt_record_source(const struct evt_record *r, char *out, size_t cap);
size_t evt_record_computer(const struct evt_record *r, char *out, size_t cap);
size_t evt_record_string(const struct evt_record *r, unsigned i, char *out, size_t cap);

/* "error", "warning", "information", "audit success", "audit failure" or "type N". */
const char *evt_type_name(uint16_t type, char *scratch, size_t cap);

#endif
