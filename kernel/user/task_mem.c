/*
 * task_mem.c - a task's memory: loading its program, its stacks, the
 * memory calls, and giving it all back.
 *
 * Every page a task uses is a frame charged to the task's own owner id,
 * zeroed before it is mapped (a frame's last user may have been another
 * task, and what it left there is not this task's to read). The loader
 * copies each PT_LOAD segment's file bytes into fresh frames and leaves
 * the rest of the segment zero (.bss); each page is mapped with its
 * segment's rights only, so text is read-execute and data read-write,
 * never both (W^X, which vm_map() enforces too).
 *
 * Because everything is charged to the task's owner, its end needs no
 * list of what it mapped: destroy the space (its tables go back), then
 * frame_reclaim() frees whatever frames the owner still holds. The
 * check that the owner then holds nothing is the accounting's proof.
 */
#include <keel/bootfs.h>
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/task.h>

#include "task_internal.h"

/* The error for a failed allocation charged to @p t: KEEL_ERR_LIMIT if it
 * is at its frame limit (the allocator says NO_MEMORY for both), else @p s. */
static kstatus_t task_alloc_error(const struct task *t, kstatus_t s)
{
	bool at_limit = t->frame_limit && frame_held(t->owner) >= t->frame_limit;

	return s == KEEL_ERR_NO_MEMORY && at_limit ? KEEL_ERR_LIMIT : s;
}

kstatus_t task_find_program(const char *name, struct elf_image *img, const void **data)
{
	struct bootfs_file f;
	const char *why = "";
	size_t len = strnlen(name, BOOTFS_NAME_MAX + 1);

	if (len == 0 || len > BOOTFS_NAME_MAX)
		return KEEL_ERR_INVALID;
	kstatus_t s = bootfs_lookup(name, len, &f);
	if (s == KEEL_OK)
		s = elf_check(f.data, f.size, VM_USER_BASE, VM_USER_END, img, &why);
	if (s == KEEL_ERR_BAD_IMAGE)
		kprintf("task: program '%s' refused: %s\n", name, why);
	*data = f.data;
	return s;
}

/* Map one zeroed page at @p va in @p t with @p flags; its frame in *pa. */
static kstatus_t map_fresh_page(struct task *t, uintptr_t va, unsigned flags, paddr_t *pa)
{
	kstatus_t s = frame_alloc(t->owner, pa);

	if (s != KEEL_OK)
		return task_alloc_error(t, s);
	memset(frame_virt(*pa), 0, PAGE_BYTES);
	s = vm_map(t->space, va, *pa, PAGE_BYTES, flags | VM_USER);
	if (s != KEEL_OK) {
		frame_free(*pa, t->owner);
		return task_alloc_error(t, s);
	}
	return KEEL_OK;
}

/* [load_segment] */
/* Map segment @p seg of the file @p data: file bytes copied, the rest zero. */
static kstatus_t load_segment(struct task *t, const struct elf_segment *seg, const uint8_t *data)
{
	/* LAB 3: map each page of the segment, copy the file bytes, leave the rest zero */
	uintptr_t first = seg->vaddr & ~(uintptr_t)(PAGE_BYTES - 1);
	uintptr_t file_end = seg->vaddr + seg->filesz;

	for (uintptr_t va = first; va < seg->vaddr + seg->memsz; va += PAGE_BYTES) {
		paddr_t pa;
		kstatus_t s = map_fresh_page(t, va, seg->flags, &pa);
		if (s != KEEL_OK)
			return s;
		/* The part of [vaddr, file_end) that falls in this page. */
		uintptr_t lo = va < seg->vaddr ? seg->vaddr : va;
		uintptr_t hi = file_end < va + PAGE_BYTES ? file_end : va + PAGE_BYTES;
		if (lo < hi)
			memcpy((uint8_t *)frame_virt(pa) + (lo - va),
			       data + seg->offset + (lo - seg->vaddr), hi - lo);
	}
	return KEEL_OK;
	/* LAB 3 STUB
	(void)t;
	(void)seg;
	(void)data;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 3 END */
}
/* [load_segment] */

kstatus_t task_load(struct task *t, const struct elf_image *img, const void *data)
{
	kstatus_t s = frame_set_limit(t->owner, t->frame_limit);

	if (s == KEEL_OK)
		s = vm_space_create(t->owner, &t->space);
	for (unsigned i = 0; s == KEEL_OK && i < img->count; i++)
		s = load_segment(t, &img->segment[i], data);
	return task_alloc_error(t, s);
}

/* [task_stack] */
/* Thread slot @p i's stack: TASK_STACK_PAGES pages, a guard page below. */
static uintptr_t stack_top(unsigned i)
{
	return TASK_STACK_TOP - i * (TASK_STACK_PAGES + 1) * PAGE_BYTES;
}

kstatus_t task_stack_map(struct task *t, unsigned i, uintptr_t *top)
{
	uintptr_t base = stack_top(i) - TASK_STACK_PAGES * PAGE_BYTES;

	for (unsigned p = 0; p < TASK_STACK_PAGES; p++) {
		paddr_t pa;
		kstatus_t s = map_fresh_page(t, base + p * PAGE_BYTES, VM_WRITE, &pa);
		if (s != KEEL_OK) {
			if (p > 0)
				task_mem_unmap(t, base, p * PAGE_BYTES);
			return s;
		}
	}
	*top = stack_top(i);
	return KEEL_OK;
}
/* [task_stack] */

void task_stack_unmap(struct task *t, unsigned i)
{
	uintptr_t base = stack_top(i) - TASK_STACK_PAGES * PAGE_BYTES;

	/* Page by page: the thread may have unmapped some of it itself. */
	for (unsigned p = 0; p < TASK_STACK_PAGES; p++)
		task_mem_unmap(t, base + p * PAGE_BYTES, PAGE_BYTES);
}

/* [task_release_memory] */
void task_release_memory(struct task *t)
{
	if (t->space != NULL) {
		if (vm_active() == t->space)
			vm_activate(&vm_kernel); /* a space in use cannot go */
		kstatus_t s = vm_space_destroy(t->space);
		assert(s == KEEL_OK);
		(void)s;
		t->space = NULL;
	}
	frame_reclaim(t->owner);
	assert(frame_held(t->owner) == 0 && "a task's frames are all charged to it");
	frame_set_limit(t->owner, 0);
}
/* [task_release_memory] */

kstatus_t task_mem_map(struct task *t, uintptr_t va, size_t size, unsigned flags)
{
	for (size_t off = 0; off < size; off += PAGE_BYTES) {
		paddr_t pa;
		kstatus_t s = map_fresh_page(t, va + off, flags, &pa);
		if (s != KEEL_OK) {
			if (off > 0)
				task_mem_unmap(t, va, off);
			return s;
		}
	}
	return KEEL_OK;
}

/* Is every page of [va, va + size) mapped in @p t? KEEL_ERR_NOT_FOUND if
 * not; KEEL_ERR_DENIED if a page is kept by a capability's mapping (slice
 * 5), which only that capability may change. */
static kstatus_t all_mapped(struct task *t, uintptr_t va, size_t size)
{
	unsigned flags;

	for (size_t off = 0; off < size; off += PAGE_BYTES) {
		if (vm_query(t->space, va + off, NULL, &flags) != KEEL_OK)
			return KEEL_ERR_NOT_FOUND;
		if (flags & VM_KEPT)
			return KEEL_ERR_DENIED;
	}
	return KEEL_OK;
}

kstatus_t task_mem_unmap(struct task *t, uintptr_t va, size_t size)
{
	kstatus_t s = all_mapped(t, va, size);

	if (s != KEEL_OK)
		return s;
	for (size_t off = 0; off < size; off += PAGE_BYTES) {
		paddr_t pa;
		vm_query(t->space, va + off, &pa, NULL);
		vm_unmap(t->space, va + off, PAGE_BYTES);
		if (frame_owner(pa) == t->owner)
			frame_free(pa & ~(paddr_t)(PAGE_BYTES - 1), t->owner);
	}
	return KEEL_OK;
}

/* [task_mem_protect] */
kstatus_t task_mem_protect(struct task *t, uintptr_t va, size_t size, unsigned flags)
{
	kstatus_t s = all_mapped(t, va, size);

	if (s != KEEL_OK)
		return s;
	/* Remap each page with the new rights. Unmapping keeps the page
	 * tables, so mapping the same page again cannot need a frame. */
	for (size_t off = 0; off < size; off += PAGE_BYTES) {
		paddr_t pa;
		vm_query(t->space, va + off, &pa, NULL);
		pa &= ~(paddr_t)(PAGE_BYTES - 1);
		vm_unmap(t->space, va + off, PAGE_BYTES);
		kstatus_t s = vm_map(t->space, va + off, pa, PAGE_BYTES, flags | VM_USER);
		assert(s == KEEL_OK);
		(void)s;
	}
	return KEEL_OK;
}
/* [task_mem_protect] */
