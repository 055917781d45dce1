#!/bin/sh
# apt-source.sh PACKAGE DIR: download Debian's source package PACKAGE (its
# .dsc, orig and debian tarballs) into DIR through a private APT
# configuration with a deb-src line of this system's suite, so the machine's
# own APT sources stay untouched. Used by the scripts that build a Debian
# package's source at build time (build-popt-mingw.sh, build-nrpe-args.sh);
# nothing fetched is ever committed. Prints APT's log and fails when APT does.
set -eu
package=$1
dir=$2
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mkdir -p "$dir/apt/lists/partial"
echo "deb-src http://deb.debian.org/debian $suite main" >"$dir/apt/sources.list"
apt_opts="-o Dir::Etc::sourcelist=$dir/apt/sources.list -o Dir::Etc::sourceparts=/nonexistent -o Dir::State::Lists=$dir/apt/lists -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -q $apt_opts update >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log"; exit 1; }
# shellcheck disable=SC2086
(cd "$dir" && apt-get -q $apt_opts source --download-only "$package" >>"$dir/apt.log" 2>&1) ||
	{ cat "$dir/apt.log"; exit 1; }
