/* strbuf: an append-only string over caller-owned fixed memory. Appends
 * never overflow: what does not fit is dropped and `truncated` is set. */
#ifndef KMS_STRBUF_H
#define KMS_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* printf-style format checking. mingw-w64 builds use its C99 stdio
 * (__USE_MINGW_ANSI_STDIO), so the checks must be GNU's, not MSVCRT's. */
#if defined(__MINGW32__)
#define KMS_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define KMS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

/* The text of a macro's value, for help strings: KMS_TEXT(SECRET_MAX) is "255". */
#define KMS_TEXT_OF(x) #x
#define KMS_TEXT(x)    KMS_TEXT_OF(x)

struct strbuf {
	char *data;
	size_t len;
	size_t cap; /* bytes of data, including the terminating NUL */
	bool truncated;
};

void strbuf_init(struct strbuf *sb, char *mem, size_t cap);
void strbuf_append(struct strbuf *sb, const char *text);
void strbuf_appendn(struct strbuf *sb, const char *text, size_t n);
void strbuf_appendf(struct strbuf *sb, const char *fmt, ...) KMS_PRINTF(2, 3);

/* Length of the longest prefix of s[0..n) that ends on a UTF-8 boundary. */
size_t utf8_prefix(const char *s, size_t n);

#endif
