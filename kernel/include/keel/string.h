/**
 * @file string.h
 * @brief The few C string and memory functions the freestanding kernel uses.
 *
 * They follow the C standard's contracts. The compiler may also emit calls
 * to memcpy, memset, memmove and memcmp on its own, so they must exist.
 */
#ifndef KEEL_STRING_H
#define KEEL_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief Copy @p n bytes from @p src to @p dst; the two must not overlap.
 * @return @p dst. Any context.
 */
void *memcpy(void *dst, const void *src, size_t n);

/**
 * @brief Copy @p n bytes from @p src to @p dst; the two may overlap.
 * @return @p dst. Any context.
 */
void *memmove(void *dst, const void *src, size_t n);

/**
 * @brief Fill @p n bytes at @p dst with the byte value @p c.
 * @return @p dst. Any context.
 */
void *memset(void *dst, int c, size_t n);

/**
 * @brief Compare @p n bytes of @p a and @p b as unsigned chars.
 * @return 0 if equal, else negative or positive as the first differing
 *         byte of @p a is smaller or larger. Any context.
 */
int memcmp(const void *a, const void *b, size_t n);

/** @brief The length of the NUL-terminated string @p s. Any context. */
size_t strlen(const char *s);

/**
 * @brief The length of @p s, but at most @p max: never reads past
 * @p s[max - 1], so it is safe on a buffer that may lack its NUL.
 */
size_t strnlen(const char *s, size_t max);

/**
 * @brief Compare two NUL-terminated strings as unsigned chars.
 * @return 0 if equal, else negative or positive like memcmp(). Any context.
 */
int strcmp(const char *a, const char *b);

/**
 * @brief strcmp() on at most the first @p n characters. Any context.
 * (Debug code: test images and the monitor only.)
 */
int strncmp(const char *a, const char *b, size_t n);

/**
 * @brief The first occurrence of the character @p c in @p s.
 * @return a pointer into @p s, or NULL if absent. Searching for '\0'
 *         returns the terminator. Any context. (Debug code: test images
 *         and the monitor only.)
 */
char *strchr(const char *s, int c);

/**
 * @brief The first occurrence of @p needle in @p haystack.
 * @return a pointer into @p haystack, @p haystack itself for an empty
 *         needle, or NULL if absent. Any context. (Debug code: test
 *         images and the monitor only.)
 */
char *strstr(const char *haystack, const char *needle);

/**
 * @brief Copy @p src into @p dst of @p size bytes, always NUL-terminated.
 * @return strlen(src); a value >= size means @p src was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/**
 * @brief Parse a hexadecimal number, with or without "0x", into @p out.
 * @return false (and @p out untouched) if @p s is empty, has a non-hex
 *         digit or does not fit a uintptr_t. (Debug code: test images and
 *         the monitor only.)
 */
bool parse_hex(const char *s, uintptr_t *out);

#endif
