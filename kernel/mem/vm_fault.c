/*
 * vm_fault.c - what the memory slice can say about a faulting address.
 *
 * A kernel page fault report (arch/x86/mem/fault.c) asks vm_fault_explain()
 * what the address is: a guard page below a thread's stack, the NULL
 * page, heap poison or red-zone bytes, a user address, read-only kernel
 * memory, or the empty part of the kernel half. One line each, so a
 * student reading a panic learns the likely bug, not just the address.
 */
#include <keel/arch_vm.h>
#include <keel/kprintf.h>
#include <keel/kstack_guard.h>
#include <keel/thread.h>
#include <keel/vm.h>

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
