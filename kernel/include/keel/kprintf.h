/**
 * @file kprintf.h
 * @brief The kernel's printf: formatted output to every console.
 *
 * kprintf() formats with the engine of fmt.h (kernel/lib/fmt.c), whose
 * conversions it shares, and hands each character to the consoles. This
 * header includes fmt.h, so a file that prints into a buffer with
 * ksnprintf() needs only this one.
 */
#ifndef KEEL_KPRINTF_H
#define KEEL_KPRINTF_H

#include <keel/fmt.h>

/**
 * @brief Print to every console (serial and VGA).
 * @return the number of characters printed. Any context; output from
 *         concurrent callers may interleave.
 */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** @brief kprintf() taking a va_list. */
int kvprintf(const char *fmt, va_list ap);

#endif
