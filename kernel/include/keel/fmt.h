/**
 * @file fmt.h
 * @brief The formatting engine (kernel/lib/fmt.c): printf formats into
 * characters, and into buffers.
 *
 * The engine (kfmt_format()) is pure code: it turns a format and its
 * arguments into characters handed one at a time to a sink, and knows
 * nothing about consoles. ksnprintf() formats into a buffer; kprintf()
 * (kprintf.h) sends the characters to every console. Host unit tests
 * compile the engine alone.
 *
 * Conversions: %c %s %d %i %u %x %X %p %%, with the flags '-' (left
 * justify) and '0' (zero pad), a field width (digits or '*'), a precision
 * for strings (".N" or ".*") and the length modifiers l, ll and z. Widths
 * and precisions above 4096 are treated as 4096. Unlike C, a precision on
 * an integer is ignored and a NULL %s prints "(null)" (cut by precision).
 * A conversion the engine does not know is printed as it stands, so a
 * typo shows up in the output instead of swallowing arguments.
 */
#ifndef KEEL_FMT_H
#define KEEL_FMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Receives each character the engine produces. */
typedef void (*kfmt_sink_t)(void *ctx, char c);

/**
 * @brief Format @p fmt with @p ap, handing each character to @p sink.
 * @return the number of characters produced. Any context; no locks.
 */
int kfmt_format(kfmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

/** @brief Buffer size fmt_number() needs: 64 binary digits and a NUL. */
#define FMT_NUM_MAX 65

/**
 * @brief Write the digits of @p value in @p base (2..16) into @p buf.
 *
 * Most significant digit first, NUL-terminated, no sign or prefix; zero
 * is written as "0". @p buf holds FMT_NUM_MAX bytes.
 * @return the number of digits written. Pure.
 */
int fmt_number(char *buf, uint64_t value, unsigned base, bool upper);

/**
 * @brief Format into @p buf, which holds @p size bytes (C99 snprintf).
 *
 * The result is always NUL-terminated when @p size > 0.
 * @return the length the full result would have had; a value >= @p size
 *         means the output was truncated. Any context.
 */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** @brief ksnprintf() taking a va_list. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
