/* deadline_probe: parses the common options, arms the deadline, then blocks
 * reading stdin (a FIFO or pipe that never delivers). The deadline must end
 * it with "KMS_PROBE <STATE> - timed out after N s" within the timeout.
 * Built for Linux and Windows; the tests run it natively and under Wine. */
#include <stdio.h>

#include "options.h"
#include "plugin.h"

static const struct program_info probe_info = {
    .name = "PROBE",
    .progname = "deadline_probe",
    .purpose = "Blocks reading standard input until its timeout ends it (a test of the deadline).",
    .flags = OPTS_THRESHOLDS | OPTS_HOSTNAME,
};

int main(int argc, char **argv)
{
	struct common_options common;
	options_parse(argc, argv, &probe_info, NULL, &common);
	char buf[64];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	plugin_exit(STATE_OK, "standard input ended before the deadline");
}
