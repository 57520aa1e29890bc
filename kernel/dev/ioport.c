/*
 * ioport.c - I/O ports as capabilities: a driver uses in and out itself.
 *
 * IOPORT_ENABLE lets the calling task use the ports its capability names,
 * with the processor's own check (x86: the I/O permission bitmap of the
 * TSS, which arch/x86/dev/ioport.c loads as the task is switched to). A
 * port the task was not given faults the task, never the kernel. The
 * other way would be a system call for each in and out, as seL4 does on
 * x86: simpler to revoke, but about 200 instructions for what is one
 * instruction here, and a serial driver moves every byte through a port
 * (the chapter measures both).
 *
 * The capability's slot remembers that it enabled its ports (mapped = 1),
 * so deleting or moving it takes exactly those ports back. A task's
 * enabled ranges do not overlap, so taking one back never takes a port
 * another of its capabilities still allows.
 */
#include <keel/arch_dev.h>

#include "dev_internal.h"

/* [ioport_users] */
/* Task slots allowed some port now (a bit a slot), and whether the port
 * may still have such a task's permissions loaded. Guarded by sched_lock. */
uint32_t ioport_users;
static bool maybe_loaded;
_Static_assert(TASK_MAX <= 32, "a bit of ioport_users for each task slot");

/* Slot @p slot's ports changed: keep ioport_users true, and make the next
 * switch load whatever it needs. */
static void users_update(unsigned slot, unsigned ports)
{
	ioport_users = ports ? ioport_users | 1u << slot : ioport_users & ~(1u << slot);
	maybe_loaded = true;
}
/* [ioport_users] */

/* [ioport_switch] */
/* Every switch to a user thread passes here, so the common case, from a
 * task that may use no port to another, costs two tests and no call. */
void ioport_switch(struct task *next)
{
	unsigned slot = dev_task_slot(next);
	bool has = (ioport_users >> slot) & 1u;

	if (!has && !maybe_loaded)
		return;
	maybe_loaded = has;
	arch_ioport_switch(has ? (int)slot : -1);
}
/* [ioport_switch] */

/* [ioport_enable] */
kstatus_t ioport_enable(struct task *t, struct handle_slot *s)
{
	uint32_t first = range_first(s), count = range_pages(s);

	if (count == 0)
		return KEEL_ERR_INVALID;
	if (arch_ioport_kernel(first, count))
		return KEEL_ERR_DENIED; /* the kernel's own devices */
	if (s->mapped != 0 || arch_ioport_any(dev_task_slot(t), first, count))
		return KEEL_ERR_BUSY; /* enabled already, through this or another */
	users_update(dev_task_slot(t), arch_ioport_set(dev_task_slot(t), first, count, true));
	s->mapped = 1;
	return KEEL_OK;
}
/* [ioport_enable] */

void ioport_deleting(struct handle_slot *s)
{
	if (s->type != KEEL_OBJ_IOPORT || s->mapped == 0)
		return;
	unsigned slot = dev_task_slot(cap_holder(s));
	users_update(slot, arch_ioport_set(slot, range_first(s), range_pages(s), false));
	s->mapped = 0;
}
