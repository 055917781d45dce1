#!/bin/sh
# build-deb.sh OUTDIR [ZIPDIR]: build the exchange-kms-plugins .deb from a
# clean copy of this tree (the committed files when it is a git checkout,
# else the tree without _build), with contrib/debian as its debian/, by
# `dpkg-buildpackage -b -us -uc`, then run lintian on it (errors and
# warnings fail). Windows zips (exchange-kms-plugins-*-win*.zip) found in
# ZIPDIR travel in /usr/share/exchange-kms-plugins/windows/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
zips=${2:-}
version=$(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
[ -n "$version" ] || { echo "build-deb: no version in configure.ac" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/exchange-kms-plugins-$version
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z | (cd "$top" && tar --null -T - -cf -) | tar -C "$src" -xf -
else
	(cd "$top" && tar --exclude=./_build --exclude=./.git -cf - .) | tar -C "$src" -xf -
fi
cp -R "$src/contrib/debian" "$src/debian"
rm -f "$src/debian/build-deb.sh"
cat >"$src/debian/changelog" <<CHANGELOG
exchange-kms-plugins ($version) unstable; urgency=medium

  * Built from the project's tree by contrib/debian/build-deb.sh.

 -- exchange-kms-plugins developers <exchange-kms-plugins@example.org>  $(date -R)
CHANGELOG
if [ -n "$zips" ]; then
	for z in "$zips"/exchange-kms-plugins-*-win*.zip; do
		[ -f "$z" ] || continue
		mkdir -p "$src/windows" && cp "$z" "$src/windows/"
	done
fi
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/dpkg-buildpackage.log" 2>&1 ||
	{ tail -30 "$out/dpkg-buildpackage.log"; exit 1; }
deb=$(ls "$work"/exchange-kms-plugins_"$version"_*.deb)
cp "$deb" "$out/"
lintian --fail-on error,warning "$out/${deb##*/}" >"$out/lintian.log" 2>&1 || { cat "$out/lintian.log"; exit 1; }
echo "$out/${deb##*/}"
