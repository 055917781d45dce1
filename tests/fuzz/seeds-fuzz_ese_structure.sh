#!/bin/sh
# seeds-fuzz_ese_structure.sh LINUX_BUILD_DIR CORPUS_DIR: seed the ESE
# structure fuzz corpus with esegen databases of 2 KiB pages (the least a
# database holds, 24 pages: 52 KiB), sound, cut short and damaged.
build=$1 corpus=$2
gen=$build/tests/tools/esegen
mkdir -p "$corpus"
[ -x "$gen" ] || exit 0
for args in pages=24 pages=30 empty=2 empty=3 empty=5 damage=pagenum:3 damage=pagenum:5 damage=truncate:20480 \
	damage=truncate:49152 revision=0x0c; do
	"$gen" "$corpus/seed-$(echo "$args" | tr '=:' '--')" page-size=2048 $args
done
