/*
 * fault.c - reporting kernel page faults and double faults (slice 2).
 *
 * Slice 1 already decodes a page fault's error code and panics with the
 * registers and a backtrace. Slice 2 adds what the page tables know:
 * what the faulting address is (a guard page, the NULL page, ...) and
 * the walk that failed, entry by entry.
 *
 * A kernel stack overflow needs more. When a thread runs off the bottom
 * of its stack into the unmapped guard page, the CPU takes a page fault,
 * and delivering it means pushing onto that same stack: a second fault,
 * which the CPU turns into a double fault. Delivered the usual way, on
 * the same stack, that would be a third fault and a reset. So the double
 * fault goes through a task gate: the CPU saves every register into
 * main_tss and switches to df_tss, which has a stack of its own. From
 * there the handler reads the saved registers and reports the overflow,
 * naming the thread.
 */
#include <keel/kprintf.h>
#include <keel/kstack_guard.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/symbols.h>
#include <keel/thread.h>
#include <keel/vm.h>

#include "paging.h"

/* A 32-bit task-state segment: what the CPU saves and loads on a task switch. */
struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "the CPU's 32-bit TSS is 104 bytes");

#define DF_STACK_SIZE 8192

/* [tss_iomap] */
/* The CPU's TSS and, after it in the same segment, the I/O permission
 * bitmap: one bit a port, 0 = ring 3 may use it, and a byte of ones the
 * CPU may read past the end. Slice 6 fills it for a driver task
 * (arch/x86/dev/ioport.c); until a task may use ports, iomap points past
 * the segment's limit, so ring 3 may use none. */
static struct {
	struct tss tss;
	uint8_t iomap[X86_IOMAP_BYTES + 1];
} main_tss __attribute__((aligned(16)));
static struct tss df_tss;

#define IOMAP_NONE 0xffffu /* past the limit: every port faults in ring 3 */

uint8_t *x86_tss_iomap(void)
{
	return main_tss.iomap;
}

void x86_tss_iomap_use(bool on)
{
	main_tss.tss.iomap = on ? (uint16_t)offsetof(__typeof__(main_tss), iomap) : IOMAP_NONE;
}
/* [tss_iomap] */
static char df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));

/* [tss_kernel_stack] */
/* Slice 3: a trap from ring 3 switches to the stack named here (the
 * running thread's kernel stack), and so does sysenter, through the slot. */
void x86_tss_set_kernel_stack(uint32_t top)
{
	main_tss.tss.esp0 = top;
}

uint32_t *x86_tss_kernel_stack_slot(void)
{
	_Static_assert(offsetof(struct tss, esp0) % 4 == 0, "esp0 is a 4-byte aligned field");
	return (uint32_t *)(void *)((char *)&main_tss.tss + offsetof(struct tss, esp0));
}
/* [tss_kernel_stack] */

static void page_fault_detail(uint32_t cr2, uint32_t err)
{
	(void)err;
	vm_fault_explain(cr2);
	arch_vm_walk_print(arch_vm_active_root(), cr2);
}

/* The registers the CPU saved in main_tss when the double fault switched tasks. */
static void saved_regs(struct arch_regs *r)
{
	const struct tss *t = &main_tss.tss;

	*r = (struct arch_regs){.eax = t->eax,
	                        .ebx = t->ebx,
	                        .ecx = t->ecx,
	                        .edx = t->edx,
	                        .esi = t->esi,
	                        .edi = t->edi,
	                        .ebp = t->ebp,
	                        .esp = t->esp,
	                        .eip = t->eip,
	                        .eflags = t->eflags,
	                        .cs = t->cs,
	                        .ds = t->ds,
	                        .es = t->es,
	                        .ss = t->ss};
	__asm__ volatile("movl %%cr0, %0; movl %%cr2, %1; movl %%cr3, %2; movl %%cr4, %3"
	                 : "=r"(r->cr0), "=r"(r->cr2), "=r"(r->cr3), "=r"(r->cr4));
}

/* [double_fault] */
static __attribute__((noreturn)) void double_fault(void)
{
	struct arch_regs regs;
	char where[80];

	saved_regs(&regs);
	kprintf("\nEXCEPTION: double fault (#DF) in kernel mode at eip 0x%08x (%s)\n", regs.eip,
	        sym_format(regs.eip, where, sizeof(where)));
	kprintf("  faulting address (CR2): 0x%08x\n", regs.cr2);
	int slot = kstack_guard_slot(regs.cr2);
	if (slot < 0) {
		vm_fault_explain(regs.cr2);
		panic_regs(&regs, "kernel exception: double fault (#DF)");
	}
	const struct thread *t = thread_slot((unsigned)slot);
	panic_regs(&regs,
	           "kernel stack overflow: thread %08x '%s' ran past its stack into the guard "
	           "page at 0x%08x",
	           t->tid, t->name, regs.cr2);
}
/* [double_fault] */

/* [df_task] */
void x86_fault_init(paddr_t kernel_root)
{
	df_tss = (struct tss){.cr3 = (uint32_t)kernel_root,
	                      .eip = (uint32_t)(uintptr_t)double_fault,
	                      .eflags = 0x2, /* interrupts off */
	                      .esp = (uint32_t)(uintptr_t)(df_stack + DF_STACK_SIZE),
	                      .cs = SEL_KCODE,
	                      .ss = SEL_KDATA,
	                      .ds = SEL_KDATA,
	                      .es = SEL_KDATA,
	                      .fs = SEL_KDATA,
	                      .gs = SEL_KDATA,
	                      .iomap = sizeof(struct tss)};
	memset(main_tss.iomap, 0xff, sizeof(main_tss.iomap)); /* no port allowed */
	x86_tss_iomap_use(false);
	main_tss.tss.ss0 = SEL_KDATA;
	gdt_set_tss(SEL_TSS, &main_tss, sizeof(main_tss));
	gdt_set_tss(SEL_DF_TSS, &df_tss, sizeof(df_tss));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS)); /* where the CPU saves us on a switch */
	idt_set_task_gate(8, SEL_DF_TSS);
	x86_page_fault_detail = page_fault_detail;
}
/* [df_task] */
