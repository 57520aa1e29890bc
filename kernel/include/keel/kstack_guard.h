/**
 * @file kstack_guard.h
 * @brief Kernel stacks with guard pages (kernel/mem/kstack_guard.c):
 * slice 2's source for slice 1's kstack_set_source() seam.
 */
#ifndef KEEL_KSTACK_GUARD_H
#define KEEL_KSTACK_GUARD_H

#include <stdint.h>

/**
 * @brief The thread slot whose stack's guard page holds @p addr, or -1.
 * For fault reports: a fault there is a kernel stack overflow.
 */
int kstack_guard_slot(uintptr_t addr);

/**
 * @brief Serve kernel stacks with guard pages (slice 1's kstack_set_source
 * seam), if one can be made now; else keep the fixed pool and warn. Boot only.
 */
void kstack_guard_install(void);

#endif
