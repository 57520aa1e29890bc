/*
 * ioport.c - x86's half of I/O-port capabilities: each task's I/O
 * permission bitmap, loaded into the TSS as the task is switched to.
 *
 * The processor checks every in and out from ring 3 against the bitmap
 * after the TSS (one bit a port, 0 = allowed) and raises a general
 * protection fault for a port whose bit is 1. A task that may use ports
 * has a bitmap of its own here (8 KiB, made on its first IOPORT_ENABLE
 * and kept for the pool slot's next task, by then all ones again).
 * Switching to it copies only the bytes up to its highest allowed port
 * (16 for the keyboard's ports, 128 for COM1's) and none at all when the
 * bitmap already in the TSS is its own; switching to any other task points
 * the TSS past its limit, which forbids every port for the cost of one
 * store. Bitmaps are guarded by sched_lock; the TSS's copy is changed only
 * with interrupts off.
 */
#include <keel/arch_dev.h>
#include <keel/kmalloc.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/task.h>

#include "x86.h"

/* [io_bits] */
/* One task slot's permissions. Invariant: ports == 0 iff every bit is 1. */
struct io_bits {
	uint8_t *map;   /* X86_IOMAP_BYTES, or NULL before the slot's first use */
	unsigned high;  /* bytes of map that ever held a 0: what a switch copies */
	unsigned ports; /* ports allowed now */
};

static struct io_bits tasks[TASK_MAX];
static int loaded = -1;   /* the slot whose bits are in the TSS's bitmap */
static unsigned tss_high; /* bytes of the TSS's bitmap that may hold a 0 */
/* [io_bits] */

/* [arch_ioport_kernel] */
/* The 8259 controllers (and their edge/level registers) and the 8254
 * timer: a driver given one of these could take the CPU's interrupts. */
bool arch_ioport_kernel(uint32_t first, uint32_t count)
{
	static const uint16_t kept[][2] = {{0x20, 2}, {0xa0, 2}, {0x40, 4}, {0x4d0, 2}};
	uint32_t last = first + count - 1;

	for (unsigned i = 0; i < sizeof kept / sizeof kept[0]; i++)
		if (first < (uint32_t)kept[i][0] + kept[i][1] && last >= kept[i][0])
			return true;
	return first + count > 0x10000u; /* past the port space */
}
/* [arch_ioport_kernel] */

bool arch_irq_kernel(unsigned line)
{
	return line == 2; /* the second controller's cascade */
}

kstatus_t arch_ioport_prepare(unsigned slot)
{
	if (slot >= TASK_MAX)
		return KEEL_ERR_INVALID;
	if (tasks[slot].map != NULL)
		return KEEL_OK;
	uint8_t *map = kmalloc(X86_IOMAP_BYTES);
	if (map == NULL)
		return KEEL_ERR_NO_MEMORY;
	memset(map, 0xff, X86_IOMAP_BYTES);
	spinflags_t flags = spin_lock(&sched_lock);
	if (tasks[slot].map == NULL) {
		tasks[slot].map = map; /* another thread of the task may have been first */
		map = NULL;
	}
	spin_unlock(&sched_lock, flags);
	kfree(map);
	return KEEL_OK;
}

bool arch_ioport_any(unsigned slot, uint32_t first, uint32_t count)
{
	const uint8_t *map = tasks[slot].map;

	for (uint32_t p = first; map != NULL && p < first + count; p++)
		if (!(map[p / 8] & (1u << (p % 8))))
			return true;
	return false;
}

/* [arch_ioport_set] */
unsigned arch_ioport_set(unsigned slot, uint32_t first, uint32_t count, bool allow)
{
	struct io_bits *b = &tasks[slot];

	/* LAB 6: one bit a port, 0 where the task may use it */
	for (uint32_t p = first; p < first + count; p++) {
		if (allow)
			b->map[p / 8] &= (uint8_t) ~(1u << (p % 8));
		else
			b->map[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	/* LAB 6 STUB
	(void)first;
	(void)allow;
	LAB 6 END */
	if (allow && (first + count + 7) / 8 > b->high)
		b->high = (first + count + 7) / 8;
	b->ports = allow ? b->ports + count : b->ports - count;
	if (loaded == (int)slot)
		loaded = -1; /* the TSS's copy is stale */
	if (task_current() != NULL && (task_current()->id & 0xffu) == slot)
		arch_ioport_switch((int)slot); /* the task running now: at once */
	return b->ports;
}
/* [arch_ioport_set] */

/* [arch_ioport_switch] */
void arch_ioport_switch(int slot)
{
	if (slot < 0 || slot >= TASK_MAX || tasks[slot].ports == 0) {
		x86_tss_iomap_use(false); /* one store: no port at all */
		return;
	}
	if (loaded != slot) {
		struct io_bits *b = &tasks[slot];
		uint8_t *tss = x86_tss_iomap();
		memcpy(tss, b->map, b->high);
		if (tss_high > b->high)
			memset(tss + b->high, 0xff, tss_high - b->high); /* the last task's zeros */
		tss_high = b->high;
		loaded = slot;
	}
	x86_tss_iomap_use(true);
}
/* [arch_ioport_switch] */
