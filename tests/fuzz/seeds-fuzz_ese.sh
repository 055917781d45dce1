#!/bin/sh
# seeds-fuzz_ese.sh LINUX_BUILD_DIR CORPUS_DIR: seed the ESE fuzz corpus with
# esegen databases (every page size, states, each kind of damage), kept small.
build=$1 corpus=$2
gen=$build/tests/tools/esegen
mkdir -p "$corpus"
[ -x "$gen" ] || exit 0
for size in 2048 4096 8192; do
	"$gen" "$corpus/seed-$size" page-size=$size pages=2
done
for args in state=2 damage=header damage=shadow damage=shadow-differs damage=signature damage=page:2 damage=pagenum:3 damage=truncate:5000 type=1 empty=2; do
	"$gen" "$corpus/seed-$(echo "$args" | tr '=:' '--')" pages=2 $args
done
