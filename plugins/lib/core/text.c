/* text: ASCII case folding and the comparisons built on it. */
#include "text.h"

#include <string.h>

int text_fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int text_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = text_fold((unsigned char)*a), cb = text_fold((unsigned char)*b);
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

bool text_equal_nocase(const char *a, const char *b)
{
	return text_casecmp(a, b) == 0;
}

bool text_starts_nocase(const char *text, const char *prefix)
{
	for (; *prefix; text++, prefix++)
		if (text_fold((unsigned char)*text) != text_fold((unsigned char)*prefix))
			return false;
	return true;
}

bool text_contains_nocase(const char *haystack, const char *needle)
{
	for (const char *h = haystack;; h++) {
		if (text_starts_nocase(h, needle))
			return true;
		if (!*h)
			return false;
	}
}
