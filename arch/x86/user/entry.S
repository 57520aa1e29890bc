/*
 * entry.S - the ways between ring 3 and the kernel (slice 3).
 *
 * In: `int 0x80` goes through an interrupt gate user mode may raise (DPL
 * 3): the CPU switches to the stack in the TSS (esp0, the running
 * thread's kernel stack), pushes the user's ss, esp, eflags, cs and eip,
 * and this stub completes a struct trap_frame exactly as trap.S does for
 * any trap. `sysenter` is faster: the CPU loads cs, eip and esp from MSRs
 * and pushes nothing, so sysenter_entry builds the same frame itself,
 * from the return address and stack the user stub left in edx and ecx.
 * Both end up in C with one struct trap_frame.
 *
 * Out: `int 0x80` returns through trap.S's iret. sysenter_entry returns
 * with sysexit (eip from edx, esp from ecx), the pair that makes it fast.
 * arch_user_enter() starts a thread in ring 3 with a hand-built iret frame.
 *
 * The copies to and from user memory are here too: each instruction that
 * touches user memory is listed in the exception table with a fixup that
 * returns KEEL_ERR_FAULT, so a bad user pointer is an error, not a panic.
 */
#include "x86.h"

#define ERR_FAULT (-15) /* KEEL_ERR_FAULT: user.c checks it against abi.h */
#define ERR_RANGE (-9)  /* KEEL_ERR_RANGE */

/* [syscall_int_stub] */
	.text
	.globl syscall_int_stub
syscall_int_stub:
	pushl $0			/* no error code */
	pushl $0x80			/* the vector: x86_user_trap() sees a system call */
	jmp trap_common
/* [syscall_int_stub] */

/* [sysenter_entry] */
	.globl sysenter_entry
sysenter_entry:
	movl (%esp), %esp		/* the MSR points at the TSS's esp0: load the thread's stack */
	pushl $SEL_UDATA		/* the frame an `int` from ring 3 would have built: ss */
	pushl %ecx			/* esp: the user stub's stack */
	pushfl				/* eflags (sysenter cleared IF; user mode had it set) */
	orl $EFLAGS_IF, (%esp)
	pushl $SEL_UCODE		/* cs */
	pushl %edx			/* eip: where the user stub continues */
	pushl $0			/* error code */
	pushl $0x80			/* vector */
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movl $SEL_KDATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pushl %esp			/* x86_sysenter(struct trap_frame *) */
	call x86_sysenter
	addl $4, %esp
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp			/* vector and error code */
	andl $~EFLAGS_IF, 8(%esp)	/* interrupts stay off until sysexit... */
	popl %edx			/* eip */
	addl $4, %esp			/* cs */
	popfl
	popl %ecx			/* esp */
	addl $4, %esp			/* ss */
	sti				/* ...which runs before any interrupt can (sti's shadow) */
	sysexit
/* [sysenter_entry] */

/* [arch_user_enter] */
/* void arch_user_enter(uintptr_t pc, uintptr_t sp, uintptr_t arg) */
	.globl arch_user_enter
arch_user_enter:
	movl 4(%esp), %ecx		/* pc */
	movl 8(%esp), %edx		/* sp */
	movl 12(%esp), %eax		/* arg: the first argument register */
	pushl $SEL_UDATA		/* the frame iret takes to a lower privilege: ss */
	pushl %edx			/* esp */
	pushl $(EFLAGS_IF | 0x2)	/* eflags: interrupts on, nothing else */
	pushl $SEL_UCODE		/* cs */
	pushl %ecx			/* eip */
	movl $SEL_UDATA, %ebx
	movw %bx, %ds
	movw %bx, %es
	movw %bx, %fs
	movw %bx, %gs
	xorl %ebx, %ebx			/* nothing of the kernel's leaks through a register */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	iret
/* [arch_user_enter] */

/* [arch_user_copy] */
/* kstatus_t arch_user_copy(void *dst, const void *src, size_t size) */
	.globl arch_user_copy
arch_user_copy:
	pushl %esi
	pushl %edi
	movl 12(%esp), %edi
	movl 16(%esp), %esi
	movl 20(%esp), %edx
	movl %edx, %ecx
	shrl $2, %ecx			/* whole words first, then the 0-3 bytes left */
1:	rep movsl			/* may fault: the table sends the fault to 3f */
	movl %edx, %ecx
	andl $3, %ecx
9:	rep movsb			/* likewise */
	xorl %eax, %eax			/* KEEL_OK */
2:	popl %edi
	popl %esi
	ret
3:	movl $ERR_FAULT, %eax
	jmp 2b
	.section .extable, "a"
	.long 1b, 3b
	.long 9b, 3b
	.previous
/* [arch_user_copy] */

/* [arch_user_probe_write] */
/* kstatus_t arch_user_probe_write(void *addr) */
	.globl arch_user_probe_write
arch_user_probe_write:
	movl 4(%esp), %ecx
	xorl %eax, %eax			/* KEEL_OK */
10:	lock orb $0, (%ecx)		/* writes the byte unchanged: faults if it cannot */
11:	ret
12:	movl $ERR_FAULT, %eax
	jmp 11b
	.section .extable, "a"
	.long 10b, 12b
	.previous
/* [arch_user_probe_write] */

/* long arch_user_strncpy(char *dst, const char *src, size_t max) */
	.globl arch_user_strncpy
arch_user_strncpy:
	pushl %esi
	pushl %edi
	movl 12(%esp), %edi
	movl 16(%esp), %esi
	movl 20(%esp), %ecx
	xorl %edx, %edx			/* bytes copied before the NUL */
4:	testl %ecx, %ecx
	jz 7f				/* max bytes and no NUL */
5:	movb (%esi,%edx), %al		/* may fault: sent to 8f */
	movb %al, (%edi,%edx)
	testb %al, %al
	jz 6f
	incl %edx
	decl %ecx
	jmp 4b
6:	movl %edx, %eax
	popl %edi
	popl %esi
	ret
7:	movl $ERR_RANGE, %eax
	popl %edi
	popl %esi
	ret
8:	movl $ERR_FAULT, %eax
	popl %edi
	popl %esi
	ret
	.section .extable, "a"
	.long 5b, 8b
	.previous
