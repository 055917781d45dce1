#!/bin/sh
# Builds the NRPE daemon from Debian's own nagios-nrpe source package with
# --enable-command-args, for the end-to-end tests' NSClient++ 0.3.9
# stand-in (tests/e2e/nsclient-standin.sh): Debian's nagios-nrpe-server is
# built without it (its README.Debian), so it refuses the event handler's
# arguments whatever dont_blame_nrpe says. The code is fetched with
# `apt-get source` at build time (never committed), Debian's patches applied
# and autoreconf run as Debian's build does (debian/rules: dh with
# AUTOHEADER=true; patch 11 ships a fixed dh.h instead of generating one),
# configured as debian/rules does plus --enable-command-args, and only the
# daemon installed: PREFIX/sbin/nrpe.
# usage: build-nrpe-args.sh PREFIX   (e.g. _build/nrpe-args)
set -eu
prefix=$1
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

if [ -x "$prefix/sbin/nrpe" ]; then
	echo "NRPE with command arguments already in $prefix"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nrpe-args.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Debian's source package, through a private APT configuration.
sh "$(dirname "$0")/apt-source.sh" nagios-nrpe "$work"

cd "$work"
tar xf nagios-nrpe_*.orig.tar.*
tar xf nagios-nrpe_*.debian.tar.*
src=$(find . -maxdepth 1 -type d -name 'nrpe-*' | head -n 1)
cd "$src"
# Debian's patches, in the order of its series (quilt format 3.0).
while read -r patch; do
	case $patch in '' | '#'*) continue ;; esac
	patch -p1 -s <"../debian/patches/$patch" || { echo "Debian patch $patch does not apply"; exit 1; }
done <../debian/patches/series
AUTOHEADER=true autoreconf -fi >"$work/autoreconf.log" 2>&1 || { tail -20 "$work/autoreconf.log"; exit 1; }

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --enable-ssl \
	--with-ssl-lib="/usr/lib/$multiarch" --enable-command-args >"$work/configure.log" 2>&1 ||
	{ tail -40 "$work/configure.log"; exit 1; }
grep -q '^#define ENABLE_COMMAND_ARGUMENTS 1' include/config.h || { echo "configure did not enable command arguments"; exit 1; }
make -C src nrpe >"$work/make.log" 2>&1 || { tail -40 "$work/make.log"; exit 1; }
mkdir -p "$prefix/sbin"
cp src/nrpe "$prefix/sbin/nrpe.tmp"
mv "$prefix/sbin/nrpe.tmp" "$prefix/sbin/nrpe"
echo "NRPE $(basename "$src" | sed 's/^nrpe-nrpe-//') with command arguments installed in $prefix"
