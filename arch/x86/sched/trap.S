/*
 * trap.S - the way in from an interrupt or exception, and the way out.
 *
 * The CPU pushes eflags, cs and eip (and an error code for some
 * exceptions) and jumps to the vector's stub through the IDT. Each stub
 * pushes a dummy error code where the CPU pushed none, so every frame has
 * the same shape, then its vector number, and jumps to trap_common. That
 * saves the segment and general registers, loads the kernel's data
 * segments and calls x86_trap(frame). Returning undoes it all and iret
 * resumes the interrupted code. The frame's layout is struct trap_frame
 * in x86.h; trap.c asserts at compile time that the two agree.
 */
#include "x86.h"

/* [trap_stub] */
.macro STUB vector, has_error
	.text
	.align 4
	.globl trap_stub_\vector
trap_stub_\vector:
	.if \has_error == 0
	pushl $0			/* the error code the CPU did not push */
	.endif
	pushl $\vector
	jmp trap_common
	.section .rodata
	.long trap_stub_\vector		/* its entry in trap_stubs[] */
.endm
/* [trap_stub] */

/* [trap_stub_table] */
	.section .rodata
	.align 4
	.globl trap_stubs
trap_stubs:				/* trap_stubs[v]: the stub of vector v, v < T_STUBS */
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	.if \v == 8 || \v == 10 || \v == 11 || \v == 12 || \v == 13 || \v == 14 || \v == 17 || \v == 21 || \v == 29 || \v == 30
	STUB \v, 1			/* the CPU pushes an error code */
	.else
	STUB \v, 0
	.endif
	.endr
	.globl trap_stub_255
	STUB 255, 0
/* [trap_stub_table] */

/* [trap_common] */
	.text
	.globl trap_common
trap_common:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	/* The pushes above build struct trap_frame up to its vector: 4 segment
	 * registers and 8 general ones. If that ever changes, stop the build. */
	.if (4 + 8) * 4 != TF_TRAPNO
	.error "trap_common's pushes do not match TF_TRAPNO in x86.h"
	.endif
	movl $SEL_KDATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pushl %esp			/* x86_trap(struct trap_frame *) */
	call x86_trap
	addl $4, %esp
	.globl trap_return
trap_return:				/* slice 3 enters user mode through here */
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $(TF_EIP - TF_TRAPNO), %esp /* the vector and the error code */
	iret
/* [trap_common] */
