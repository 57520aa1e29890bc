/*
 * context.c - the interrupt flag, the idle halt and new thread stacks.
 *
 * Small, but each line matters: the interrupt flag is the kernel's only
 * lock on one CPU, and a new thread's stack must look exactly like the
 * stack of a thread that called arch_context_switch() (switch.S), so
 * that the first switch to it "returns" into its entry function.
 */
#include <keel/arch.h>

#include "x86.h"

unsigned long arch_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & EFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
	else
		__asm__ volatile("cli" : : : "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

bool arch_irq_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	return flags & EFLAGS_IF;
}

void arch_wait_for_interrupt(void)
{
	/* sti takes effect after the next instruction, so no interrupt can
	 * slip in between and leave hlt waiting for one already handled. */
	__asm__ volatile("sti; hlt" : : : "memory");
}

void *arch_boot_stack(void)
{
	return boot_stack_bottom;
}

/* [arch_context_init] */
uintptr_t arch_context_init(void *stack_top, void (*entry)(void))
{
	uint32_t *sp = stack_top;

	*--sp = 0;                          /* entry's return address: ends backtraces */
	*--sp = (uint32_t)(uintptr_t)entry; /* where arch_context_switch's ret goes */
	*--sp = 0;                          /* ebp: a NULL frame pointer */
	*--sp = 0;                          /* ebx */
	*--sp = 0;                          /* esi */
	*--sp = 0;                          /* edi */
	return (uintptr_t)sp;
}
/* [arch_context_init] */
