/*
 * monitor.c - the monitor's view of memory: `mem` and `vm ADDR`.
 *
 * `mem` prints the zones with their free lists by order, the frames each
 * owner holds, and every slab cache. `vm ADDR` prints the page-table walk
 * for an address in the active space, entry by entry, and what the
 * address is if the kernel knows (a guard page, the NULL page).
 */
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/pmm.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vm.h>

/* The zones with their free lists by order, and the frames each owner holds. */
static void print_frames(void)
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
	kprintf("id   owner        frames     KiB   limit\n");
	for (unsigned o = OWNER_KERNEL; o < PMM_OWNERS; o++) {
		char limit[12] = "-"; /* 0: no limit, as GDB's `keel frames` shows it */
		if (p->owner_frames[o] == 0 && p->owner_limit[o] == 0)
			continue;
		if (p->owner_limit[o])
			ksnprintf(limit, sizeof(limit), "%u", p->owner_limit[o]);
		kprintf("%-4u %-11s %7u %7u %7s\n", o, pmm_owner_name((owner_t)o),
		        p->owner_frames[o], p->owner_frames[o] * (FRAME_SIZE / 1024), limit);
	}
}

static int cmd_mem(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	print_frames();
	slab_print_stats();
	return 0;
}
MONITOR_COMMAND("mem", "", "zones, frames per owner and slab caches", cmd_mem);

static int cmd_vm(int argc, char **argv)
{
	uintptr_t va;
	paddr_t pa;
	unsigned flags;

	if (!monitor_check_args(argc, argv, 1, 1))
		return -1;
	if (!parse_hex(argv[1], &va)) {
		kprintf("usage: vm ADDR (hexadecimal)\n");
		return -1;
	}
	vm_walk_print(vm_active(), va);
	if (vm_query(vm_active(), va, &pa, &flags) == KEEL_OK)
		kprintf("0x%08lx -> physical 0x%llx%s%s%s%s\n", (unsigned long)va,
		        (unsigned long long)pa, flags & VM_WRITE ? " write" : " read-only",
		        flags & VM_EXEC ? " exec" : " no-exec", flags & VM_USER ? " user" : "",
		        flags & VM_GLOBAL ? " global" : "");
	else if (!vm_fault_explain(va))
		kprintf("0x%08lx is not mapped\n", (unsigned long)va);
	return 0;
}
MONITOR_COMMAND("vm", "ADDR", "the page-table walk for an address", cmd_vm);
