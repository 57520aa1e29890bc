/*
 * syscall.S - the two ways into the kernel.
 *
 * abi.h fixes the registers: the call word in eax, up to four arguments
 * in ebx, esi, edi and ebp, the result in eax; the kernel may clobber ecx
 * and edx and keeps everything else. Both stubs take the C arguments
 * (word, a0, a1, a2, a3) from the stack and save the callee-saved
 * registers they load, ebp among them, since ebp carries a3.
 *
 * `int 0x80` saves the return address and stack on the kernel stack
 * itself. `sysenter` saves nothing: the kernel's `sysexit` resumes at the
 * address in edx with the stack pointer in ecx, so the stub puts the
 * label just after its own `sysenter` in edx and its stack pointer in
 * ecx before entering. Those two are exactly the registers the ABI lets
 * the kernel clobber, and the stub needs neither afterwards.
 *
 * keel_syscall() jumps to the stub keel_use_sysenter() selected: a tail
 * jump, so the stub finds its arguments where the caller left them.
 */
	.text

/* Stack after the four pushes: 16 bytes saved, the return address, then
 * word at 20(%esp), a0 at 24, a1 at 28, a2 at 32, a3 at 36. */
.macro KEEL_LOAD_ARGS
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %ebp
	movl 20(%esp), %eax
	movl 24(%esp), %ebx
	movl 28(%esp), %esi
	movl 32(%esp), %edi
	movl 36(%esp), %ebp
.endm

.macro KEEL_RESTORE
	popl %ebp
	popl %edi
	popl %esi
	popl %ebx
	ret
.endm

/* [syscall_stubs] */
	.globl keel_syscall_int
	.type keel_syscall_int, @function
keel_syscall_int:
	KEEL_LOAD_ARGS
	int $0x80
	KEEL_RESTORE
	.size keel_syscall_int, . - keel_syscall_int

	.globl keel_syscall_sysenter
	.type keel_syscall_sysenter, @function
keel_syscall_sysenter:
	KEEL_LOAD_ARGS
	movl %esp, %ecx			/* sysexit's stack: this one, as it is */
	movl $1f, %edx			/* sysexit's return address */
	sysenter
1:	KEEL_RESTORE
	.size keel_syscall_sysenter, . - keel_syscall_sysenter
/* [syscall_stubs] */

	.globl keel_syscall
	.type keel_syscall, @function
keel_syscall:
	cmpb $0, keel_sysenter_on
	jne keel_syscall_sysenter
	jmp keel_syscall_int
	.size keel_syscall, . - keel_syscall

	.section .note.GNU-stack, "", @progbits
