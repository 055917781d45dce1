/* kmsdata: offline backup sets of Exchange's Kmsdata folder. Finds the sets
 * in a backup folder (a glob over subfolder names), lists a set's files
 * without following links, dates it (its manifest, else its newest file),
 * and checks it: Kmsmdb.edb sound and offline, every live file present, the
 * manifest still true. Reads and writes the manifest. Never prints or exits. */
#ifndef KMS_KMSDATA_H
#define KMS_KMSDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ese.h"
#include "fsys.h"

#define KMS_DB_NAME       "Kmsmdb.edb"
#define KMS_MANIFEST_NAME "kms-backup.manifest"
#define KMS_FILES_MAX     100000 /* more files in one folder tree is not a Kmsdata */
#define KMS_DEPTH_MAX     32     /* deeper nesting is not a Kmsdata either */
#define KMS_MANIFEST_MAX  (8u << 20)

/* Shell-style glob over one name: '*', '?', '[abc]', '[a-z]', '[!x]';
 * ASCII case-insensitive (Windows names); a leading '.' matches only a
 * pattern that starts with '.', so hidden folders (a backup in progress)
 * never match "*". */
bool kms_glob_match(const char *pattern, const char *name);
/* Is pattern a glob that can match a folder name? False with why (a '['
 * without its ']', an empty range such as 'z-a', a path separator). */
bool kms_glob_check(const char *pattern, char *why, size_t whycap);

struct kms_entry {
	char *path; /* relative, '/'-separated */
	bool is_dir;
	uint64_t size;
	int64_t mtime;
};

/* A folder tree: its files and folders, in walk order. */
struct kms_tree {
	struct kms_entry *items;
	size_t count, cap;
	size_t files;
	uint64_t bytes;
	int64_t newest_mtime; /* of the files; 0 when none */
	size_t skipped;       /* links and special files, never followed */
	char first_skipped[FSYS_PATH_MAX];
	bool failed; /* a subfolder could not be read, or limits hit */
	char error[FSYS_PATH_MAX + FSYS_ERR_MAX + 128];
};

/* List the tree under dir. `exclude` (or NULL) is a top-level name left out
 * (the manifest). Returns false only when dir itself cannot be listed;
 * trouble below it sets tree->failed and error. */
bool kms_tree_walk(const char *dir, const char *exclude, struct kms_tree *tree, char *err, size_t errcap);
void kms_tree_free(struct kms_tree *tree);
/* The entry whose path equals path (ASCII case-insensitive), or NULL. */
const struct kms_entry *kms_tree_find(const struct kms_tree *tree, const char *path);

/* The last second with a four-digit year (9999-12-31T23:59:59Z). */
#define KMS_TIME_MAX 253402300799LL
/* Basic ISO 8601 UTC, as set names use it: "20261121T103000Z". */
void kms_time_iso(int64_t t, char *buf, size_t cap);

struct kms_manifest {
	int64_t time; /* when the copy was taken, Unix seconds UTC */
	char source[FSYS_PATH_MAX];
	char service_state[64];
	struct kms_tree files; /* files only (is_dir false), with sizes */
};

/* Render m as text (see kmsdata.c for the format). Returns the length needed;
 * the text is complete only when that is < cap. */
size_t kms_manifest_format(const struct kms_manifest *m, const struct kms_tree *files, char *buf, size_t cap);
/* Parse manifest text; false with why on anything malformed or incomplete. */
bool kms_manifest_parse(const char *text, size_t len, struct kms_manifest *out, char *why, size_t whycap);
void kms_manifest_free(struct kms_manifest *m);

enum kms_manifest_status {
	KMS_MANIFEST_NONE, /* no manifest: the set is dated by its files */
	KMS_MANIFEST_OK,
	KMS_MANIFEST_BAD,       /* malformed or incomplete */
	KMS_MANIFEST_UNREADABLE /* could not be read (permissions, I/O) */
};
/* Read and parse setdir/KMS_MANIFEST_NAME. */
enum kms_manifest_status kms_manifest_read(const char *setdir, struct kms_manifest *out, char *why,
                                           size_t whycap);
/* Write it atomically (never a torn manifest). */
bool kms_manifest_write(const char *setdir, const struct kms_manifest *m, const struct kms_tree *files,
                        char *err, size_t errcap);

/* A backup set as found on disk. */
struct kms_set {
	char name[FSYS_PATH_MAX]; /* whole, never cut: ties are broken by it */
	char path[FSYS_PATH_MAX];
	struct kms_tree tree;
	bool listed; /* false: the set folder could not be listed (tree.error) */
	enum kms_manifest_status manifest_status;
	struct kms_manifest manifest;
	char manifest_error[FSYS_ERR_MAX + FSYS_PATH_MAX + 128];
	int64_t time; /* the manifest's, else the newest file's */
	bool time_from_manifest;
};

/* True when path names an existing folder (links followed); otherwise err
 * says "'P' does not exist", "'P' is not a folder" or "cannot read 'P': why". */
bool kms_folder_exists(const char *path, char *err, size_t errcap);

/* Names of the subfolders of backup_dir matching pattern, sorted by name.
 * A matching name that is a link (to a folder or not) is no set in this
 * folder: never followed, only counted. False with err when backup_dir
 * cannot be listed. */
struct kms_names {
	char **names;
	size_t count, cap;
	size_t links;                   /* matching names that are links */
	char first_link[FSYS_PATH_MAX]; /* the first of them */
};
bool kms_sets_find(const char *backup_dir, const char *pattern, struct kms_names *out, char *err,
                   size_t errcap);
void kms_names_free(struct kms_names *n);

void kms_set_load(const char *backup_dir, const char *name, struct kms_set *set);
void kms_set_free(struct kms_set *set);

/* A set dated more than this ahead of the clock has no believable date: it
 * was written under a wrong clock (or the clock is wrong now), and is no
 * proof of a recent backup. The hour allows for a file server's clock a
 * little ahead (the event checks' default --clock-slack is an hour too). */
#define KMS_FUTURE_SLACK 3600
bool kms_set_from_future(const struct kms_set *set, int64_t now);
/* "set NAME is dated 20991231T000000Z, 3d ahead of this clock" into buf. */
void kms_set_future_text(const struct kms_set *set, int64_t now, char *buf, size_t cap);
/* Newest first: is a newer than b? The later time; on a tie, the name that
 * sorts last (kms_backup names a set by its time). */
bool kms_set_newer(const struct kms_set *a, const struct kms_set *b);

/* The newest of the loaded sets by kms_set_newer: the one check_kms_backup
 * judges and kms_restore restores by default (one rule for both). Sets not
 * listed, and those marked in skip (NULL: none), are passed over. Returns
 * count when no set is left. */
size_t kms_sets_newest(const struct kms_set *sets, size_t count, const bool *skip);

/* What is wrong with a set, by kind, so a plugin can map kinds to states. */
enum kms_problem {
	KMS_PROBLEM_UNREADABLE,  /* a file or folder of the set could not be read */
	KMS_PROBLEM_NOT_ESE,     /* Kmsmdb.edb is not an ESE database, or is truncated */
	KMS_PROBLEM_NO_DATABASE, /* no Kmsmdb.edb (or the set is empty) */
	KMS_PROBLEM_DAMAGED,     /* header checksum, shadow header, page checksums */
	KMS_PROBLEM_NOT_OFFLINE, /* database not in clean shutdown state */
	KMS_PROBLEM_INCOMPLETE,  /* a live Kmsdata file missing or empty in the set */
	KMS_PROBLEM_MANIFEST,    /* the set no longer matches its manifest */
	KMS_PROBLEM_FUTURE,      /* dated ahead of the clock: not taken as a backup */
};

typedef void (*kms_problem_fn)(void *ctx, enum kms_problem kind, const char *text);

struct kms_check_options {
	bool verify_pages;
	const struct kms_tree *live; /* the live Kmsdata, or NULL */
};

struct kms_set_facts {
	bool db_found;
	struct ese_file_check db;
};

/* Check a loaded set, calling fn once per problem (text names the file). */
void kms_set_check(const struct kms_set *set, const struct kms_check_options *opts, kms_problem_fn fn,
                   void *ctx, struct kms_set_facts *facts);

#endif
