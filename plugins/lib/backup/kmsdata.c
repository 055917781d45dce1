/* kmsdata: backup sets of Kmsdata: glob, tree walk (links never followed,
 * depth and count bounded), manifest text, set loading and checking.
 * Manifest format, one item a line, UTF-8, '/'-separated relative paths:
 *   kms-backup-manifest 1 / time <unix> <the same as basic ISO 8601> (exactly one) / source <path> /
 *   service <state> / file <size> <path>... / end <number of files> */
#include "kmsdata.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "range.h"
#include "strbuf.h"
#include "text.h"
#include "utctime.h"

/* Match a bracket expression at p against c; *end gets the char after ']'.
 * False with *end NULL when the bracket is not closed (then '[' is literal). */
static bool bracket_match(const char *p, int c, const char **end)
{
	bool negate = *p == '!' || *p == '^';
	if (negate)
		p++;
	bool hit = false;
	const char *start = p;
	while (*p && (*p != ']' || p == start)) {
		int lo = text_fold((unsigned char)*p), hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = text_fold((unsigned char)p[2]);
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		p++;
	}
	if (*p != ']') {
		*end = NULL;
		return false;
	}
	*end = p + 1;
	return hit != negate;
}

/* Does the pattern element at p ('?', a bracket, a character) match the
 * name character c? *len gets the element's length in the pattern. */
static bool element_match(const char *p, int c, size_t *len)
{
	if (*p == '?') {
		*len = 1;
		return true;
	}
	if (*p == '[') {
		const char *end;
		bool hit = bracket_match(p + 1, c, &end);
		if (end) {
			*len = (size_t)(end - p);
			return hit;
		}
	}
	*len = 1;
	return text_fold((unsigned char)*p) == c;
}

/* Iterative matching with one backtrack point (the last '*'): linear in
 * pattern times name, whatever the pattern. */
static bool glob_here(const char *p, const char *n)
{
	const char *star_p = NULL, *star_n = NULL;
	size_t len;
	while (*n) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_n = n;
		} else if (*p && element_match(p, text_fold((unsigned char)*n), &len)) {
			p += len;
			n++;
		} else if (star_p) {
			p = star_p;
			n = ++star_n;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* The bracket expression after '[' at p: false with why when it has no
 * ']' or an empty range; *end gets the character after its ']'. */
static bool bracket_check(const char *p, const char **end, char *why, size_t whycap)
{
	if (*p == '!' || *p == '^')
		p++;
	const char *start = p;
	for (; *p && (*p != ']' || p == start); p++) {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			if (text_fold((unsigned char)p[0]) > text_fold((unsigned char)p[2])) {
				snprintf(why, whycap, "has the range '%c-%c', which is empty", p[0], p[2]);
				return false;
			}
			p += 2;
		}
	}
	if (*p != ']') {
		snprintf(why, whycap, "has a '[' without its ']'");
		return false;
	}
	*end = p + 1;
	return true;
}

bool kms_glob_check(const char *pattern, char *why, size_t whycap)
{
	for (const char *p = pattern; *p;) {
		if (*p == '/' || *p == '\\') {
			snprintf(why, whycap, "holds a path separator: it matches one folder name");
			return false;
		}
		if (*p == '[') {
			if (!bracket_check(p + 1, &p, why, whycap))
				return false;
		} else {
			p++;
		}
	}
	return true;
}

bool kms_glob_match(const char *pattern, const char *name)
{
	if (name[0] == '.' && pattern[0] != '.')
		return false;
	return glob_here(pattern, name);
}

/* ---- tree walk ---- */

static bool tree_add(struct kms_tree *t, const char *path, bool is_dir, const struct fsys_info *info)
{
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct kms_entry *items = realloc(t->items, cap * sizeof *items);
		if (!items)
			return false;
		t->items = items;
		t->cap = cap;
	}
	size_t n = strlen(path) + 1;
	char *copy = malloc(n);
	if (!copy)
		return false;
	memcpy(copy, path, n);
	t->items[t->count++] =
	    (struct kms_entry){copy, is_dir, info ? info->size : 0, info ? info->mtime : 0};
	if (!is_dir) {
		t->files++;
		t->bytes += info->size;
		if (info->mtime > t->newest_mtime)
			t->newest_mtime = info->mtime;
	}
	return true;
}

static void tree_fail(struct kms_tree *t, const char *fmt, ...) KMS_PRINTF(2, 3);

static void tree_fail(struct kms_tree *t, const char *fmt, ...)
{
	if (!t->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(t->error, sizeof t->error, fmt, ap);
		va_end(ap);
	}
	t->failed = true;
}

static bool name_is_plain(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20)
			return false;
	return true;
}

static void skip_entry(struct kms_tree *t, const char *rel)
{
	if (t->skipped++ == 0)
		snprintf(t->first_skipped, sizeof t->first_skipped, "%s", rel);
}

/* Walk the open folder d (shown as dir) whose relative name is rel ("" at
 * the top). Every entry is looked at and opened relative to d, never
 * through a link: a subfolder swapped for a link after the look is refused,
 * never followed out of the set. */
static void walk(struct fsys_dir *d, const char *dir, const char *rel, int depth, const char *exclude,
                 struct kms_tree *t)
{
	char err[FSYS_ERR_MAX];
	const char *name;
	bool failed;
	char path[FSYS_PATH_MAX], relpath[FSYS_PATH_MAX];
	while ((name = fsys_dir_next(d, &failed, err)) != NULL) {
		if (depth == 0 && exclude && text_casecmp(name, exclude) == 0)
			continue;
		if (!fsys_join(path, sizeof path, dir, name) ||
		    !fsys_join(relpath, sizeof relpath, rel, name)) {
			tree_fail(t, "path too long under '%s'", dir);
			continue;
		}
		if (t->count >= KMS_FILES_MAX) {
			tree_fail(t, "more than %d entries under '%s': not a Kmsdata folder", KMS_FILES_MAX,
			          dir);
			break;
		}
		struct fsys_info info;
		if (!fsys_lstat_at(d, name, &info, err)) {
			tree_fail(t, "cannot read '%s': %s", path, err);
			continue;
		}
		if (info.kind == FSYS_MISSING) /* removed while we looked */
			continue;
		if (info.kind == FSYS_LINK || info.kind == FSYS_OTHER || !name_is_plain(name)) {
			skip_entry(t, relpath);
			continue;
		}
		if (!tree_add(t, relpath, info.kind == FSYS_DIR, &info)) {
			tree_fail(t, "out of memory listing '%s'", dir);
			break;
		}
		if (info.kind == FSYS_DIR) {
			if (depth + 1 >= KMS_DEPTH_MAX) {
				tree_fail(t, "folders nested too deep at '%s'", path);
				continue;
			}
			struct fsys_dir *sub = fsys_dir_open_at(d, name, err);
			if (!sub) {
				tree_fail(t, "cannot read folder '%s': %s", path, err);
				continue;
			}
			walk(sub, path, relpath, depth + 1, exclude, t);
			fsys_dir_close(sub);
		}
	}
	if (failed)
		tree_fail(t, "cannot read folder '%s': %s", dir, err);
}

static int entry_cmp(const void *a, const void *b)
{
	return text_casecmp(((const struct kms_entry *)a)->path, ((const struct kms_entry *)b)->path);
}

bool kms_tree_walk(const char *dir, const char *exclude, struct kms_tree *tree, char *err, size_t errcap)
{
	memset(tree, 0, sizeof *tree);
	char why[FSYS_ERR_MAX];
	struct fsys_dir *d = fsys_dir_open(dir, why);
	if (!d) {
		snprintf(err, errcap, "cannot read folder '%s': %s", dir, why);
		return false;
	}
	walk(d, dir, "", 0, exclude, tree);
	fsys_dir_close(d);
	if (tree->count > 1)
		qsort(tree->items, tree->count, sizeof *tree->items, entry_cmp);
	return true;
}

void kms_tree_free(struct kms_tree *tree)
{
	for (size_t i = 0; i < tree->count; i++)
		free(tree->items[i].path);
	free(tree->items);
	tree->items = NULL;
	tree->count = tree->cap = 0;
}

const struct kms_entry *kms_tree_find(const struct kms_tree *tree, const char *path)
{
	if (tree->count == 0)
		return NULL;
	struct kms_entry key = {.path = (char *)path};
	return bsearch(&key, tree->items, tree->count, sizeof key, entry_cmp);
}

/* ---- manifest ---- */

void kms_time_iso(int64_t t, char *buf, size_t cap)
{
	utc_format_stamp(t, buf, cap);
}

size_t kms_manifest_format(const struct kms_manifest *m, const struct kms_tree *files, char *buf, size_t cap)
{
	char iso[32];
	kms_time_iso(m->time, iso, sizeof iso);
	size_t need = 0, n_files = 0;
	int n = snprintf(buf, cap, "kms-backup-manifest 1\ntime %" PRId64 " %s\nsource %s\nservice %s\n",
	                 m->time, iso, m->source, m->service_state);
	need += n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < files->count; i++) {
		const struct kms_entry *e = &files->items[i];
		if (e->is_dir)
			continue;
		n_files++;
		n = snprintf(need < cap ? buf + need : NULL, need < cap ? cap - need : 0,
		             "file %" PRIu64 " %s\n", e->size, e->path);
		need += n > 0 ? (size_t)n : 0;
	}
	n = snprintf(need < cap ? buf + need : NULL, need < cap ? cap - need : 0, "end %zu\n", n_files);
	need += n > 0 ? (size_t)n : 0;
	return need;
}

static bool parse_u64(const char *s, const char *end, uint64_t *out, const char **rest)
{
	uint64_t v = 0;
	const char *p = s;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == s)
		return false;
	*out = v;
	*rest = p;
	return true;
}

/* Copy [s, end) into out as a C string; false when it does not fit. */
static bool take(const char *s, const char *end, char *out, size_t cap)
{
	size_t n = (size_t)(end - s);
	if (n >= cap)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* "SECONDS YYYYMMDDTHHMMSSZ" from s to end, exactly, the second the same
 * time as the first (as kms_manifest_format writes it). */
static bool parse_time_line(const char *s, const char *end, int64_t *out)
{
	uint64_t v;
	const char *rest;
	char iso[32];
	/* Seconds up to 9999-12-31: the basic ISO form has four year digits. */
	if (!parse_u64(s, end, &v, &rest) || v > KMS_TIME_MAX || rest >= end || *rest != ' ')
		return false;
	kms_time_iso((int64_t)v, iso, sizeof iso);
	size_t len = strlen(iso);
	if ((size_t)(end - rest - 1) != len || memcmp(rest + 1, iso, len) != 0)
		return false;
	*out = (int64_t)v;
	return true;
}

bool kms_manifest_parse(const char *text, size_t len, struct kms_manifest *out, char *why, size_t whycap)
{
	memset(out, 0, sizeof *out);
	const char *p = text, *stop = text + len;
	size_t line_no = 0;
	bool have_time = false, ended = false;
	while (p < stop && !ended) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		if (!nl) {
			snprintf(why, whycap, "line %zu is cut short (no end line)", line_no + 1);
			return false;
		}
		const char *end = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		line_no++;
		uint64_t v;
		const char *rest;
		size_t n = (size_t)(end - p);
		if (line_no == 1) {
			if (n != 21 || memcmp(p, "kms-backup-manifest 1", 21) != 0) {
				snprintf(why, whycap, "not a kms_backup manifest (version 1)");
				return false;
			}
		} else if (n > 5 && memcmp(p, "time ", 5) == 0) {
			if (have_time) {
				snprintf(why, whycap, "line %zu is malformed: a second time line", line_no);
				return false;
			}
			if (!parse_time_line(p + 5, end, &out->time)) {
				snprintf(why, whycap,
				         "line %zu is malformed: want 'time SECONDS YYYYMMDDTHHMMSSZ', both "
				         "the same time",
				         line_no);
				return false;
			}
			have_time = true;
		} else if (n > 7 && memcmp(p, "source ", 7) == 0) {
			if (!take(p + 7, end, out->source, sizeof out->source))
				goto bad;
		} else if (n > 8 && memcmp(p, "service ", 8) == 0) {
			if (!take(p + 8, end, out->service_state, sizeof out->service_state))
				goto bad;
		} else if (n > 5 && memcmp(p, "file ", 5) == 0 && parse_u64(p + 5, end, &v, &rest) &&
		           rest < end && *rest == ' ' && rest + 1 < end) {
			char path[FSYS_PATH_MAX];
			if (!take(rest + 1, end, path, sizeof path))
				goto bad;
			struct fsys_info info = {.kind = FSYS_FILE, .size = v};
			if (out->files.count >= KMS_FILES_MAX || !tree_add(&out->files, path, false, &info)) {
				snprintf(why, whycap, "too many files");
				return false;
			}
		} else if (n > 4 && memcmp(p, "end ", 4) == 0 && parse_u64(p + 4, end, &v, &rest) &&
		           rest == end) {
			if (v != out->files.files) {
				snprintf(why, whycap, "says %" PRIu64 " files but lists %zu", v,
				         out->files.files);
				return false;
			}
			ended = true;
		} else {
			goto bad;
		}
		p = nl + 1;
	}
	if (!ended || !have_time) {
		snprintf(why, whycap, "%s", !ended ? "incomplete (no end line)" : "has no time line");
		return false;
	}
	if (out->files.count > 1)
		qsort(out->files.items, out->files.count, sizeof *out->files.items, entry_cmp);
	return true;
bad:
	snprintf(why, whycap, "line %zu is malformed", line_no);
	return false;
}

void kms_manifest_free(struct kms_manifest *m)
{
	kms_tree_free(&m->files);
}

enum kms_manifest_status kms_manifest_read(const char *setdir, struct kms_manifest *out, char *why,
                                           size_t whycap)
{
	memset(out, 0, sizeof *out);
	char path[FSYS_PATH_MAX], err[FSYS_ERR_MAX + FSYS_PATH_MAX];
	if (!fsys_join(path, sizeof path, setdir, KMS_MANIFEST_NAME)) {
		snprintf(why, whycap, "path too long");
		return KMS_MANIFEST_BAD;
	}
	struct fsys_info info;
	if (fsys_lstat(path, &info, err) && info.kind == FSYS_MISSING)
		return KMS_MANIFEST_NONE;
	size_t cap = info.kind == FSYS_FILE && info.size < KMS_MANIFEST_MAX ? (size_t)info.size + 2 : 4096;
	char *text = malloc(cap);
	size_t len = 0;
	if (!text) {
		snprintf(why, whycap, "out of memory");
		return KMS_MANIFEST_BAD;
	}
	/* Never through a link (nor a FIFO): the manifest must be the set's own file. */
	enum kms_manifest_status result = KMS_MANIFEST_BAD;
	bool read_ok = false;
	struct fsys_file *f = fsys_open_read_nofollow(path, err);
	if (f) {
		long long got = fsys_read(f, text, cap - 1, err);
		fsys_close(f, NULL);
		if (got >= 0 && (size_t)got < cap - 1) {
			len = (size_t)got;
			text[len] = '\0';
			read_ok = true;
		} else if (got >= 0) {
			snprintf(err, sizeof err, "larger than %zu bytes", cap - 2);
		}
	}
	char parse_why[256];
	if (!read_ok) {
		snprintf(why, whycap, "cannot read manifest '%s': %s", path, err);
		result = KMS_MANIFEST_UNREADABLE;
	} else if (!kms_manifest_parse(text, len, out, parse_why, sizeof parse_why))
		snprintf(why, whycap, "manifest '%s' %s", path, parse_why);
	else
		result = KMS_MANIFEST_OK;
	if (result != KMS_MANIFEST_OK)
		kms_manifest_free(out);
	free(text);
	return result;
}

bool kms_manifest_write(const char *setdir, const struct kms_manifest *m, const struct kms_tree *files,
                        char *err, size_t errcap)
{
	char path[FSYS_PATH_MAX];
	if (!fsys_join(path, sizeof path, setdir, KMS_MANIFEST_NAME)) {
		snprintf(err, errcap, "path too long: '%s'", setdir);
		return false;
	}
	size_t need = kms_manifest_format(m, files, NULL, 0) + 1;
	char *text = malloc(need);
	if (!text) {
		snprintf(err, errcap, "out of memory writing '%s'", path);
		return false;
	}
	size_t len = kms_manifest_format(m, files, text, need);
	bool ok = atomicfile_write(path, text, len, err, errcap);
	free(text);
	/* atomicfile writes private files; the monitoring user reads this one. */
	char why[FSYS_ERR_MAX];
	if (ok && !fsys_share_read(path, why)) {
		snprintf(err, errcap, "cannot share '%s': %s", path, why);
		ok = false;
	}
	return ok;
}

/* ---- sets ---- */

bool kms_folder_exists(const char *path, char *err, size_t errcap)
{
	char why[FSYS_ERR_MAX];
	struct fsys_info st;
	if (!fsys_stat(path, &st, why)) {
		snprintf(err, errcap, "cannot read '%s': %s", path, why);
		return false;
	}
	if (st.kind != FSYS_DIR) {
		snprintf(err, errcap, "'%s' %s", path,
		         st.kind == FSYS_MISSING ? "does not exist" : "is not a folder");
		return false;
	}
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool kms_sets_find(const char *backup_dir, const char *pattern, struct kms_names *out, char *err,
                   size_t errcap)
{
	memset(out, 0, sizeof *out);
	char why[FSYS_ERR_MAX], path[FSYS_PATH_MAX];
	struct fsys_dir *d = fsys_dir_open(backup_dir, why);
	if (!d) {
		snprintf(err, errcap, "cannot read '%s': %s", backup_dir, why);
		return false;
	}
	const char *name;
	bool failed;
	while ((name = fsys_dir_next(d, &failed, why)) != NULL) {
		struct fsys_info info;
		if (!kms_glob_match(pattern, name) || !fsys_join(path, sizeof path, backup_dir, name) ||
		    !fsys_lstat(path, &info, why))
			continue;
		if (info.kind == FSYS_LINK && out->links++ == 0)
			snprintf(out->first_link, sizeof out->first_link, "%s", name);
		if (info.kind != FSYS_DIR)
			continue;
		if (out->count == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 16;
			char **names = realloc(out->names, cap * sizeof *names);
			if (!names)
				break;
			out->names = names;
			out->cap = cap;
		}
		char *copy = malloc(strlen(name) + 1);
		if (!copy)
			break;
		strcpy(copy, name);
		out->names[out->count++] = copy;
	}
	fsys_dir_close(d);
	if (failed) {
		snprintf(err, errcap, "cannot read '%s': %s", backup_dir, why);
		kms_names_free(out);
		return false;
	}
	if (out->count > 1)
		qsort(out->names, out->count, sizeof *out->names, name_cmp);
	return true;
}

void kms_names_free(struct kms_names *n)
{
	for (size_t i = 0; i < n->count; i++)
		free(n->names[i]);
	free(n->names);
	memset(n, 0, sizeof *n);
}

void kms_set_load(const char *backup_dir, const char *name, struct kms_set *set)
{
	memset(set, 0, sizeof *set);
	snprintf(set->name, sizeof set->name, "%s", name);
	if (!fsys_join(set->path, sizeof set->path, backup_dir, name)) {
		snprintf(set->tree.error, sizeof set->tree.error, "path too long: '%s'", name);
		return;
	}
	set->listed =
	    kms_tree_walk(set->path, KMS_MANIFEST_NAME, &set->tree, set->tree.error, sizeof set->tree.error);
	if (!set->listed)
		return;
	set->manifest_status =
	    kms_manifest_read(set->path, &set->manifest, set->manifest_error, sizeof set->manifest_error);
	if (set->manifest_status == KMS_MANIFEST_OK) {
		set->time = set->manifest.time;
		set->time_from_manifest = true;
	} else if (set->tree.files > 0) {
		set->time = set->tree.newest_mtime;
	} else {
		struct fsys_info info;
		char err[FSYS_ERR_MAX];
		if (fsys_stat(set->path, &info, err))
			set->time = info.mtime;
	}
}

void kms_set_free(struct kms_set *set)
{
	kms_tree_free(&set->tree);
	kms_manifest_free(&set->manifest);
}

bool kms_set_from_future(const struct kms_set *set, int64_t now)
{
	return set->time > now && set->time - now > KMS_FUTURE_SLACK;
}

void kms_set_future_text(const struct kms_set *set, int64_t now, char *buf, size_t cap)
{
	char when[32], ahead[64];
	kms_time_iso(set->time, when, sizeof when);
	duration_format((double)(set->time - now), ahead, sizeof ahead);
	snprintf(buf, cap, "set %s is dated %s, %s ahead of this clock", set->name, when, ahead);
}

bool kms_set_newer(const struct kms_set *a, const struct kms_set *b)
{
	return a->time > b->time || (a->time == b->time && strcmp(a->name, b->name) > 0);
}

size_t kms_sets_newest(const struct kms_set *sets, size_t count, const bool *skip)
{
	size_t newest = count;
	for (size_t i = 0; i < count; i++)
		if (sets[i].listed && !(skip && skip[i]) &&
		    (newest == count || kms_set_newer(&sets[i], &sets[newest])))
			newest = i;
	return newest;
}

/* ---- checks ---- */

static void problem(kms_problem_fn fn, void *ctx, enum kms_problem kind, const char *fmt, ...)
    KMS_PRINTF(4, 5);

static void problem(kms_problem_fn fn, void *ctx, enum kms_problem kind, const char *fmt, ...)
{
	char text[FSYS_PATH_MAX * 2 + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fn(ctx, kind, text);
}

static enum kms_problem db_problem_kind(const struct ese_file_check *c)
{
	if (!c->readable)
		return KMS_PROBLEM_UNREADABLE;
	bool decoded = c->header == ESE_HEADER_OK || c->header == ESE_HEADER_BAD_CHECKSUM;
	if (!decoded || c->info.file_type != ESE_FILE_DATABASE || c->shadow == ESE_HEADER_TRUNCATED ||
	    c->partial_page || c->structure.status == ESE_STRUCTURE_TRUNCATED)
		return KMS_PROBLEM_NOT_ESE;
	return KMS_PROBLEM_DAMAGED;
}

static void check_database(const struct kms_set *set, const struct kms_check_options *opts, kms_problem_fn fn,
                           void *ctx, struct kms_set_facts *facts)
{
	const struct kms_entry *db = kms_tree_find(&set->tree, KMS_DB_NAME);
	if (!db || db->is_dir) {
		if (set->tree.files == 0)
			problem(fn, ctx, KMS_PROBLEM_NO_DATABASE, "set %s is empty: no %s", set->name,
			        KMS_DB_NAME);
		else
			problem(fn, ctx, KMS_PROBLEM_NO_DATABASE, "no %s in set %s", KMS_DB_NAME, set->name);
		return;
	}
	char path[FSYS_PATH_MAX], text[512];
	if (!fsys_join(path, sizeof path, set->path, db->path)) {
		problem(fn, ctx, KMS_PROBLEM_UNREADABLE, "path too long: '%s'", set->path);
		return;
	}
	facts->db_found = true;
	ese_file_check_nofollow(path, opts->verify_pages, &facts->db); /* never through a link */
	if (ese_file_problem(&facts->db, text, sizeof text) > 0)
		problem(fn, ctx, db_problem_kind(&facts->db), "%s %s", path, text);
	const struct ese_file_check *c = &facts->db;
	if (c->readable && c->header == ESE_HEADER_OK && c->info.file_type == ESE_FILE_DATABASE &&
	    c->info.db_state != ESE_STATE_CLEAN_SHUTDOWN) {
		char name[32];
		problem(fn, ctx, KMS_PROBLEM_NOT_OFFLINE,
		        "%s database state is %s, not clean shutdown: the copy was not taken offline", path,
		        ese_state_name(c->info.db_state, name, sizeof name));
	}
}

static void check_live(const struct kms_set *set, const struct kms_tree *live, kms_problem_fn fn, void *ctx)
{
	for (size_t i = 0; i < live->count; i++) {
		const struct kms_entry *e = &live->items[i];
		if (e->is_dir)
			continue;
		const struct kms_entry *copy = kms_tree_find(&set->tree, e->path);
		if (!copy || copy->is_dir)
			problem(fn, ctx, KMS_PROBLEM_INCOMPLETE, "live file %s is missing from set %s",
			        e->path, set->name);
		else if (e->size > 0 && copy->size == 0)
			problem(fn, ctx, KMS_PROBLEM_INCOMPLETE,
			        "%s is empty in set %s (%" PRIu64 " bytes live)", e->path, set->name,
			        e->size);
	}
}

static void check_manifest(const struct kms_set *set, kms_problem_fn fn, void *ctx)
{
	if (set->manifest_status == KMS_MANIFEST_BAD || set->manifest_status == KMS_MANIFEST_UNREADABLE) {
		problem(fn, ctx,
		        set->manifest_status == KMS_MANIFEST_BAD ? KMS_PROBLEM_MANIFEST
		                                                 : KMS_PROBLEM_UNREADABLE,
		        "%s", set->manifest_error);
		return;
	}
	if (set->manifest_status != KMS_MANIFEST_OK)
		return;
	const struct kms_tree *m = &set->manifest.files;
	for (size_t i = 0; i < m->count; i++) {
		const struct kms_entry *copy = kms_tree_find(&set->tree, m->items[i].path);
		if (!copy || copy->is_dir)
			problem(fn, ctx, KMS_PROBLEM_MANIFEST,
			        "%s is in the manifest but missing from set %s", m->items[i].path, set->name);
		else if (copy->size != m->items[i].size)
			problem(fn, ctx, KMS_PROBLEM_MANIFEST,
			        "%s in set %s is %" PRIu64 " bytes, the manifest says %" PRIu64, copy->path,
			        set->name, copy->size, m->items[i].size);
	}
	for (size_t i = 0; i < set->tree.count; i++) {
		const struct kms_entry *e = &set->tree.items[i];
		if (!e->is_dir && !kms_tree_find(m, e->path))
			problem(fn, ctx, KMS_PROBLEM_MANIFEST, "%s in set %s is not in its manifest", e->path,
			        set->name);
	}
}

void kms_set_check(const struct kms_set *set, const struct kms_check_options *opts, kms_problem_fn fn,
                   void *ctx, struct kms_set_facts *facts)
{
	memset(facts, 0, sizeof *facts);
	if (!set->listed) {
		problem(fn, ctx, KMS_PROBLEM_UNREADABLE, "%s", set->tree.error);
		return;
	}
	if (set->tree.failed)
		problem(fn, ctx, KMS_PROBLEM_UNREADABLE, "%s", set->tree.error);
	check_database(set, opts, fn, ctx, facts);
	if (opts->live)
		check_live(set, opts->live, fn, ctx);
	check_manifest(set, fn, ctx);
}
