/* kmsrestore: the portable half of restoring Kmsdata from an offline backup
 * set (article Q190698's remedy): judge the sets as check_kms_backup does
 * and choose one, plan the names beside Kmsdata, copy the set into a hidden
 * sibling and verify it, swap it in by two renames (undone when the second
 * fails), and find what a killed restore left. Kmsdata is never written in
 * place: a kill leaves the old folder or the restored one, never a mix.
 * Never prints, never exits. */
#ifndef KMS_KMSRESTORE_H
#define KMS_KMSRESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsdata.h"

/* Beside Kmsdata: "<base>.damaged-<stamp>" (the damaged folder, kept), and
 * the hidden copy ".<base>.restore-<stamp>" while it is written, renamed to
 * ".<base>.restore-<stamp>.ready" once verified. */
#define KMSRESTORE_DAMAGED_TAG ".damaged-"
#define KMSRESTORE_COPY_TAG    ".restore-"
#define KMSRESTORE_READY_TAG   ".ready"

#define KMSRESTORE_TEXT_MAX 1024

/* A set as --list shows it and the choice sees it. */
struct kmsrestore_set {
	struct kms_set set;
	struct kms_set_facts facts;
	bool sound;  /* no problem at all (kms_set_check, every page verified) */
	bool future; /* dated after now */
	size_t problems;
	char first_problem[KMSRESTORE_TEXT_MAX];
};

struct kmsrestore_sets {
	struct kmsrestore_set *items;
	size_t count;
	size_t *order; /* newest first, by kms_sets_newest */
};

/* Load and judge every set in backup_dir (the subfolders check_kms_backup
 * sees with its default pattern). False with err when backup_dir cannot be
 * read. */
bool kmsrestore_sets_load(const char *backup_dir, int64_t now, struct kmsrestore_sets *out, char *err,
                          size_t errcap);

/* The set to restore when none is named: the newest sound one. Newer sets
 * that are not sound are passed over (listed in why); a set dated in the
 * future before it stops the choice (the clock or the set is wrong: the
 * admin must name a set). Returns the index, or count with why. */
size_t kmsrestore_choose(const struct kmsrestore_sets *s, char *why, size_t whycap);

/* Is name a set name (one plain subfolder name, no separator, not "..",
 * not hidden)? False with why. */
bool kmsrestore_set_name_ok(const char *name, char *why, size_t whycap);

/* The names a restore uses, all in Kmsdata's parent folder. */
struct kmsrestore_plan {
	char kmsdata[FSYS_PATH_MAX];
	char parent[FSYS_PATH_MAX];
	char base[256];
	char stamp[32]; /* basic ISO 8601 UTC */
	char copy[FSYS_PATH_MAX];
	char ready[FSYS_PATH_MAX];
	char damaged[FSYS_PATH_MAX];
};
bool kmsrestore_plan_make(const char *kmsdata, int64_t now, struct kmsrestore_plan *p, char *err,
                          size_t errcap);

/* What a killed restore may have left beside Kmsdata. */
struct kmsrestore_leftovers {
	bool kmsdata_missing;
	size_t copies; /* hidden copies (unfinished or ready) */
	size_t ready;  /* of them, verified and ready to swap in */
	char first_copy[FSYS_PATH_MAX];
	char first_ready[FSYS_PATH_MAX];
};
bool kmsrestore_leftovers_find(const struct kmsrestore_plan *p, struct kmsrestore_leftovers *out, char *err,
                               size_t errcap);
/* Remove every hidden copy beside Kmsdata (only while Kmsdata is in place). */
bool kmsrestore_leftovers_remove(const struct kmsrestore_plan *p, char *err, size_t errcap);

/* Copy the set's files (never its manifest) into p->copy, verify the copy
 * (the listing with every size, the manifest, Kmsmdb.edb in clean shutdown
 * state with every page checksum right), then rename it to p->ready. On
 * failure the copy is removed (err says if it could not be). */
bool kmsrestore_prepare(const struct kms_set *set, const struct kmsrestore_plan *p, long reserve_ms,
                        char *err, size_t errcap);

enum kmsrestore_swap {
	KMSRESTORE_SWAPPED,     /* Kmsdata is the restored copy; the damaged folder beside it */
	KMSRESTORE_NOT_MOVED,   /* the first rename failed: Kmsdata as it was */
	KMSRESTORE_ROLLED_BACK, /* the second failed: the damaged folder is Kmsdata again */
	KMSRESTORE_STUCK        /* and so did the rollback: err names both folders */
};
/* Kmsdata -> p->damaged, then ready -> Kmsdata. */
enum kmsrestore_swap kmsrestore_swap(const struct kmsrestore_plan *p, const char *ready, char *err,
                                     size_t errcap);

/* Extended ISO 8601 UTC for people: "2026-11-20T03:00:00Z". */
void kmsrestore_time_text(int64_t t, char *buf, size_t cap);

/* A test build's way to stop at a step (NULL: none, the default). */
typedef void (*kmsrestore_step_fn)(const char *step);
void kmsrestore_set_step_hook(kmsrestore_step_fn fn);
void kmsrestore_step(const char *step);

#endif
