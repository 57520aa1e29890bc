/**
 * @file port/layout.h
 * @brief The x86 (i386, PAE) port's memory layout: the constants generic
 * code sees through keel/vm.h and keel/pmm.h.
 *
 * Generic code never includes this file directly. keel/arch_vm.h does,
 * and every port provides one of its own under arch/ARCH/include/port/,
 * found through the include path the Makefile sets for the port it builds.
 * A second port changes these values without an edit of generic code.
 *
 * The i386 split: the lowest 3 GiB of every address space are the task's,
 * the top gigabyte is the kernel's (a PAE PDPT entry covers exactly 1 GiB,
 * which is what lets every space share the kernel's page directory).
 */
#ifndef KEEL_PORT_LAYOUT_H
#define KEEL_PORT_LAYOUT_H

/** @brief Bytes in a page (the CPU's smallest mapping). */
#define ARCH_PAGE_BYTES 4096u
/** @brief The first kernel address: the top quarter of 4 GiB. */
#define ARCH_VM_KERNEL_BASE 0xC0000000u
/** @brief The most physical memory the direct map covers (512 MiB). */
#define ARCH_VM_DIRECT_MAX 0x20000000u
/** @brief The lowest user address: page 0 stays unmapped, so NULL faults. */
#define ARCH_VM_USER_BASE 0x00001000u
/** @brief Guarded kernel stacks: above the largest direct map, below the APIC. */
#define ARCH_VM_KSTACK_BASE 0xE0000000u
/** @brief One past the stack area. */
#define ARCH_VM_KSTACK_END 0xE1000000u
/** @brief The first physical byte above the DMA zone: ISA DMA reaches 16 MiB. */
#define ARCH_ZONE_DMA_END 0x1000000u
/** @brief The page-table format, for the boot banner ("PAE"). */
#define ARCH_PAGING_NAME "PAE"

#endif
