/* kmsrestore: choose a set, plan the names beside Kmsdata, copy and verify
 * into a hidden sibling, swap by two renames. See kmsrestore.h. */
#include "kmsrestore.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmscopy.h"
#include "text.h"

static kmsrestore_step_fn step_hook;

void kmsrestore_set_step_hook(kmsrestore_step_fn fn)
{
	step_hook = fn;
}

void kmsrestore_step(const char *step)
{
	if (step_hook)
		step_hook(step);
}

void kmsrestore_time_text(int64_t t, char *buf, size_t cap)
{
	char b[32]; /* YYYYMMDDTHHMMSSZ */
	kms_time_iso(t, b, sizeof b);
	snprintf(buf, cap, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", b, b + 4, b + 6, b + 9, b + 11, b + 13);
}

/* ---- judging and choosing ---- */

struct judgement {
	struct kmsrestore_set *item;
};

static void on_problem(void *ctx, enum kms_problem kind, const char *text)
{
	struct kmsrestore_set *item = ((struct judgement *)ctx)->item;
	(void)kind; /* any problem makes a set unfit to restore */
	if (item->problems++ == 0)
		snprintf(item->first_problem, sizeof item->first_problem, "%s", text);
}

static void judge(struct kmsrestore_set *item, int64_t now)
{
	struct kms_check_options check = {.verify_pages = true, .live = NULL};
	struct judgement j = {item};
	kms_set_check(&item->set, &check, on_problem, &j, &item->facts);
	item->sound = item->problems == 0;
	item->future = item->set.listed && kms_set_from_future(&item->set, now);
}

/* Order the sets newest first with the one rule check_kms_backup uses. */
static bool order_sets(struct kmsrestore_sets *s)
{
	size_t n = s->count ? s->count : 1;
	struct kms_set *plain = calloc(n, sizeof *plain);
	bool *taken = calloc(n, sizeof *taken);
	s->order = calloc(n, sizeof *s->order);
	if (!plain || !taken || !s->order) {
		free(plain);
		free(taken);
		return false;
	}
	for (size_t i = 0; i < s->count; i++)
		plain[i] = s->items[i].set; /* a shallow view: only listed and time are read */
	size_t placed = 0;
	for (size_t next; placed < s->count && (next = kms_sets_newest(plain, s->count, taken)) < s->count;) {
		taken[next] = true;
		s->order[placed++] = next;
	}
	for (size_t i = 0; i < s->count; i++) /* the unlisted ones last, by name */
		if (!taken[i])
			s->order[placed++] = i;
	free(plain);
	free(taken);
	return true;
}

static void sets_free(struct kmsrestore_sets *s)
{
	for (size_t i = 0; i < s->count; i++)
		kms_set_free(&s->items[i].set);
	free(s->items);
	free(s->order);
	memset(s, 0, sizeof *s);
}

bool kmsrestore_sets_load(const char *backup_dir, int64_t now, struct kmsrestore_sets *out, char *err,
                          size_t errcap)
{
	struct kms_names names;
	memset(out, 0, sizeof *out);
	if (!kms_folder_exists(backup_dir, err, errcap) ||
	    !kms_sets_find(backup_dir, "*", &names, err, errcap))
		return false;
	out->items = calloc(names.count ? names.count : 1, sizeof *out->items);
	if (!out->items) {
		kms_names_free(&names);
		snprintf(err, errcap, "out of memory");
		return false;
	}
	for (size_t i = 0; i < names.count; i++) {
		kms_set_load(backup_dir, names.names[i], &out->items[i].set);
		judge(&out->items[i], now);
		out->count++;
	}
	kms_names_free(&names);
	if (!order_sets(out)) {
		sets_free(out);
		snprintf(err, errcap, "out of memory");
		return false;
	}
	return true;
}

static void append(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	if (len + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

size_t kmsrestore_choose(const struct kmsrestore_sets *s, char *why, size_t whycap)
{
	why[0] = '\0';
	if (s->count == 0) {
		snprintf(why, whycap, "no backup set in the folder");
		return s->count;
	}
	for (size_t k = 0; k < s->count; k++) {
		const struct kmsrestore_set *item = &s->items[s->order[k]];
		if (item->future) {
			snprintf(
			    why, whycap,
			    "set %s is dated in the future (clock skew?): name the set to restore with --set",
			    item->set.name);
			return s->count;
		}
		if (item->sound)
			return s->order[k];
		append(why, whycap, "%sset %s is not sound: %s", why[0] ? "; " : "", item->set.name,
		       item->first_problem);
	}
	char all[KMSRESTORE_TEXT_MAX];
	snprintf(all, sizeof all, "no sound set: %s", why);
	snprintf(why, whycap, "%s", all);
	return s->count;
}

bool kmsrestore_set_name_ok(const char *name, char *why, size_t whycap)
{
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/\\:") ||
	    name[0] == '.') {
		snprintf(why, whycap,
		         "'%s' is not the name of a set in --backup-dir (a subfolder name, no path)", name);
		return false;
	}
	return true;
}

/* ---- the plan ---- */

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

bool kmsrestore_plan_make(const char *kmsdata, int64_t now, struct kmsrestore_plan *p, char *err,
                          size_t errcap)
{
	memset(p, 0, sizeof *p);
	size_t len = strlen(kmsdata);
	while (len > 1 && is_sep(kmsdata[len - 1])) /* "kmsdata\" names kmsdata */
		len--;
	size_t cut = len;
	while (cut > 0 && !is_sep(kmsdata[cut - 1]))
		cut--;
	size_t base_len = len - cut;
	if (base_len == 0 || base_len >= sizeof p->base || len >= sizeof p->kmsdata ||
	    (base_len == 2 && kmsdata[cut + 1] == ':')) {
		snprintf(err, errcap, "'%s' cannot be restored: it names no folder inside another", kmsdata);
		return false;
	}
	memcpy(p->kmsdata, kmsdata, len);
	memcpy(p->base, kmsdata + cut, base_len);
	/* The parent keeps its separator when it is a root ("/", "C:\"). */
	size_t parent_len = cut == 0 ? 0 : cut - 1;
	if (cut == 1 || (cut == 3 && kmsdata[1] == ':'))
		parent_len = cut;
	if (cut == 0)
		snprintf(p->parent, sizeof p->parent, ".");
	else
		memcpy(p->parent, kmsdata, parent_len);
	kms_time_iso(now, p->stamp, sizeof p->stamp);
	char name[512];
	snprintf(name, sizeof name, "%s%s%s", p->base, KMSRESTORE_DAMAGED_TAG, p->stamp);
	bool fits = fsys_join(p->damaged, sizeof p->damaged, p->parent, name);
	snprintf(name, sizeof name, ".%s%s%s", p->base, KMSRESTORE_COPY_TAG, p->stamp);
	fits = fits && fsys_join(p->copy, sizeof p->copy, p->parent, name);
	fits = fits && (size_t)snprintf(p->ready, sizeof p->ready, "%s%s", p->copy, KMSRESTORE_READY_TAG) <
	                   sizeof p->ready;
	if (!fits)
		snprintf(err, errcap, "'%s' is too long a path", kmsdata);
	return fits;
}

/* ---- leftovers of a killed run ---- */

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Call fn for every hidden copy beside Kmsdata; false with err when the
 * parent folder cannot be listed or fn fails. */
static bool each_copy(const struct kmsrestore_plan *p, bool (*fn)(void *ctx, const char *path, bool ready),
                      void *ctx, char *err, size_t errcap)
{
	char prefix[512], why[FSYS_ERR_MAX], path[FSYS_PATH_MAX];
	snprintf(prefix, sizeof prefix, ".%s%s", p->base, KMSRESTORE_COPY_TAG);
	struct fsys_dir *d = fsys_dir_open(p->parent, why);
	if (!d) {
		snprintf(err, errcap, "cannot read folder '%s': %s", p->parent, why);
		return false;
	}
	bool failed = false, ok = true;
	for (const char *name; ok && (name = fsys_dir_next(d, &failed, why)) != NULL;) {
		struct fsys_info st;
		if (!text_starts_nocase(name, prefix) || !fsys_join(path, sizeof path, p->parent, name) ||
		    !fsys_lstat(path, &st, why) || st.kind != FSYS_DIR)
			continue;
		ok = fn(ctx, path, ends_with(name, KMSRESTORE_READY_TAG));
	}
	fsys_dir_close(d);
	if (failed) {
		snprintf(err, errcap, "cannot read folder '%s': %s", p->parent, why);
		return false;
	}
	return ok;
}

static bool count_copy(void *ctx, const char *path, bool ready)
{
	struct kmsrestore_leftovers *out = ctx;
	if (out->copies++ == 0)
		snprintf(out->first_copy, sizeof out->first_copy, "%s", path);
	if (ready && out->ready++ == 0)
		snprintf(out->first_ready, sizeof out->first_ready, "%s", path);
	return true;
}

bool kmsrestore_leftovers_find(const struct kmsrestore_plan *p, struct kmsrestore_leftovers *out, char *err,
                               size_t errcap)
{
	memset(out, 0, sizeof *out);
	struct fsys_info st;
	char why[FSYS_ERR_MAX];
	if (!fsys_lstat(p->kmsdata, &st, why)) {
		snprintf(err, errcap, "cannot look at '%s': %s", p->kmsdata, why);
		return false;
	}
	out->kmsdata_missing = st.kind == FSYS_MISSING;
	return each_copy(p, count_copy, out, err, errcap);
}

struct removal {
	char *err;
	size_t errcap;
};

static bool remove_copy(void *ctx, const char *path, bool ready)
{
	struct removal *r = ctx;
	(void)ready;
	return kmscopy_remove_tree(path, r->err, r->errcap);
}

bool kmsrestore_leftovers_remove(const struct kmsrestore_plan *p, char *err, size_t errcap)
{
	struct removal r = {err, errcap};
	return each_copy(p, remove_copy, &r, err, errcap);
}

/* ---- copy, verify, swap ---- */

/* The copy judged as a set: its listing against the set's manifest, its
 * database clean with every page right, by the same check as the sets. */
static bool verify_as_set(const struct kms_set *set, const char *copy, char *err, size_t errcap)
{
	struct kmsrestore_set item;
	memset(&item, 0, sizeof item);
	snprintf(item.set.name, sizeof item.set.name, "(copy of %.200s)", set->name);
	snprintf(item.set.path, sizeof item.set.path, "%s", copy);
	item.set.listed = kms_tree_walk(copy, NULL, &item.set.tree, err, errcap);
	if (!item.set.listed)
		return false;
	item.set.manifest_status = set->manifest_status;
	item.set.manifest = set->manifest; /* borrowed, not freed here */
	judge(&item, INT64_MAX);
	kms_tree_free(&item.set.tree);
	if (!item.sound)
		snprintf(err, errcap, "the copy does not verify: %s", item.first_problem);
	return item.sound;
}

bool kmsrestore_prepare(const struct kms_set *set, const struct kmsrestore_plan *p, long reserve_ms,
                        char *err, size_t errcap)
{
	char why[FSYS_ERR_MAX];
	/* Made here, exclusively: a folder of that name that already exists is
	 * not this run's, and is never written into or removed. */
	if (!fsys_mkdir(p->copy, why)) {
		snprintf(err, errcap, "cannot create '%s': %s", p->copy, why);
		return false;
	}
	bool ok = kmscopy_tree(set->path, &set->tree, p->copy, reserve_ms, err, errcap);
	if (ok)
		kmsrestore_step("copied");
	ok = ok && kmscopy_verify(p->copy, &set->tree, reserve_ms, err, errcap) &&
	     verify_as_set(set, p->copy, err, errcap);
	if (ok && !fsys_rename(p->copy, p->ready, why)) {
		snprintf(err, errcap, "cannot rename '%s' to '%s': %s", p->copy, p->ready, why);
		ok = false;
	}
	struct fsys_info st;
	char left[FSYS_PATH_MAX + FSYS_ERR_MAX + 64];
	if (!ok && fsys_lstat(p->copy, &st, why) && st.kind == FSYS_DIR &&
	    !kmscopy_remove_tree(p->copy, left, sizeof left))
		append(err, errcap, " (and the unfinished copy stays: %s)", left);
	return ok;
}

enum kmsrestore_swap kmsrestore_swap(const struct kmsrestore_plan *p, const char *ready, char *err,
                                     size_t errcap)
{
	char why[FSYS_ERR_MAX], back[FSYS_ERR_MAX];
	if (!fsys_rename(p->kmsdata, p->damaged, why)) {
		snprintf(err, errcap, "cannot move '%s' aside to '%s': %s", p->kmsdata, p->damaged, why);
		return KMSRESTORE_NOT_MOVED;
	}
	kmsrestore_step("moved");
	if (fsys_rename(ready, p->kmsdata, why))
		return KMSRESTORE_SWAPPED;
	if (fsys_rename(p->damaged, p->kmsdata, back)) {
		snprintf(err, errcap, "cannot rename '%s' to '%s': %s", ready, p->kmsdata, why);
		return KMSRESTORE_ROLLED_BACK;
	}
	snprintf(err, errcap,
	         "cannot rename '%s' to '%s' (%s), nor the damaged folder '%s' back (%s): Kmsdata is missing",
	         ready, p->kmsdata, why, p->damaged, back);
	return KMSRESTORE_STUCK;
}
