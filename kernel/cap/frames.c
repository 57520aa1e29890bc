/*
 * frames.c - memory as capabilities: runs of physical frames, and where
 * capabilities to them are mapped.
 *
 * A run is 2^order contiguous frames, taken from the buddy allocator with
 * FRAMES_ALLOC through a memory capability and charged to the task that
 * took it, like every page it maps itself: its frame limit bounds both.
 * The capability FRAMES_ALLOC returns is the run's original; capabilities
 * derived from it may name a part of the run (a range of pages, kept in
 * the badge, which the holder cannot change). Each capability maps at
 * most once, in its holder's own space, and the page-table entries are
 * marked VM_KEPT so that the space's own calls (MEM_UNMAP, MEM_PROTECT)
 * cannot change them: only the capability can. Deleting a capability
 * (closing, revoking, its task ending) unmaps what it mapped; deleting
 * the original, which comes after every capability derived from it is
 * gone (cap.h), frees the run back to its allocator's account.
 *
 * Where a capability is mapped is kept in its slot (handle.h's mapped),
 * so finding it costs nothing; moving a capability to another task (in a
 * message) undoes its mapping first, since the mapping is its holder's.
 *
 * Bounds: mapping, unmapping and freeing touch at most
 * KEEL_FRAMES_PAGES_MAX pages.
 */
#include <keel/frame.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/vm.h>

#include "cap_internal.h"

struct frames frames_pool[FRAMES_MAX];

struct frames *frames_lookup(uint32_t id)
{
	struct frames *f = &frames_pool[(id & 0xffu) % FRAMES_MAX];

	return id != 0 && f->id == id ? f : NULL;
}

/* The order of a run of @p pages, or -1 if that is not a run's size. */
static int order_of(uint32_t pages)
{
	if (pages == 0 || pages > KEEL_FRAMES_PAGES_MAX || (pages & (pages - 1)) != 0)
		return -1;
	return __builtin_ctz(pages);
}

/* Take a free run object for @p base: its id, or 0 if none is free. */
static uint32_t frames_new(paddr_t base, unsigned order, owner_t charged)
{
	for (unsigned i = 0; i < FRAMES_MAX; i++) {
		struct frames *f = &frames_pool[i];
		if (f->id != 0)
			continue;
		f->gen = (f->gen + 1) & 0xffffffu;
		f->gen += f->gen == 0; /* an id is never 0 */
		*f = (struct frames){i | f->gen << 8, f->gen, base, order, charged};
		return f->id;
	}
	return 0;
}

/* [frames_alloc] */
int32_t frames_alloc(struct task *t, keel_handle_t memory, uint32_t pages)
{
	int order = order_of(pages);
	const struct handle_slot *mem;
	paddr_t base;
	keel_handle_t h;

	if (order < 0)
		return KEEL_ERR_INVALID;
	if (t->handles.used == t->handles.size)
		return KEEL_ERR_LIMIT; /* no room to name it: take nothing (checked again below) */
	kstatus_t s = frame_alloc_run((unsigned)order, PMM_ZONE_ANY, t->owner, &base);
	if (s == KEEL_ERR_NO_MEMORY && frame_held(t->owner) + pages > t->frame_limit)
		return KEEL_ERR_LIMIT; /* its limit, not the machine's memory */
	if (s != KEEL_OK)
		return s;
	memset(frame_virt(base), 0, pages * PAGE_BYTES); /* no lock held: it may take a while */
	spinflags_t flags = spin_lock(&sched_lock);
	uint32_t id = 0;
	/* Again: the memory capability may have been revoked meanwhile. */
	s = handle_get(&t->handles, memory, KEEL_OBJ_MEMORY, KEEL_RIGHT_WRITE, &mem);
	if (s == KEEL_OK && (id = frames_new(base, (unsigned)order, t->owner)) == 0)
		s = KEEL_ERR_LIMIT; /* every run object is in use */
	if (s == KEEL_OK)           /* LIMIT if another thread filled the table meanwhile */
		s = handle_alloc(&t->handles, KEEL_OBJ_FRAMES, id, KEEL_RIGHT_ALL, &h);
	if (s == KEEL_OK)
		t->handles.slot[handle_index_of(h)].badge = KEEL_RANGE(0, pages);
	else if (id != 0)
		frames_lookup(id)->id = 0;
	spin_unlock(&sched_lock, flags);
	if (s != KEEL_OK)
		frame_free_run(base, (unsigned)order, t->owner);
	return s == KEEL_OK ? h : s;
}
/* [frames_alloc] */

/* [frames_map_flags] */
kstatus_t frames_map_flags(const struct handle_slot *s, uint32_t prot, unsigned *flags)
{
	/* LAB 5: refuse what the capability does not allow, then the page flags */
	if (prot & ~(uint32_t)(KEEL_PROT_WRITE | KEEL_PROT_EXEC))
		return KEEL_ERR_INVALID;
	if ((prot & KEEL_PROT_WRITE) && (prot & KEEL_PROT_EXEC))
		return KEEL_ERR_DENIED; /* W^X */
	if (!(s->rights & KEEL_RIGHT_MAP))
		return KEEL_ERR_DENIED; /* every mapping needs MAP (which allows execute) */
	if ((prot & KEEL_PROT_WRITE) && !(s->rights & KEEL_RIGHT_WRITE))
		return KEEL_ERR_DENIED; /* a writable one WRITE as well */
	*flags = VM_USER | VM_KEPT | (prot & KEEL_PROT_WRITE ? VM_WRITE : 0) |
	         (prot & KEEL_PROT_EXEC ? VM_EXEC : 0);
	return KEEL_OK;
	/* LAB 5 STUB
	(void)s;
	(void)prot;
	(void)flags;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 5 END */
}
/* [frames_map_flags] */

/* [frames_map] */
kstatus_t frames_map(struct task *t, struct handle_slot *s, uintptr_t va, uint32_t prot)
{
	struct frames *f = frames_lookup(s->object);
	unsigned flags = 0;

	if (f == NULL)
		return KEEL_ERR_GONE;
	kstatus_t st = frames_map_flags(s, prot, &flags);
	if (st != KEEL_OK)
		return st;
	if (s->mapped != 0)
		return KEEL_ERR_BUSY; /* one mapping a capability: derive another to map again */
	paddr_t pa = f->base + (paddr_t)range_first(s) * PAGE_BYTES;
	st = vm_map(t->space, va, pa, range_pages(s) * PAGE_BYTES, flags);
	if (st == KEEL_OK)
		s->mapped = (uint32_t)va; /* never 0: page 0 is outside user space */
	return st;
}
/* [frames_map] */

kstatus_t frames_unmap(struct handle_slot *s)
{
	if (s->mapped == 0)
		return KEEL_ERR_NOT_FOUND;
	kstatus_t st = vm_unmap(cap_holder(s)->space, s->mapped, range_pages(s) * PAGE_BYTES);
	assert(st == KEEL_OK); /* VM_KEPT: nothing else can have unmapped it */
	(void)st;
	s->mapped = 0;
	return KEEL_OK;
}

/* [frames_deleting] */
void frames_deleting(struct handle_slot *s)
{
	struct frames *f;

	if (s->type != KEEL_OBJ_FRAMES)
		return;
	frames_unmap(s); /* if it mapped anything */
	if (s->depth == 0 && (f = frames_lookup(s->object)) != NULL) {
		/* The original goes last (cap.h): no other capability names it now. */
		kstatus_t st = frame_free_run(f->base, f->order, f->charged);
		assert(st == KEEL_OK);
		(void)st;
		f->id = 0;
	}
}
/* [frames_deleting] */
