#!/bin/sh
# Cross-check of the ESE fixture writer (esegen) with libesedb's esedbinfo
# (Debian libesedb-utils): esedbinfo opens esegen's databases and prints the
# format and page size esegen wrote; it rejects a damaged header or shadow
# checksum and a wrong signature, as our reader does. What esedbinfo does
# not show (database state) or check (page checksums) is not claimed here.
. "$top_srcdir/tests/lib/harness.sh"
esegen=$top_builddir/tests/tools/esegen$EXEEXT
check=$top_builddir/plugins/check_kms_backup$EXEEXT
if ! command -v esedbinfo >/dev/null 2>&1; then
	echo "esedbinfo not installed (Debian libesedb-utils): cross-check skipped"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-esedbinfo.XXXXXX")
trap 'rm -rf "$work"' EXIT

for size in 4096 8192; do
	"$esegen" "$work/db-$size.edb" pages=24 page-size=$size
	t_expect "esedbinfo opens an esegen database ($size-byte pages)" 0 "Current format:[[:space:]]+0x620,9" esedbinfo "$work/db-$size.edb"
	t_expect "esedbinfo reads the page size esegen wrote ($size)" 0 "Page size:[[:space:]]+$size bytes" esedbinfo "$work/db-$size.edb"
	t_expect "esedbinfo sees a database file ($size)" 0 "File type:[[:space:]]+Database" esedbinfo "$work/db-$size.edb"
	mkdir -p "$work/sets-$size/kmsdata-1"
	cp "$work/db-$size.edb" "$work/sets-$size/kmsdata-1/Kmsmdb.edb"
	t_expect "our reader agrees: the same file is sound ($size)" 0 "^KMS_BACKUP OK .*database clean shutdown" "$check" -d "$work/sets-$size" --verify-pages
done
"$esegen" "$work/dirty.edb" pages=24 state=2
t_expect "esedbinfo opens a dirty-shutdown database too (state is ours to judge)" 0 "Current format:[[:space:]]+0x620,9" esedbinfo "$work/dirty.edb"
"$esegen" "$work/header.edb" pages=24 damage=header
t_expect "esedbinfo rejects the damaged header checksum" 1 "mismatch in file header checksum" esedbinfo "$work/header.edb"
"$esegen" "$work/shadow.edb" pages=24 damage=shadow
t_expect "esedbinfo rejects the damaged shadow checksum" 1 "mismatch in file header checksum" esedbinfo "$work/shadow.edb"
"$esegen" "$work/sig.edb" pages=24 damage=signature
t_expect "esedbinfo rejects a wrong signature" 1 "unsupported file signature" esedbinfo "$work/sig.edb"
# A database cut short at a page boundary: esedbinfo cannot open it (it
# reads the database root, page 1, and the catalogs, pages 4 and 24), and
# --verify-pages calls it truncated. (esedbinfo does open a file short of
# the pages its space tree owns, or with used pages zeroed: it checks
# neither; those are t_check_kms_backup.sh's alone.)
"$esegen" "$work/fifty.edb" pages=50
for cut in 8192 12288 40960; do
	head -c $cut "$work/fifty.edb" >"$work/cut-$cut.edb"
	t_expect "esedbinfo cannot open a database cut at $cut bytes" 1 "unable to open" esedbinfo "$work/cut-$cut.edb"
	mkdir -p "$work/cutsets-$cut/kmsdata-1"
	cp "$work/cut-$cut.edb" "$work/cutsets-$cut/kmsdata-1/Kmsmdb.edb"
	t_expect "our reader agrees: cut at $cut bytes is truncated" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated: " "$check" -d "$work/cutsets-$cut" --verify-pages
done
t_summary
