/*
 * paging.c - from the boot page tables to PAE paging with NX (slice 2).
 *
 * The boot tables of slice 0 map 16 MiB with 4 MiB pages, every page
 * writable and executable. Here the kernel builds its real tables, in
 * PAE format so that pages can be marked no-execute:
 *   - the direct map: physical 0 .. the top of RAM (at most VM_DIRECT_MAX)
 *     at VM_KERNEL_BASE, with 2 MiB pages, writable and NX;
 *   - except the first KERNEL_PT_MB MiB, which hold the kernel image and
 *     use 4 KiB pages so that each section gets its own rights: .text
 *     read-only and executable, .rodata read-only and NX, the rest
 *     writable and NX. That is W^X for the kernel itself;
 *   - the I/O and local APIC window (0xFEC00000-0xFEFFFFFF) uncached, NX.
 * All kernel entries are global. These first tables are static arrays,
 * so paging does not depend on the frame allocator.
 *
 * Switching a running CPU from 32-bit to PAE paging needs paging off for
 * a moment, so the switch runs from .boot through a temporary identity
 * mapping (paging_switch.S), which is removed at once.
 */
#include <keel/bootinfo.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/vm.h>

#include "paging.h"

#define KERNEL_PT_MB 8 /* the kernel image must end below this */
#define KERNEL_PTS   (KERNEL_PT_MB / 2)

static pte_t kernel_pdpt[4] __attribute__((aligned(32)));
static pte_t kernel_pd[4][PAE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static pte_t kernel_pt[KERNEL_PTS][PAE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static paddr_t direct_end;
pte_t pae_nx, pae_global;

extern char _text_start[], _text_end[], _rodata_start[], _data_start[];

static paddr_t phys_of(const void *p)
{
	return (uintptr_t)p - KERNEL_VBASE;
}

/* [cpu_paging_features] */
/* PAE is required; NX and global pages are used when the CPU has them. */
static void check_features(void)
{
	uint32_t r[4];

	cpuid_leaf(1, r);
	if (!(r[3] & (1u << 6)))
		panic("this CPU has no PAE: Keel pages with PAE so that NX can enforce W^X "
		      "(QEMU: -cpu max; Bochs: a model with PAE)");
	pae_global = (r[3] & (1u << 13)) ? PAE_G : 0;
	cpuid_leaf(0x80000000u, r);
	bool nx = false;
	if (r[0] >= 0x80000001u) {
		cpuid_leaf(0x80000001u, r);
		nx = r[3] & (1u << 20);
	}
	pae_nx = nx ? PAE_NX : 0;
	if (!nx)
		kprintf("warning: this CPU has no NX: W^X is refused in mappings, but every page "
		        "stays executable (QEMU: -cpu max)\n");
}
/* [cpu_paging_features] */

/* The rights of the 4 KiB kernel page at physical @pa. */
static pte_t image_rights(paddr_t pa)
{
	if (pa >= phys_of(_text_start) && pa < phys_of(_text_end))
		return 0; /* code: read-only, executable */
	if (pa >= phys_of(_rodata_start) && pa < phys_of(_data_start))
		return pae_nx; /* constants and the symbol table: read-only */
	return PAE_RW | pae_nx;
}

/* [direct_map] */
static void build_direct_map(void)
{
	pte_t *pd = kernel_pd[3];

	for (unsigned t = 0; t < KERNEL_PTS; t++) {
		for (unsigned i = 0; i < PAE_ENTRIES; i++) {
			paddr_t pa = (paddr_t)(t * PAE_ENTRIES + i) * PAGE_SIZE;
			kernel_pt[t][i] = pa | PAE_P | pae_global | image_rights(pa);
		}
		pd[t] = phys_of(kernel_pt[t]) | PAE_P | PAE_RW;
	}
	for (unsigned i = KERNEL_PTS; i < direct_end / PAE_LARGE_BYTES; i++)
		pd[i] =
		    (paddr_t)i * PAE_LARGE_BYTES | PAE_P | PAE_RW | PAE_PS | pae_global | pae_nx;
}
/* [direct_map] */

#define APIC_WINDOW     0xfec00000u /* I/O APIC at 0xFEC00000, local APIC at 0xFEE00000 */
#define APIC_WINDOW_END 0xff000000u

/* The local APIC and I/O APIC registers, at the addresses slice 1 uses. */
static void map_apic_window(void)
{
	for (uint32_t va = APIC_WINDOW; va < APIC_WINDOW_END; va += PAE_LARGE_BYTES)
		kernel_pd[3][PD_INDEX(va)] =
		    va | PAE_P | PAE_RW | PAE_PS | PAE_PCD | PAE_PWT | pae_global | pae_nx;
}

/* The end of RAM the direct map covers: whole 2 MiB pages, at least the kernel's. */
static paddr_t find_direct_end(void)
{
	uint64_t top = bootinfo_usable_top(&bootinfo);

	if (top < (KERNEL_PT_MB << 20))
		top = KERNEL_PT_MB << 20;
	if (top > VM_DIRECT_MAX)
		top = VM_DIRECT_MAX;
	return (top + PAE_LARGE_BYTES - 1) & ~(uint64_t)(PAE_LARGE_BYTES - 1);
}

/* [paging_switch_call] */
static void switch_tables(void)
{
	uint32_t cr4 = CR4_PAE | (pae_global ? CR4_PGE : 0);

	if (pae_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* Identity-map .boot in both sets of tables for the switch, and only for it. */
	boot_pgdir[0] = PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	kernel_pd[0][0] = PAE_P | PAE_RW | PAE_PS;
	x86_paging_switch((uint32_t)phys_of(kernel_pdpt), cr4);
	kernel_pd[0][0] = 0;
	boot_pgdir[0] = 0;
	arch_vm_activate(phys_of(kernel_pdpt)); /* drop the identity page from the TLB */
}
/* [paging_switch_call] */

/* Slice 2's answer for the backtrace: is the page of @va mapped now? */
static bool paged_readable(uintptr_t va)
{
	return va >= KERNEL_VBASE && arch_vm_query(arch_vm_active_root(), va, 0, 0) == KEEL_OK;
}

paddr_t arch_vm_init(void)
{
	check_features();
	if ((uintptr_t)_kernel_phys_end > (KERNEL_PT_MB << 20))
		panic(
		    "paging: the kernel image ends at 0x%x, beyond the %u MiB mapped page by page",
		    (unsigned)(uintptr_t)_kernel_phys_end, KERNEL_PT_MB);
	direct_end = find_direct_end();
	for (unsigned i = 0; i < 4; i++)
		kernel_pdpt[i] = phys_of(kernel_pd[i]) | PDPTE_FLAGS;
	build_direct_map();
	map_apic_window();
	switch_tables();
	x86_kernel_readable = paged_readable;
	x86_fault_init(phys_of(kernel_pdpt));
	return phys_of(kernel_pdpt);
}

bool arch_vm_nx(void)
{
	return pae_nx != 0;
}

paddr_t arch_vm_phys_limit(void)
{
	return PAE_PHYS_LIMIT;
}

paddr_t arch_vm_direct_end(void)
{
	return direct_end;
}

void pae_entry_describe(pte_t e, bool leaf)
{
	if (!(e & PAE_P)) {
		kprintf("not present\n");
		return;
	}
	kprintf("present%s%s%s%s%s%s -> %s 0x%llx\n", e & PAE_RW ? ", writable" : ", read-only",
	        e & PAE_US ? ", user" : ", kernel", e & PAE_PCD ? ", uncached" : "",
	        leaf && (e & PAE_NX) ? ", NX" : "", leaf && (e & PAE_G) ? ", global" : "",
	        e & PAE_PS ? ", 2 MiB page" : "", leaf ? "frame" : "table",
	        (unsigned long long)(e & PAE_ADDR));
}
