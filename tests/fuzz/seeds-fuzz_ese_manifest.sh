#!/bin/sh
# seeds-fuzz_ese_manifest.sh LINUX_BUILD_DIR CORPUS_DIR: seed the manifest
# fuzz corpus with a well-formed manifest and a few near misses.
corpus=$2
mkdir -p "$corpus"
printf 'kms-backup-manifest 1\ntime 1795257045 20261121T103045Z\nsource C:\\exchsrvr\\kmsdata\nservice STOPPED\nfile 16384 Kmsmdb.edb\nfile 5242880 logs/edb00001.log\nend 2\n' >"$corpus/good"
printf 'kms-backup-manifest 1\ntime 1 19700101T000001Z\nend 0\n' >"$corpus/empty"
printf 'kms-backup-manifest 1\ntime 1 19700101T000001Z\nfile 3 a\nend 2\n' >"$corpus/miscount"
printf 'kms-backup-manifest 1\ntime 253402300799 99991231T235959Z\nend 0\n' >"$corpus/last-second"
printf 'kms-backup-manifest 1\ntime 2099-01-01T00:00:00Z\nend 0\n' >"$corpus/extended-time"
