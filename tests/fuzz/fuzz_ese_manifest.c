/* fuzz_ese_manifest: libFuzzer target for the backup manifest parser
 * (kmsdata.h), the other text kms_backup and check_kms_backup decode; a
 * parsed manifest is formatted again and must parse to the same files and
 * the same time. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kms_manifest m, again;
	char why[256];
	if (kms_manifest_parse((const char *)data, size, &m, why, sizeof why)) {
		size_t need = kms_manifest_format(&m, &m.files, NULL, 0) + 1;
		char *text = malloc(need);
		if (text) {
			size_t len = kms_manifest_format(&m, &m.files, text, need);
			/* Paths with a newline cannot come back; everything else must. */
			if (kms_manifest_parse(text, len, &again, why, sizeof why) &&
			    (again.files.files != m.files.files || again.time != m.time))
				abort();
			kms_manifest_free(&again);
			free(text);
		}
	}
	kms_manifest_free(&m);
	return 0;
}
