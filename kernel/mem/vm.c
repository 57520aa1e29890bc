/*
 * vm.c - address spaces: the rules, the checks and the bookkeeping (slice 2).
 *
 * The page tables themselves are the port's (arch_vm.h). This file decides
 * what may be mapped where: a user space maps only its lower three
 * gigabytes, the kernel space only its stack area; a page is never both
 * writable and executable; addresses and sizes are page multiples. It
 * maps a range one page at a time and, if a page fails, unmaps the pages
 * it had mapped, so a failed call leaves the space as it was.
 *
 * Spaces come from a slab cache, so making one costs a few frames for its
 * tables and no search.
 */
#include <keel/arch.h>
#include <keel/arch_vm.h>
#include <keel/frame.h>
#include <keel/slab.h>
#include <keel/spinlock.h>
#include <keel/vm.h>

/* vm_lock guards the list of spaces, the active space and every space's
 * page tables and page count. */
struct vm_space vm_kernel = {.owner = OWNER_PAGE_TABLES};
static struct slab_cache space_cache;
static struct vm_space *active = &vm_kernel;
static spinlock_t vm_lock = SPINLOCK_INIT("vm", LOCK_RANK_VM);

/* [vm_check_range] */
/* Is [va, va + size) inside the part of @s that vm_map() may change? */
static kstatus_t check_range(const struct vm_space *s, uintptr_t va, size_t size)
{
	uintptr_t lo = s == &vm_kernel ? VM_KSTACK_BASE : VM_USER_BASE;
	uintptr_t hi = s == &vm_kernel ? VM_KSTACK_END : VM_USER_END;

	if (va % PAGE_BYTES != 0 || size % PAGE_BYTES != 0)
		return KEEL_ERR_ALIGN;
	if (size == 0)
		return KEEL_ERR_INVALID;
	if (va < lo || va > hi || size > hi - va)
		return KEEL_ERR_RANGE;
	return KEEL_OK;
}
/* [vm_check_range] */

/* [vm_check_map] */
static kstatus_t check_map(const struct vm_space *s, uintptr_t va, paddr_t pa, size_t size,
                           unsigned flags)
{
	if (s == NULL || (flags & ~VM_MAP_FLAGS) != 0)
		return KEEL_ERR_INVALID;
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return KEEL_ERR_DENIED; /* W^X */
	if (pa % PAGE_BYTES != 0)
		return KEEL_ERR_ALIGN;
	kstatus_t st = check_range(s, va, size);
	if (st != KEEL_OK)
		return st;
	if (pa + size < pa || pa + size > arch_vm_phys_limit())
		return KEEL_ERR_RANGE; /* beyond what the page tables can address */
	return KEEL_OK;
}
/* [vm_check_map] */

/* [vm_map] */
kstatus_t vm_map(struct vm_space *s, uintptr_t va, paddr_t pa, size_t size, unsigned flags)
{
	kstatus_t st = check_map(s, va, pa, size, flags);
	size_t done = 0;

	if (st != KEEL_OK)
		return st;
	spinflags_t irq = spin_lock(&vm_lock);
	for (; done < size && st == KEEL_OK; done += PAGE_BYTES)
		st = arch_vm_map_page(s->root, va + done, pa + done, flags, s->owner, &s->tables);
	if (st != KEEL_OK) {
		/* Undo: the page at done - PAGE_BYTES failed, the ones before it are mapped. */
		for (size_t i = 0; i + PAGE_BYTES < done; i += PAGE_BYTES)
			arch_vm_unmap_page(s->root, va + i);
		done = 0;
	}
	s->pages += done / PAGE_BYTES;
	spin_unlock(&vm_lock, irq);
	return st;
}
/* [vm_map] */

kstatus_t vm_unmap(struct vm_space *s, uintptr_t va, size_t size)
{
	kstatus_t st = s == NULL ? KEEL_ERR_INVALID : check_range(s, va, size);

	if (st != KEEL_OK)
		return st;
	spinflags_t irq = spin_lock(&vm_lock);
	/* All or nothing: look first, then unmap. */
	for (size_t i = 0; i < size && st == KEEL_OK; i += PAGE_BYTES)
		st = arch_vm_query(s->root, va + i, 0, 0);
	for (size_t i = 0; i < size && st == KEEL_OK; i += PAGE_BYTES)
		arch_vm_unmap_page(s->root, va + i);
	if (st == KEEL_OK)
		s->pages -= size / PAGE_BYTES;
	spin_unlock(&vm_lock, irq);
	return st;
}

kstatus_t vm_query(struct vm_space *s, uintptr_t va, paddr_t *pa, unsigned *flags)
{
	if (s == NULL)
		return KEEL_ERR_INVALID;
	spinflags_t irq = spin_lock(&vm_lock);
	kstatus_t st = arch_vm_query(s->root, va, pa, flags);
	spin_unlock(&vm_lock, irq);
	return st;
}

kstatus_t vm_space_create(owner_t owner, struct vm_space **out)
{
	if (owner == OWNER_FREE || owner == OWNER_RESERVED || owner >= PMM_OWNERS || out == NULL)
		return KEEL_ERR_INVALID;
	struct vm_space *s = slab_alloc(&space_cache);
	if (s == NULL)
		return KEEL_ERR_NO_MEMORY;
	*s = (struct vm_space){.owner = owner};
	spinflags_t irq = spin_lock(&vm_lock);
	kstatus_t st = arch_vm_root_create(vm_kernel.root, owner, &s->root, &s->tables);
	if (st == KEEL_OK) {
		s->next = vm_kernel.next;
		vm_kernel.next = s;
	}
	spin_unlock(&vm_lock, irq);
	if (st != KEEL_OK) {
		slab_free(&space_cache, s);
		return st;
	}
	*out = s;
	return KEEL_OK;
}

/* Take @s off the list of spaces; false if it is not on it. */
static bool unlink_space(struct vm_space *s)
{
	for (struct vm_space *p = &vm_kernel; p->next; p = p->next) {
		if (p->next == s) {
			p->next = s->next;
			return true;
		}
	}
	return false;
}

kstatus_t vm_space_destroy(struct vm_space *s)
{
	if (s == &vm_kernel || s == active)
		return KEEL_ERR_BUSY;
	spinflags_t irq = spin_lock(&vm_lock);
	bool found = s != NULL && unlink_space(s);
	if (found)
		arch_vm_root_destroy(s->root, s->owner);
	spin_unlock(&vm_lock, irq);
	if (!found)
		return KEEL_ERR_INVALID;
	slab_free(&space_cache, s);
	return KEEL_OK;
}

void vm_activate(struct vm_space *s)
{
	spinflags_t irq = spin_lock(&vm_lock);
	active = s;
	arch_vm_activate(s->root);
	spin_unlock(&vm_lock, irq);
}

struct vm_space *vm_active(void)
{
	return active;
}

void vm_walk_print(struct vm_space *s, uintptr_t va)
{
	arch_vm_walk_print(s->root, va);
}

bool vm_nx_enforced(void)
{
	return arch_vm_nx();
}

void vm_init(void)
{
	vm_kernel.root = arch_vm_init();
	slab_cache_init(&space_cache, "vm_space", sizeof(struct vm_space), 0);
}
