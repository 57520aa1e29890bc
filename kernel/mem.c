/*
 * mem.c - slice 2's start-up, and what it can say about an address.
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
#include <keel/kprintf.h>
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
		kprintf("memory: %u frames free (%u KiB); paging: PAE, NX %s; stacks: %s\n",
		        frame_free_count(), frame_free_count() * 4,
		        vm_nx_enforced() ? "on" : "off (the CPU has none)", kstack_source_name());
}
/* [mem_init] */
KEEL_INIT(INIT_MEMORY, mem_init);

/* A kernel address: read-only code or constants (by the page's rights), or nothing. */
static bool explain_kernel(uintptr_t addr)
{
	unsigned flags;
	bool mapped = vm_query(vm_active(), addr, 0, &flags) == KEEL_OK;

	if (mapped && !(flags & VM_WRITE) && !vm_nx_enforced())
		kprintf("  what: read-only kernel memory (code or constants)\n");
	else if (mapped && !(flags & VM_WRITE) && (flags & VM_EXEC))
		kprintf("  what: kernel code, which is read-only\n");
	else if (mapped && !(flags & VM_WRITE))
		kprintf("  what: kernel constants, which are read-only\n");
	else if (addr >= VM_KERNEL_BASE + arch_vm_direct_end() && addr < VM_KSTACK_BASE)
		kprintf("  what: kernel half, beyond the direct map: nothing lives here\n");
	else
		return false;
	return true;
}

/* [vm_fault_explain] */
bool vm_fault_explain(uintptr_t addr)
{
	int slot = kstack_guard_slot(addr);

	const struct thread *t = slot >= 0 ? thread_slot((unsigned)slot) : NULL;

	if (t != NULL && t->state != THREAD_FREE) {
		kprintf("  what: the guard page below the stack of thread %08x '%s': a kernel "
		        "stack overflow\n",
		        t->tid, t->name);
	} else if (t != NULL) {
		kprintf("  what: the guard page of stack slot %d, which no thread uses\n", slot);
	} else if (addr < VM_USER_BASE) {
		kprintf("  what: the NULL page (offset 0x%x): a NULL pointer was followed\n",
		        (unsigned)addr);
	} else if ((addr & 0xffff0000u) == 0x6b6b0000u) {
		kprintf("  what: heap poison: a pointer read from freed memory\n");
	} else if ((addr & 0xffff0000u) == 0xbbbb0000u) {
		kprintf("  what: heap red zone bytes: a pointer read from past an object\n");
	} else if (addr < VM_USER_END) {
		kprintf("  what: a user address, touched by the kernel\n");
	} else {
		return explain_kernel(addr);
	}
	return true;
}
/* [vm_fault_explain] */

void frame_print_stats(void)
{
	const struct pmm *p = &pmm_kernel;

	kprintf("zone    frames    free  blocks free by order 0..%u\n", PMM_MAX_ORDER);
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		const struct pmm_zone *zn = &p->zones[z];
		kprintf("%-6s %7u %7u ", zn->name, zn->managed, zn->free);
		for (unsigned o = 0; o < PMM_ORDERS; o++)
			kprintf(" %u", zn->free_blocks[o]);
		kprintf("\n");
	}
	kprintf("owner            frames     KiB   limit\n");
	for (unsigned o = OWNER_KERNEL; o < PMM_OWNERS; o++) {
		if (p->owner_frames[o] == 0 && p->owner_limit[o] == 0)
			continue;
		kprintf("%-4u %-11s %7u %7u %7u\n", o, pmm_owner_name((owner_t)o),
		        p->owner_frames[o], p->owner_frames[o] * (FRAME_SIZE / 1024),
		        p->owner_limit[o]);
	}
}
