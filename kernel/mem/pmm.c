/*
 * pmm.c - the physical frame allocator: a buddy system in each zone.
 *
 * Free memory is kept as naturally aligned blocks of 2^order frames, on
 * one doubly linked list per order and zone, threaded through each
 * block's first struct frame. Allocating takes the smallest free block
 * that fits and splits it, the upper halves going back on the lists;
 * freeing merges a block with its buddy (the pfn that differs only in bit
 * `order`) while that buddy is free and whole, so the halves of a split
 * find each other again. Both take at most PMM_MAX_ORDER steps. Every
 * frame also names its owner, and owner_frames counts them, so that later
 * slices can account and bound memory per task. Slice 2 ("mem"): frame.c
 * builds the kernel's allocator from the boot map; page tables, stacks
 * and the slab allocator take their frames from it.
 */
#include <keel/panic.h>
#include <keel/pmm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static struct frame *frame_of(const struct pmm *p, pfn_t pfn)
{
	return &p->frames[pfn - p->base];
}

/* Does @p p describe frames pfn .. pfn + n - 1? Written so that nothing overflows. */
static bool inside(const struct pmm *p, pfn_t pfn, pfn_t n)
{
	return pfn >= p->base && pfn - p->base <= p->count && n <= p->count - (pfn - p->base);
}

/* The pfn in what @p p describes that is nearest to @p pfn (one past the end at most). */
static pfn_t clip(const struct pmm *p, pfn_t pfn)
{
	return pfn < p->base ? p->base : pfn - p->base > p->count ? p->base + p->count : pfn;
}

/* May @p owner hold allocated frames? Free and reserved are states, not owners. */
bool pmm_can_own(owner_t owner)
{
	return owner != OWNER_FREE && owner != OWNER_RESERVED && owner < PMM_OWNERS;
}

/*
 * Give every frame of a block to @p owner, and move its count from the old owner (the first
 * frame's): owner_frames[x] is always the number of frames whose owner is x. O(2^order).
 */
static void set_owner(struct pmm *p, pfn_t pfn, unsigned order, owner_t owner)
{
	pfn_t n = (pfn_t)1 << order;

	p->owner_frames[frame_of(p, pfn)->owner] -= n;
	p->owner_frames[owner] += n;
	for (pfn_t i = 0; i < n; i++)
		frame_of(p, pfn + i)->owner = owner;
}

/* Only pmm_alloc() and pmm_free() use these; in the lab tree they are stubs. */
#define LAB_HELPER __attribute__((unused))

/* Put the free block at @p pfn first on its list; its frames are OWNER_FREE already. */
LAB_HELPER static void list_push(struct pmm *p, struct pmm_zone *z, pfn_t pfn, unsigned order)
{
	struct frame *f = frame_of(p, pfn);

	f->flags = FRAME_HEAD | FRAME_FREE;
	f->order = (uint8_t)order;
	f->prev = PFN_NONE;
	f->next = z->free_head[order];
	if (f->next != PFN_NONE)
		frame_of(p, f->next)->prev = pfn;
	z->free_head[order] = pfn;
	z->free_blocks[order]++;
	z->free += (pfn_t)1 << order;
}

/* Take the free block at @p pfn off its list; its first frame is left without flags. */
LAB_HELPER static void list_remove(struct pmm *p, struct pmm_zone *z, pfn_t pfn)
{
	struct frame *f = frame_of(p, pfn);
	unsigned order = f->order;

	if (f->prev != PFN_NONE)
		frame_of(p, f->prev)->next = f->next;
	else
		z->free_head[order] = f->next;
	if (f->next != PFN_NONE)
		frame_of(p, f->next)->prev = f->prev;
	f->next = f->prev = PFN_NONE;
	f->flags = 0;
	f->order = 0;
	z->free_blocks[order]--;
	z->free -= (pfn_t)1 << order;
}

/*
 * Is @p buddy, the buddy of the block at @p pfn, a whole free block of @p order? Never
 * merge with frames outside @p p or in another zone, nor with part of a larger block.
 */
LAB_HELPER static bool free_buddy(const struct pmm *p, pfn_t pfn, pfn_t buddy, unsigned order)
{
	const struct frame *f;

	if (!inside(p, buddy, (pfn_t)1 << order) || pmm_zone_of(buddy) != pmm_zone_of(pfn))
		return false;
	f = frame_of(p, buddy);
	return f->flags == (FRAME_HEAD | FRAME_FREE) && f->order == order;
}

/*
 * The zone in @p zones, normal first (DMA frames are scarce; only some devices need them),
 * with a free block of at least 2^*order frames; *order becomes its order. NULL if none.
 */
LAB_HELPER static struct pmm_zone *find_free(struct pmm *p, unsigned zones, unsigned *order)
{
	static const enum pmm_zone_id prefer[ZONE_COUNT] = {ZONE_NORMAL, ZONE_DMA};

	for (unsigned i = 0; i < ZONE_COUNT; i++) {
		struct pmm_zone *z = &p->zones[prefer[i]];

		if (!(zones & (1u << prefer[i])))
			continue;
		for (unsigned k = *order; k <= PMM_MAX_ORDER; k++) {
			if (z->free_head[k] != PFN_NONE) {
				*order = k;
				return z;
			}
		}
	}
	return NULL;
}

/* A failed allocation counts in every zone it was allowed to search. */
LAB_HELPER static void count_failure(struct pmm *p, unsigned zones)
{
	for (unsigned i = 0; i < ZONE_COUNT; i++)
		if (zones & (1u << i))
			p->zones[i].failures++;
}

static void zone_init(struct pmm_zone *z, const char *name, pfn_t start, pfn_t end)
{
	*z = (struct pmm_zone){.name = name, .start = start, .end = end};
	for (unsigned k = 0; k < PMM_ORDERS; k++)
		z->free_head[k] = PFN_NONE;
}

void pmm_init(struct pmm *p, struct frame *frames, pfn_t base, pfn_t count)
{
	const struct frame reserved = {.owner = OWNER_RESERVED, .next = PFN_NONE, .prev = PFN_NONE};

	assert(count <= PFN_NONE - base); /* PFN_NONE must never name a frame */
	*p = (struct pmm){.frames = frames, .base = base, .count = count, .strict = KEEL_ASSERTS};
	for (pfn_t i = 0; i < count; i++)
		frames[i] = reserved;
	p->owner_frames[OWNER_RESERVED] = count;
	zone_init(&p->zones[ZONE_DMA], "DMA", clip(p, 0), clip(p, ZONE_DMA_END));
	zone_init(&p->zones[ZONE_NORMAL], "normal", clip(p, ZONE_DMA_END), base + count);
}

/*
 * The order of the largest naturally aligned block that starts at @p pfn,
 * holds at most @p count frames and stays in one zone.
 */
static unsigned block_order(pfn_t pfn, pfn_t count)
{
	unsigned order = 0;

	if (pfn < ZONE_DMA_END && count > ZONE_DMA_END - pfn)
		count = ZONE_DMA_END - pfn;
	while (order < PMM_MAX_ORDER && (pfn & ((2u << order) - 1)) == 0 && (2u << order) <= count)
		order++;
	return order;
}

/*
 * Hand a reserved block over the way Linux hands over boot memory: make
 * it a block the kernel holds, then free it. So pmm_free()'s merge is the
 * one place where free blocks are built, and boot exercises it.
 */
static void add_block(struct pmm *p, pfn_t pfn, unsigned order)
{
	struct pmm_zone *z = &p->zones[pmm_zone_of(pfn)];
	struct frame *head = frame_of(p, pfn);
	uint32_t frees = z->frees;

	set_owner(p, pfn, order, OWNER_KERNEL);
	head->flags = FRAME_HEAD;
	head->order = (uint8_t)order;
	z->managed += (pfn_t)1 << order;
	(void)pmm_free(p, pfn, order, OWNER_KERNEL); /* cannot fail: the block is the kernel's */
	z->frees = frees;                            /* a hand-over is not a caller's free */
}

kstatus_t pmm_add_range(struct pmm *p, pfn_t first, pfn_t count)
{
	if (!inside(p, first, count))
		return KEEL_ERR_RANGE;
	for (pfn_t i = 0; i < count; i++)
		if (frame_of(p, first + i)->owner != OWNER_RESERVED)
			return KEEL_ERR_EXISTS;
	while (count > 0) {
		unsigned order = block_order(first, count);

		add_block(p, first, order);
		first += (pfn_t)1 << order;
		count -= (pfn_t)1 << order;
	}
	return KEEL_OK;
}

/* Could @p owner hold @p n more frames without passing its limit? */
static bool within_limit(const struct pmm *p, owner_t owner, pfn_t n)
{
	uint32_t limit = p->owner_limit[owner], held = p->owner_frames[owner];

	return limit == 0 || (held <= limit && limit - held >= n);
}

/* The argument checks of pmm_alloc(): a bad argument, then the owner's limit. */
static kstatus_t alloc_check(const struct pmm *p, unsigned order, unsigned zones, owner_t owner)
{
	if (order > PMM_MAX_ORDER || !pmm_can_own(owner))
		return KEEL_ERR_INVALID;
	/* Bits beyond the zones are a bug too: an order passed as the mask, say. */
	if (zones == 0 || (zones & ~(unsigned)PMM_ZONE_ANY) != 0)
		return KEEL_ERR_INVALID;
	if (!within_limit(p, owner, (pfn_t)1 << order))
		return KEEL_ERR_NO_MEMORY;
	return KEEL_OK;
}

kstatus_t pmm_alloc(struct pmm *p, unsigned order, unsigned zones, owner_t owner, pfn_t *out)
{
	kstatus_t s = alloc_check(p, order, zones, owner);

	if (s != KEEL_OK)
		return s;
	/* LAB 2: allocate a block: find, split, take */
	unsigned k = order;
	struct pmm_zone *z = find_free(p, zones, &k);

	if (z == NULL) {
		count_failure(p, zones);
		return KEEL_ERR_NO_MEMORY;
	}
	pfn_t pfn = z->free_head[k];
	list_remove(p, z, pfn);
	/* [buddy_split] */
	while (k > order) {
		k--;
		list_push(p, z, pfn + ((pfn_t)1 << k), k); /* the upper half stays free */
	}
	/* [buddy_split] */
	set_owner(p, pfn, order, owner);
	frame_of(p, pfn)->flags = FRAME_HEAD;
	frame_of(p, pfn)->order = (uint8_t)order;
	z->allocs++;
	*out = pfn;
	return KEEL_OK;
	/* LAB 2 STUB
	(void)p;
	(void)order;
	(void)zones;
	(void)owner;
	(void)out;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 2 END */
}

/*
 * Is the block of 2^@p order frames at @p pfn an allocated block of @p owner's? The checks of
 * pmm_free() and pmm_transfer(), in their contracts' order. Misuse is a bug in the caller: with
 * @p strict it stops the kernel where the bug is, not later where memory is corrupt.
 */
static kstatus_t block_check(const struct pmm *p, pfn_t pfn, unsigned order, owner_t owner,
                             bool strict)
{
	const struct frame *f;

	if (order > PMM_MAX_ORDER) { /* before any shift by order */
		assert(!strict || !"pmm_free: order above PMM_MAX_ORDER");
		return KEEL_ERR_INVALID;
	}
	if (!inside(p, pfn, (pfn_t)1 << order))
		return KEEL_ERR_RANGE;
	if ((pfn & (((pfn_t)1 << order) - 1)) != 0)
		return KEEL_ERR_ALIGN;
	f = frame_of(p, pfn);
	if (f->owner == OWNER_FREE) {
		assert(!strict || !"pmm_free: double free");
		return KEEL_ERR_FREED;
	}
	if (f->owner == OWNER_RESERVED || f->owner != owner) {
		assert(!strict || !"pmm_free: the frame belongs to another owner");
		return KEEL_ERR_DENIED;
	}
	if (!(f->flags & FRAME_HEAD) || f->order != order) {
		assert(!strict || !"pmm_free: not the first frame of a block of that order");
		return KEEL_ERR_INVALID;
	}
	return KEEL_OK;
}

kstatus_t pmm_free(struct pmm *p, pfn_t pfn, unsigned order, owner_t owner)
{
	kstatus_t s = block_check(p, pfn, order, owner, p->strict);

	if (s != KEEL_OK)
		return s;
	/* LAB 2: free a block: give it back, merge it with its free buddies */
	struct pmm_zone *z = &p->zones[pmm_zone_of(pfn)];

	set_owner(p, pfn, order, OWNER_FREE);
	frame_of(p, pfn)->flags = 0;
	z->frees++;
	/* [buddy_merge] */
	while (order < PMM_MAX_ORDER) {
		pfn_t buddy = pfn ^ ((pfn_t)1 << order);

		if (!free_buddy(p, pfn, buddy, order))
			break;
		list_remove(p, z, buddy);
		pfn &= ~((pfn_t)1 << order); /* the merged block starts at the lower half */
		order++;
	}
	/* [buddy_merge] */
	list_push(p, z, pfn, order);
	return KEEL_OK;
	/* LAB 2 STUB
	(void)p;
	(void)pfn;
	(void)order;
	(void)owner;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 2 END */
}

owner_t pmm_owner_of(const struct pmm *p, pfn_t pfn)
{
	return inside(p, pfn, 1) ? frame_of(p, pfn)->owner : OWNER_RESERVED;
}

kstatus_t pmm_set_limit(struct pmm *p, owner_t owner, uint32_t frames)
{
	if (!pmm_can_own(owner))
		return KEEL_ERR_INVALID;
	p->owner_limit[owner] = frames;
	return KEEL_OK;
}

/* [pmm_transfer] */
kstatus_t pmm_transfer(struct pmm *p, pfn_t pfn, unsigned order, owner_t from, owner_t to)
{
	/* A transfer is not a free: misuse is an error to return, never an assertion. */
	kstatus_t s = pmm_can_own(to) ? block_check(p, pfn, order, from, false) : KEEL_ERR_INVALID;

	if (s == KEEL_OK && !within_limit(p, to, (pfn_t)1 << order))
		s = KEEL_ERR_NO_MEMORY;
	if (s == KEEL_OK)
		set_owner(p, pfn, order, to); /* O(1) for the single frames of the frame cache */
	return s;
}
/* [pmm_transfer] */

uint32_t pmm_free_frames(const struct pmm *p)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < ZONE_COUNT; i++)
		n += p->zones[i].free;
	return n;
}

enum pmm_zone_id pmm_zone_of(pfn_t pfn)
{
	return pfn < ZONE_DMA_END ? ZONE_DMA : ZONE_NORMAL;
}

const char *pmm_owner_name(owner_t owner)
{
	static const char *const names[] = {"free", "reserved", "kernel", "page tables",
	                                    "heap", "stacks",   "test",   "frame cache"};

	if (owner < sizeof(names) / sizeof(names[0]))
		return names[owner];
	return owner >= OWNER_FIRST_TASK && owner < PMM_OWNERS ? "task" : "owner?";
}
