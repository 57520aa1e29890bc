/**
 * @file syscall.h
 * @brief The system-call dispatcher: the one place user requests enter.
 *
 * The port's entries (`int 0x80`, `sysenter`) fill a struct syscall_args
 * and call syscall_dispatch(); its result goes back in the caller's result
 * register. The dispatcher checks the call word (number, argument count,
 * reserved bits) and sends the call to its handler in kernel/user/; each
 * handler checks its own arguments (handles, user pointers, flags) and
 * returns a value >= 0 or a negative enum keel_error.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/arch_user.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * @brief Carry out the call @p a describes for the calling user thread.
 * @return the value for the caller: >= 0 on success, a negative
 *         enum keel_error otherwise. Thread context, interrupts on.
 *         THREAD_EXIT and TASK_EXIT do not return.
 */
int32_t syscall_dispatch(const struct syscall_args *a);

/**
 * @brief Send call @p nr to @p fn from now on: how a later slice (IPC,
 * slice 4) adds its calls without slice 3 naming it. At start-up only;
 * asserts that @p nr is in the ABI and has no handler yet.
 */
void syscall_install(unsigned nr, int32_t (*fn)(const uint32_t *a));
/** @brief Does this kernel carry out call @p nr (is its slice built)? */
bool syscall_built(unsigned nr);
/** @brief A call's name ("DEBUG_WRITE"), or "?" for an unknown number. */
const char *syscall_name(unsigned nr);

/** @brief System calls made so far, for reports and the fuzzer's check. */
extern uint64_t syscall_count;

#endif
