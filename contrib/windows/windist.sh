#!/bin/sh
# windist.sh: `make windows-dist`'s work (contrib/windows/windows.am says what
# the package holds and where README's --help texts come from).
#   windist.sh SRCDIR NAME HOST_CPU STRIP RUN HELP_DIR PROGRAM.exe...
# RUN "auto": wine when it is on PATH and the programs are x86_64.
set -u
srcdir=$1 name=$2 cpu=$3 strip=$4 run=$5 help_dir=$6
shift 6
case $cpu in
x86_64) arch=win64 ;;
*) arch=win32 ;;
esac
if [ "$run" = auto ]; then
	run=
	[ "$arch" = win64 ] && command -v wine >/dev/null 2>&1 && run=wine
fi
zip=$name-$arch.zip
out=windist/$name
crlf() { awk '{ sub(/\r$/, ""); printf "%s\r\n", $0 }' "$@"; }
fail() {
	echo "windows-dist: $*" >&2
	exit 1
}

rm -rf windist "$zip"
mkdir -p "$out" windist/help || fail "cannot make windist/"
for p in "$@"; do
	n=$(basename "$p" .exe)
	cp "$p" "$out/" || fail "no $p: run make first"
	if [ -n "$help_dir" ]; then
		cp "$help_dir/$n.txt" windist/help/ || fail "no $help_dir/$n.txt"
	elif [ -n "$run" ]; then
		$run "$p" --help </dev/null 2>/dev/null | tr -d '\r' >"windist/help/$n.txt"
		grep -q '^Usage:' "windist/help/$n.txt" || fail "$n --help printed no usage under $run"
	fi
done
if [ -n "$strip" ]; then
	$strip "$out"/*.exe || fail "$strip failed"
fi
for f in install.cmd uninstall.cmd; do
	crlf "$srcdir/contrib/windows/$f" >"$out/$f" || fail "cannot copy $f"
done
# The NSClient++ 0.3.x configuration, when the tree has one.
if [ -f "$srcdir/contrib/nsclient/NSC.ini" ]; then
	crlf "$srcdir/contrib/nsclient/NSC.ini" >"$out/NSC.ini" || fail "cannot copy NSC.ini"
fi
version=${name##*-}
{
	sed -e "s/@VERSION@/$version/g" -e "s/@ARCH@/$arch, $cpu/g" "$srcdir/contrib/windows/README.txt.in"
	for p in "$@"; do
		n=$(basename "$p" .exe)
		printf '\n--- %s --help\n\n' "$n"
		if [ -s "windist/help/$n.txt" ]; then
			cat "windist/help/$n.txt"
		else
			echo "Run $n --help: this package was made where it could not be run."
		fi
	done
} | crlf >"$out/README.txt"
ls windist/help/*.txt >/dev/null 2>&1 || echo "windows-dist: README.txt has no --help texts (no WINDIST_RUN or WINDIST_HELP_DIR)" >&2
(cd windist && zip -q -r -X "../$zip" "$name") || fail "zip failed"
echo "windows-dist: $zip"
