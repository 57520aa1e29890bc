/*
 * user.c - the x86 half of user mode (slice 3): gates, MSRs and the C
 * side of the system-call entries.
 *
 * Ring 3 needs three things from the CPU. Segments of privilege 3 (the
 * GDT has had them since slice 0). A stack to switch to when a trap
 * comes from ring 3: the TSS's esp0, which the scheduler points at the
 * running thread's kernel stack on every switch to a user thread
 * (arch_user_set_kernel_stack). And ways in: the `int 0x80` gate, which
 * user mode may raise (DPL 3), and the sysenter MSRs. Whichever way a
 * call comes in, x86_syscall() turns the trap frame into the generic
 * struct syscall_args and puts the result back in eax.
 *
 * Every other trap from ring 3 that is an exception is the program's
 * fault: it goes to task_fault(), which ends the task, never the kernel.
 */
#include <keel/arch.h>
#include <keel/arch_user.h>
#include <keel/init.h>
#include <keel/sched.h>
#include <keel/syscall.h>
#include <keel/task.h>

#include "x86.h"

_Static_assert(KEEL_ERR_FAULT == -15 && KEEL_ERR_RANGE == -9, "entry.S returns these codes");
_Static_assert(KEEL_USER_BASE == VM_USER_BASE && KEEL_USER_END == VM_USER_END,
               "the ABI's user range is the port's");

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define CPUID_SEP        (1u << 11) /* leaf 1, edx: sysenter and sysexit */

extern char syscall_int_stub[], sysenter_entry[];
void x86_sysenter(struct trap_frame *tf);

static bool have_sysenter;

/* [x86_syscall] */
/* A system call, whichever way it came: the registers of the ABI in, eax out. */
static void x86_syscall(struct trap_frame *tf)
{
	struct syscall_args a = {tf->eax, {tf->ebx, tf->esi, tf->edi, tf->ebp}};

	tf->eax = (uint32_t)syscall_dispatch(&a);
}
/* [x86_syscall] */

/* Traps from ring 3: a system call, or a fault that ends the task. */
static bool user_trap(struct trap_frame *tf)
{
	uint32_t addr = tf->eip;

	if (tf->trapno == KEEL_SYSCALL_VECTOR) {
		arch_irq_enable(); /* the gate turned them off; a call may take long */
		x86_syscall(tf);
		arch_irq_disable();
		return true;
	}
	if (tf->trapno >= T_EXCEPTIONS)
		return false; /* a device interrupt: the usual path */
	if (tf->trapno == 14)
		__asm__ volatile("movl %%cr2, %0" : "=r"(addr));
	task_fault(tf->trapno, x86_exception_name(tf->trapno), tf->eip, addr);
}

static void user_return(struct trap_frame *tf)
{
	(void)tf;
	task_user_return();
}

/* [x86_sysenter] */
void x86_sysenter(struct trap_frame *tf)
{
	arch_irq_enable(); /* as after `int 0x80`, calls run with interrupts on */
	x86_syscall(tf);
	arch_irq_disable();
	sched_preempt();
	task_user_return();
}
/* [x86_sysenter] */

void arch_user_set_kernel_stack(uintptr_t top)
{
	x86_tss_set_kernel_stack((uint32_t)top);
}

const char *arch_user_entry_name(void)
{
	return have_sysenter ? "int 0x80 and sysenter" : "int 0x80";
}

/* [arch_user_init] */
void arch_user_init(void)
{
	uint32_t r[4];

	idt_set_gate(KEEL_SYSCALL_VECTOR, (uintptr_t)syscall_int_stub, 3);
	cpuid_leaf(1, r);
	have_sysenter = (r[3] & CPUID_SEP) != 0;
	if (have_sysenter) {
		/* sysenter takes cs from the MSR (ss is cs + 8), esp and eip too;
		 * sysexit goes to cs + 16 and ss + 24: the GDT's user pair. */
		wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
		wrmsr(MSR_SYSENTER_ESP, (uintptr_t)x86_tss_kernel_stack_slot());
		wrmsr(MSR_SYSENTER_EIP, (uintptr_t)sysenter_entry);
	}
	x86_user_trap = user_trap;
	x86_user_return = user_return;
}
/* [arch_user_init] */
