/**
 * @file config.h
 * @brief The runtime configuration, filled from the boot command line.
 *
 * One kernel_config_t holds every option the boot command line can set.
 * The command line is a list of `key=value` words separated by spaces
 * (a bare `key` means `key=on`). The table of known keys lives in
 * config.c and is the single place a key is declared: the parser, the
 * warning for an unknown key and the book's appendix all read it.
 *
 * The parser is pure code: it never prints directly but reports problems
 * through a callback, so host unit tests can check every warning.
 */
#ifndef KEEL_CONFIG_H
#define KEEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/** @brief What the kernel does when it has nothing more to do, or panics. */
enum config_exit {
	CONFIG_EXIT_HALT = 0, /**< Stop the CPU (real hardware, Bochs). */
	CONFIG_EXIT_QEMU,     /**< Leave QEMU through its isa-debug-exit device with a status. */
	CONFIG_EXIT_REBOOT,   /**< Reset the machine. */
};

/** @brief Where the scheduler's tick comes from (slice 1). */
enum config_tick {
	CONFIG_TICK_AUTO = 0, /**< The local APIC timer if the CPU has one, else the PIT. */
	CONFIG_TICK_PIT,      /**< Always the PIT (to test the fallback). */
};

/** @brief The longest test selection `test=` accepts, including its NUL. */
#define CONFIG_TEST_MAX 128
/** @brief Room for ktest_key=: 32 hex digits and a NUL. */
#define CONFIG_KEY_MAX 33

/** @brief Every option the command line can set. */
typedef struct kernel_config {
	/** `test=`: empty (no tests), "all", "list", or SUITE[.CASE] separated by ','. */
	char test[CONFIG_TEST_MAX];
	/** `monitor=on|off`: start the kernel monitor after boot (test images). */
	bool monitor;
	/** `vga=on|off`: mirror the console on the VGA text screen. */
	bool vga;
	/** `exit=halt|qemu|reboot`: what halting and panics do. */
	enum config_exit exit;
	/** `loglevel=0..3`: 0 warnings only, 1 banner, 2 memory map, 3 debug. */
	unsigned loglevel;
	/** `tick=auto|pit`: the scheduler tick's source (slice 1). */
	enum config_tick tick;
	/** `bench=`: empty (no benchmarks), "all", or names separated by ','. */
	char bench[CONFIG_TEST_MAX];
	/** `ktest_key=HEX`: the grader's key for tagging test results (ktest.h). */
	char ktest_key[CONFIG_KEY_MAX];
} kernel_config_t;

/** @brief The kinds of value a key takes. */
enum config_type {
	CONFIG_BOOL,   /**< on/off, yes/no, true/false, 1/0. */
	CONFIG_STRING, /**< Any word, copied up to its buffer's size. */
	CONFIG_UINT,   /**< A decimal number within [min, max]. */
	CONFIG_ENUM,   /**< One of a list of names. */
};

/** @brief One key the command line knows. */
struct config_key {
	const char *name;         /**< The key, as typed. */
	enum config_type type;    /**< The kind of value. */
	size_t offset;            /**< Where in kernel_config_t the value goes. */
	size_t size;              /**< For CONFIG_STRING: the buffer's size. */
	unsigned min;             /**< For CONFIG_UINT: the smallest value accepted. */
	unsigned max;             /**< For CONFIG_UINT: the largest value accepted. */
	const char *const *names; /**< For CONFIG_ENUM: the NULL-terminated names, in enum order. */
	const char *help;         /**< One line for `help` and the book. */
};

/** @brief The known keys, in the order the book lists them. */
extern const struct config_key config_keys[];
/** @brief How many entries config_keys[] has. */
extern const size_t config_key_count;

/** @brief Receives a warning from the parser, already formatted as one line. */
typedef void (*config_warn_t)(void *ctx, const char *msg);

/**
 * @brief Set @p cfg to the defaults of the build's profile.
 */
void config_defaults(kernel_config_t *cfg);

/**
 * @brief Parse @p cmdline into @p cfg, over the values already there.
 *
 * Words are separated by spaces or tabs. An unknown key, a value of the
 * wrong kind or out of range, or a string too long gets one warning
 * through @p warn (the unknown-key warning lists every known key) and is
 * otherwise ignored: boot always goes on.
 * @param cmdline the command line; NULL is treated as empty.
 * @param warn may be NULL to ignore warnings.
 * @return the number of warnings given. Pure; any context.
 */
int config_parse(kernel_config_t *cfg, const char *cmdline, config_warn_t warn, void *ctx);

/**
 * @brief Describe the current value of @p key in @p cfg into @p buf.
 * @return @p buf. Used by `info` and the GDB helpers' equivalent.
 * (Debug code: test images and the monitor only.)
 */
const char *config_format(const kernel_config_t *cfg, const struct config_key *key, char *buf,
                          size_t size);

/** @brief The configuration of the running kernel, filled once at boot. */
extern kernel_config_t kconfig;

#endif
