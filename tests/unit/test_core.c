/* test_core: runs the core's Check suites (ranges, output, options, text). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

void unit_capture_stdout(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

int main(void)
{
	SRunner *sr = srunner_create(range_suite());
	srunner_add_suite(sr, plugin_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, text_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
