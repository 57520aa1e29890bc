/*
 * start.S - where every user program begins.
 *
 * The kernel starts a task's first thread here (the ELF entry) with the
 * stack pointer 16-byte aligned at the top of a fresh stack and the
 * spawner's argument in eax; nothing is on the stack. _start passes the
 * argument to main() as the C calling convention wants it (on the stack,
 * aligned so that main sees the stack as any other function does) and
 * ends the task with main's return value as its exit status. A program
 * that returns from main() never comes back here: TASK_EXIT does not
 * return.
 *
 * keel_thread_entry does the same for a thread started by
 * keel_thread_start(): eax points at its struct keel_thread_start.
 */
	.text
/* [user_start] */
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp			/* the end of every backtrace */
	andl $-16, %esp			/* the kernel promises this; make sure */
	subl $12, %esp
	pushl %eax			/* main(arg); esp is 16-aligned at the call */
	call main
	movl %eax, (%esp)
	call keel_task_exit
	ud2				/* keel_task_exit() does not return */
	.size _start, . - _start
/* [user_start] */

	.globl keel_thread_entry
	.type keel_thread_entry, @function
keel_thread_entry:
	xorl %ebp, %ebp
	andl $-16, %esp
	subl $12, %esp
	pushl 4(%eax)			/* st->arg */
	call *(%eax)			/* st->fn(st->arg) */
	movl %eax, (%esp)
	call keel_thread_exit
	ud2
	.size keel_thread_entry, . - keel_thread_entry

	.section .note.GNU-stack, "", @progbits
