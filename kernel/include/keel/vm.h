/**
 * @file vm.h
 * @brief Address spaces: what each virtual page maps to, and with what rights.
 *
 * An address space is a tree of page tables. The top of every space,
 * from VM_KERNEL_BASE up, is the kernel: the same page tables in every
 * space, so the kernel is mapped everywhere and switching spaces never
 * touches it (its pages are global, so the TLB keeps them across a switch
 * too). Everything below is the space's own: user pages. The port fixes
 * the numbers (on x86, the kernel has the top quarter); they come from
 * its port/layout.h through arch_vm.h.
 *
 * The kernel half holds, from the bottom: the direct map of physical
 * memory (physical address p at VM_KERNEL_BASE + p, up to
 * VM_DIRECT_MAX bytes), the area for guarded kernel stacks, and the
 * local APIC's registers at the very top.
 *
 * Rights are VM_WRITE, VM_EXEC and VM_USER on top of read, which every
 * mapping has. A page that is both writable and executable is refused
 * (W^X): code is never data, so a stray write cannot become code. NX in
 * the page tables makes the refusal mean something to the CPU.
 *
 * vm_map() and vm_unmap() are not real-time operations: they may take
 * frames for page tables. Every function holds the VM lock (interrupts
 * off) for its duration; none blocks. Errors leave the space as it was.
 */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include <keel/arch_vm.h>
#include <keel/pmm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Bytes in a page (the CPU's smallest mapping). */
#define PAGE_BYTES ARCH_PAGE_BYTES
/** @brief The first kernel address: everything above is the kernel half. */
#define VM_KERNEL_BASE ARCH_VM_KERNEL_BASE
/** @brief The direct map covers at most this much physical memory. */
#define VM_DIRECT_MAX ARCH_VM_DIRECT_MAX
/** @brief The lowest user address: page 0 is never mapped, so NULL faults. */
#define VM_USER_BASE ARCH_VM_USER_BASE
/** @brief One past the highest user address. */
#define VM_USER_END VM_KERNEL_BASE
/** @brief Where guarded kernel stacks live (kernel half, above the direct map). */
#define VM_KSTACK_BASE ARCH_VM_KSTACK_BASE
/** @brief One past the stack area. */
#define VM_KSTACK_END ARCH_VM_KSTACK_END

/** @brief Rights and attributes of a mapping; read is always allowed. */
enum vm_flags {
	VM_WRITE = 1u << 0,   /**< Writable. */
	VM_EXEC = 1u << 1,    /**< Executable (without it, NX is set where the CPU has NX). */
	VM_USER = 1u << 2,    /**< Reachable from user mode (ring 3). */
	VM_NOCACHE = 1u << 3, /**< Uncached: device registers. */
	VM_GLOBAL = 1u << 4,  /**< Reported by vm_query(): kept in the TLB across spaces. */
	VM_KEPT = 1u << 5,    /**< Its frame is kept by something else (a capability's
	                           mapping, slice 5): the space's own calls leave it alone. */
};

/** @brief The flags a caller may pass to vm_map(). */
#define VM_MAP_FLAGS (VM_WRITE | VM_EXEC | VM_USER | VM_NOCACHE | VM_KEPT)

/**
 * @brief An address space.
 *
 * Invariants: root is the physical address of the top-level table; its
 * kernel part is shared with every other space; pages counts the pages
 * mapped in the space's own part (for the kernel space: in the stack area).
 */
struct vm_space {
	paddr_t root;          /**< Top-level table (x86 PAE: the PDPT), physical. */
	owner_t owner;         /**< Who the space's page tables are charged to. */
	uint32_t pages;        /**< Pages mapped by vm_map() and not yet unmapped. */
	uint32_t tables;       /**< Frames of page tables the space holds. */
	struct vm_space *next; /**< Every space, for reports. */
};

/** @brief The kernel's own space: what runs before any other is active. */
extern struct vm_space vm_kernel;

/**
 * @brief Create an empty address space (the kernel half only) whose page
 * tables are charged to @p owner.
 * @return KEEL_OK and *out; KEEL_ERR_NO_MEMORY; KEEL_ERR_INVALID for a bad owner.
 */
kstatus_t vm_space_create(owner_t owner, struct vm_space **out);

/**
 * @brief Destroy space @p s: its page tables go back to their owner's
 * frames. The frames it mapped are not freed (vm_map() does not own them).
 * @return KEEL_OK; KEEL_ERR_BUSY if @p s is the active space or the kernel's;
 *         KEEL_ERR_INVALID if @p s is NULL or not a space.
 */
kstatus_t vm_space_destroy(struct vm_space *s);

/**
 * @brief Map @p size bytes at @p va to physical @p pa in @p s, with @p flags.
 *
 * @p va, @p pa and @p size must be page multiples. The range must lie in
 * the space's own part: [VM_USER_BASE, VM_USER_END) for a created space,
 * the stack area [VM_KSTACK_BASE, VM_KSTACK_END) for vm_kernel.
 * @return KEEL_OK; KEEL_ERR_ALIGN (unaligned va, pa or size);
 *         KEEL_ERR_INVALID (size 0, unknown flags, NULL space);
 *         KEEL_ERR_DENIED (VM_WRITE with VM_EXEC);
 *         KEEL_ERR_RANGE (outside the space's part, wrapping, or pa beyond
 *         what the CPU can address); KEEL_ERR_EXISTS (a page of the range is
 *         mapped already); KEEL_ERR_NO_MEMORY (no frame for a page table).
 *         On any error nothing is mapped.
 */
kstatus_t vm_map(struct vm_space *s, uintptr_t va, paddr_t pa, size_t size, unsigned flags);

/**
 * @brief Unmap @p size bytes at @p va in @p s and flush them from the TLB.
 * @return KEEL_OK; KEEL_ERR_ALIGN; KEEL_ERR_INVALID (size 0, NULL space);
 *         KEEL_ERR_RANGE (outside the space's part); KEEL_ERR_NOT_FOUND (a
 *         page of the range is not mapped: then nothing is unmapped).
 */
kstatus_t vm_unmap(struct vm_space *s, uintptr_t va, size_t size);

/**
 * @brief What page @p va maps to in @p s: any address, kernel half included.
 * @param pa receives the physical address of @p va itself (page + offset); may be NULL.
 * @param flags receives enum vm_flags; may be NULL.
 * @return KEEL_OK; KEEL_ERR_NOT_FOUND if nothing is mapped there;
 *         KEEL_ERR_INVALID for a NULL space.
 */
kstatus_t vm_query(struct vm_space *s, uintptr_t va, paddr_t *pa, unsigned *flags);

/** @brief Make @p s the active space on this CPU (x86: load CR3). */
void vm_activate(struct vm_space *s);

/** @brief The active space. */
struct vm_space *vm_active(void);

/** @brief Print the page-table walk for @p va in @p s, level by level (`vm ADDR`). */
void vm_walk_print(struct vm_space *s, uintptr_t va);

/**
 * @brief Say what @p addr is, for a fault report ("the guard page below
 * thread 5 'worker''s stack"), if it is something we know.
 * @return true if a line was printed.
 */
bool vm_fault_explain(uintptr_t addr);

/** @brief True if the CPU enforces no-execute (NX) in the page tables. */
bool vm_nx_enforced(void);

/** @brief Set up paging: the kernel's tables, PAE and NX, guarded stacks. Boot only. */
void vm_init(void);

#endif
