/*
 * monitor.c - the monitor command slice 6 adds: irqs.
 *
 * One line per interrupt line: who may have it (the kernel, or a driver
 * through a capability), the task whose capability it is bound through,
 * the notification and bits it signals, whether it is masked waiting for
 * the driver's acknowledgement, and two counts: interrupts delivered to
 * drivers and interrupts the CPU took (slice 1's count; the two differ by
 * what came while the kernel itself, or no one, had the line). A picture
 * taken under sched_lock, printed after it.
 */
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/string.h>

#include "dev_internal.h"

struct irq_row {
	struct dev_irq_info st;
	unsigned long taken;
	char owner[TASK_NAME_MAX];
};

static void snapshot(struct irq_row *rows)
{
	spinflags_t flags = spin_lock(&sched_lock);

	for (unsigned i = 0; i < KEEL_IRQ_LINES; i++) {
		struct task *t;
		dev_irq_state(i, &rows[i].st);
		rows[i].taken = irq_count(i);
		rows[i].owner[0] = '\0';
		if (rows[i].st.bound && (t = task_lookup(rows[i].st.task)) != NULL)
			strlcpy(rows[i].owner, t->name, sizeof(rows[i].owner));
	}
	spin_unlock(&sched_lock, flags);
}

/* [cmd_irqs] */
static int cmd_irqs(int argc, char **argv)
{
	static struct irq_row rows[KEEL_IRQ_LINES];
	unsigned bound = 0;

	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	snapshot(rows);
	kprintf(
	    "LINE OWNER                  NOTIFICATION BITS       STATE     DELIVERED      TAKEN\n");
	for (unsigned i = 0; i < KEEL_IRQ_LINES; i++) {
		const struct irq_row *r = &rows[i];
		if (!r->st.bound) {
			kprintf("%4u %-23s %-12s %-10s %-9s %9lu %10lu\n", i,
			        r->st.usable ? "-" : "kernel", "-", "-", "-", r->st.delivered,
			        r->taken);
			continue;
		}
		bound++;
		kprintf("%4u task %-5u %-12s 0x%-10x 0x%08x %-9s %9lu %10lu\n", i, r->st.task,
		        r->owner, r->st.notification, r->st.bits,
		        r->st.waiting ? "masked" : "armed", r->st.delivered, r->taken);
	}
	kprintf("%u of %u lines bound to drivers\n", bound, KEEL_IRQ_LINES);
	return 0;
}
MONITOR_COMMAND("irqs", "", "interrupt lines: owners, notifications, counts", cmd_irqs);
/* [cmd_irqs] */
