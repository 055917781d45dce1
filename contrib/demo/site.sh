# site.sh: the demo site, shared by contrib/demo/demo.sh and tests/e2e: a
# live Kmsdata folder, exported Application and System logs (.evt), offline
# backup sets (one fresh, made by kms_backup; one stale) and the KMS
# password file. Source it; needs KMS_LINUX_BUILD (evtgen, esegen, kms_backup).
# Wine records no events, so the SCM events Windows logs for a hung start are
# written here with evtgen (site_log_hung_start); Event 5058 is appended by
# the stand-in KM service itself when it finds Kmsdata damaged.

SITE_PASSWORD=${SITE_PASSWORD:-Kms-Demo-Pw-2000}
SITE_SERVICE_DISPLAY="Microsoft Exchange Key Management Server"

site_tool() { # NAME: a Linux build program (plugins/ or tests/tools/)
	for st in "$KMS_LINUX_BUILD/plugins/$1" "$KMS_LINUX_BUILD/tests/tools/$1"; do
		[ -x "$st" ] && {
			echo "$st"
			return 0
		}
	done
	echo "site.sh: $1 is not built in $KMS_LINUX_BUILD" >&2
	return 1
}

# site_record AGE SOURCE ID TYPE STRINGS: one evtgen record line.
site_record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# site_write_log SITE NAME: (re)write logs/NAME.evt from logs/NAME.records.
site_write_log() {
	"$(site_tool evtgen)" "$1/logs/$2.evt" <"$1/logs/$2.records" >/dev/null
}

# site_kmsdata DIR: a sound live Kmsdata folder (clean shutdown database).
site_kmsdata() {
	mkdir -p "$1" &&
		"$(site_tool esegen)" "$1/Kmsmdb.edb" state=3 pages=8 &&
		printf 'checkpoint\n' >"$1/edb.chk" &&
		printf 'KM database log records\n' >"$1/edb00001.log"
}

# site_build SITE: the whole healthy site.
site_build() {
	mkdir -p "$1/logs" "$1/backup" "$1/backup-stale" || return 1
	chmod 755 "$1" "$1/logs" "$1/backup" "$1/backup-stale"
	site_kmsdata "$1/Kmsdata" || return 1
	{
		site_record 3d "MSExchangeIS" 1000 information "Microsoft Exchange Information Store started"
		site_record 3d "MSExchangeKMS" 5000 information "Key Management Server started"
		site_record 2h "MSExchangeIS" 1001 information "Online backup finished"
	} >"$1/logs/AppEvent.records"
	{
		site_record 3d "Service Control Manager" 7036 information "$SITE_SERVICE_DISPLAY|running"
		site_record 2h "Service Control Manager" 7036 information "Microsoft Exchange Information Store|running"
	} >"$1/logs/SysEvent.records"
	site_write_log "$1" AppEvent && site_write_log "$1" SysEvent || return 1
	printf '[config]\npwd=%s\n' "$SITE_PASSWORD" >"$1/kmspwd.ini"
	chmod 600 "$1/kmspwd.ini"
	# A fresh offline backup, taken the way the seed article says (here the
	# database is already offline, so no service is stopped).
	"$(site_tool kms_backup)" --no-service -k "$1/Kmsdata" -d "$1/backup" >"$1/kms_backup.out" || return 1
	# kms_backup writes its manifest for its own user only (0600); the
	# monitoring user (nagios, under NRPE) must read the sets.
	chmod -R a+rX "$1/backup"
	# A set nobody refreshed for ten days.
	site_kmsdata "$1/backup-stale/kmsdata-old" &&
		touch -d "@$(($(date +%s) - 10 * 86400))" "$1/backup-stale/kmsdata-old"/*
}

# site_log_hung_start SITE: the SCM events of a start without the password
# (Q263718): the service did not connect in 30 s, did not respond in a
# timely fashion, and hung on starting.
site_log_hung_start() {
	{
		site_record 0 "Service Control Manager" 7009 error "30000|$SITE_SERVICE_DISPLAY"
		site_record 0 "Service Control Manager" 7000 error "$SITE_SERVICE_DISPLAY|%%1053"
		site_record 0 "Service Control Manager" 7022 error "$SITE_SERVICE_DISPLAY"
	} >>"$1/logs/SysEvent.records"
	site_write_log "$1" SysEvent
}

# site_damage_kmsdata SITE: what Q190698 describes: the KM database broken.
site_damage_kmsdata() {
	"$(site_tool esegen)" "$1/Kmsdata/Kmsmdb.edb" state=3 pages=8 damage=signature
}
