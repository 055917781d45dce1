/* perfdata: formatting of performance data items for the output module. */
#include "perfdata.h"

#include <math.h>
#include <string.h>

#include "strbuf.h"

bool perfdata_uom_valid(const char *uom)
{
	static const char *const allowed[] = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c", NULL};
	if (!uom)
		return true;
	for (size_t i = 0; allowed[i]; i++)
		if (strcmp(uom, allowed[i]) == 0)
			return true;
	return false;
}

static bool label_needs_quotes(const char *label)
{
	return strpbrk(label, " '=\t") != NULL;
}

static void append_number(struct strbuf *sb, double v)
{
	char num[40];
	number_format(v, num, sizeof num);
	strbuf_append(sb, num);
}

static void append_range(struct strbuf *sb, const struct range *r)
{
	char text[96];
	range_format(r, text, sizeof text);
	strbuf_append(sb, text);
}

size_t perfdata_format(char *buf, size_t cap, const struct perfdata *p)
{
	if (cap == 0 || !p->label || !*p->label || !perfdata_uom_valid(p->uom) || !isfinite(p->value))
		return 0;
	struct strbuf sb;
	strbuf_init(&sb, buf, cap);
	if (label_needs_quotes(p->label)) {
		strbuf_append(&sb, "'");
		for (const char *c = p->label; *c; c++)
			strbuf_append(&sb, *c == '\'' ? "''" : (char[]){*c, '\0'});
		strbuf_append(&sb, "'");
	} else {
		strbuf_append(&sb, p->label);
	}
	strbuf_append(&sb, "=");
	append_number(&sb, p->value);
	strbuf_append(&sb, p->uom ? p->uom : "");
	strbuf_append(&sb, ";");
	append_range(&sb, p->warn);
	strbuf_append(&sb, ";");
	append_range(&sb, p->crit);
	strbuf_append(&sb, ";");
	if (p->has_min)
		append_number(&sb, p->min);
	strbuf_append(&sb, ";");
	if (p->has_max)
		append_number(&sb, p->max);
	if (sb.truncated) {
		buf[0] = '\0';
		return 0;
	}
	return sb.len;
}
