#!/bin/sh
# nt4-msvcrt-from-def.sh MSVCRT_DEF_IN: prints, one per line, the export names
# of mingw-w64's mingw-w64-crt/lib-common/msvcrt.def.in in its first list,
# "symbols available in the original Microsoft Visual C++ 4.2 version of
# msvcrt.dll / Same set of symbols are available in Windows NT 4.0 OS system
# version of msvcrt.dll", up to the next list ("added in Microsoft Visual C++
# 5.0 SP1 ... not available ... in Windows NT 4.0"). How nt4-msvcrt.list was
# made; kept so the list can be made again from a newer copy of the file.
# An i386 import name: F_I386(x), F_X86_ANY(x) or a bare x; "a == b" is
# imported as b (the DLL's name); "; x ; replaced by emu" lines are in the DLL
# too (mingw-w64 only links its own copy). DATA and @N suffixes are dropped.
awk '
/^; This is list of symbols available in the original Microsoft Visual C\+\+ 4.2/ { on = 1; next }
on && /^; These symbols were added in/ { exit }
!on { next }
/^; [A-Za-z_][A-Za-z0-9_]*( ;)? replaced by emu/ { print $2; next }
/^;/ || /^$/ || /^#/ { next }
/^F_(NON_I386|X64|ARM|ARM32|ARM64|NON_X86|ARM_ANY)\(/ { next }
{
	line = $0
	sub(/[ \t]*;.*/, "", line)
	if (match(line, /^F_(I386|X86_ANY|NON_X64|NON_ARM64)\(/)) {
		line = substr(line, RLENGTH + 1)
		sub(/\)[^)]*$/, "", line)
	}
	sub(/ F_NON_I386\(.*$/, "", line)
	if (line ~ / == /) { n = split(line, p, / == /); line = p[n] }
	sub(/[ \t]*F_[A-Z0-9_]+\(DATA\)$/, "", line)
	sub(/[ \t]+DATA$/, "", line)
	sub(/@[0-9]+$/, "", line)
	gsub(/[ \t]/, "", line)
	if (line != "") print line
}' "$1" | sort -u
