/* strbuf: bounded string building for the output module and decoders. */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

static void strbuf_clear(struct strbuf *sb)
{
	sb->len = 0;
	sb->truncated = false;
	if (sb->cap > 0)
		sb->data[0] = '\0';
}

void strbuf_init(struct strbuf *sb, char *mem, size_t cap)
{
	sb->data = mem;
	sb->cap = cap;
	strbuf_clear(sb);
}

size_t utf8_prefix(const char *s, size_t n)
{
	/* Step back over continuation bytes, then drop a lead byte whose
	 * sequence would run past n. */
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return 0;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	return (n - (i - 1) >= need) ? n : i - 1;
}

void strbuf_appendn(struct strbuf *sb, const char *text, size_t n)
{
	if (sb->cap == 0)
		return;
	size_t room = sb->cap - 1 - sb->len;
	if (n > room) {
		n = utf8_prefix(text, room);
		sb->truncated = true;
	}
	memcpy(sb->data + sb->len, text, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void strbuf_append(struct strbuf *sb, const char *text)
{
	strbuf_appendn(sb, text, strlen(text));
}

static void strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap) KMS_PRINTF(2, 0);
static void strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap)
{
	if (sb->cap == 0)
		return;
	size_t room = sb->cap - sb->len;
	int n = vsnprintf(sb->data + sb->len, room, fmt, ap);
	if (n < 0) {
		sb->data[sb->len] = '\0';
		sb->truncated = true;
		return;
	}
	if ((size_t)n >= room) {
		sb->len += utf8_prefix(sb->data + sb->len, room - 1);
		sb->data[sb->len] = '\0';
		sb->truncated = true;
	} else {
		sb->len += (size_t)n;
	}
}

void strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vappendf(sb, fmt, ap);
	va_end(ap);
}
