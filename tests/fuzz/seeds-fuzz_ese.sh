#!/bin/sh
# seeds-fuzz_ese.sh LINUX_BUILD_DIR CORPUS_DIR: seed the ESE fuzz corpus with
# esegen databases (every page size, states, each kind of damage), kept small.
build=$1 corpus=$2
gen=$build/tests/tools/esegen
mkdir -p "$corpus"
[ -x "$gen" ] || exit 0
# esegen writes at least 24 data pages (a database's backup catalog is page
# 24); this target decodes headers and page checksums, so each seed keeps
# its first four pages (header, shadow, two data pages): small inputs, fast runs.
seed() { # NAME KEEP_BYTES ESEGEN_ARGS...
	name=$1 keep=$2
	shift 2
	"$gen" "$corpus/$name.full" "$@" && head -c "$keep" "$corpus/$name.full" >"$corpus/$name"
	rm -f "$corpus/$name.full"
}
for size in 2048 4096 8192; do
	seed "seed-$size" $((4 * size)) page-size=$size
done
for args in state=2 damage=header damage=shadow damage=shadow-differs damage=signature damage=page:2 damage=pagenum:3 damage=truncate:5000 type=1 empty=2; do
	seed "seed-$(echo "$args" | tr '=:' '--')" 16384 $args
done
