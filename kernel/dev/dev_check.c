/*
 * dev_check.c - what tests and the monitor ask of slice 6: a line's
 * state, and counts of what is bound, enabled and watched. Debug code:
 * linked only into test images.
 */
#include <keel/arch_dev.h>
#include <keel/irq.h>

#include "dev_internal.h"

bool dev_irq_state(unsigned line, struct dev_irq_info *out)
{
	if (line >= KEEL_IRQ_LINES)
		return false;
	const struct irq_line *l = &irq_lines[line];
	bool usable = !arch_irq_kernel(line) && (l->slot != NULL || !irq_taken(line));
	*out = (struct dev_irq_info){usable,  l->slot != NULL, l->waiting,  l->task,
	                             l->note, l->bits,         l->delivered};
	return true;
}

unsigned dev_irq_bound_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < KEEL_IRQ_LINES; i++)
		n += irq_lines[i].slot != NULL;
	return n;
}

unsigned dev_ioport_tasks(void)
{
	return (unsigned)__builtin_popcount(ioport_users);
}

unsigned dev_watch_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TASK_MAX; i++)
		n += watches[i].task != 0;
	return n;
}
