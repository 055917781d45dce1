#!/bin/sh
# Cross-builds popt for a mingw-w64 host from Debian's popt source package.
# popt is not packaged for mingw; its code is fetched with `apt-get source`
# at build time (never committed), patched for two POSIX-only spots, and
# installed as a static library with a pkg-config file under PREFIX.
# usage: build-popt-mingw.sh HOST PREFIX   (e.g. x86_64-w64-mingw32 _build/popt-x86_64)
set -eu
host=$1
prefix=$2
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

if [ -f "$prefix/lib/pkgconfig/popt.pc" ] && [ -f "$prefix/lib/libpopt.a" ]; then
	echo "popt for $host already in $prefix"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/popt-mingw.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Debian's source package, through a private APT configuration.
sh "$(dirname "$0")/apt-source.sh" popt "$work"

cd "$work"
tar xf popt_*.orig.tar.*
src=$(find . -maxdepth 1 -type d -name 'popt-*' | head -n 1)
cd "$src"

# Portability fix 1: the terminal width ioctl does not exist on Windows.
sed -i 's/^#define[[:space:]]*POPT_USE_TIOCGWINSZ/#ifndef _WIN32\n#define POPT_USE_TIOCGWINSZ\n#endif/' src/popthelp.c
# Portability fix 2: execCommand's set-id privilege check has no meaning on
# Windows (no getuid/geteuid); no set-id programs exist there.
sed -i 's/if (getuid() != geteuid() || getgid() != getegid()) {/if (0) { \/* no set-id programs on Windows *\//' src/popt.c

./configure --host="$host" --prefix="$prefix" --disable-shared --enable-static \
	--disable-nls >"$work/configure.log" 2>&1 || { tail -40 "$work/configure.log"; exit 1; }
make -C src -j2 >"$work/make.log" 2>&1 || { tail -40 "$work/make.log"; exit 1; }
make -C src install >>"$work/make.log" 2>&1 || { tail -40 "$work/make.log"; exit 1; }
mkdir -p "$prefix/lib/pkgconfig"
make install-pkgconfigDATA >>"$work/make.log" 2>&1 || cp popt.pc "$prefix/lib/pkgconfig/"
echo "popt for $host installed in $prefix"
