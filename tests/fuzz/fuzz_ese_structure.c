/* fuzz_ese_structure: libFuzzer target for the ESE structure check
 * (esetree): the input is a whole database file in memory, read through
 * the same page source interface as a file; the page size is the header's
 * when it decodes, else the smallest. Pages are judged both with and
 * without page numbers (the old and the newer checksum format). */
#include <stddef.h>
#include <stdint.h>

#include "ese.h"
#include "esetree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ese_header header;
	enum ese_header_status s = ese_header_decode(data, size, &header);
	uint32_t page_size =
	    s == ESE_HEADER_OK || s == ESE_HEADER_BAD_CHECKSUM ? header.page_size : ESE_PAGE_SIZE_MIN;
	struct ese_memory m;
	struct ese_source src;
	struct ese_structure out;
	for (int numbered = 0; numbered < 2; numbered++) {
		ese_source_memory(&src, &m, data, size, page_size, numbered != 0);
		ese_structure_check(&src, &out);
	}
	return 0;
}
