/*
 * irq.c - device interrupts: one handler per line, dispatched in O(1).
 *
 * The arch layer acknowledges the controller and calls irq_dispatch()
 * with the line; this file only finds the handler and counts. A line
 * with no handler is masked when it fires, so a stray device cannot
 * storm the CPU.
 */
#include <keel/arch.h>
#include <keel/irq.h>
#include <keel/spinlock.h>

struct irq_slot {
	irq_handler_t fn;
	void *ctx;
	unsigned long count;
};

/* Written under irq_lock; read by dispatch, which runs with interrupts off
 * and, on one CPU, cannot overlap a writer. (Slice 6 takes the lock in
 * dispatch too, when handlers come and go at run time.) */
static struct irq_slot slots[IRQ_LINES];
static spinlock_t irq_lock = SPINLOCK_INIT("irq", LOCK_RANK_IRQ);

kstatus_t irq_register(unsigned irq, irq_handler_t fn, void *ctx)
{
	if (irq >= IRQ_LINES || fn == NULL)
		return KEEL_ERR_INVALID;
	spinflags_t flags = spin_lock(&irq_lock);
	kstatus_t s = KEEL_ERR_BUSY;
	if (slots[irq].fn == NULL) {
		slots[irq].fn = fn; /* the count goes on: interrupts since boot */
		slots[irq].ctx = ctx;
		arch_irq_unmask(irq);
		s = KEEL_OK;
	}
	spin_unlock(&irq_lock, flags);
	return s;
}

kstatus_t irq_unregister(unsigned irq)
{
	if (irq >= IRQ_LINES)
		return KEEL_ERR_INVALID;
	spinflags_t flags = spin_lock(&irq_lock);
	kstatus_t s = slots[irq].fn ? KEEL_OK : KEEL_ERR_NOT_FOUND;
	arch_irq_mask(irq);
	slots[irq].fn = NULL;
	spin_unlock(&irq_lock, flags);
	return s;
}

void irq_dispatch(unsigned irq)
{
	struct irq_slot *slot = &slots[irq];

	slot->count++;
	if (slot->fn)
		slot->fn(irq, slot->ctx);
	else
		arch_irq_mask(irq);
}

unsigned long irq_count(unsigned irq)
{
	return irq < IRQ_LINES ? slots[irq].count : 0;
}

bool irq_taken(unsigned irq)
{
	return irq < IRQ_LINES && slots[irq].fn != NULL;
}

bool irq_enabled(void)
{
	return arch_irq_enabled();
}
