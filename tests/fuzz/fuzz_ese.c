/* fuzz_ese: libFuzzer target for the ESE decoders: the header page (and
 * its shadow, when the input holds two pages) and every page checksum of
 * the input read as a database, all over the exact input buffer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ese.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ese_header header, shadow;
	char name[32];
	enum ese_header_status s = ese_header_decode(data, size, &header);
	ese_header_status_text(s);
	ese_state_name(header.db_state, name, sizeof name);
	if (s != ESE_HEADER_OK && s != ESE_HEADER_BAD_CHECKSUM)
		return 0;
	size_t page = header.page_size;
	if (size >= page)
		ese_header_decode(data + page, size - page, &shadow);
	for (size_t off = 2 * page, index = 2; off < size; off += page, index++)
		ese_page_verify(data + off, size - off < page ? size - off : page, index);
	return 0;
}
