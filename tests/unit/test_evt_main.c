/* test_evt_main: runs the event log part's Check suites (atomic files,
 * record decoder, file source, query). */
#include <stdlib.h>

#include "test_evt.h"

int main(void)
{
	SRunner *sr = srunner_create(atomicfile_suite());
	srunner_add_suite(sr, evt_record_suite());
	srunner_add_suite(sr, evtfile_suite());
	srunner_add_suite(sr, evtquery_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
