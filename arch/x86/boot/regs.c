/*
 * regs.c - capture and print the CPU registers for panic reports.
 */
#include <keel/arch.h>
#include <keel/kprintf.h>
#include <keel/symbols.h>

#include "x86.h"

/* Fill @p r with this CPU's registers (eip and ebp are set by the caller). */
static __attribute__((noinline)) void regs_capture(struct arch_regs *r)
{
	__asm__ volatile("movl %%eax, %0\n\tmovl %%ebx, %1\n\tmovl %%ecx, %2\n\tmovl %%edx, %3"
	                 : "=m"(r->eax), "=m"(r->ebx), "=m"(r->ecx), "=m"(r->edx));
	__asm__ volatile("movl %%esi, %0\n\tmovl %%edi, %1\n\tmovl %%esp, %2"
	                 : "=m"(r->esi), "=m"(r->edi), "=m"(r->esp));
	__asm__ volatile("pushfl\n\tpopl %0" : "=r"(r->eflags));
	__asm__ volatile("movl %%cs, %0\n\tmovl %%ds, %1\n\tmovl %%es, %2\n\tmovl %%ss, %3"
	                 : "=r"(r->cs), "=r"(r->ds), "=r"(r->es), "=r"(r->ss));
	__asm__ volatile("movl %%cr0, %0\n\tmovl %%cr2, %1\n\tmovl %%cr3, %2\n\tmovl %%cr4, %3"
	                 : "=r"(r->cr0), "=r"(r->cr2), "=r"(r->cr3), "=r"(r->cr4));
}

void arch_regs_print(const struct arch_regs *regs, uintptr_t fp)
{
	struct arch_regs now;
	char sym[80];

	if (regs == 0) {
		regs_capture(&now);
		/* The frame holds its caller's ebp and the return address into it. */
		now.ebp = fp ? ((const uint32_t *)fp)[0] : 0;
		now.eip = fp ? ((const uint32_t *)fp)[1] : 0;
		regs = &now;
	}
	/* A captured eip is a return address: name its call site, as a
	 * backtrace does (keel/symbols.h). A trap's eip is the instruction. */
	bool returned = regs == &now && now.eip;
	uint32_t at = returned ? SYM_CALL_SITE(now.eip) : regs->eip;
	kprintf("Registers:\n");
	kprintf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", regs->eax, regs->ebx, regs->ecx,
	        regs->edx);
	kprintf("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", regs->esi, regs->edi, regs->ebp,
	        regs->esp);
	kprintf("  eip=%08x (%s%s) eflags=%08x\n", regs->eip, returned ? "call at " : "",
	        sym_format(at, sym, sizeof(sym)), regs->eflags);
	kprintf("  cs=%04x ds=%04x es=%04x ss=%04x\n", regs->cs, regs->ds, regs->es, regs->ss);
	kprintf("  cr0=%08x cr2=%08x cr3=%08x cr4=%08x\n", regs->cr0, regs->cr2, regs->cr3,
	        regs->cr4);
}

uintptr_t arch_regs_frame(const struct arch_regs *regs)
{
	return regs ? regs->ebp : arch_current_frame();
}

uintptr_t arch_regs_pc(const struct arch_regs *regs)
{
	return regs ? regs->eip : 0;
}
