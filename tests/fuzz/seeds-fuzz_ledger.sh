#!/bin/sh
# seeds-fuzz_ledger.sh LINUX_BUILD_DIR CORPUS_DIR: ledgers to start from.
out=$2
mkdir -p "$out"
printf '# ledger\nrestart 1763719200 soft\nstarted 1763719230\nrecovered 1763719290\n' >"$out/ledger"
printf 'restart 5 hard\nrestart 3 soft\n\n' >"$out/unordered"
