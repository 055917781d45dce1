/* evt: decoders of the .evt header, EOF record and event records. Every
 * offset and length is checked against the buffer before it is used; a
 * failure names the field and its offset. Pure: no I/O, no allocation. */
#include "evt.h"

#include <stdio.h>
#include <string.h>

uint32_t evt_u32(const uint8_t *p)
{
	/* Little-endian on every byte order; compilers make it one load. */
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool problem_at(struct evt_problem *problem, const char *why, size_t offset)
{
	if (problem) {
		problem->why = why;
		problem->offset = offset;
	}
	return false;
}

bool evt_header_decode(const void *buf, size_t len, struct evt_header *out, struct evt_problem *problem)
{
	const uint8_t *p = buf;
	if (len < EVT_HEADER_SIZE)
		return problem_at(problem, "file is shorter than the 48-byte event log header", 0);
	if (evt_u32(p + EVT_OFF_HDR_SIGNATURE) != EVT_SIGNATURE)
		return problem_at(problem, "no 'LfLe' signature", EVT_OFF_HDR_SIGNATURE);
	if (evt_u32(p + EVT_OFF_HDR_SIZE) != EVT_HEADER_SIZE)
		return problem_at(problem, "header size is not 0x30", EVT_OFF_HDR_SIZE);
	if (evt_u32(p + EVT_OFF_HDR_END_SIZE) != EVT_HEADER_SIZE)
		return problem_at(problem, "header end size is not 0x30", EVT_OFF_HDR_END_SIZE);
	if (evt_u32(p + EVT_OFF_HDR_MAJOR) != 1 || evt_u32(p + EVT_OFF_HDR_MINOR) != 1)
		return problem_at(problem, "format version is not 1.1", EVT_OFF_HDR_MAJOR);
	out->start_offset = evt_u32(p + EVT_OFF_HDR_START);
	out->end_offset = evt_u32(p + EVT_OFF_HDR_END);
	out->current_record_number = evt_u32(p + EVT_OFF_HDR_CURRENT);
	out->oldest_record_number = evt_u32(p + EVT_OFF_HDR_OLDEST);
	out->max_size = evt_u32(p + EVT_OFF_HDR_MAX_SIZE);
	out->flags = evt_u32(p + EVT_OFF_HDR_FLAGS);
	out->retention = evt_u32(p + EVT_OFF_HDR_RETENTION);
	return true;
}

bool evt_eof_magic(const void *buf, size_t len)
{
	static const uint8_t magic[16] = {0x28, 0,    0,    0,    0x11, 0x11, 0x11, 0x11,
	                                  0x22, 0x22, 0x22, 0x22, 0x33, 0x33, 0x33, 0x33};
	static const uint8_t more[4] = {0x44, 0x44, 0x44, 0x44};
	return len >= 20 && memcmp(buf, magic, 16) == 0 && memcmp((const uint8_t *)buf + 16, more, 4) == 0;
}

bool evt_eof_decode(const void *buf, size_t len, struct evt_eof *out, struct evt_problem *problem)
{
	const uint8_t *p = buf;
	if (len < EVT_EOF_SIZE)
		return problem_at(problem, "EOF record is truncated", 0);
	if (!evt_eof_magic(p, len))
		return problem_at(problem, "EOF record signature is wrong", 0);
	if (evt_u32(p + EVT_OFF_EOF_END_SIZE) != EVT_EOF_SIZE)
		return problem_at(problem, "EOF record's trailing size is not 0x28", EVT_OFF_EOF_END_SIZE);
	out->begin_offset = evt_u32(p + EVT_OFF_EOF_BEGIN);
	out->end_offset = evt_u32(p + EVT_OFF_EOF_END);
	out->current_record_number = evt_u32(p + EVT_OFF_EOF_CURRENT);
	out->oldest_record_number = evt_u32(p + EVT_OFF_EOF_OLDEST);
	return true;
}

/* Length in code units of the NUL-terminated UTF-16LE string at p[off..limit),
 * or -1 when no NUL ends it before limit. Skips 4 code units at a time while
 * none of them is zero (the classic has-zero-lane test, exact on existence). */
static inline long utf16_length(const uint8_t *p, size_t off, size_t limit)
{
	size_t i = off;
	while (i + 8 <= limit) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if ((v - 0x0001000100010001ull) & ~v & 0x8000800080008000ull)
			break;
		i += 8;
	}
	for (; i + 1 < limit; i += 2)
		if ((p[i] | p[i + 1]) == 0)
			return (long)((i - off) / 2);
	return -1;
}

/* A field [off, off+n) must lie inside the variable part [0x38, limit). */
static bool field_inside(uint32_t off, uint32_t n, size_t limit)
{
	return off >= EVT_RECORD_FIXED && off <= limit && n <= limit - off;
}

bool evt_record_decode(const void *buf, size_t len, struct evt_record *out, struct evt_problem *problem)
{
	const uint8_t *p = buf;
	if (len < EVT_RECORD_FIXED + 4)
		return problem_at(problem, "record is shorter than its fixed header", 0);
	uint32_t length = evt_u32(p + EVT_OFF_REC_LENGTH);
	if (length != len)
		return problem_at(problem, "record length does not match", EVT_OFF_REC_LENGTH);
	if (evt_u32(p + EVT_OFF_REC_SIGNATURE) != EVT_SIGNATURE)
		return problem_at(problem, "record has no 'LfLe' signature", EVT_OFF_REC_SIGNATURE);
	if (evt_u32(p + len - 4) != length)
		return problem_at(problem, "record's trailing length does not match its length", len - 4);
	size_t limit = len - 4; /* the trailing length is not part of any field */

	memset(out, 0, sizeof *out);
	out->base = p;
	out->length = length;
	out->record_number = evt_u32(p + EVT_OFF_REC_NUMBER);
	out->time_generated = evt_u32(p + EVT_OFF_REC_TIME_GENERATED);
	out->time_written = evt_u32(p + EVT_OFF_REC_TIME_WRITTEN);
	out->event_id_full = evt_u32(p + EVT_OFF_REC_EVENT_ID);
	out->event_id = (uint16_t)(out->event_id_full & 0xFFFF);
	out->event_type = u16(p + EVT_OFF_REC_EVENT_TYPE);
	out->num_strings = u16(p + EVT_OFF_REC_NUM_STRINGS);
	out->category = u16(p + EVT_OFF_REC_CATEGORY);
	out->strings_offset = evt_u32(p + EVT_OFF_REC_STRING_OFFSET);
	out->sid_length = evt_u32(p + EVT_OFF_REC_SID_LENGTH);
	out->sid_offset = evt_u32(p + EVT_OFF_REC_SID_OFFSET);
	out->data_length = evt_u32(p + EVT_OFF_REC_DATA_LENGTH);
	out->data_offset = evt_u32(p + EVT_OFF_REC_DATA_OFFSET);

	long n = utf16_length(p, EVT_RECORD_FIXED, limit);
	if (n < 0)
		return problem_at(problem, "source name runs past the record", EVT_RECORD_FIXED);
	out->source_offset = EVT_RECORD_FIXED;
	out->source_chars = (uint32_t)n;
	out->computer_offset = out->source_offset + 2 * (uint32_t)n + 2;
	n = utf16_length(p, out->computer_offset, limit);
	if (n < 0)
		return problem_at(problem, "computer name runs past the record", out->computer_offset);
	out->computer_chars = (uint32_t)n;

	if (out->sid_length && !field_inside(out->sid_offset, out->sid_length, limit))
		return problem_at(problem, "user SID lies outside the record", EVT_OFF_REC_SID_OFFSET);
	if (out->data_length && !field_inside(out->data_offset, out->data_length, limit))
		return problem_at(problem, "event data lies outside the record", EVT_OFF_REC_DATA_OFFSET);
	if (out->num_strings) {
		if (!field_inside(out->strings_offset, 0, limit))
			return problem_at(problem, "insertion strings lie outside the record",
			                  EVT_OFF_REC_STRING_OFFSET);
		size_t off = out->strings_offset;
		for (unsigned i = 0; i < out->num_strings; i++) {
			n = utf16_length(p, off, limit);
			if (n < 0)
				return problem_at(problem, "an insertion string runs past the record", off);
			off += 2 * (size_t)n + 2;
		}
	}
	return true;
}

/* Append the UTF-8 form of code point c if it fits (keeping room for NUL). */
static bool put_utf8(char *out, size_t cap, size_t *len, uint32_t c)
{
	char tmp[4];
	size_t n;
	if (c < 0x80) {
		tmp[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		tmp[0] = (char)(0xC0 | c >> 6);
		tmp[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		tmp[0] = (char)(0xE0 | c >> 12);
		tmp[1] = (char)(0x80 | (c >> 6 & 0x3F));
		tmp[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		tmp[0] = (char)(0xF0 | c >> 18);
		tmp[1] = (char)(0x80 | (c >> 12 & 0x3F));
		tmp[2] = (char)(0x80 | (c >> 6 & 0x3F));
		tmp[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	if (*len + n + 1 > cap)
		return false;
	memcpy(out + *len, tmp, n);
	*len += n;
	return true;
}

size_t evt_utf16_to_utf8(const uint8_t *utf16, size_t chars, char *out, size_t cap)
{
	size_t len = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < chars; i++) {
		uint32_t c = u16(utf16 + 2 * i);
		if (c >= 0xD800 && c < 0xDC00 && i + 1 < chars) {
			uint32_t low = u16(utf16 + 2 * i + 2);
			if (low >= 0xDC00 && low < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
				i++;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xD800 && c < 0xE000) {
			c = 0xFFFD;
		}
		if (!put_utf8(out, cap, &len, c))
			break;
	}
	out[len] = '\0';
	return len;
}

size_t evt_record_source(const struct evt_record *r, char *out, size_t cap)
{
	return evt_utf16_to_utf8(r->base + r->source_offset, r->source_chars, out, cap);
}

size_t evt_record_computer(const struct evt_record *r, char *out, size_t cap)
{
	return evt_utf16_to_utf8(r->base + r->computer_offset, r->computer_chars, out, cap);
}

size_t evt_record_string(const struct evt_record *r, unsigned i, char *out, size_t cap)
{
	if (i >= r->num_strings) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	/* The decoder proved every string ends inside the record. */
	const uint8_t *p = r->base + r->strings_offset;
	for (;;) {
		size_t n = 0;
		while (p[2 * n] || p[2 * n + 1])
			n++;
		if (i == 0)
			return evt_utf16_to_utf8(p, n, out, cap);
		p += 2 * n + 2;
		i--;
	}
}

const char *evt_type_name(uint16_t type, char *scratch, size_t cap)
{
	switch (type) {
	case EVT_TYPE_ERROR: return "error";
	case EVT_TYPE_WARNING: return "warning";
	case EVT_TYPE_INFORMATION: return "information";
	case EVT_TYPE_AUDIT_SUCCESS: return "audit success";
	case EVT_TYPE_AUDIT_FAILURE: return "audit failure";
	case 0: return "success";
	default: snprintf(scratch, cap, "type %u", (unsigned)type); return scratch;
	}
}
