#!/bin/sh
# seeds-fuzz_secret.sh LINUX_BUILD_DIR CORPUS_DIR: password files to start from.
out=$2
mkdir -p "$out"
printf '[config]\r\npwd=KmsPassword123\r\n' >"$out/ini"
printf '; floppy\n[other]\npwd=x\n[ Config ]\n  PWD = two words \n' >"$out/ini-sections"
printf 'Sup3r Secret 15\r\n' >"$out/one-line"
printf '\357\273\277pw\n' >"$out/bom"
printf '[config\npwd=x\n' >"$out/bad-section"
