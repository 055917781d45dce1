#!/bin/sh
# seeds-fuzz_evt_record.sh LINUX_BUILD CORPUS_DIR: single records cut out
# of fixture files (the first record starts at byte 48; its first word is
# its length), and a whole small file.
build=$1
corpus=$2
gen=$build/tests/tools/evtgen
tmp=$corpus/tmp.evt
mkdir -p "$corpus"
i=0
for rec in 'MSExchangeKMS\t5058\terror\t-\tdata=16' 'MSExchangeKMS\t5057\terror\tbad password' \
	'Service Control Manager\t0xC0001B58\terror\tMicrosoft Exchange Key Management Server|%%1053' \
	'Security\t560\taudit-success\t-\tsid=28' 'S\t1\tinformation\ta|b|c|d\tsid=12,data=3'; do
	printf "1h\\t$rec\\n" | "$gen" --now 1700000000 "$tmp" || continue
	len=$(od -An -tu4 -j48 -N4 "$tmp" | tr -d ' ')
	dd if="$tmp" of="$corpus/record$i" bs=1 skip=48 count="$len" 2>/dev/null
	i=$((i + 1))
done
mv "$tmp" "$corpus/file.evt"
rm -f "$corpus/tmp.expected"
