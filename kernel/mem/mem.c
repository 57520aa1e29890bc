/*
 * mem.c - slice 2's start-up.
 *
 * At INIT_MEMORY, between the trap tables (slice 1, so a fault here is
 * reported) and the scheduler (so the first threads get guarded stacks):
 * the frame allocator from the boot map, then paging, then the heap,
 * then guarded kernel stacks.
 */
#include <keel/arch_vm.h>
#include <keel/config.h>
#include <keel/frame.h>
#include <keel/init.h>
#include <keel/kmalloc.h>
#include <keel/kprintf.h>
#include <keel/kstack.h>
#include <keel/kstack_guard.h>
#include <keel/slab.h>
#include <keel/thread.h>
#include <keel/vm.h>

/* [mem_init] */
static void mem_init(void)
{
	frame_init();
	vm_init();
	kmalloc_init();
	kstack_guard_install();
	if (kconfig.loglevel >= 1)
		kprintf("memory: %u frames free (%u KiB); paging: %s, NX %s; stacks: %s\n",
		        frame_free_count(), frame_free_count() * (FRAME_SIZE / 1024),
		        ARCH_PAGING_NAME, vm_nx_enforced() ? "on" : "off (the CPU has none)",
		        kstack_source_name());
}
/* [mem_init] */
KEEL_INIT(INIT_MEMORY, mem_init);
