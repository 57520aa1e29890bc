/**
 * @file arch.h
 * @brief What every architecture port provides to the generic kernel.
 *
 * Generic code in kernel/ includes this header and never an arch-private
 * one. A port (today arch/x86/) implements each function below; a second
 * port implements the same list and needs no change to kernel/.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/kprintf.h>
#include <stddef.h>
#include <stdint.h>

struct arch_regs;

/**
 * @brief Exit codes for a machine that can report one (QEMU's isa-debug-exit).
 *
 * QEMU exits with status 2 * code + 1, so these give 33, 35 and 37: far
 * from the 0 of a reset under -no-reboot and the 1 of QEMU's own errors,
 * so the harness can never mistake one for the other.
 */
enum keel_exit {
	KEEL_EXIT_PASS = 0x10,  /**< Everything asked of the kernel succeeded. */
	KEEL_EXIT_FAIL = 0x11,  /**< A test failed. */
	KEEL_EXIT_PANIC = 0x12, /**< The kernel panicked. */
};

/** @brief The architecture's name ("i386"). */
extern const char arch_name[];

/** @brief Stop this CPU for good: interrupts off, halt in a loop. */
__attribute__((noreturn)) void arch_halt(void);

/** @brief Reset the machine. Falls back to arch_halt() if the reset fails. */
__attribute__((noreturn)) void arch_reboot(void);

/**
 * @brief Leave the emulator with @p code (enum keel_exit) if it has an
 * exit device, else halt. Only used when the command line says `exit=qemu`.
 */
__attribute__((noreturn)) void arch_machine_exit(int code);

/** @brief Print the CPU's vendor, model and feature flags, one line each. */
void arch_cpu_describe(void);

/**
 * @brief Print the registers in @p regs. If @p regs is NULL, print the
 * current registers, but with the program counter and frame pointer of
 * the frame @p fp (the function being reported, such as panic()'s caller).
 */
void arch_regs_print(const struct arch_regs *regs, uintptr_t fp);

/** @brief The frame pointer saved in @p regs, or the caller's if NULL. */
uintptr_t arch_regs_frame(const struct arch_regs *regs);

/** @brief The program counter saved in @p regs, or 0 if NULL. */
uintptr_t arch_regs_pc(const struct arch_regs *regs);

/**
 * @brief Walk the frame-pointer chain that starts at @p fp.
 *
 * Stores the return address of each frame, innermost first, in @p pcs.
 * Stops at a NULL frame pointer, a frame outside the kernel's stacks,
 * one that does not move towards the stack's base, or after @p max frames.
 * @return the number of addresses stored. Any context; never faults.
 */
size_t arch_backtrace(uintptr_t fp, uintptr_t *pcs, size_t max);

/** @brief The frame pointer of the function that calls this. */
#define arch_current_frame() ((uintptr_t)__builtin_frame_address(0))

/** @brief Disable interrupts on this CPU. */
void arch_irq_disable(void);

/** @brief A hint that the caller is spinning (x86: pause). */
void arch_cpu_relax(void);

/** @brief Trigger the emulator's breakpoint (Bochs magic break); a no-op elsewhere. */
void arch_debug_break(void);

/**
 * @brief Stop here in the Bochs debugger (`make bochs`).
 *
 * Put `BOCHS_BREAK();` where you want to look around: Bochs (its config
 * sets `magic_break: enabled=1`) stops after the breakpoint instruction
 * and shows its `<bochs:N>` prompt; `c` continues. QEMU and real CPUs
 * run straight on, and `scripts/bochs --headless` (the tests) notes the
 * stop and continues. A debugging aid: never leave one in committed code.
 */
#define BOCHS_BREAK() arch_debug_break()

#endif
