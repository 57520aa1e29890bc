/**
 * @file irq.h
 * @brief Hardware interrupts: handlers per line, and the interrupt flag.
 *
 * The arch layer turns each device interrupt into a call of
 * irq_dispatch() with the line number (0-15 on a PC's 8259 PICs). A
 * driver registers one handler per line. The table is fixed-size and
 * filled at start-up, so dispatch is an array index: O(1).
 *
 * Code that shares data with an interrupt handler protects it with a
 * spinlock_t (spinlock.h), which also turns interrupts off while held;
 * nothing else in the kernel touches the interrupt flag for that.
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <keel/status.h>
#include <stdbool.h>

/** @brief Interrupt lines the controllers deliver. */
#define IRQ_LINES 16

/** @brief An interrupt handler; runs with interrupts off, on the interrupted stack. */
typedef void (*irq_handler_t)(unsigned irq, void *ctx);

/**
 * @brief Handle interrupt line @p irq with @p fn, and unmask the line.
 * @return KEEL_OK; KEEL_ERR_INVALID for a line >= IRQ_LINES or a NULL
 *         handler; KEEL_ERR_BUSY if the line already has a handler.
 */
kstatus_t irq_register(unsigned irq, irq_handler_t fn, void *ctx);

/** @brief Remove the handler of @p irq and mask the line. @return KEEL_ERR_NOT_FOUND if none. */
kstatus_t irq_unregister(unsigned irq);

/** @brief Called by the arch layer for each interrupt on line @p irq. */
void irq_dispatch(unsigned irq);

/** @brief How many interrupts line @p irq has delivered (0 for a bad line). */
unsigned long irq_count(unsigned irq);

/** @brief True if line @p irq has a handler. */
bool irq_taken(unsigned irq);

/** @brief True if interrupts are enabled on this CPU. */
bool irq_enabled(void);

#endif
