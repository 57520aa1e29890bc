/**
 * @file arch_user.h
 * @brief The port's half of user mode: entering ring 3, the kernel stack
 * a trap from it lands on, the system-call entries, and memory copies
 * that survive a fault.
 *
 * Generic code (kernel/user/) sees one frame type for a system call,
 * struct syscall_args, filled from whichever entry the program used.
 */
#ifndef KEEL_ARCH_USER_H
#define KEEL_ARCH_USER_H

#include <keel/abi.h>
#include <keel/status.h>
#include <stddef.h>
#include <stdint.h>

/** @brief A system call as the dispatcher sees it, whatever the entry. */
struct syscall_args {
	uint32_t word;                       /**< The call word (KEEL_CALL()). */
	uint32_t arg[KEEL_SYSCALL_ARGS_MAX]; /**< The arguments, a0 first. */
};

/**
 * @brief Set up the user segments' entries: the `int` gate with DPL 3, the
 * sysenter MSRs of this CPU. Boot only (slice 3's start-up), once per CPU.
 */
void arch_user_init(void);

/** @brief Make @p top the stack a trap from ring 3 lands on, on this CPU. */
void arch_user_set_kernel_stack(uintptr_t top);

/**
 * @brief Leave the kernel for ring 3 at @p pc with stack @p sp and
 * @p arg in the first argument register, interrupts on. The calling
 * thread's kernel stack is reset: this never returns.
 */
__attribute__((noreturn)) void arch_user_enter(uintptr_t pc, uintptr_t sp, uintptr_t arg);

/**
 * @brief Copy @p size bytes from @p src to @p dst where one side is user
 * memory already range-checked; a page fault during the copy is caught.
 * @return KEEL_OK; KEEL_ERR_FAULT if a fault stopped it.
 */
kstatus_t arch_user_copy(void *dst, const void *src, size_t size);

/**
 * @brief Can the caller write the byte at user address @p addr (already
 * range-checked)? One locked read-modify-write that leaves it unchanged
 * (so another thread's store to it is never lost); a fault is caught.
 * @return KEEL_OK; KEEL_ERR_FAULT if the page is missing or read-only.
 */
kstatus_t arch_user_probe_write(void *addr);

/**
 * @brief Copy a string of at most @p max bytes from user @p src, stopping
 * after its NUL; a fault is caught.
 * @return bytes copied without the NUL; KEEL_ERR_RANGE if none came in
 *         @p max bytes; KEEL_ERR_FAULT.
 */
long arch_user_strncpy(char *dst, const char *src, size_t max);

/** @brief Which entry system calls use by default: "int 0x80" or "sysenter". */
const char *arch_user_entry_name(void);

#endif
