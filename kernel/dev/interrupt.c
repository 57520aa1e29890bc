/*
 * interrupt.c - interrupt lines as capabilities: an interrupt becomes a
 * notification to a user driver.
 *
 * IRQ_BIND ties one line to a notification through a capability that
 * names it: it becomes the line's handler (slice 1's irq_register(),
 * which refuses a line the kernel drives itself) and unmasks the line. When the device
 * interrupts, irq_deliver() masks the line and signals the notification:
 * the driver's thread wakes, serves its device (reads the byte, clears the
 * cause) and calls IRQ_ACK, which unmasks the line again. The kernel never
 * touches the device: it cannot know how to quiet it, so a line stays
 * masked from its interrupt to its acknowledgement, and a driver that
 * never acknowledges loses only its own device's interrupts, never the
 * CPU to a storm. Deleting the capability the line was bound through
 * (closing it, revoking it, its task ending) masks the line and frees it.
 *
 * Every line's state is guarded by sched_lock, which irq_deliver() takes
 * from the interrupt itself (the lock disables interrupts, so it is never
 * held where an interrupt can arrive). O(1) on every path.
 */
#include <keel/arch.h>
#include <keel/arch_dev.h>
#include <keel/ipc.h>
#include <keel/irq.h>
#include <keel/sched.h>

#include "dev_internal.h"

struct irq_line irq_lines[KEEL_IRQ_LINES];

/* [irq_deliver] */
/* The handler of every line a driver may bind: runs in the interrupt,
 * interrupts off. */
static void irq_deliver(unsigned irq, void *ctx)
{
	struct irq_line *l = ctx;
	spinflags_t flags = spin_lock(&sched_lock);

	/* LAB 6: mask the line; if bound and not already waiting, signal the driver */
	arch_irq_mask(irq); /* until the driver has served its device */
	if (l->slot != NULL && !l->waiting) {
		l->waiting = true;
		l->delivered++;
		ipc_notify_id(l->note, l->bits); /* GONE: nobody to tell; stays masked */
	}
	/* LAB 6 STUB
	(void)irq;
	(void)l;
	LAB 6 END */
	spin_unlock(&sched_lock, flags);
}
/* [irq_deliver] */

/* The line a capability for exactly one line names, or -1. */
static int irq_line_of(const struct handle_slot *s)
{
	return range_pages(s) == 1 && range_first(s) < KEEL_IRQ_LINES ? (int)range_first(s) : -1;
}

/* [irq_cap_bind] */
kstatus_t irq_cap_bind(struct handle_slot *s, uint32_t note, uint32_t bits)
{
	int line = irq_line_of(s);

	if (line < 0 || bits == 0)
		return KEEL_ERR_INVALID; /* derive a capability to one line first */
	struct irq_line *l = &irq_lines[line];
	if (l->slot != NULL)
		return KEEL_ERR_BUSY;
	if (arch_irq_kernel((unsigned)line) ||
	    irq_register((unsigned)line, irq_deliver, l) != KEEL_OK)
		return KEEL_ERR_DENIED; /* the kernel's own */
	*l = (struct irq_line){s, cap_holder(s)->id, note, bits, false, l->delivered};
	return KEEL_OK; /* irq_register() unmasked it */
}
/* [irq_cap_bind] */

/* [irq_cap_ack] */
kstatus_t irq_cap_ack(const struct handle_slot *s)
{
	int line = irq_line_of(s);

	if (line < 0)
		return KEEL_ERR_INVALID;
	struct irq_line *l = &irq_lines[line];
	if (l->slot == NULL)
		return KEEL_ERR_NOT_FOUND; /* bind it first */
	/* LAB 6: a delivered line is served: unmask it (twice does nothing more) */
	if (l->waiting) {
		l->waiting = false;
		arch_irq_unmask((unsigned)line);
	}
	return KEEL_OK;
	/* LAB 6 STUB
	(void)l;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 6 END */
}
/* [irq_cap_ack] */

/* [irq_cap_deleting] */
void irq_cap_deleting(struct handle_slot *s)
{
	int line = irq_line_of(s);

	if (s->type != KEEL_OBJ_IRQ || line < 0 || irq_lines[line].slot != s)
		return;
	irq_unregister((unsigned)line); /* masked: nobody to serve it now */
	irq_lines[line] = (struct irq_line){.delivered = irq_lines[line].delivered};
}
/* [irq_cap_deleting] */
