/* kmscopy: the portable half of the offline backup: copy a Kmsdata tree
 * into a new folder, verify the copy (sizes, Kmsmdb.edb clean and whole),
 * remove a folder tree, and choose which old sets to prune. Work stops
 * early, with a reason, when the program's deadline comes within reserve_ms
 * (time kept for restarting the service). Never prints, never exits. */
#ifndef KMS_KMSCOPY_H
#define KMS_KMSCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsdata.h"

/* Hidden (never a set, see kms_glob_match) working folder name prefix, and
 * the prefix of finished sets. */
#define KMSCOPY_PARTIAL_PREFIX ".kmsdata-partial-"
#define KMSCOPY_SET_PREFIX     "kmsdata-"

/* Create, exclusively, a new working folder in backup_dir named
 * KMSCOPY_PARTIAL_PREFIX<stamp>, or <stamp>-2, -3, ... while another run
 * holds that name; its path into path. The caller made it, so the caller
 * alone may remove it: a run never removes another run's copy. */
bool kmscopy_make_partial(const char *backup_dir, const char *stamp, char *path, size_t cap, char *err,
                          size_t errcap);

/* Copy every folder and file of `src` (listed in *tree) into `dst`, an
 * empty folder the caller made; files keep their modification times. */
bool kmscopy_tree(const char *src, const struct kms_tree *tree, const char *dst, long reserve_ms, char *err,
                  size_t errcap);

/* Verify dst against the source listing: every file there with its size,
 * and Kmsmdb.edb with a sound header, clean shutdown state and every page
 * checksum right. */
bool kmscopy_verify(const char *dst, const struct kms_tree *tree, long reserve_ms, char *err, size_t errcap);

/* Remove dir and everything below it (links are removed, never followed). */
bool kmscopy_remove_tree(const char *dir, char *err, size_t errcap);

/* Of the sets (loaded, any order), mark the ones to remove so that the
 * `keep` newest sets with a valid manifest stay, and every set newer than
 * the last of those. The newest good set is never marked (keep >= 1). A
 * set dated in the future (kms_set_from_future at now) is no proof of a
 * backup: it takes no place among the kept and is never marked. */
void kmscopy_choose_prune(const struct kms_set *sets, size_t count, size_t keep, int64_t now, bool *remove);

#endif
