#!/bin/sh
# The Debian package of the monitoring host's side, end to end: built from
# a clean copy of the tree by contrib/debian/build-deb.sh
# (dpkg-buildpackage -b -us -uc, lintian without errors or warnings),
# installed with dpkg -i, an installed plugin and its manual used, the
# installed Nagios command definitions accepted by `nagios4 -v` and the
# installed Icinga 2 CheckCommands (include <plugins-contrib>) by
# `icinga2 daemon -C` with contrib's templates and services from
# /usr/share/doc, then dpkg -r and -P leaving nothing behind. Windows zips
# in $KMS_WIN_ZIPS (make windows-dist) travel with it. Needs root.
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/e2e/lib-e2e.sh"
. "$top_srcdir/tests/e2e/lib-nagios.sh"
. "$top_srcdir/tests/e2e/lib-icinga.sh"
e2e_setup deb
pkg=exchange-kms-plugins
plugindir=/usr/lib/nagios/plugins
doc=/usr/share/doc/$pkg/examples

if [ "$(id -u)" -ne 0 ] || ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null; then
	e2e_not_run "the Debian package" "needs root, dpkg-buildpackage and lintian"
	t_summary
	exit
fi
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
	e2e_not_run "the Debian package" "$pkg is installed already: not touching it"
	t_summary
	exit
fi
# Whatever happens, the machine is left without the package.
deb_cleanup() {
	dpkg -P "$pkg" >/dev/null 2>&1
	e2e_cleanup
}
trap deb_cleanup EXIT

if deb=$(sh "$top_srcdir/contrib/debian/build-deb.sh" "$e2e_dir/deb" "${KMS_WIN_ZIPS:-}" 2>&1); then
	t_pass "dpkg-buildpackage -b -us -uc from a clean copy; lintian: no errors, no warnings"
else
	t_fail "the .deb builds and passes lintian" "$(printf '%s\n' "$deb" | tail -n 15)"
	t_summary
	exit
fi
deb=$(printf '%s\n' "$deb" | tail -n 1)
contents=$(dpkg-deb -c "$deb")
missing=""
for f in "$plugindir/check_kms_events" "$plugindir/check_kms_startup" "$plugindir/check_kms_backup" \
	"$plugindir/kms_backup" /usr/share/man/man1/check_kms_backup.1.gz /etc/nagios-plugins/config/exchange-kms.cfg \
	/usr/share/icinga2/include/plugins-contrib.d/exchange-kms.conf "$doc/nsclient/NSC.ini" \
	"$doc/nagios/kms-templates.cfg" "$doc/icinga2/kms-services.conf" /usr/share/doc/$pkg/README.md; do
	printf '%s\n' "$contents" | grep -q " \.$f\$" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	t_pass "the package holds the programs, manuals, command definitions, NSC.ini and README"
else
	t_fail "the package holds what it should" "missing:$missing"
fi
zips=$(ls "${KMS_WIN_ZIPS:-/nonexistent}"/$pkg-*-win*.zip 2>/dev/null | wc -l)
shipped=$(printf '%s\n' "$contents" | grep -c "/usr/share/$pkg/windows/$pkg-.*-win.*\.zip\$")
if [ -n "${KMS_WIN_ZIPS:-}" ] && [ "$zips" -eq 0 ]; then
	t_fail "the Windows zips are given" "none in $KMS_WIN_ZIPS (quickstart check makes them before the e2e)"
elif [ "$zips" -eq "$shipped" ]; then
	t_pass "Windows zips shipped in /usr/share/$pkg/windows: $shipped (of $zips given)"
else
	t_fail "every Windows zip given is shipped" "$zips given, $shipped in the package"
fi

if dpkg -i "$deb" >"$e2e_dir/dpkg-i.out" 2>&1; then
	t_pass "dpkg -i installs it"
else
	t_fail "dpkg -i installs it" "$(tail -n 5 "$e2e_dir/dpkg-i.out")"
	t_summary
	exit
fi
t_expect "the installed check_kms_backup runs: a missing folder is one UNKNOWN line naming it" 3 \
	"^KMS_BACKUP UNKNOWN - --backup-dir: '$e2e_dir/none' does not exist\$" "$plugindir/check_kms_backup" -d "$e2e_dir/none"
if man -w check_kms_backup 2>/dev/null | grep -q '^/usr/share/man/man1/check_kms_backup.1.gz$'; then
	t_pass "man check_kms_backup finds the installed manual"
else
	t_fail "man check_kms_backup finds the installed manual" "$(man -w check_kms_backup 2>&1)"
fi

# Nagios 4: the installed command definitions, the examples' templates and
# services, a host. No copy of contrib/nagios/kms-commands.cfg.
nagios_site_basics >"$e2e_dir/site.cfg"
cat >>"$e2e_dir/site.cfg" <<EOF_SITE
define host {
    use                 kms-server
    host_name           kms1
    address             192.0.2.10
}
EOF_SITE
n=$e2e_dir/nagios
nagios_render "$n" "$plugindir" "$e2e_dir/site.cfg"
rm -f "$n"/objects/kms-*.cfg
cp "$doc/nagios/kms-templates.cfg" "$doc/nagios/kms-services.cfg" "$n/objects/"
echo "cfg_file=/etc/nagios-plugins/config/exchange-kms.cfg" >>"$n/nagios.cfg"
if nagios_verify "$n" && grep -q 'Checked 4 services' "$n/verify.out"; then
	t_pass "nagios4 -v accepts the installed command definitions with the examples (4 services)"
else
	t_fail "nagios4 -v accepts the installed command definitions" "$(nagios_verify_errors "$n")"
fi

# Icinga 2: include <plugins-contrib> finds the installed CheckCommands; no
# copy of contrib/icinga2/kms-commands.conf.
cat >"$e2e_dir/site.conf" <<EOF_SITE
object Host "kms1" {
  address = "192.0.2.10"
  check_command = "dummy"
  vars.kms_server = true
  vars.nrpe_version_2 = true
  vars.nrpe_no_ssl = true
  vars.kms_backup_dir = "/srv/kms/backup"
}
EOF_SITE
i=$e2e_dir/icinga
icinga_render "$i" "$plugindir" "$e2e_dir/site.conf"
rm -f "$i"/etc/contrib/*.conf
cp "$doc/icinga2/kms-templates.conf" "$doc/icinga2/kms-services.conf" "$i/etc/contrib/"
sed -i 's/^include <plugins>$/include <plugins>\ninclude <plugins-contrib>/' "$i/etc/icinga2.conf"
if icinga_verify "$i" && grep -q 'Instantiated 4 Services' "$i/verify.out"; then
	t_pass "icinga2 daemon -C: include <plugins-contrib> finds the installed commands (4 services)"
else
	t_fail "icinga2 daemon -C with the installed commands" "$(icinga_verify_errors "$i")"
fi

if dpkg -r "$pkg" >"$e2e_dir/dpkg-r.out" 2>&1 && [ ! -e "$plugindir/check_kms_backup" ] &&
	[ ! -e /usr/share/icinga2/include/plugins-contrib.d/exchange-kms.conf ] && [ ! -e /usr/share/doc/$pkg ] &&
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'config-files'; then
	t_pass "dpkg -r removes the programs, commands and documents (the conffile stays until purge)"
else
	t_fail "dpkg -r removes it" "$(tail -n 3 "$e2e_dir/dpkg-r.out")" "$(dpkg-query -W -f='${Status}' "$pkg" 2>&1)"
fi
if dpkg -P "$pkg" >/dev/null 2>&1 && [ ! -e /etc/nagios-plugins/config/exchange-kms.cfg ] &&
	! dpkg-query -W "$pkg" >/dev/null 2>&1; then
	t_pass "dpkg -P leaves nothing behind"
else
	t_fail "dpkg -P leaves nothing behind" "$(ls -l /etc/nagios-plugins/config/exchange-kms.cfg 2>&1)"
fi
t_summary
