/*
 * boot.S - from the boot loader to C, with paging on and the kernel high.
 *
 * A Multiboot 1 loader (GRUB, or QEMU's -kernel) loads the image at its
 * physical load addresses, starting at 1 MiB, and jumps to _start in
 * 32-bit protected mode with paging off: EAX holds the Multiboot magic
 * and EBX the physical address of the Multiboot information.
 *
 * The kernel is linked to run at 0xC0100000 (KERNEL_VBASE + 1 MiB). Code
 * here runs before paging, at its physical address, so it lives in the
 * .boot section, linked where it is loaded. It
 *   1. loads boot_pgdir, which maps the first 16 MiB of physical memory
 *      twice: at 0 (so the next instruction still exists once paging is
 *      on) and at KERNEL_VBASE (where the rest of the kernel is linked);
 *   2. turns on 4 MiB pages (CR4.PSE) and paging (CR0.PG, with CR0.WP so
 *      the kernel too respects read-only pages);
 *   3. jumps to the higher half, removes the identity mapping, zeroes
 *      .bss, sets up the boot stack and calls x86_entry(magic, mbi).
 */
#include "x86.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAG_ALIGN (1 << 0)	/* load modules on page boundaries */
#define MB_FLAG_MEMINFO (1 << 1) /* provide the memory map */
#define MB_FLAGS (MB_FLAG_ALIGN | MB_FLAG_MEMINFO)

#define PDE_4M (PTE_PRESENT | PTE_WRITE | PTE_LARGE)
#define BOOT_MAP_ENTRIES 4	/* 4 x 4 MiB = 16 MiB */

/* [multiboot_header] */
	.section .multiboot, "a"
	.align 4
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)	/* the three words sum to zero */
/* [multiboot_header] */

/* [boot_pgdir] */
/*
 * The boot page directory: 1024 entries, each mapping 4 MiB. Entries 0-3
 * map physical 0-16 MiB at virtual 0 (removed once we run high); entries
 * 768-771 map the same memory at KERNEL_VBASE. Slice 2 replaces it.
 */
	.section .data
	.align PAGE_SIZE
	.globl boot_pgdir
boot_pgdir:
	.set i, 0
	.rept BOOT_MAP_ENTRIES
	.long (i << 22) | PDE_4M
	.set i, i + 1
	.endr
	.fill (KERNEL_VBASE >> 22) - BOOT_MAP_ENTRIES, 4, 0
	.set i, 0
	.rept BOOT_MAP_ENTRIES
	.long (i << 22) | PDE_4M
	.set i, i + 1
	.endr
	.fill 1024 - (KERNEL_VBASE >> 22) - BOOT_MAP_ENTRIES, 4, 0
/* [boot_pgdir] */

	.section .bss
	.align 16
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:

/* [boot_start] */
	.section .boot, "ax"
	.globl _start
_start:
	cli
	movl $(boot_pgdir - KERNEL_VBASE), %ecx	/* physical address of the table */
	movl %ecx, %cr3
	movl %cr4, %ecx
	orl $CR4_PSE, %ecx
	movl %ecx, %cr4
	movl %cr0, %ecx
	orl $(CR0_PG | CR0_WP), %ecx
	movl %ecx, %cr0			/* paging on: we still run at 1 MiB */
	lea higher_half, %ecx
	jmp *%ecx			/* an absolute jump to the linked address */

	.text
higher_half:
	/* Drop the identity map: from now on low addresses fault. */
	.set i, 0
	.rept BOOT_MAP_ENTRIES
	movl $0, boot_pgdir + 4 * i
	.set i, i + 1
	.endr
	movl %cr3, %ecx
	movl %ecx, %cr3			/* flush the stale translations */

	/* Zero .bss (the spec lets loaders skip it); it holds the stack too,
	 * so this happens before anything is pushed. */
	movl %eax, %esi
	movl $_bss_start, %edi
	movl $_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $boot_stack_top, %esp
	xorl %ebp, %ebp			/* a NULL frame pointer ends every backtrace */
	pushl %ebx			/* Multiboot information (physical) */
	pushl %esi			/* Multiboot magic */
	call x86_entry
1:	cli
	hlt
	jmp 1b
/* [boot_start] */
