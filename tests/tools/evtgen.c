/* evtgen: the .evt fixture writer. Reads records (one per line) or makes N
 * synthetic ones, lays them out as the event log service would (clean,
 * wrapped, padded, split, dirty, without EOF record) and writes FILE.evt
 * and FILE.expected: the surviving records, newest first, and the layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evtwrite.h"
#include "range.h"

static const char usage[] =
    "Usage: evtgen [OPTION]... OUTPUT.evt < records\n"
    "Records, one per line, tab-separated (# starts a comment):\n"
    "  AGE  SOURCE  ID  TYPE  STRINGS  [EXTRAS]\n"
    "  AGE: a duration before --now (90s, 3h, 2d, 0) or @UNIXTIME\n"
    "  ID: displayed id (5058) or the full 32-bit id in hex (0xC0001B58)\n"
    "  TYPE: error, warning, information, audit-success, audit-failure or a number\n"
    "  STRINGS: insertion strings separated by |, or - for none\n"
    "  EXTRAS: comma-separated sid=BYTES, data=BYTES, computer=NAME, written=+SECONDS, category=N\n"
    "Options:\n"
    "  --now UNIXTIME        base of relative ages (default: the current time)\n"
    "  --generate N          N synthetic records instead of stdin (1 in 1000 is KMS 5058)\n"
    "  --spacing SECONDS     seconds between synthetic records (default 60)\n"
    "  --size BYTES          file size: the ring wraps at it (default: never wraps)\n"
    "  --want LAYOUT         find the smallest --size (from --size, default 0x100) giving\n"
    "                        padding, split-record, split-eof or eof-at-start\n"
    "  --dirty               DIRTY flag and a stale header (before the newest record)\n"
    "  --header-current      with --dirty: keep the header right\n"
    "  --no-eof              no EOF record (a copy taken mid-write)\n"
    "  --stale-start N       with --no-eof: the header's start offset points at the\n"
    "                        Nth surviving record (0: the oldest)\n"
    "  --poke OFFSET=VALUE   then overwrite the 32-bit word at OFFSET (damage); repeatable\n"
    "  --first-number N      number of the first record (default 1)\n";

#define MAX_RECORDS 100000
struct spec {
	struct evtw_record rec;
	char *line; /* owns the text the pointers point into */
};

struct input {
	struct spec *specs;
	size_t n;
	/* synthetic */
	size_t generate;
	uint32_t now, spacing;
	struct evtw_record synth;
};

static _Noreturn void die(const char *what, const char *detail)
{
	fprintf(stderr, "evtgen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

static unsigned long number_arg(const char *text)
{
	char *end;
	unsigned long v = strtoul(text, &end, 0);
	if (!*text || *end)
		die("not a number", text);
	return v;
}

static uint16_t parse_type(const char *t)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {
	    {"error", 1}, {"warning", 2}, {"information", 4}, {"audit-success", 8}, {"audit-failure", 0x10}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(t, types[i].name) == 0)
			return types[i].type;
	return (uint16_t)number_arg(t);
}

static uint32_t parse_age(const char *text, uint32_t now)
{
	if (text[0] == '@')
		return (uint32_t)number_arg(text + 1);
	double v;
	const char *why;
	if (!value_parse(text, VALUE_DURATION, &v, &why) || v < 0 || v > now)
		die("bad AGE", text);
	return now - (uint32_t)v;
}

static void parse_line(char *line, uint32_t now, struct evtw_record *r)
{
	char *field[6] = {0};
	int n = 0;
	for (char *p = line; n < 6 && p; n++) {
		field[n] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	if (n < 5)
		die("a record line needs AGE SOURCE ID TYPE STRINGS", line);
	memset(r, 0, sizeof *r);
	r->time_generated = r->time_written = parse_age(field[0], now);
	r->source = field[1];
	r->computer = "KMSHOST";
	unsigned long id = number_arg(field[2]);
	r->event_id_full = strncmp(field[2], "0x", 2) == 0 ? (uint32_t)id : (uint32_t)(id & 0xFFFF);
	r->type = parse_type(field[3]);
	if (strcmp(field[4], "-") != 0) {
		for (char *s = field[4]; s && r->nstrings < 8;) {
			r->strings[r->nstrings++] = s;
			s = strchr(s, '|');
			if (s)
				*s++ = '\0';
		}
	}
	for (char *e = field[5]; e && *e;) {
		char *next = strchr(e, ',');
		if (next)
			*next++ = '\0';
		if (strncmp(e, "sid=", 4) == 0)
			r->sid_len = (unsigned)number_arg(e + 4);
		else if (strncmp(e, "data=", 5) == 0)
			r->data_len = (unsigned)number_arg(e + 5);
		else if (strncmp(e, "computer=", 9) == 0)
			r->computer = e + 9;
		else if (strncmp(e, "written=+", 9) == 0)
			r->time_written = r->time_generated + (uint32_t)number_arg(e + 9);
		else if (strncmp(e, "category=", 9) == 0)
			r->category = (uint16_t)number_arg(e + 9);
		else
			die("unknown extra", e);
		e = next;
	}
}

static const struct evtw_record *get_record(size_t i, void *ctx)
{
	struct input *in = ctx;
	if (!in->generate)
		return &in->specs[i].rec;
	struct evtw_record *r = &in->synth;
	static char number[16];
	r->time_generated = r->time_written = in->now - (uint32_t)(in->generate - 1 - i) * in->spacing;
	r->computer = "KMSHOST";
	if (i % 1000 == 999) {
		r->source = "MSExchangeKMS";
		r->event_id_full = 0xC00013C2; /* 5058, error severity */
		r->type = 1;
		r->nstrings = 0;
		r->data_len = 16;
	} else {
		r->source = i % 3 ? "MSExchangeIS" : "MSExchangeKMS";
		r->event_id_full = 0x40000000u | (uint32_t)(1000 + i % 7);
		r->type = 4;
		snprintf(number, sizeof number, "%zu", i);
		r->strings[0] = "routine";
		r->strings[1] = number;
		r->nstrings = 2;
		r->data_len = 0;
	}
	return r;
}

static void read_specs(struct input *in)
{
	char buf[4096];
	in->specs = calloc(MAX_RECORDS, sizeof *in->specs);
	if (!in->specs)
		die("out of memory", NULL);
	while (fgets(buf, sizeof buf, stdin)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		if (in->n == MAX_RECORDS)
			die("too many records", NULL);
		struct spec *s = &in->specs[in->n++];
		s->line = strdup(buf);
		parse_line(s->line, in->now, &s->rec);
	}
}

static bool layout_has(const struct evtw_layout *l, const char *want)
{
	if (strcmp(want, "padding") == 0)
		return l->padding_bytes > 0;
	if (strcmp(want, "split-record") == 0)
		return l->split_records > 0;
	if (strcmp(want, "split-eof") == 0)
		return l->eof_split;
	if (strcmp(want, "eof-at-start") == 0)
		return l->wrapped && l->end == 0x30;
	die("unknown --want", want);
}

static void write_expected(const char *path, struct input *in, const struct evtw_image *img, uint32_t first)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write", path);
	const struct evtw_layout *l = &img->layout;
	fprintf(f, "# size=%zu wrapped=%d padding=%u split_records=%u eof_split=%d begin=%u end=%u\n",
	        img->size, l->wrapped, l->padding_bytes, l->split_records, l->eof_split, l->begin, l->end);
	fprintf(f, "# records=%zu oldest=%u next=%u\n", l->survivors, l->oldest_number, l->next_number);
	for (size_t k = 0; k < l->survivors; k++) {
		size_t i = in->generate ? in->generate - 1 - k : in->n - 1 - k;
		const struct evtw_record *r = get_record(i, in);
		fprintf(f, "%u\t%u\t%u\t%u\t%s\t", first + (uint32_t)i, r->time_generated,
		        r->event_id_full & 0xFFFF, r->type, r->source);
		for (unsigned s = 0; s < r->nstrings; s++)
			fprintf(f, "%s%s", s ? "|" : "", r->strings[s]);
		fprintf(f, "\n");
	}
	fclose(f);
}

/* The options followed by a value. */
static bool takes_value(const char *a)
{
	static const char *const valued[] = {"--stale-start", "--now",  "--generate",     "--spacing",
	                                     "--size",        "--want", "--first-number", "--poke"};
	for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++)
		if (strcmp(a, valued[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct input in = {.now = (uint32_t)time(NULL), .spacing = 60};
	struct evtw_options o = {0};
	const char *out = NULL, *want = NULL;
	const char *pokes[32];
	size_t npokes = 0;
	uint32_t first = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--dirty") == 0) {
			o.dirty = true;
		} else if (strcmp(a, "--header-current") == 0) {
			o.header_current = true;
		} else if (strcmp(a, "--no-eof") == 0) {
			o.no_eof = true;
		} else if (takes_value(a) && !v) {
			die("option needs a value", a);
		} else if (strcmp(a, "--stale-start") == 0) {
			o.stale_start = number_arg(argv[++i]);
		} else if (strcmp(a, "--now") == 0) {
			in.now = (uint32_t)number_arg(argv[++i]);
		} else if (strcmp(a, "--generate") == 0) {
			in.generate = number_arg(argv[++i]);
		} else if (strcmp(a, "--spacing") == 0) {
			in.spacing = (uint32_t)number_arg(argv[++i]);
		} else if (strcmp(a, "--size") == 0) {
			o.ring_size = (uint32_t)number_arg(argv[++i]);
		} else if (strcmp(a, "--want") == 0) {
			want = argv[++i];
		} else if (strcmp(a, "--first-number") == 0) {
			first = (uint32_t)number_arg(argv[++i]);
		} else if (strcmp(a, "--poke") == 0) {
			if (npokes == 32)
				die("too many --poke", NULL);
			pokes[npokes++] = argv[++i];
		} else if (a[0] == '-') {
			die("unknown option (try --help)", a);
		} else if (out) {
			die("a second OUTPUT.evt (try --help)", a);
		} else {
			out = a;
		}
	}
	if (!out)
		die("no OUTPUT.evt given (try --help)", NULL);
	if (!in.generate)
		read_specs(&in);
	size_t n = in.generate ? in.generate : in.n;
	struct evtw_image img;
	const char *why = "";
	if (want) {
		uint32_t size = o.ring_size ? o.ring_size : 0x100;
		for (;; size += 4) {
			if (size > 0x100000)
				die("no size up to 1 MiB gives layout", want);
			o.ring_size = size;
			if (evtw_build(get_record, &in, n, first, &o, &img, &why)) {
				if (layout_has(&img.layout, want))
					break;
				evtw_free(&img);
			}
		}
	} else if (!evtw_build(get_record, &in, n, first, &o, &img, &why)) {
		die("cannot lay out the records", why);
	}
	for (size_t k = 0; k < npokes; k++) {
		char *eq = strchr(pokes[k], '=');
		if (!eq)
			die("--poke needs OFFSET=VALUE", pokes[k]);
		*eq = '\0';
		unsigned long off = number_arg(pokes[k]), value = number_arg(eq + 1);
		if (off + 4 > img.size)
			die("--poke offset outside the file", pokes[k]);
		for (int b = 0; b < 4; b++)
			img.data[off + (unsigned long)b] = (uint8_t)(value >> (8 * b));
	}
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(img.data, 1, img.size, f) != img.size || fclose(f) != 0)
		die("cannot write", out);
	char expected[4096];
	snprintf(expected, sizeof expected, "%.*s.expected",
	         (int)(strlen(out) > 4 && strcmp(out + strlen(out) - 4, ".evt") == 0 ? strlen(out) - 4
	                                                                             : strlen(out)),
	         out);
	write_expected(expected, &in, &img, first);
	evtw_free(&img);
	for (size_t k = 0; k < in.n; k++)
		free(in.specs[k].line);
	free(in.specs);
	return 0;
}
