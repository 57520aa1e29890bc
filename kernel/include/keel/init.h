/**
 * @file init.h
 * @brief How a slice hooks its start-up into boot without boot knowing it.
 *
 * A slice declares `KEEL_INIT(level, fn)` in one of its files; the macro
 * puts an entry in the `.keel_init` linker section, and kernel_main()
 * runs every entry, lowest level first, after the banner. With only slice
 * 0 built the section is empty, so slice 0 never names a later slice:
 * this is the seam that lets `make SLICES=N` build every prefix.
 */
#ifndef KEEL_INIT_H
#define KEEL_INIT_H

#include <stdbool.h>

#include <stdint.h>

/** @brief Start-up levels, run in this order. */
enum init_level {
	INIT_TRAPS = 10,  /**< Interrupt and exception tables, controllers masked (slice 1). */
	INIT_MEMORY = 15, /**< Frames, paging, the kernel heap, guarded stacks (slice 2). */
	INIT_SCHED = 20,  /**< Threads and the scheduler; the boot flow becomes a thread. */
	INIT_TIME = 30,   /**< Clocks calibrated, the tick started, interrupts on. */
	INIT_LATE = 90,   /**< Everything that needs the above. */
};

/** @brief One start-up function, as KEEL_INIT() records it. */
struct init_entry {
	const char *name; /**< The function's name, for the boot log. */
	uint32_t level;   /**< enum init_level. */
	void (*fn)(void); /**< The function. */
};

/** @brief Run @p fn at start-up level @p lvl. */
#define KEEL_INIT(lvl, fn)                                                                         \
	__attribute__((used, section(".keel_init"),                                                \
	               aligned(4))) static const struct init_entry init_entry_##fn = {#fn, lvl,    \
	                                                                              fn}

/**
 * @brief Run every KEEL_INIT() entry, level by level. Called once, by
 * kernel_main(); with `loglevel=3` each call is logged.
 */
void init_run_all(void);

/**
 * @brief Called, when set, as the kernel finishes (after the tests, the
 * benchmarks or the monitor, or after a panic report, before it halts or
 * leaves QEMU). The coverage build sets it to print its counters;
 * nothing else does.
 */
extern void (*kernel_finish_hook)(void);

/**
 * @brief Called, when set, once start-up is done, before the monitor runs
 * (@p monitor) or the kernel finishes; not in test or benchmark runs.
 * Slice 3 sets it to wait for the root task: until user space has settled
 * (every user thread waits) when the monitor is to run, or until the root
 * task ends otherwise.
 */
extern void (*kernel_running_hook)(bool monitor);

#endif
