/*
 * paging.h - PAE page-table entries, private to the x86 port (slice 2).
 *
 * With CR4.PAE set, a 32-bit address is translated through three levels
 * of 64-bit entries: bits 31-30 pick one of the four entries of the page-
 * directory-pointer table (PDPT), bits 29-21 one of 512 in a page
 * directory, bits 20-12 one of 512 in a page table. A page-directory
 * entry with PAE_PS maps a 2 MiB page itself. Bit 63 (NX) forbids
 * instruction fetches once EFER.NXE is on.
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <keel/arch_vm.h>

#include "x86.h"

typedef uint64_t pte_t;

#define PAE_P    0x001ull /* present */
#define PAE_RW   0x002ull /* writable */
#define PAE_US   0x004ull /* user mode may use it */
#define PAE_PWT  0x008ull /* write-through */
#define PAE_PCD  0x010ull /* cache disabled */
#define PAE_A    0x020ull /* accessed: set by the CPU */
#define PAE_D    0x040ull /* dirty: set by the CPU */
#define PAE_PS   0x080ull /* in a page directory: a 2 MiB page */
#define PAE_G    0x100ull /* global: kept in the TLB across CR3 loads */
#define PAE_KEPT 0x200ull /* (ignored by the CPU, bit 9) VM_KEPT: mapped through a capability */
#define PAE_NX   (1ull << 63)
#define PAE_ADDR 0x0000000ffffff000ull /* the frame: 36 physical address bits */
/* A PDPT entry may hold only P, PWT and PCD: the rest are reserved (#GP on CR3 load). */
#define PDPTE_FLAGS PAE_P

#define PAE_ENTRIES     512
#define PAE_LARGE_BYTES 0x200000u /* a 2 MiB page */
#define PAE_PHYS_LIMIT  (1ull << 36)

#define PDPT_INDEX(va) ((uint32_t)(va) >> 30)
#define PD_INDEX(va)   (((uint32_t)(va) >> 21) & 511)
#define PT_INDEX(va)   (((uint32_t)(va) >> 12) & 511)

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)

/* The table at physical address @pa, through the direct map. */
static inline pte_t *pae_table(paddr_t pa)
{
	return (pte_t *)phys_to_virt((uint32_t)(pa & PAE_ADDR));
}

/* The PDPT at @root: only 32-byte aligned (the kernel's is in .bss), so not masked. */
static inline pte_t *pae_pdpt(paddr_t root)
{
	return (pte_t *)phys_to_virt((uint32_t)root);
}

/* What paging.c decided at boot: NX in use, global pages in use. */
extern pte_t pae_nx, pae_global;

/* Print one entry decoded: "present, writable, user, NX, global". */
void pae_entry_describe(pte_t e, bool leaf);

/* Switch from the boot tables to the PAE tables at @pdpt (paging_switch.S). */
void x86_paging_switch(uint32_t pdpt, uint32_t cr4_set);

/* Install the page-fault detail and the double-fault task (fault.c). */
void x86_fault_init(paddr_t kernel_root);

#endif
