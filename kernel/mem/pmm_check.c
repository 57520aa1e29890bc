/*
 * pmm_check.c - the frame allocator's invariants, checked one by one.
 *
 * pmm_check() walks every frame block by block and compares what it finds
 * with the free lists and the counters of pmm.c. It is for tests (host
 * unit tests, in-kernel suites, GDB's `keel frames` does the same from
 * outside): O(frames), never on a real-time path.
 */
#include <keel/pmm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static const struct frame *frame_of(const struct pmm *p, pfn_t pfn)
{
	return &p->frames[pfn - p->base];
}

/* The pfn in what @p p describes that is nearest to @p pfn (one past the end at most). */
static pfn_t clip(const struct pmm *p, pfn_t pfn)
{
	return pfn < p->base ? p->base : pfn - p->base > p->count ? p->base + p->count : pfn;
}

/* pmm_check() walks the frames block by block; the counters and lists must match the tally. */
struct tally {
	uint32_t owner[PMM_OWNERS];                   /* frames per owner */
	uint32_t free[ZONE_COUNT];                    /* frames in free blocks */
	uint32_t used[ZONE_COUNT];                    /* frames in allocated blocks */
	uint32_t blocks[ZONE_COUNT];                  /* allocated blocks */
	uint32_t free_blocks[ZONE_COUNT][PMM_ORDERS]; /* free blocks per order */
};

/* Is the block of 2^order frames at @p pfn aligned and inside zone @p z? */
static bool block_in_zone(const struct pmm_zone *z, pfn_t pfn, unsigned order)
{
	pfn_t n = (pfn_t)1 << order;

	return (pfn & (n - 1)) == 0 && pfn >= z->start && pfn <= z->end && n <= z->end - pfn;
}

/* Do the zones cover exactly what @p p describes, DMA below ZONE_DMA_END? */
static bool zones_ok(const struct pmm *p)
{
	const struct pmm_zone *dma = &p->zones[ZONE_DMA], *normal = &p->zones[ZONE_NORMAL];

	return dma->start == clip(p, 0) && dma->end == clip(p, ZONE_DMA_END) &&
	       normal->start == clip(p, ZONE_DMA_END) && normal->end == p->base + p->count;
}

/* Is the block headed by @p pfn well formed: one owner, flags only on its head? */
static bool block_ok(const struct pmm *p, pfn_t pfn)
{
	const struct frame *f = frame_of(p, pfn);
	bool free = f->flags & FRAME_FREE;

	if ((f->flags & ~(FRAME_HEAD | FRAME_FREE)) != 0 || !(f->flags & FRAME_HEAD) ||
	    f->order > PMM_MAX_ORDER || !block_in_zone(&p->zones[pmm_zone_of(pfn)], pfn, f->order))
		return false;
	if (free ? f->owner != OWNER_FREE : !pmm_can_own(f->owner))
		return false;
	for (pfn_t i = 1; i < (pfn_t)1 << f->order; i++)
		if (frame_of(p, pfn + i)->owner != f->owner || frame_of(p, pfn + i)->flags != 0)
			return false;
	return true;
}

/* Tally the block (or lone reserved frame) at @p pfn; its size, 0 if it is broken. */
static pfn_t tally_block(const struct pmm *p, pfn_t pfn, struct tally *t)
{
	const struct frame *f = frame_of(p, pfn);
	enum pmm_zone_id zone = pmm_zone_of(pfn);
	pfn_t n;

	if (f->owner == OWNER_RESERVED && f->flags == 0) {
		t->owner[OWNER_RESERVED]++;
		return 1;
	}
	if (!block_ok(p, pfn))
		return 0;
	n = (pfn_t)1 << f->order;
	t->owner[f->owner] += n;
	if (f->flags & FRAME_FREE) {
		t->free[zone] += n;
		t->free_blocks[zone][f->order]++;
	} else {
		t->used[zone] += n;
		t->blocks[zone]++;
	}
	return n;
}

/*
 * Is the list of @p order in @p z made of free_blocks[order] free heads of that order, each
 * linked back to the one before? (A block reached twice would need two predecessors.)
 */
static bool list_ok(const struct pmm *p, const struct pmm_zone *z, unsigned order)
{
	pfn_t prev = PFN_NONE;
	uint32_t n = 0;

	for (pfn_t pfn = z->free_head[order]; pfn != PFN_NONE; pfn = frame_of(p, pfn)->next) {
		if (n++ == z->free_blocks[order] || !block_in_zone(z, pfn, order))
			return false;
		const struct frame *f = frame_of(p, pfn);
		if (f->flags != (FRAME_HEAD | FRAME_FREE) || f->order != order || f->prev != prev)
			return false;
		prev = pfn;
	}
	return n == z->free_blocks[order];
}

/* Do the counters of zone @p id and its lists agree with the tally? */
static bool zone_ok(const struct pmm *p, enum pmm_zone_id id, const struct tally *t)
{
	const struct pmm_zone *z = &p->zones[id];

	if (z->free != t->free[id] || z->managed != t->free[id] + t->used[id] ||
	    z->allocs - z->frees != t->blocks[id])
		return false;
	for (unsigned k = 0; k < PMM_ORDERS; k++)
		if (z->free_blocks[k] != t->free_blocks[id][k] || !list_ok(p, z, k))
			return false;
	return true;
}

bool pmm_check(const struct pmm *p)
{
	struct tally t = {0};
	pfn_t n;

	if (!zones_ok(p))
		return false;
	for (pfn_t pfn = p->base; pfn - p->base < p->count; pfn += n)
		if ((n = tally_block(p, pfn, &t)) == 0)
			return false;
	for (unsigned i = 0; i < ZONE_COUNT; i++)
		if (!zone_ok(p, (enum pmm_zone_id)i, &t))
			return false;
	for (unsigned o = 0; o < PMM_OWNERS; o++)
		if (p->owner_frames[o] != t.owner[o])
			return false;
	return true;
}
