/*
 * mem_monitor.c - the monitor's view of memory: `mem` and `vm ADDR`.
 *
 * `mem` prints the zones with their free lists by order, the frames each
 * owner holds, and every slab cache. `vm ADDR` prints the page-table walk
 * for an address in the active space, entry by entry, and what the
 * address is if the kernel knows (a guard page, the NULL page).
 */
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/vm.h>

static int cmd_mem(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		kprintf("usage: mem\n");
		return -1;
	}
	frame_print_stats();
	slab_print_stats();
	return 0;
}
MONITOR_COMMAND("mem", "", "zones, frames per owner and slab caches", cmd_mem);

static int cmd_vm(int argc, char **argv)
{
	uintptr_t va;
	paddr_t pa;
	unsigned flags;

	if (argc != 2 || !parse_hex(argv[1], &va)) {
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
