/*
 * mmu.c - PAE page tables: walk, map, unmap, translate (slice 2).
 *
 * Every address space has its own PDPT and three page directories for
 * its lower three gigabytes, made when the space is; the fourth entry of
 * every PDPT points at the one kernel page directory. So the PDPT never
 * changes after creation (the CPU caches its four entries when CR3 is
 * loaded), and a kernel mapping made in one space is there in all.
 * Page tables below the directories are taken from the frame allocator
 * when a mapping first needs one, and given back when the space goes.
 *
 * kernel/mem/vm.c has checked every argument before these functions run:
 * here the only errors are what the tables themselves say.
 */
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/string.h>
#include <keel/vm.h>

#include "paging.h"

/* A zeroed frame for a table, charged to @owner. */
static kstatus_t table_alloc(owner_t owner, uint32_t *tables, paddr_t *pa)
{
	kstatus_t st = frame_alloc(owner, pa);

	if (st != KEEL_OK)
		return st;
	memset(pae_table(*pa), 0, PAGE_BYTES);
	(*tables)++;
	return KEEL_OK;
}

/* [pae_path] */
/*
 * The one walk of the tables: the entries on the way to @va in @root's
 * tables. path->pdpte always; path->pde when the PDPT entry is present;
 * path->pte when the directory entry points at a page table (not for a
 * 2 MiB page, or nothing). Reads only. Every use below starts here:
 * finding an entry, making a page table, translating, printing a walk.
 */
struct pae_path {
	pte_t *pdpte, *pde, *pte;
};

static void pae_path(paddr_t root, uintptr_t va, struct pae_path *p)
{
	p->pdpte = &pae_pdpt(root)[PDPT_INDEX(va)];
	p->pde = (*p->pdpte & PAE_P) ? &pae_table(*p->pdpte)[PD_INDEX(va)] : NULL;
	p->pte = p->pde && (*p->pde & PAE_P) && !(*p->pde & PAE_PS)
	             ? &pae_table(*p->pde)[PT_INDEX(va)]
	             : NULL;
}
/* [pae_path] */

/* [pte_find] */
/*
 * The entry that maps @va, present or not: the page-table entry, or the
 * directory entry of a 2 MiB page. NULL if no page table covers @va.
 * For queries, unmapping and the backtrace.
 */
static pte_t *pte_find(paddr_t root, uintptr_t va)
{
	struct pae_path p;

	pae_path(root, va, &p);
	return p.pte ? p.pte : (p.pde && (*p.pde & PAE_PS)) ? p.pde : NULL;
}
/* [pte_find] */

/* [pte_walk] */
/*
 * Like pte_find(), for vm_map(): the page-table entry for @va, making the
 * page table if there is none yet (a zeroed frame charged to @owner,
 * counted in *@tables). A 2 MiB page already there is KEEL_ERR_EXISTS.
 */
static kstatus_t pte_walk(paddr_t root, uintptr_t va, owner_t owner, uint32_t *tables, pte_t **out)
{
	/* LAB 2: make the page table a mapping needs, where the walk finds none */
	struct pae_path p;
	pae_path(root, va, &p);
	if (p.pde == NULL)
		return KEEL_ERR_NOT_FOUND; /* every space has its four directories */
	if (*p.pde & PAE_PS)
		return KEEL_ERR_EXISTS;
	if (p.pte == NULL) {
		paddr_t pt;
		kstatus_t st = table_alloc(owner, tables, &pt);
		if (st != KEEL_OK)
			return st;
		/* Rights are checked at every level: the directory grants all, the page decides. */
		*p.pde = pt | PAE_P | PAE_RW | (va < VM_KERNEL_BASE ? PAE_US : 0);
		p.pte = &pae_table(*p.pde)[PT_INDEX(va)];
	}
	*out = p.pte;
	return KEEL_OK;
	/* LAB 2 STUB
	(void)root;
	(void)va;
	(void)owner;
	(void)tables;
	(void)out;
	(void)table_alloc;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 2 END */
}
/* [pte_walk] */

/* [pte_make] */
/* The page-table entry for @pa with enum vm_flags @flags at @va. */
static pte_t pte_make(uintptr_t va, paddr_t pa, unsigned flags)
{
	pte_t e = pa | PAE_P;

	if (flags & VM_WRITE)
		e |= PAE_RW;
	if (flags & VM_USER)
		e |= PAE_US;
	if (flags & VM_NOCACHE)
		e |= PAE_PCD | PAE_PWT;
	if (flags & VM_KEPT)
		e |= PAE_KEPT;
	if (!(flags & VM_EXEC))
		e |= pae_nx;
	if (va >= VM_KERNEL_BASE)
		e |= pae_global; /* the kernel half is the same in every space */
	return e;
}
/* [pte_make] */

kstatus_t arch_vm_map_page(paddr_t root, uintptr_t va, paddr_t pa, unsigned flags, owner_t owner,
                           uint32_t *tables)
{
	pte_t *pte = NULL;
	kstatus_t st = pte_walk(root, va, owner, tables, &pte);

	if (st != KEEL_OK)
		return st;
	if (*pte & PAE_P)
		return KEEL_ERR_EXISTS;
	/* Not present before, so no TLB holds it: no flush needed. */
	*pte = pte_make(va, pa, flags);
	return KEEL_OK;
}

/* [unmap_page] */
kstatus_t arch_vm_unmap_page(paddr_t root, uintptr_t va)
{
	pte_t *pte = pte_find(root, va);

	if (pte == NULL || !(*pte & PAE_P) || (*pte & PAE_PS))
		return KEEL_ERR_NOT_FOUND;
	*pte = 0;
	/* The TLB may still hold the old translation: drop it, global or not. */
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	return KEEL_OK;
}
/* [unmap_page] */

static unsigned flags_of(pte_t e)
{
	unsigned f = 0;

	f |= (e & PAE_RW) ? VM_WRITE : 0;
	f |= (e & PAE_US) ? VM_USER : 0;
	f |= (e & PAE_PCD) ? VM_NOCACHE : 0;
	f |= (e & PAE_G) ? VM_GLOBAL : 0;
	f |= (e & PAE_KEPT) ? VM_KEPT : 0;
	f |= (e & PAE_NX) ? 0 : VM_EXEC;
	return f;
}

kstatus_t arch_vm_query(paddr_t root, uintptr_t va, paddr_t *pa, unsigned *flags)
{
	struct pae_path p;

	pae_path(root, va, &p);
	const pte_t *leaf = p.pte ? p.pte : p.pde;
	if (leaf == NULL || !(*leaf & PAE_P))
		return KEEL_ERR_NOT_FOUND;
	pte_t e = *leaf;
	uint32_t page_mask = (e & PAE_PS) ? PAE_LARGE_BYTES - 1 : PAGE_BYTES - 1;
	if (p.pte) /* the CPU grants write and user access only if the directory entry does too */
		e &= *p.pde | ~(PAE_RW | PAE_US);
	if (pa)
		*pa = (e & PAE_ADDR & ~(pte_t)page_mask) | (va & page_mask);
	if (flags)
		*flags = flags_of(e);
	return KEEL_OK;
}

kstatus_t arch_vm_root_create(paddr_t kernel_root, owner_t owner, paddr_t *root, uint32_t *tables)
{
	paddr_t f[4]; /* the PDPT, then a directory for each user gigabyte */
	uint32_t n = 0;
	kstatus_t st = KEEL_OK;

	while (n < 4 && st == KEEL_OK)
		st = table_alloc(owner, &n, &f[n]);
	if (st != KEEL_OK) {
		while (n > 0)
			frame_free(f[--n], owner);
		return st;
	}
	pte_t *pdpt = pae_pdpt(f[0]);
	for (unsigned i = 0; i < 3; i++)
		pdpt[i] = f[i + 1] | PDPTE_FLAGS;
	/* The one kernel directory. Built afresh, not copied: the CPU (QEMU at least) may
	 * have set the accessed bit in the kernel's entry, which is reserved in a PDPTE. */
	pdpt[3] = (pae_pdpt(kernel_root)[3] & PAE_ADDR) | PDPTE_FLAGS;
	*root = f[0];
	*tables = n;
	return KEEL_OK;
}

void arch_vm_root_destroy(paddr_t root, owner_t owner)
{
	pte_t *pdpt = pae_pdpt(root);

	for (unsigned i = 0; i < 3; i++) {
		pte_t *pd = pae_table(pdpt[i]);
		for (unsigned j = 0; j < PAE_ENTRIES; j++)
			if ((pd[j] & PAE_P) && !(pd[j] & PAE_PS))
				frame_free(pd[j] & PAE_ADDR, owner);
		frame_free(pdpt[i] & PAE_ADDR, owner);
	}
	frame_free(root, owner);
}

void arch_vm_activate(paddr_t root)
{
	__asm__ volatile("movl %0, %%cr3" : : "r"((uint32_t)root) : "memory");
}

paddr_t arch_vm_active_root(void)
{
	uint32_t cr3;

	__asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
	return cr3 & ~0x1fu;
}

static void walk_line(const char *level, unsigned index, const pte_t *at, bool leaf)
{
	kprintf("  %-4s[%3u] at 0x%08x = 0x%016llx  ", level, index,
	        (unsigned)((uintptr_t)at - KERNEL_VBASE), (unsigned long long)*at);
	pae_entry_describe(*at, leaf);
}

/* [walk_print] */
void arch_vm_walk_print(paddr_t root, uintptr_t va)
{
	struct pae_path p;

	pae_path(root, va, &p);
	kprintf("walk of 0x%08x: CR3 -> PDPT at 0x%08x\n", (unsigned)va, (unsigned)root);
	/* A PDPT entry has no rights bits: present or not, and where its directory is. */
	kprintf("  PDPT[%3u] at 0x%08x = 0x%016llx  %s 0x%llx\n", PDPT_INDEX(va),
	        (unsigned)((uintptr_t)p.pdpte - KERNEL_VBASE), (unsigned long long)*p.pdpte,
	        *p.pdpte & PAE_P ? "present -> directory" : "not present", *p.pdpte & PAE_ADDR);
	if (p.pde)
		walk_line("PD", PD_INDEX(va), p.pde, (*p.pde & PAE_PS) != 0);
	if (p.pte)
		walk_line("PT", PT_INDEX(va), p.pte, true);
}
/* [walk_print] */
