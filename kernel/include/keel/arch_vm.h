/**
 * @file arch_vm.h
 * @brief The port's half of vm.h: page tables in the CPU's own format.
 *
 * kernel/mem/vm.c checks arguments, keeps the list of spaces and enforces the
 * policy (W^X, which ranges a space may map); a port implements the page
 * tables behind it. A space is named by the physical address of its
 * top-level table (its root). Table frames are charged to the owner given.
 * Every function is called with the VM lock held (interrupts off).
 *
 * The port's layout constants (ARCH_VM_KERNEL_BASE, ARCH_ZONE_DMA_END,
 * ARCH_PAGING_NAME, ...) come from its port/layout.h, included here:
 * vm.h and pmm.h name them, so a second port changes no generic file.
 */
#ifndef KEEL_ARCH_VM_H
#define KEEL_ARCH_VM_H

#include <keel/pmm.h>
#include <port/layout.h>
#include <stdbool.h>
#include <stdint.h>

/**
 * @brief Build the kernel's page tables (the direct map with W^X for the
 * kernel image, the device window), switch the CPU to them, and return
 * the kernel space's root. Panics with a clear message on a CPU the port
 * cannot page with. Boot only.
 */
paddr_t arch_vm_init(void);

/** @brief True if no-execute is enforced (the CPU has NX and it is on). */
bool arch_vm_nx(void);

/**
 * @brief A new root that shares the kernel half of @p kernel_root.
 * @param tables receives the number of frames taken.
 * @return KEEL_OK; KEEL_ERR_NO_MEMORY (nothing taken).
 */
kstatus_t arch_vm_root_create(paddr_t kernel_root, owner_t owner, paddr_t *root, uint32_t *tables);

/** @brief Free every table of @p root's own part, and the root. */
void arch_vm_root_destroy(paddr_t root, owner_t owner);

/**
 * @brief Map the page at @p va to @p pa with enum vm_flags @p flags,
 * taking frames for missing tables from @p owner (counted in *@p tables).
 * @return KEEL_OK; KEEL_ERR_EXISTS (a page is mapped there);
 *         KEEL_ERR_NO_MEMORY (no frame for a table).
 */
kstatus_t arch_vm_map_page(paddr_t root, uintptr_t va, paddr_t pa, unsigned flags, owner_t owner,
                           uint32_t *tables);

/**
 * @brief Unmap the page at @p va and flush it from this CPU's TLB.
 * @return KEEL_OK; KEEL_ERR_NOT_FOUND if nothing is mapped there.
 */
kstatus_t arch_vm_unmap_page(paddr_t root, uintptr_t va);

/** @brief Translate @p va (any page size). @return KEEL_OK or KEEL_ERR_NOT_FOUND. */
kstatus_t arch_vm_query(paddr_t root, uintptr_t va, paddr_t *pa, unsigned *flags);

/** @brief Make @p root the CPU's address space. */
void arch_vm_activate(paddr_t root);

/** @brief The root the CPU uses now. */
paddr_t arch_vm_active_root(void);

/** @brief Print each level of the walk for @p va, entry by entry decoded. */
void arch_vm_walk_print(paddr_t root, uintptr_t va);

/** @brief One past the highest physical address a page-table entry can hold. */
paddr_t arch_vm_phys_limit(void);

/** @brief The highest physical address the kernel's direct map reaches (exclusive). */
paddr_t arch_vm_direct_end(void);

#endif
