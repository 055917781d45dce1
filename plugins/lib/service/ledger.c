/* ledger: parses, queries, prunes and stores the restart handler's ledger
 * (see ledger.h for the text form). Every line is checked whole: a number
 * that does not parse, an unknown word or trailing text is an error. */
#include "ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"restart", "started", "recovered"};

/* Unix seconds: 1 to 18 digits, nothing else. */
static bool parse_time(const char *text, int64_t *out)
{
	size_t n = strspn(text, "0123456789");
	if (n == 0 || n > 18 || text[n] != '\0')
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (text[i] - '0');
	*out = v;
	return true;
}

/* One line, NUL-terminated, without its newline. */
static bool parse_line(char *line, struct ledger *out)
{
	line += strspn(line, " \t");
	if (line[0] == '#')
		return true;
	char *words[4];
	int n = 0;
	for (char *w = strtok(line, " \t\r"); w; w = strtok(NULL, " \t\r")) {
		if (n == 4)
			return false;
		words[n++] = w;
	}
	if (n == 0)
		return true;
	for (int k = 0; k < 3; k++) {
		if (strcmp(words[0], kind_names[k]) != 0)
			continue;
		int64_t t;
		bool restart = k == LEDGER_RESTART;
		if (n != (restart ? 3 : 2) || !parse_time(words[1], &t))
			return false;
		if (restart && strcmp(words[2], "soft") != 0 && strcmp(words[2], "hard") != 0)
			return false;
		ledger_add(out, (enum ledger_kind)k, t, restart && strcmp(words[2], "soft") == 0);
		return true;
	}
	return false;
}

bool ledger_parse(const char *text, size_t len, struct ledger *out, char *why, size_t whycap)
{
	out->n = 0;
	size_t pos = 0;
	unsigned number = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[128];
		number++;
		if (n >= sizeof line || memchr(text + pos, '\0', n)) {
			snprintf(why, whycap, "line %u is not a ledger entry", number);
			return false;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (!parse_line(line, out)) {
			snprintf(why, whycap, "line %u is not a ledger entry", number);
			return false;
		}
		pos += n + 1;
	}
	return true;
}

size_t ledger_format(const struct ledger *l, char *buf, size_t cap)
{
	size_t len =
	    (size_t)snprintf(buf, cap, "# handle_kms_restart ledger: restarts, starts, recoveries\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct ledger_entry *e = &l->entry[i];
		char line[96];
		int n = e->kind == LEDGER_RESTART
		            ? snprintf(line, sizeof line, "restart %" PRId64 " %s\n", e->time,
		                       e->soft ? "soft" : "hard")
		            : snprintf(line, sizeof line, "%s %" PRId64 "\n", kind_names[e->kind], e->time);
		if (len + (size_t)n < cap)
			memcpy(buf + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	return len;
}

static void remove_at(struct ledger *l, size_t i)
{
	memmove(&l->entry[i], &l->entry[i + 1], (l->n - i - 1) * sizeof l->entry[0]);
	l->n--;
}

/* Is entry i the newest of its kind? */
static bool newest_of_kind(const struct ledger *l, size_t i)
{
	for (size_t j = i + 1; j < l->n; j++)
		if (l->entry[j].kind == l->entry[i].kind)
			return false;
	return true;
}

/* Make room: the oldest restart goes (the budget needs only the newest
 * --max-restarts of them); with none, the oldest entry that is not the
 * newest of its kind. The newest STARTED and RECOVERED always stay. */
static void evict_one(struct ledger *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->entry[i].kind == LEDGER_RESTART) {
			remove_at(l, i);
			return;
		}
	for (size_t i = 0; i < l->n; i++)
		if (!newest_of_kind(l, i)) {
			remove_at(l, i);
			return;
		}
}

void ledger_add(struct ledger *l, enum ledger_kind kind, int64_t time, bool soft)
{
	if (l->n == LEDGER_MAX)
		evict_one(l);
	size_t at = l->n;
	while (at > 0 && l->entry[at - 1].time > time)
		at--;
	memmove(&l->entry[at + 1], &l->entry[at], (l->n - at) * sizeof l->entry[0]);
	l->entry[at] = (struct ledger_entry){.kind = kind, .time = time, .soft = soft};
	l->n++;
}

void ledger_prune(struct ledger *l, int64_t before)
{
	bool newest_seen[3] = {false, false, false};
	for (size_t i = l->n; i-- > 0;) {
		const struct ledger_entry *e = &l->entry[i];
		bool keep = e->kind == LEDGER_RESTART ? e->time >= before : !newest_seen[e->kind];
		newest_seen[e->kind] = true;
		if (!keep)
			remove_at(l, i);
	}
}

unsigned ledger_restarts_since(const struct ledger *l, int64_t since)
{
	unsigned count = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->entry[i].kind == LEDGER_RESTART && l->entry[i].time >= since)
			count++;
	return count;
}

bool ledger_last(const struct ledger *l, enum ledger_kind kind, int64_t *time)
{
	for (size_t i = l->n; i-- > 0;) {
		if (l->entry[i].kind == kind) {
			*time = l->entry[i].time;
			return true;
		}
	}
	return false;
}

bool ledger_restarted_this_episode(const struct ledger *l, int64_t since)
{
	/* Entries of the same second keep the order they were added in, so a
	 * restart counts for this episode only when it comes after the last
	 * recovery in the ledger, not merely in the same second. */
	for (size_t i = l->n; i-- > 0;) {
		const struct ledger_entry *e = &l->entry[i];
		if (e->kind == LEDGER_RECOVERED)
			return false;
		if (e->kind == LEDGER_RESTART && e->time >= since)
			return true;
	}
	return false;
}

enum atomicfile_status ledger_load(const char *path, struct ledger *l, char *err, size_t errcap)
{
	static char text[LEDGER_FILE_MAX];
	size_t len = 0;
	l->n = 0;
	enum atomicfile_status st = atomicfile_read(path, text, sizeof text, &len, err, errcap);
	if (st != ATOMICFILE_OK)
		return st;
	char why[128];
	if (!ledger_parse(text, len, l, why, sizeof why)) {
		snprintf(err, errcap, "'%s': %s", path, why);
		return ATOMICFILE_ERROR;
	}
	return ATOMICFILE_OK;
}

bool ledger_save(const char *path, const struct ledger *l, char *err, size_t errcap)
{
	static char text[LEDGER_FILE_MAX];
	size_t len = ledger_format(l, text, sizeof text);
	if (len >= sizeof text) {
		snprintf(err, errcap, "'%s': the ledger does not fit in %zu bytes", path, sizeof text);
		return false;
	}
	return atomicfile_write(path, text, len, err, errcap);
}
