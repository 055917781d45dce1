/* exchsetup, POSIX: no Exchange here, so no default live Kmsdata folder;
 * check_kms_backup then checks completeness only when --kmsdata is given. */
#include "exchsetup.h"

bool exchsetup_kmsdata_dir(char *buf, size_t cap)
{
	if (cap > 0)
		buf[0] = '\0';
	return false;
}
