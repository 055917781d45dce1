/* evtdump: prints every record of .evt files through the project's file
 * source, newest first, in the format of evtgen's .expected files, so
 * scripts can compare them with the fixture writer and with libevt. */
#include <stdio.h>
#include <string.h>

#include "evtfile.h"

static const char usage[] = "Usage: evtdump FILE.evt...\n"
                            "Prints every record of each .evt file, newest first, one a line:\n"
                            "number, time generated, id, type, source, strings ('|' between them).\n";

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "evtdump: unknown option '%s'\n%s", argv[i], usage);
			return 2;
		}
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char err[1024];
		struct evt_source *src = evtfile_open(argv[i], err, sizeof err);
		if (!src) {
			printf("ERROR: %s\n", err);
			status = 1;
			continue;
		}
		struct evt_record r;
		enum evt_next got;
		while ((got = evt_source_next(src, &r)) == EVT_NEXT_RECORD) {
			char source[256], text[1024];
			evt_record_source(&r, source, sizeof source);
			printf("%u\t%u\t%u\t%u\t%s\t", r.record_number, r.time_generated, r.event_id,
			       r.event_type, source);
			for (unsigned s = 0; s < r.num_strings; s++) {
				evt_record_string(&r, s, text, sizeof text);
				printf("%s%s", s ? "|" : "", text);
			}
			printf("\n");
		}
		if (src->note[0])
			printf("NOTE: %s\n", src->note);
		if (got == EVT_NEXT_ERROR) {
			printf("ERROR: %s\n", src->error);
			status = 1;
		}
		evt_source_close(src);
	}
	return status;
}
