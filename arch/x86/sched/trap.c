/*
 * trap.c - what happens after trap.S: exceptions, interrupts, preemption.
 *
 * x86_trap() gets the frame trap.S built and sorts by vector. An
 * exception in the kernel is a bug: it is reported (its name, the error
 * code taken apart, CR2 for a page fault) and the kernel panics with the
 * registers and a backtrace of the interrupted code. A device interrupt
 * goes to irq_dispatch(); the tick to timer_tick(). On the way out, if
 * the interrupt made a better thread READY, the scheduler switches to it
 * here, from inside the interrupt: the frame stays on this thread's
 * stack until it runs again and returns through trap.S.
 */
#include <keel/arch.h>
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/symbols.h>
#include <keel/timer.h>

#include "x86.h"

/* [trap_frame_checks] */
/* The frame's layout is fixed by trap.S: keep the two in step. */
_Static_assert(offsetof(struct trap_frame, edi) == TF_EDI, "trap frame: edi");
_Static_assert(offsetof(struct trap_frame, ebp) == TF_EBP, "trap frame: ebp");
_Static_assert(offsetof(struct trap_frame, eax) == TF_EAX, "trap frame: eax");
_Static_assert(offsetof(struct trap_frame, gs) == TF_GS, "trap frame: gs");
_Static_assert(offsetof(struct trap_frame, ds) == TF_DS, "trap frame: ds");
_Static_assert(offsetof(struct trap_frame, trapno) == TF_TRAPNO, "trap frame: trapno");
_Static_assert(offsetof(struct trap_frame, err) == TF_ERR, "trap frame: err");
_Static_assert(offsetof(struct trap_frame, eip) == TF_EIP, "trap frame: eip");
_Static_assert(offsetof(struct trap_frame, cs) == TF_CS, "trap frame: cs");
_Static_assert(offsetof(struct trap_frame, eflags) == TF_EFLAGS, "trap frame: eflags");
_Static_assert(offsetof(struct trap_frame, esp) == TF_ESP, "trap frame: esp");
_Static_assert(offsetof(struct trap_frame, ss) == TF_SS, "trap frame: ss");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame: size");
/* [trap_frame_checks] */

static const char *const exception_names[T_EXCEPTIONS] = {
    "divide error (#DE)",
    "debug (#DB)",
    "non-maskable interrupt (NMI)",
    "breakpoint (#BP)",
    "overflow (#OF)",
    "bound range exceeded (#BR)",
    "invalid opcode (#UD)",
    "device not available (#NM)",
    "double fault (#DF)",
    "coprocessor segment overrun",
    "invalid TSS (#TS)",
    "segment not present (#NP)",
    "stack-segment fault (#SS)",
    "general protection (#GP)",
    "page fault (#PF)",
    "reserved exception 15",
    "x87 floating-point error (#MF)",
    "alignment check (#AC)",
    "machine check (#MC)",
    "SIMD floating-point (#XM)",
    "virtualization (#VE)",
    "control protection (#CP)",
    "reserved exception 22",
    "reserved exception 23",
    "reserved exception 24",
    "reserved exception 25",
    "reserved exception 26",
    "reserved exception 27",
    "hypervisor injection (#HV)",
    "VMM communication (#VC)",
    "security (#SX)",
    "reserved exception 31",
};

/* Exceptions whose error code names a segment selector. */
static bool selector_error(unsigned v)
{
	return v == 10 || v == 11 || v == 12 || v == 13;
}

/* [page_fault_decode] */
static void report_page_fault(uint32_t err)
{
	uint32_t cr2;

	__asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
	kprintf("  faulting address (CR2): 0x%08x\n", cr2);
	kprintf("  error code 0x%x: %s, %s, %s mode%s%s\n", err,
	        err & 1 ? "protection violation" : "page not present", err & 2 ? "write" : "read",
	        err & 4 ? "user" : "kernel", err & 8 ? ", reserved bit set" : "",
	        err & 16 ? ", instruction fetch" : "");
	if (x86_page_fault_detail)
		x86_page_fault_detail(cr2, err);
}
/* [page_fault_decode] */

void (*x86_page_fault_detail)(uint32_t cr2, uint32_t err);

static void report_error_code(unsigned v, uint32_t err)
{
	if (v == 14) {
		report_page_fault(err);
	} else if (selector_error(v) && err != 0) {
		static const char *const tables[] = {"GDT", "IDT", "LDT", "IDT"};
		kprintf("  error code 0x%x: %s selector index %u%s\n", err, tables[(err >> 1) & 3],
		        err >> 3, err & 1 ? ", raised outside the CPU" : "");
	} else if (v == 8 || v == 17 || selector_error(v)) {
		kprintf("  error code 0x%x\n", err);
	}
}

/* Turn the trap frame into the registers a panic report prints. */
static void frame_to_regs(const struct trap_frame *tf, struct arch_regs *r)
{
	*r = (struct arch_regs){
	    .eax = tf->eax,
	    .ebx = tf->ebx,
	    .ecx = tf->ecx,
	    .edx = tf->edx,
	    .esi = tf->esi,
	    .edi = tf->edi,
	    .ebp = tf->ebp,
	    /* A kernel trap pushes no esp: the old stack ends at the frame. */
	    .esp = trap_from_user(tf) ? tf->esp : (uint32_t)(uintptr_t)tf + TF_KERNEL_SIZE,
	    .eip = tf->eip,
	    .eflags = tf->eflags,
	    .cs = tf->cs,
	    .ds = tf->ds,
	    .es = tf->es,
	    .ss = trap_from_user(tf) ? tf->ss : SEL_KDATA};
	__asm__ volatile("movl %%cr0, %0; movl %%cr2, %1; movl %%cr3, %2; movl %%cr4, %3"
	                 : "=r"(r->cr0), "=r"(r->cr2), "=r"(r->cr3), "=r"(r->cr4));
}

/* [exception_report] */
static __attribute__((noreturn)) void exception(struct trap_frame *tf)
{
	struct arch_regs regs;
	char where[80];

	kprintf("\nEXCEPTION: %s in %s mode at eip 0x%08x (%s)\n", exception_names[tf->trapno],
	        (tf->cs & 3) ? "user" : "kernel", tf->eip,
	        sym_format(tf->eip, where, sizeof(where)));
	report_error_code(tf->trapno, tf->err);
	frame_to_regs(tf, &regs);
	panic_regs(&regs, "kernel exception: %s", exception_names[tf->trapno]);
}
/* [exception_report] */

static void device_interrupt(unsigned irq)
{
	if ((irq == 7 || irq == 15) && pic_spurious(irq))
		return; /* no device asked: no EOI (the PIC sent none) */
	irq_dispatch(irq);
	pic_eoi(irq);
}

void x86_trap(struct trap_frame *tf);

/* [exception_table] */
/*
 * The exception table: code that may fault on purpose (slice 3's copies
 * from and to user memory) lists the address of each instruction that may
 * fault and where to go instead. A kernel-mode exception at a listed
 * address resumes at its fixup, which returns an error; any other is a bug.
 */
struct extable_entry {
	uint32_t fault_pc, fixup_pc;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static bool exception_fixup(struct trap_frame *tf)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->fault_pc == tf->eip) {
			tf->eip = e->fixup_pc;
			return true;
		}
	}
	return false;
}
/* [exception_table] */

const char *x86_exception_name(unsigned vector)
{
	return vector < T_EXCEPTIONS ? exception_names[vector] : "interrupt";
}

bool (*x86_user_trap)(struct trap_frame *tf);
void (*x86_user_return)(struct trap_frame *tf);

/* [x86_trap] */
void x86_trap(struct trap_frame *tf)
{
	unsigned v = tf->trapno;

	if (trap_from_user(tf) && x86_user_trap && x86_user_trap(tf)) {
		/* a system call or a user fault, handled by slice 3 */
	} else if (v < T_EXCEPTIONS) {
		if (!exception_fixup(tf))
			exception(tf);
	} else if (v >= T_IRQ0 && v < T_IRQ0 + IRQ_LINES) {
		device_interrupt(v - T_IRQ0);
	} else if (v == T_LAPIC_TIMER) {
		timer_tick();
		lapic_eoi();
	} else if (v != T_SPURIOUS) {
		panic("x86_trap: unexpected vector %u", v);
	}
	/* EOI is sent: switching now cannot hold up the next interrupt. */
	sched_preempt();
	if (trap_from_user(tf) && x86_user_return)
		x86_user_return(tf);
}
/* [x86_trap] */
