/*
 * string_check.c - the string functions only debug code uses.
 *
 * The monitor parses its command lines with them, and the test and
 * benchmark runners match their selections; the kernel proper never
 * searches a string. Like every *_check.c file this one is linked into
 * test images only (see the Makefile), so a production kernel carries
 * none of it. Slice 0 ("boot").
 */
#include <keel/string.h>
#include <stdint.h>

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || *a == '\0')
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return 0;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n == 0 ? (char *)haystack : 0;
}

/* Parse a hexadecimal address with or without 0x; false if malformed. */
bool parse_hex(const char *s, uintptr_t *out)
{
	uintptr_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		int d = (*s >= '0' && *s <= '9')   ? *s - '0'
		        : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
		        : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10
		                                   : -1;
		if (d < 0 || v > (UINTPTR_MAX >> 4))
			return false;
		v = v << 4 | (uintptr_t)d;
	}
	*out = v;
	return true;
}
