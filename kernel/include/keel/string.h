/**
 * @file string.h
 * @brief The few C string and memory functions the freestanding kernel uses.
 *
 * They follow the C standard's contracts. The compiler may also emit calls
 * to memcpy, memset, memmove and memcmp on its own, so they must exist.
 */
#ifndef KEEL_STRING_H
#define KEEL_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

/**
 * @brief Copy @p src into @p dst of @p size bytes, always NUL-terminated.
 * @return strlen(src); a value >= size means @p src was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
