/* unit.h: the Check suites of the core (ranges, output, options, text, UTC
 * dates, what the suite knows of the KMS) and a helper to capture what a
 * forked test prints to stdout before it exits. */
#ifndef KMS_UNIT_H
#define KMS_UNIT_H

#include <check.h>

Suite *range_suite(void);
Suite *plugin_suite(void);
Suite *options_suite(void);
Suite *text_suite(void);

/* Send this process's stdout to a file named by path, for exit tests whose
 * output the parent then reads back (see test_options.c). */
void unit_capture_stdout(const char *path);

#endif
