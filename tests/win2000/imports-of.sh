# imports-of.sh, sourced by the import checks: imports_of OBJDUMP EXE prints
# every function EXE imports by name as "DLL:Function", the DLL in capitals.
imports_of() {
	"$1" -p "$2" | awk '
		/^[[:space:]]*DLL Name:/ { dll = toupper($3); next }
		dll != "" && /^[[:space:]]+[0-9a-f]+[[:space:]]+[0-9]+[[:space:]]+[A-Za-z_]/ { print dll ":" $3 }'
}
