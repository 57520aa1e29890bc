/*
 * paging_switch.S - turn paging off and on again, with PAE tables.
 *
 * The CPU loads the four PDPT entries when CR3 is written in PAE mode, and
 * the kernel cannot change CR4.PAE under its own feet while paging reads
 * the old format. So, running at our physical address (this code is in
 * .boot, linked where it is loaded, and paging.c maps it identically):
 *   paging off; CR4.PAE (and PGE) on; CR3 = the PDPT; paging on.
 * Interrupts are off and nothing touches the stack while paging is off:
 * the stack is at a high address, which means nothing then.
 *
 * void x86_paging_switch(uint32_t pdpt, uint32_t cr4_set);
 */
#include "x86.h"

/* [paging_switch] */
	.section .boot, "ax"
	.globl x86_paging_switch
x86_paging_switch:
	movl 4(%esp), %edx		/* the PDPT, physical */
	movl 8(%esp), %eax		/* CR4 bits to set */
	movl %cr0, %ecx
	andl $~CR0_PG, %ecx
	movl %ecx, %cr0			/* paging off: this code runs at 1 MiB */
	movl %cr4, %ecx
	orl %eax, %ecx
	movl %ecx, %cr4			/* PAE format */
	movl %edx, %cr3			/* PAE: CR3 holds the PDPT */
	movl %cr0, %ecx
	orl $CR0_PG, %ecx
	movl %ecx, %cr0			/* paging on, with the new tables */
	ret				/* to our caller, high in the new direct map */
/* [paging_switch] */
