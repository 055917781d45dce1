/* text: the one ASCII case-insensitive comparison of the suite, for the
 * names Windows compares without case (services, event sources, files,
 * state names). Only A-Z fold: other bytes, UTF-8 included, compare as they
 * are, so '@' is never '`'. */
#ifndef KMS_TEXT_H
#define KMS_TEXT_H

#include <stdbool.h>

/* 'A'-'Z' as 'a'-'z'; every other byte unchanged. */
int text_fold(int c);

/* strcmp without case: < 0, 0, > 0. */
int text_casecmp(const char *a, const char *b);

bool text_equal_nocase(const char *a, const char *b);
bool text_starts_nocase(const char *text, const char *prefix);
/* An empty needle is in every haystack. */
bool text_contains_nocase(const char *haystack, const char *needle);

#endif
