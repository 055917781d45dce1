/* test_evt.h: the Check suites of the event log part (decoder, file source,
 * query, atomic files), run together by test_evt_main.c. */
#ifndef KMS_TEST_EVT_H
#define KMS_TEST_EVT_H

#include <check.h>

Suite *atomicfile_suite(void);
Suite *evt_record_suite(void);
Suite *evtfile_suite(void);
Suite *evtquery_suite(void);

#endif
