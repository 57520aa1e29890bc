/**
 * @file panic.h
 * @brief Stopping the kernel when something impossible happened.
 *
 * panic() is for states the kernel cannot continue from. It prints the
 * reason, the CPU registers and a symbolised backtrace, then does what
 * `exit=` asks: halts, leaves QEMU with KEEL_EXIT_PANIC (the test harness
 * recognises this) or reboots. assert() checks an invariant; it is
 * compiled in by the DEV and HARDENED profiles and is empty in STANDARD.
 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <stdint.h>

struct arch_regs;

/**
 * @brief Report the reason, registers and backtrace, then stop. Never returns.
 * Any context; interrupts are disabled first. A panic during a panic
 * prints a short line and halts at once.
 */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/**
 * @brief panic() for a trap: use the registers and frame pointer the CPU saved.
 * @param regs the interrupted context (arch layout), or NULL to capture here.
 */
__attribute__((noreturn, format(printf, 2, 3))) void panic_regs(const struct arch_regs *regs,
                                                                const char *fmt, ...);

/**
 * @brief Print a symbolised backtrace of the frame chain that starts at @p fp.
 * Any context; never faults (the walk checks every frame it follows).
 */
void backtrace_print(uintptr_t fp);

/** @brief Called by assert() when its expression is false. Never returns. */
__attribute__((noreturn)) void assert_failed(const char *file, int line, const char *func,
                                             const char *expr);

#if KEEL_ASSERTS
/** @brief Panic with file, line, function and expression when @p e is false. */
#define assert(e) ((e) ? (void)0 : assert_failed(__FILE__, __LINE__, __func__, #e))
#else
#define assert(e) ((void)sizeof(e))
#endif

/**
 * @brief Prints what was running when a panic happened (one line), or NULL.
 * Later slices set it: slice 1 names the current thread. Slice 0 has none.
 */
extern void (*panic_describe_context)(void);

/** @brief True while a panic is being reported (its output must not be interleaved). */
extern volatile int panic_in_progress;

#endif
