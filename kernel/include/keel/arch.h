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
#include <stdbool.h>
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

/**
 * @brief Print the CPU's vendor, model and feature flags, one line each.
 * (Debug code: test images and the monitor only.)
 */
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

/** @brief A timestamp for a benchmark, serialised before the read (x86: lfence; rdtsc). */
uint64_t arch_bench_begin(void);

/** @brief A timestamp for a benchmark, serialised after the read (x86: rdtscp; lfence). */
uint64_t arch_bench_end(void);

/** @brief What the timestamps count ("tsc"). */
const char *arch_bench_unit(void);

/* ---- Slice 1: traps, interrupts, time and context switching. ---- */

/** @brief Install the exception and interrupt tables; every interrupt line masked. */
void arch_traps_init(void);

/** @brief Disable interrupts; return the previous state for arch_irq_restore(). */
unsigned long arch_irq_save(void);

/** @brief Restore the interrupt state arch_irq_save() returned. */
void arch_irq_restore(unsigned long flags);

/** @brief Enable interrupts on this CPU. */
void arch_irq_enable(void);

/** @brief True if interrupts are enabled on this CPU. */
bool arch_irq_enabled(void);

/** @brief Enable interrupts and halt until one arrives (the idle loop's body). */
void arch_wait_for_interrupt(void);

/** @brief Unmask interrupt line @p irq at the controller. */
void arch_irq_unmask(unsigned irq);

/** @brief Mask interrupt line @p irq at the controller. */
void arch_irq_mask(unsigned irq);

/**
 * @brief Calibrate the clock and start a periodic tick at @p hz that calls
 * timer_tick(). Interrupts stay as they were.
 */
void arch_time_init(unsigned hz);

/** @brief Microseconds since arch_time_init(); monotonic. Any context. */
uint64_t arch_clock_us(void);

/**
 * @brief The clock's raw count (x86: the TSC): cheap, monotonic, in units
 * only arch_ticks_to_us() knows. For accounting on hot paths (the
 * scheduler charges CPU time at every switch), where a conversion to
 * microseconds (three 64-bit divisions on i386) would cost more than the
 * switch itself.
 */
uint64_t arch_clock_ticks(void);

/** @brief @p ticks of arch_clock_ticks() in microseconds (0 before calibration). */
uint64_t arch_ticks_to_us(uint64_t ticks);

/** @brief One line naming the clock and tick sources and their calibrated rates. */
void arch_time_describe(void);

/**
 * @brief Save the caller's callee-saved registers on its stack, store its
 * stack pointer in @p save_sp, load @p new_sp and return into the thread
 * that saved it. Interrupts off.
 */
void arch_context_switch(uintptr_t *save_sp, uintptr_t new_sp);

/** @brief The lowest address of the stack the boot flow runs on. */
void *arch_boot_stack(void);

/**
 * @brief Prepare a new stack so that the first arch_context_switch() to it
 * calls @p entry with interrupts off.
 * @param stack_top one past the highest byte of the stack.
 * @return the stack pointer to switch to.
 */
uintptr_t arch_context_init(void *stack_top, void (*entry)(void));

#endif
