#!/bin/sh
# demo.sh: the suite's main job on the bundled demo site. Run by
# `./quickstart demo` with KMS_LINUX_BUILD and KMS_WIN64_BUILD set.
# It grows with the suite; until a program lands, the demo shows the first
# line of each built program's --help.
set -u
linux=${KMS_LINUX_BUILD:?}
win=${KMS_WIN64_BUILD:?}
echo "exchange-kms-plugins demo"
echo
for prog in check_kms_events check_kms_startup check_kms_backup kms_backup; do
	if [ -x "$linux/plugins/$prog" ]; then
		printf '%-20s %s\n' "$prog" "$("$linux/plugins/$prog" --help | head -n 2 | tail -n 1)"
	else
		printf '%-20s %s\n' "$prog" "(not built yet)"
	fi
done
for prog in check_kms_service handle_kms_restart; do
	if [ -f "$win/plugins/$prog.exe" ]; then
		printf '%-20s %s\n' "$prog" "(Windows) $(WINEDEBUG=-all wine "$win/plugins/$prog.exe" --help 2>/dev/null | head -n 2 | tail -n 1)"
	else
		printf '%-20s %s\n' "$prog" "(not built yet)"
	fi
done
echo
echo "Core build OK: $(ls "$linux"/tests/tools/deadline_probe) and $(ls "$win"/tests/tools/deadline_probe.exe)"
