/**
 * @file console.h
 * @brief The console: where kernel text goes and where monitor input comes from.
 *
 * A console is a list of sinks. The arch layer registers its devices at
 * boot (on x86 the 16550 serial port and the VGA text screen); every
 * character written goes to every sink. Input is polled from the sinks
 * that can read. The list is fixed-size, so writing never allocates.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>

/** @brief A console device. */
struct console_sink {
	const char *name;     /**< Short name for reports ("serial"). */
	void (*putc)(char c); /**< Write one character; '\n' means new line. */
	int (*getc)(void);    /**< Read one character, or -1 if none is waiting; may be NULL. */
};

/** @brief The most sinks a console can have. */
#define CONSOLE_MAX_SINKS 4

/**
 * @brief Add @p sink to the console. Boot only, before other CPUs run.
 * @return KEEL_OK, KEEL_ERR_INVALID for a NULL sink or one without putc,
 *         KEEL_ERR_NO_MEMORY when CONSOLE_MAX_SINKS are registered.
 */
kstatus_t console_register(const struct console_sink *sink);

/**
 * @brief Turn the sink called @p name on or off (for `vga=off`).
 * @return KEEL_OK, or KEEL_ERR_NOT_FOUND if no sink has that name.
 */
kstatus_t console_enable(const char *name, bool on);

/** @brief Write @p len bytes of @p s to every sink. Any context. */
void console_write(const char *s, size_t len);

/** @brief Write one character to every sink. Any context. */
void console_putc(char c);

/**
 * @brief Wait for one input character from any sink that can read.
 * Polls until one arrives, calling the poll-wait function between polls;
 * only the monitor calls this.
 */
char console_getc(void);

/**
 * @brief Set what console_getc() does between polls: by default the CPU
 * spins (arch_cpu_relax()); once threads exist, the caller sleeps, so
 * lower-priority threads run while the monitor waits for a key.
 */
void console_set_poll_wait(void (*wait)(void));

#endif
