/* secret: the portable half. Parses Kmspwd.ini or a one-line file from a
 * buffer (pure, bounds-checked), reads the file through the platform's
 * permission check, and wipes every copy it made. */
#include "secret.h"

#include <stdio.h>
#include <string.h>

/* Largest password file read: a Kmspwd.ini is a few lines. */
#define SECRET_FILE_MAX 4096

void secret_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
#if defined(__GNUC__)
	__asm__ __volatile__("" : : "r"(p) : "memory"); /* the stores are observed */
#endif
}

void secret_clear(struct secret *s)
{
	secret_wipe(s->value, sizeof s->value);
	s->len = 0;
}

struct span {
	const char *p;
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* The line starting at *pos (without CR/LF); advances *pos past it. */
static struct span next_line(const char *text, size_t len, size_t *pos)
{
	struct span line = {text + *pos, 0};
	while (*pos + line.n < len && line.p[line.n] != '\n')
		line.n++;
	*pos += line.n + (*pos + line.n < len ? 1 : 0);
	if (line.n && line.p[line.n - 1] == '\r')
		line.n--;
	return line;
}

static bool span_equals_nocase(struct span s, const char *word)
{
	size_t n = strlen(word);
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

static enum secret_status take(struct span value, struct secret *out, const char **why)
{
	if (value.n == 0) {
		*why = "holds no password";
		return SECRET_EMPTY;
	}
	if (value.n > SECRET_MAX) {
		*why = "holds a password longer than 255 characters";
		return SECRET_MALFORMED;
	}
	memcpy(out->value, value.p, value.n);
	out->value[value.n] = '\0';
	out->len = value.n;
	return SECRET_OK;
}

static bool has_section_line(const char *text, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		struct span line = trim(next_line(text, len, &pos));
		if (line.n && line.p[0] == '[')
			return true;
	}
	return false;
}

static enum secret_status parse_ini(const char *text, size_t len, struct secret *out, const char **why)
{
	size_t pos = 0;
	bool in_config = false;
	while (pos < len) {
		struct span line = trim(next_line(text, len, &pos));
		if (line.n == 0 || line.p[0] == ';' || line.p[0] == '#')
			continue;
		if (line.p[0] == '[') {
			struct span name = {line.p + 1, line.n - 1};
			if (name.n == 0 || name.p[name.n - 1] != ']') {
				*why = "has a malformed section line";
				return SECRET_MALFORMED;
			}
			name.n--;
			in_config = span_equals_nocase(trim(name), "config");
			continue;
		}
		const char *eq = memchr(line.p, '=', line.n);
		if (!in_config || !eq)
			continue;
		struct span key = trim((struct span){line.p, (size_t)(eq - line.p)});
		if (span_equals_nocase(key, "pwd"))
			return take(trim((struct span){eq + 1, line.n - (size_t)(eq - line.p) - 1}), out,
			            why);
	}
	*why = "has no pwd= in a [config] section";
	return SECRET_MALFORMED;
}

enum secret_status secret_parse(const char *text, size_t len, struct secret *out, const char **why)
{
	secret_clear(out);
	*why = "";
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (memchr(text, '\0', len)) {
		*why = "contains a NUL byte (not a text file)";
		return SECRET_MALFORMED;
	}
	if (has_section_line(text, len))
		return parse_ini(text, len, out, why);
	size_t pos = 0;
	return take(next_line(text, len, &pos), out, why);
}

enum secret_status secret_read_file(const char *path, struct secret *out, char *why, size_t cap)
{
	static char raw[SECRET_FILE_MAX + 1];
	size_t len = 0;
	secret_clear(out);
	enum secret_status st = secret_read_private(path, raw, sizeof raw, &len, why, cap);
	if (st == SECRET_OK) {
		const char *reason = "";
		st = secret_parse(raw, len, out, &reason);
		if (st != SECRET_OK)
			snprintf(why, cap, "'%s' %s", path, reason);
	}
	secret_wipe(raw, sizeof raw);
	return st;
}
