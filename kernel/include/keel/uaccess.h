/**
 * @file uaccess.h
 * @brief Reading and writing user memory from the kernel, safely.
 *
 * A system call's pointer arguments come from a program the kernel must
 * not trust. Every access to user memory goes through these functions,
 * never through the pointer itself. Each one first checks the range
 * (user_range_ok(): wholly inside [VM_USER_BASE, VM_USER_END), no wrap
 * past the top of the address space), then copies with the port's
 * fault-recovering copy: if a page is unmapped, or read-only for a write,
 * the page fault is caught by the exception table and the copy returns
 * KEEL_ERR_FAULT instead of crashing the kernel. Thread context, with
 * the caller's address space active and no lock held (a fault may be
 * taken).
 */
#ifndef KEEL_UACCESS_H
#define KEEL_UACCESS_H

#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief True if [@p addr, @p addr + @p size) lies wholly in user space.
 * A zero-size range is in user space if @p addr is (NULL never is). Pure.
 */
bool user_range_ok(uintptr_t addr, size_t size);

/**
 * @brief Copy @p size bytes from user address @p src to kernel @p dst.
 * @return KEEL_OK; KEEL_ERR_FAULT (outside user space, or a page not
 *         mapped readable). On error @p dst may hold part of the bytes.
 */
kstatus_t copy_from_user(void *dst, uintptr_t src, size_t size);

/**
 * @brief Copy @p size bytes from kernel @p src to user address @p dst.
 * @return KEEL_OK; KEEL_ERR_FAULT (outside user space, or a page not
 *         mapped writable). On error nothing is written (unless another
 *         thread of the task unmaps a page during the copy).
 */
kstatus_t copy_to_user(uintptr_t dst, const void *src, size_t size);

/**
 * @brief Copy a NUL-terminated string of at most @p max - 1 characters
 * from user address @p src into @p dst, NUL-terminated.
 * @return its length; KEEL_ERR_FAULT; KEEL_ERR_RANGE if no NUL comes within
 *         @p max bytes. @p max must be at least 1.
 */
long strncpy_from_user(char *dst, uintptr_t src, size_t max);

#endif
