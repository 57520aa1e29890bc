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

struct irq_slot {
	irq_handler_t fn;
	void *ctx;
	unsigned long count;
};

/* Written with interrupts off; read by dispatch with interrupts off. */
static struct irq_slot slots[IRQ_LINES];

kstatus_t irq_register(unsigned irq, irq_handler_t fn, void *ctx)
{
	if (irq >= IRQ_LINES || fn == NULL)
		return KEEL_ERR_INVALID;
	irqflags_t flags = irq_save();
	kstatus_t s = KEEL_ERR_BUSY;
	if (slots[irq].fn == NULL) {
		slots[irq] = (struct irq_slot){fn, ctx, 0};
		arch_irq_unmask(irq);
		s = KEEL_OK;
	}
	irq_restore(flags);
	return s;
}

kstatus_t irq_unregister(unsigned irq)
{
	if (irq >= IRQ_LINES)
		return KEEL_ERR_INVALID;
	irqflags_t flags = irq_save();
	kstatus_t s = slots[irq].fn ? KEEL_OK : KEEL_ERR_NOT_FOUND;
	arch_irq_mask(irq);
	slots[irq].fn = NULL;
	irq_restore(flags);
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

irqflags_t irq_save(void)
{
	return arch_irq_save();
}

void irq_restore(irqflags_t flags)
{
	arch_irq_restore(flags);
}

bool irq_enabled(void)
{
	return arch_irq_enabled();
}
