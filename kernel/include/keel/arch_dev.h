/**
 * @file arch_dev.h
 * @brief What slice 6 asks of the port to hand hardware to user tasks:
 * which interrupt lines and I/O ports the kernel keeps for itself, and a
 * task's permission to use I/O ports directly (arch/x86/dev/).
 */
#ifndef KEEL_ARCH_DEV_H
#define KEEL_ARCH_DEV_H

#include <keel/status.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief Is interrupt line @p line wired to the kernel itself (x86: the
 *  cascade of the second interrupt controller), never to a device? */
bool arch_irq_kernel(unsigned line);

/** @brief Does [@p first, @p first + @p count) hold a port the kernel drives
 *  itself (x86: the interrupt controllers and the timer)? */
bool arch_ioport_kernel(uint32_t first, uint32_t count);

/**
 * @brief Make room for task slot @p slot's port permissions (once a slot;
 * kept for the next task in that slot). No lock held: it may allocate.
 * @return KEEL_OK, or KEEL_ERR_NO_MEMORY.
 */
kstatus_t arch_ioport_prepare(unsigned slot);

/** @brief Is any port of [@p first, @p first + @p count) allowed to task slot
 *  @p slot now? sched_lock held. */
bool arch_ioport_any(unsigned slot, uint32_t first, uint32_t count);

/**
 * @brief Allow (@p allow) or forbid task slot @p slot the ports [@p first,
 * @p first + @p count), prepared by arch_ioport_prepare(); takes effect at
 * once if that task is the one running. sched_lock held.
 * @return How many ports the slot is allowed now.
 */
unsigned arch_ioport_set(unsigned slot, uint32_t first, uint32_t count, bool allow);

/** @brief The task in slot @p slot is about to run (-1: a task that may use
 *  no port): load its permissions. Interrupts off (the scheduler's switch). */
void arch_ioport_switch(int slot);

#endif
