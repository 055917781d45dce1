/* kmscopy: copy, verify, remove and prune for kms_backup, over fsys with a
 * fixed 64 KiB buffer; every loop checks the deadline reserve first. */
#include "kmscopy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"

#define COPY_CHUNK (64u * 1024u)

static bool out_of_time(long reserve_ms, char *err, size_t errcap)
{
	if (deadline_remaining_ms() > reserve_ms)
		return false;
	snprintf(err, errcap, "stopped: the timeout is near and %ld ms are kept to restart the service",
	         reserve_ms);
	return true;
}

static bool copy_file(const char *from, const char *to, const struct kms_entry *e, char *buf, long reserve_ms,
                      char *err, size_t errcap)
{
	char why[FSYS_ERR_MAX];
	struct fsys_file *in = fsys_open_read(from, why);
	if (!in) {
		snprintf(err, errcap, "cannot read '%s': %s", from, why);
		return false;
	}
	struct fsys_file *out = fsys_create_new(to, why);
	if (!out) {
		fsys_close(in, NULL);
		snprintf(err, errcap, "cannot create '%s': %s", to, why);
		return false;
	}
	bool ok = true;
	uint64_t total = 0;
	for (;;) {
		if (out_of_time(reserve_ms, err, errcap)) {
			ok = false;
			break;
		}
		long long got = fsys_read(in, buf, COPY_CHUNK, why);
		if (got < 0) {
			snprintf(err, errcap, "cannot read '%s': %s", from, why);
			ok = false;
			break;
		}
		if (got == 0)
			break;
		if (!fsys_write(out, buf, (size_t)got, why)) {
			snprintf(err, errcap, "cannot write '%s': %s", to, why);
			ok = false;
			break;
		}
		total += (uint64_t)got;
	}
	fsys_close(in, NULL);
	if (!fsys_close(out, why) && ok) {
		snprintf(err, errcap, "cannot write '%s': %s", to, why);
		ok = false;
	}
	if (ok && total != e->size) {
		snprintf(err, errcap,
		         "'%s' changed while being copied (%" PRIu64 " bytes, listed as %" PRIu64 ")", from,
		         total, e->size);
		ok = false;
	}
	if (ok && !fsys_set_mtime(to, e->mtime, why)) {
		snprintf(err, errcap, "cannot date '%s': %s", to, why);
		ok = false;
	}
	return ok;
}

/* How many names kmscopy_make_partial tries before giving up. */
#define PARTIAL_TRIES 100

bool kmscopy_make_partial(const char *backup_dir, const char *stamp, char *path, size_t cap, char *err,
                          size_t errcap)
{
	char name[128], why[FSYS_ERR_MAX];
	for (int n = 1; n <= PARTIAL_TRIES; n++) {
		if (n == 1)
			snprintf(name, sizeof name, "%s%s", KMSCOPY_PARTIAL_PREFIX, stamp);
		else
			snprintf(name, sizeof name, "%s%s-%d", KMSCOPY_PARTIAL_PREFIX, stamp, n);
		if (!fsys_join(path, cap, backup_dir, name)) {
			snprintf(err, errcap, "--backup-dir path too long: '%s'", backup_dir);
			return false;
		}
		if (fsys_mkdir(path, why)) /* fails when the name exists: never shared */
			return true;
		struct fsys_info info;
		char lwhy[FSYS_ERR_MAX];
		if (!fsys_lstat(path, &info, lwhy) || info.kind == FSYS_MISSING) {
			snprintf(err, errcap, "cannot create '%s': %s", path, why);
			return false;
		}
	}
	snprintf(err, errcap, "cannot create a working folder in '%s': %d names %s%s... are taken",
	         backup_dir, PARTIAL_TRIES, KMSCOPY_PARTIAL_PREFIX, stamp);
	return false;
}

bool kmscopy_tree(const char *src, const struct kms_tree *tree, const char *dst, long reserve_ms, char *err,
                  size_t errcap)
{
	char why[FSYS_ERR_MAX], from[FSYS_PATH_MAX], to[FSYS_PATH_MAX];
	char *buf = malloc(COPY_CHUNK);
	if (!buf) {
		snprintf(err, errcap, "out of memory");
		return false;
	}
	bool ok = true;
	/* The listing is sorted: a folder comes before everything inside it. */
	for (size_t i = 0; i < tree->count && ok; i++) {
		const struct kms_entry *e = &tree->items[i];
		if (!fsys_join(from, sizeof from, src, e->path) || !fsys_join(to, sizeof to, dst, e->path)) {
			snprintf(err, errcap, "path too long: '%s'", e->path);
			ok = false;
		} else if (out_of_time(reserve_ms, err, errcap)) {
			ok = false;
		} else if (e->is_dir) {
			if (!fsys_mkdir(to, why)) {
				snprintf(err, errcap, "cannot create '%s': %s", to, why);
				ok = false;
			}
		} else {
			ok = copy_file(from, to, e, buf, reserve_ms, err, errcap);
		}
	}
	free(buf);
	return ok;
}

bool kmscopy_verify(const char *dst, const struct kms_tree *tree, long reserve_ms, char *err, size_t errcap)
{
	struct kms_tree copy;
	if (!kms_tree_walk(dst, NULL, &copy, err, errcap))
		return false;
	bool ok = !copy.failed;
	if (!ok)
		snprintf(err, errcap, "%s", copy.error);
	for (size_t i = 0; i < tree->count && ok; i++) {
		const struct kms_entry *e = &tree->items[i];
		const struct kms_entry *c = kms_tree_find(&copy, e->path);
		if (!c || c->is_dir != e->is_dir) {
			snprintf(err, errcap, "'%s' is missing from the copy", e->path);
			ok = false;
		} else if (!e->is_dir && c->size != e->size) {
			snprintf(err, errcap, "'%s' is %" PRIu64 " bytes in the copy, %" PRIu64 " in Kmsdata",
			         e->path, c->size, e->size);
			ok = false;
		}
	}
	if (ok && copy.count != tree->count) {
		snprintf(err, errcap, "the copy holds %zu entries, Kmsdata %zu", copy.count, tree->count);
		ok = false;
	}
	const struct kms_entry *db = ok ? kms_tree_find(&copy, KMS_DB_NAME) : NULL;
	if (ok && (!db || db->is_dir)) {
		snprintf(err, errcap, "no %s in Kmsdata: not a Kmsdata folder", KMS_DB_NAME);
		ok = false;
	}
	char path[FSYS_PATH_MAX], problem[512];
	if (ok && out_of_time(reserve_ms, err, errcap))
		ok = false;
	if (ok && fsys_join(path, sizeof path, dst, db->path)) {
		struct ese_file_check *c = malloc(sizeof *c);
		if (!c) {
			snprintf(err, errcap, "out of memory");
			ok = false;
		} else {
			ese_file_check_nofollow(path, true, c);
			if (ese_file_problem(c, problem, sizeof problem) > 0) {
				snprintf(err, errcap, "the copy of %s %s", KMS_DB_NAME, problem);
				ok = false;
			} else if (c->info.db_state != ESE_STATE_CLEAN_SHUTDOWN) {
				char name[32];
				snprintf(
				    err, errcap,
				    "the copy of %s is in state %s, not clean shutdown: the service was not "
				    "stopped",
				    KMS_DB_NAME, ese_state_name(c->info.db_state, name, sizeof name));
				ok = false;
			}
			free(c);
		}
	}
	kms_tree_free(&copy);
	return ok;
}

/* Empty the open folder d (shown as dir): every name is looked at and
 * removed relative to d, never through a link (a subfolder swapped for a
 * link in between is refused, never followed out of the backup folder). */
static bool remove_below(struct fsys_dir *d, const char *dir, int depth, char *err, size_t errcap)
{
	char why[FSYS_ERR_MAX], path[FSYS_PATH_MAX];
	if (depth > KMS_DEPTH_MAX) {
		snprintf(err, errcap, "folders nested too deep at '%s'", dir);
		return false;
	}
	bool ok = true, failed = false;
	const char *name;
	while (ok && (name = fsys_dir_next(d, &failed, why)) != NULL) {
		struct fsys_info info;
		if (!fsys_join(path, sizeof path, dir, name) || !fsys_lstat_at(d, name, &info, why)) {
			snprintf(err, errcap, "cannot remove '%s'", name);
			ok = false;
		} else if (info.kind == FSYS_DIR) {
			struct fsys_dir *sub = fsys_dir_open_at(d, name, why);
			if (!sub) {
				snprintf(err, errcap, "cannot remove '%s': %s", path, why);
				ok = false;
				break;
			}
			ok = remove_below(sub, path, depth + 1, err, errcap);
			fsys_dir_close(sub);
			if (ok && !fsys_remove_dir_at(d, name, why)) {
				snprintf(err, errcap, "cannot remove '%s': %s", path, why);
				ok = false;
			}
		} else if (info.kind != FSYS_MISSING && !fsys_remove_file_at(d, name, why)) {
			snprintf(err, errcap, "cannot remove '%s': %s", path, why);
			ok = false;
		}
	}
	if (ok && failed) {
		snprintf(err, errcap, "cannot read '%s': %s", dir, why);
		ok = false;
	}
	return ok;
}

bool kmscopy_remove_tree(const char *dir, char *err, size_t errcap)
{
	char why[FSYS_ERR_MAX];
	if (errcap > 0)
		err[0] = '\0';
	struct fsys_dir *d = fsys_dir_open_at(NULL, dir, why); /* the set itself: never a link */
	if (!d) {
		snprintf(err, errcap, "cannot read '%s': %s", dir, why);
		return false;
	}
	bool ok = remove_below(d, dir, 0, err, errcap);
	fsys_dir_close(d);
	if (!ok)
		return false;
	if (!fsys_remove_dir(dir, why)) {
		snprintf(err, errcap, "cannot remove '%s': %s", dir, why);
		return false;
	}
	return true;
}

void kmscopy_choose_prune(const struct kms_set *sets, size_t count, size_t keep, int64_t now, bool *remove)
{
	if (keep < 1)
		keep = 1;
	/* Newest first, by repeated selection (a backup folder holds few sets). */
	bool *seen = calloc(count ? count : 1, sizeof *seen);
	size_t kept_good = 0;
	for (size_t i = 0; i < count; i++)
		remove[i] = false;
	if (!seen)
		return; /* remove nothing rather than guess */
	for (size_t i = 0; i < count; i++)
		seen[i] = kms_set_from_future(&sets[i], now); /* left alone */
	for (size_t round = 0; round < count; round++) {
		size_t pick = count;
		for (size_t i = 0; i < count; i++)
			if (!seen[i] && (pick == count || kms_set_newer(&sets[i], &sets[pick])))
				pick = i;
		if (pick == count)
			break;
		seen[pick] = true;
		bool good = sets[pick].manifest_status == KMS_MANIFEST_OK;
		if (kept_good >= keep)
			remove[pick] = true;
		else if (good)
			kept_good++;
	}
	free(seen);
}
