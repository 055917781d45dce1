#!/bin/sh
# seeds-fuzz_evt_file.sh LINUX_BUILD CORPUS_DIR: .evt files of every shape
# from the fixture writer (clean, padded, split record, split EOF record,
# dirty, without EOF record, with a stale header start), small enough for the fuzzer to mutate.
build=$1
corpus=$2
gen=$build/tests/tools/evtgen
mkdir -p "$corpus"
i=0
records() {
	n=0
	while [ $n -lt 12 ]; do
		printf '%dm\tMSExchangeKMS\t%d\terror\tstring %d|x\t%s\n' $((60 - n)) $((5057 + n % 3)) $n \
			"$([ $((n % 4)) = 0 ] && echo sid=12 || echo data=$((n % 5)))"
		n=$((n + 1))
	done
}
for opts in "" "--size 700 --want padding" "--size 700 --want split-record" "--size 700 --want split-eof" \
	"--size 700 --want eof-at-start" "--dirty --size 700 --want split-record" \
	"--dirty --no-eof --size 700 --want padding" "--no-eof" "--no-eof --stale-start 6" \
	"--dirty --no-eof --stale-start 2 --size 700 --want split-record"; do
	# shellcheck disable=SC2086
	records | "$gen" --now 1700000000 $opts "$corpus/seed$i.evt" && rm -f "$corpus/seed$i.expected"
	i=$((i + 1))
done
