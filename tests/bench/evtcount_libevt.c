/* evtcount_libevt: the peer in the benchmark: counts Event 5058 of source
 * MSExchangeKMS in a .evt file (optionally generated at or after a time)
 * with libevt. Built by bench_events.sh only, never part of the product. */
#include <libevt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: evtcount_libevt FILE.evt [SINCE_UNIX_TIME]\n");
		return 2;
	}
	uint32_t since = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 0;
	libevt_file_t *file = NULL;
	libevt_error_t *error = NULL;
	int n = 0;
	if (libevt_file_initialize(&file, &error) != 1 ||
	    libevt_file_open(file, argv[1], LIBEVT_OPEN_READ, &error) != 1 ||
	    libevt_file_get_number_of_records(file, &n, &error) != 1) {
		libevt_error_fprint(error, stderr);
		return 2;
	}
	unsigned long count = 0;
	for (int i = n - 1; i >= 0; i--) {
		libevt_record_t *record = NULL;
		if (libevt_file_get_record_by_index(file, i, &record, &error) != 1) {
			libevt_error_fprint(error, stderr);
			return 2;
		}
		uint32_t id = 0, created = 0;
		uint8_t source[256] = "";
		libevt_record_get_event_identifier(record, &id, &error);
		libevt_record_get_creation_time(record, &created, &error);
		libevt_record_get_utf8_source_name(record, source, sizeof source, &error);
		if ((id & 0xFFFF) == 5058 && created >= since &&
		    strcasecmp((char *)source, "MSExchangeKMS") == 0)
			count++;
		libevt_record_free(&record, &error);
	}
	libevt_file_close(file, &error);
	libevt_file_free(&file, &error);
	printf("%lu\n", count);
	return 0;
}
