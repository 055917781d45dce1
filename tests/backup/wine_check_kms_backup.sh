#!/bin/sh
# check_kms_backup.exe under Wine: the Windows file layer (FindFirstFileW
# listing, file times, sizes, wide paths) gives the same answers as Linux:
# ages from file times, no set, missing folder, dirty and damaged databases,
# a manifest mismatch, pages. Env as for wine_kms_backup.sh.
. "$top_srcdir/tests/lib/harness.sh"
runner=${RUNNER:-wine}
check=$top_builddir/plugins/check_kms_backup.exe
esegen=${KMS_LINUX_BUILD:?KMS_LINUX_BUILD must name the Linux build}/tests/tools/esegen
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-check-wine.XXXXXX")
trap 'rm -rf "$work"' EXIT
now=$(date +%s)
w() { winepath -w "$1" 2>/dev/null; }
mkset() { # DIR NAME AGE_SECONDS [esegen args]
	d=$1/$2 age=$3
	shift 3
	mkdir -p "$d/logs"
	"$esegen" "$d/Kmsmdb.edb" pages=6 "$@"
	printf 'log records' >"$d/logs/edb00001.log"
	find "$d" -type f -exec touch -d "@$((now - age))" {} +
}
ck() { # NAME STATUS PATTERN DIR [ARGS]
	name=$1 status=$2 pattern=$3 dir=$4
	shift 4
	t_expect "$name" "$status" "$pattern" $runner "$check" -d "$(w "$dir")" "$@"
}

mkdir "$work/empty"
ck "no set (Windows)" 2 "^KMS_BACKUP CRITICAL - no offline backup of Kmsdata in Z:" "$work/empty"
ck "missing folder (Windows)" 3 "^KMS_BACKUP UNKNOWN - --backup-dir: '.*nowhere' does not exist" "$work/nowhere"
mkset "$work/good" kmsdata-1 7200
ck "a sound set, aged from its file times (Windows)" 0 "^KMS_BACKUP OK - newest set kmsdata-1 is 2h( [0-9]+m)? old, 2 files, [0-9.]+ KB, database clean shutdown \| age=7[0-9]{3}s;691200;1296000;0; files=2;;;0; size=[0-9]+B;;;0; sets=1;;;0;" "$work/good"
mkset "$work/old" kmsdata-1 $((10 * 86400))
ck "a 10-day-old set warns (Windows)" 1 "^KMS_BACKUP WARNING - newest set kmsdata-1 is 10d( [0-9]+h)? old, .*older than 8d" "$work/old"
mkset "$work/dirty" kmsdata-1 60 state=2
ck "a dirty database is CRITICAL (Windows)" 2 "Kmsmdb.edb database state is dirty shutdown, not clean shutdown: the copy was not taken offline" "$work/dirty"
mkset "$work/hdr" kmsdata-1 60 damage=header
ck "header damage is CRITICAL (Windows)" 2 "Kmsmdb.edb header has a bad checksum" "$work/hdr"
mkset "$work/page" kmsdata-1 60 damage=page:10
ck "page damage with --verify-pages (Windows)" 2 "1 of 24 pages damaged \(first: page 9, bad checksum\)" "$work/page" --verify-pages
mkset "$work/cut" kmsdata-1 60
head -c 40960 "$work/cut/kmsdata-1/Kmsmdb.edb" >"$work/cut.edb" && mv "$work/cut.edb" "$work/cut/kmsdata-1/Kmsmdb.edb"
ck "a database cut at a page boundary is truncated (Windows, --verify-pages)" 2 "Kmsmdb.edb is truncated: page 24 \(the backup catalog\) is past the end of the file \(8 pages\)" "$work/cut" --verify-pages
mkset "$work/trunc" kmsdata-1 60 damage=truncate:6000
ck "a truncated database is CRITICAL (Windows)" 2 "^KMS_BACKUP CRITICAL - .*Kmsmdb.edb is truncated" "$work/trunc"
mkset "$work/man" kmsdata-1 60
printf 'kms-backup-manifest 1\ntime %s %s\nsource C:\\exchsrvr\\kmsdata\nservice STOPPED\nfile 1 Kmsmdb.edb\nfile 11 logs/edb00001.log\nend 2\n' $((now - 3600)) "$(date -u -d "@$((now - 3600))" +%Y%m%dT%H%M%SZ)" >"$work/man/kmsdata-1/kms-backup.manifest"
ck "a manifest mismatch, subfolder paths with '/' (Windows)" 2 "^KMS_BACKUP CRITICAL - Kmsmdb.edb in set kmsdata-1 is [0-9]+ bytes, the manifest says 1" "$work/man"
t_summary
