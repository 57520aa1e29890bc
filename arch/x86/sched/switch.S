/*
 * switch.S - the context switch: from one thread's stack to another's.
 *
 * arch_context_switch(save_sp, new_sp) is an ordinary call, so the C
 * compiler has already saved every register the calling convention lets
 * a call destroy (eax, ecx, edx). What is left to save is what a callee
 * must preserve: ebx, esi, edi and ebp, plus the stack pointer itself,
 * which says where all the rest is. Saving them on the old stack and
 * recording esp is all it takes to freeze a thread; loading another esp
 * and popping the same four registers thaws the other one, and `ret`
 * returns into wherever that thread once called arch_context_switch().
 */
	.text
	.globl arch_context_switch
/* [arch_context_switch] */
arch_context_switch:
	/* LAB 1: switch from one stack to the other */
	movl 4(%esp), %eax	/* save_sp: where to store our stack pointer */
	movl 8(%esp), %edx	/* new_sp: the stack to switch to */
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	/* LAB 1 STUB
	pushl $.Lswitch_not_written
	call panic
	.pushsection .rodata
.Lswitch_not_written:
	.asciz "arch_context_switch: not written yet (lab 1)"
	.popsection
	LAB 1 END */
/* [arch_context_switch] */
