/*
 * test_pmm.c - host unit tests for kernel/mem/pmm.c, the buddy frame allocator.
 *
 * Every page table, stack and slab page comes from this allocator, so a
 * block handed out twice, a frame lost in a merge or a count that drifts
 * corrupts memory far from the cause. The tests build allocators of their
 * own, with the frame array on the heap so AddressSanitizer sees any
 * stray index: 8192 frames (32 MiB, so both zones exist), and one that
 * starts at pfn 256 like real memory above 1 MiB. pmm_check() runs after
 * the operations, and a test proves it catches each broken invariant.
 *
 * The contract is checked case by case: the blocks pmm_add_range() cuts
 * (unaligned ranges, the 16 MiB boundary) and its errors; splitting and
 * merging back to the very blocks the ranges gave; the zones and their
 * order of preference; every error of pmm_alloc() and pmm_free(), in the
 * contract's order, each leaving the allocator byte for byte unchanged,
 * and the assert of strict mode; owners, their counts and their limits.
 * Last, seeded random sequences of allocations and frees, valid and not,
 * are compared at every step with a model that only records who holds
 * each frame: blocks never overlap, they are aligned, they come from the
 * preferred zone that has room, and every count agrees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/panic.h>
#include <keel/pmm.h>

/* 32 MiB: half DMA, half normal. */
#define FRAMES  8192u
#define DMA_END ZONE_DMA_END

/* --------------------------------------------------------------------------
 * The host has no panic.c: assert() in pmm.c lands here. A test that
 * expects an assert sets assert_jump; any other assert fails the test.
 */

static jmp_buf *assert_jump;
static unsigned assert_count;
static const char *assert_expr;

void assert_failed(const char *file, int line, const char *func, const char *expr)
{
	assert_count++;
	assert_expr = expr;
	if (assert_jump == NULL) {
		fail_msg("unexpected assert at %s:%d in %s: %s", file, line, func, expr);
		abort();
	}
	longjmp(*assert_jump, 1);
}

/* pmm_free(), catching an assert: true if it asserted, else *s is its status. */
static bool free_asserts(struct pmm *p, pfn_t pfn, unsigned order, owner_t owner, kstatus_t *s)
{
	jmp_buf jump;
	unsigned before = assert_count;

	if (setjmp(jump) == 0) {
		assert_jump = &jump;
		*s = pmm_free(p, pfn, order, owner);
	}
	assert_jump = NULL;
	return assert_count != before;
}

/* --------------------------------------------------------------------------
 * Allocators, snapshots and expectations.
 */

/* A new allocator for frames base .. base + count - 1, its memory poisoned first. */
static struct pmm *new_pmm(pfn_t base, pfn_t count)
{
	struct pmm *p = malloc(sizeof(*p));
	struct frame *frames = malloc(count * sizeof(*frames));

	assert_non_null(p);
	assert_non_null(frames);
	memset(p, 0xa5, sizeof(*p));
	memset(frames, 0xa5, count * sizeof(*frames));
	pmm_init(p, frames, base, count);
	return p;
}

/* FRAMES frames from pfn 0, all given to the allocator. */
static struct pmm *full_pmm(void)
{
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 0, FRAMES), KEEL_OK);
	return p;
}

static void delete_pmm(struct pmm *p)
{
	free(p->frames);
	free(p);
}

#define expect_pmm_ok(p) assert_true(pmm_check(p))

/* A copy of an allocator and of its frames. */
struct snapshot {
	struct pmm p;
	struct frame *frames;
};

static void snapshot_take(struct snapshot *s, const struct pmm *p)
{
	s->p = *p;
	s->frames = malloc(p->count * sizeof(struct frame));
	assert_non_null(s->frames);
	memcpy(s->frames, p->frames, p->count * sizeof(struct frame));
}

static void snapshot_drop(struct snapshot *s)
{
	free(s->frames);
}

/* Put @p p back as it was in @p s. */
static void snapshot_restore(const struct snapshot *s, struct pmm *p)
{
	struct frame *frames = p->frames;

	*p = s->p;
	p->frames = frames;
	memcpy(frames, s->frames, p->count * sizeof(struct frame));
}

/* Fail unless @p p is byte for byte what @p s recorded. */
static void expect_unchanged(const struct snapshot *s, const struct pmm *p)
{
	assert_memory_equal(&s->p, p, sizeof(*p));
	assert_memory_equal(s->frames, p->frames, p->count * sizeof(struct frame));
}

/*
 * Fail unless @p p holds the same blocks as @p s: the same heads, orders,
 * owners and flags on every frame and the same counts per order. Only the
 * order of each free list may differ.
 */
static void expect_same_blocks(const struct snapshot *s, const struct pmm *p)
{
	for (pfn_t i = 0; i < p->count; i++) {
		const struct frame *a = &s->frames[i], *b = &p->frames[i];
		if (a->owner != b->owner || a->flags != b->flags ||
		    (a->flags && a->order != b->order))
			fail_msg("pfn %u: owner %u flags %u order %u, was %u %u %u", p->base + i,
			         b->owner, b->flags, b->order, a->owner, a->flags, a->order);
	}
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		assert_memory_equal(s->p.zones[z].free_blocks, p->zones[z].free_blocks,
		                    sizeof(p->zones[z].free_blocks));
		assert_int_equal(s->p.zones[z].free, p->zones[z].free);
	}
	assert_memory_equal(s->p.owner_frames, p->owner_frames, sizeof(p->owner_frames));
}

/* A free block: its first pfn and its order. */
struct block {
	pfn_t pfn;
	unsigned order;
};

/* Fail unless the free blocks of @p p are exactly @p want. */
static void expect_free_blocks(const struct pmm *p, const struct block *want, unsigned n)
{
	unsigned heads = 0;

	for (pfn_t i = 0; i < p->count; i++)
		heads += (p->frames[i].flags & FRAME_FREE) != 0;
	assert_int_equal(heads, n);
	for (unsigned i = 0; i < n; i++) {
		const struct frame *f = &p->frames[want[i].pfn - p->base];
		if (f->flags != (FRAME_HEAD | FRAME_FREE) || f->order != want[i].order)
			fail_msg("pfn %u: flags %u order %u, want a free block of order %u",
			         want[i].pfn, f->flags, f->order, want[i].order);
	}
	expect_pmm_ok(p);
}

/* Allocate, expecting success; returns the block's first pfn. */
static pfn_t alloc_ok(struct pmm *p, unsigned order, unsigned zones, owner_t owner)
{
	pfn_t pfn = PFN_NONE;

	assert_int_equal(pmm_alloc(p, order, zones, owner, &pfn), KEEL_OK);
	assert_int_equal(pfn & ((1u << order) - 1), 0);
	assert_true(pfn >= p->base && pfn - p->base + (1u << order) <= p->count);
	for (pfn_t i = 0; i < 1u << order; i++)
		assert_int_equal(pmm_owner_of(p, pfn + i), owner);
	return pfn;
}

/* Allocate, expecting @p want (an error): *out is left alone. */
static void alloc_fails(struct pmm *p, unsigned order, unsigned zones, owner_t owner,
                        kstatus_t want)
{
	pfn_t pfn = 0x5a5a5a5a;

	assert_int_equal(pmm_alloc(p, order, zones, owner, &pfn), want);
	assert_int_equal(pfn, 0x5a5a5a5a);
}

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Shuffle @p n pfns in a seeded random order (Fisher-Yates). */
static void shuffle(pfn_t *a, unsigned n, uint64_t seed)
{
	for (unsigned i = n - 1; i > 0 && n > 0; i--) {
		unsigned j = next_random(&seed) % (i + 1);
		pfn_t tmp = a[i];
		a[i] = a[j];
		a[j] = tmp;
	}
}

/* --------------------------------------------------------------------------
 * Setting up: pmm_init and pmm_add_range.
 */

static void expect_zone(const struct pmm *p, unsigned z, const char *name, pfn_t start, pfn_t end)
{
	assert_string_equal(p->zones[z].name, name);
	assert_int_equal(p->zones[z].start, start);
	assert_int_equal(p->zones[z].end, end);
}

static void init_reserves_every_frame_and_clips_the_zones(void **state)
{
	(void)state;
	struct pmm *p = new_pmm(0, FRAMES);

	for (pfn_t i = 0; i < FRAMES; i++)
		assert_true(p->frames[i].owner == OWNER_RESERVED && p->frames[i].flags == 0);
	assert_int_equal(p->owner_frames[OWNER_RESERVED], FRAMES);
	assert_int_equal(p->owner_frames[OWNER_FREE], 0);
	assert_true(p->strict); /* KEEL_ASSERTS is on in the DEV profile */
	expect_zone(p, ZONE_DMA, "DMA", 0, DMA_END);
	expect_zone(p, ZONE_NORMAL, "normal", DMA_END, FRAMES);
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		assert_int_equal(p->zones[z].managed, 0);
		for (unsigned k = 0; k < PMM_ORDERS; k++)
			assert_int_equal(p->zones[z].free_head[k], PFN_NONE);
	}
	assert_int_equal(pmm_free_frames(p), 0);
	expect_pmm_ok(p);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	delete_pmm(p);

	p = new_pmm(256, 1000); /* below 16 MiB only: an empty normal zone */
	expect_zone(p, ZONE_DMA, "DMA", 256, 1256);
	expect_zone(p, ZONE_NORMAL, "normal", 1256, 1256);
	expect_pmm_ok(p);
	delete_pmm(p);
	p = new_pmm(5000, 100); /* above 16 MiB only: an empty DMA zone */
	expect_zone(p, ZONE_DMA, "DMA", 5000, 5000);
	expect_zone(p, ZONE_NORMAL, "normal", 5000, 5100);
	expect_pmm_ok(p);
	delete_pmm(p);
	p = new_pmm(4000, 200); /* across the boundary */
	expect_zone(p, ZONE_DMA, "DMA", 4000, DMA_END);
	expect_zone(p, ZONE_NORMAL, "normal", DMA_END, 4200);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void add_range_cuts_maximal_aligned_blocks_and_merges(void **state)
{
	(void)state;
	static const struct block cut[] = {{3, 0}, {4, 2}, {8, 2}, {12, 0}};
	static const struct block merged[] = {{0, 3}, {8, 2}, {12, 0}};
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 3, 10), KEEL_OK); /* starts unaligned */
	expect_free_blocks(p, cut, 4);
	assert_int_equal(p->zones[ZONE_DMA].managed, 10);
	assert_int_equal(p->zones[ZONE_DMA].free, 10);
	assert_int_equal(p->owner_frames[OWNER_FREE], 10);
	assert_int_equal(p->owner_frames[OWNER_RESERVED], FRAMES - 10);
	assert_int_equal(pmm_owner_of(p, 2), OWNER_RESERVED);
	assert_int_equal(pmm_owner_of(p, 3), OWNER_FREE);
	assert_int_equal(pmm_owner_of(p, 12), OWNER_FREE);
	assert_int_equal(pmm_owner_of(p, 13), OWNER_RESERVED);

	/* [0,2) and 2 merge with what is already free: 2+3, then 0-3, then 0-7. */
	assert_int_equal(pmm_add_range(p, 0, 3), KEEL_OK);
	expect_free_blocks(p, merged, 3);
	assert_int_equal(p->zones[ZONE_DMA].allocs, 0);
	assert_int_equal(p->zones[ZONE_DMA].frees, 0); /* handing over is not freeing */

	assert_int_equal(pmm_add_range(p, 13, FRAMES - 13), KEEL_OK);
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		for (unsigned k = 0; k < PMM_MAX_ORDER; k++)
			assert_int_equal(p->zones[z].free_blocks[k], 0);
		assert_int_equal(p->zones[z].free_blocks[PMM_MAX_ORDER], 4);
		assert_int_equal(p->zones[z].managed, FRAMES / 2);
	}
	assert_int_equal(pmm_free_frames(p), FRAMES);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void add_range_across_16mib_splits_at_the_boundary(void **state)
{
	(void)state;
	static const struct block across[] = {
	    {4000, 5}, {4032, 6}, {4096, 6}, {4160, 5}, {4192, 3}};
	static const struct block big[] = {{3072, 10}, {4096, 10}};
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 4000, 200), KEEL_OK);
	expect_free_blocks(p, across, 5);
	assert_int_equal(p->zones[ZONE_DMA].free, 96);
	assert_int_equal(p->zones[ZONE_NORMAL].free, 104);
	assert_int_equal(p->zones[ZONE_DMA].managed, 96);
	assert_int_equal(p->zones[ZONE_NORMAL].managed, 104);
	delete_pmm(p);

	p = new_pmm(0, FRAMES);
	assert_int_equal(pmm_add_range(p, 3072, 2048), KEEL_OK);
	expect_free_blocks(p, big, 2);
	assert_int_equal(alloc_ok(p, 10, PMM_ZONE_DMA, OWNER_TEST), 3072);
	assert_int_equal(alloc_ok(p, 10, PMM_ZONE_NORMAL, OWNER_TEST), 4096);
	assert_int_equal(pmm_free(p, 4096, 10, OWNER_TEST), KEEL_OK);
	assert_int_equal(pmm_free(p, 3072, 10, OWNER_TEST), KEEL_OK);
	expect_free_blocks(p, big, 2);
	delete_pmm(p);

	p = new_pmm(4000, 200); /* the allocator itself straddles 16 MiB */
	assert_int_equal(pmm_add_range(p, 4000, 200), KEEL_OK);
	expect_free_blocks(p, across, 5);
	delete_pmm(p);
}

static void add_range_errors_change_nothing(void **state)
{
	(void)state;
	static const pfn_t bad_range[][2] = {
	    {255, 10},         {256 + FRAMES - 5, 10}, {256 + FRAMES, 1}, {0, 1},
	    {300, 0xffffffff}, {0xfffffff0, 0x20},     {256, FRAMES + 1},
	};
	static const pfn_t taken[][2] = {{1050, 10}, {990, 20}, {1099, 2}, {256, FRAMES}};
	struct pmm *p = new_pmm(256, FRAMES);
	struct snapshot s;

	assert_int_equal(pmm_add_range(p, 1000, 100), KEEL_OK);
	pfn_t held = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL);
	snapshot_take(&s, p);
	for (unsigned i = 0; i < sizeof(bad_range) / sizeof(bad_range[0]); i++) {
		assert_int_equal(pmm_add_range(p, bad_range[i][0], bad_range[i][1]),
		                 KEEL_ERR_RANGE);
		expect_unchanged(&s, p);
	}
	for (unsigned i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		assert_int_equal(pmm_add_range(p, taken[i][0], taken[i][1]), KEEL_ERR_EXISTS);
		expect_unchanged(&s, p);
	}
	assert_int_equal(pmm_add_range(p, held, 1), KEEL_ERR_EXISTS); /* allocated */
	expect_unchanged(&s, p);
	assert_int_equal(pmm_add_range(p, 500, 0), KEEL_OK); /* empty: nothing to do */
	assert_int_equal(pmm_add_range(p, 256 + FRAMES, 0), KEEL_OK);
	expect_unchanged(&s, p);
	snapshot_drop(&s);
	delete_pmm(p);
}

/* --------------------------------------------------------------------------
 * Splitting, merging, exhaustion.
 */

static void split_keeps_upper_halves_and_free_merges_them_back(void **state)
{
	(void)state;
	static const struct block halves[] = {{1, 0},  {2, 1},  {4, 2},   {8, 3},   {16, 4},
	                                      {32, 5}, {64, 6}, {128, 7}, {256, 8}, {512, 9}};
	static const struct block some[] = {{6, 1},  {8, 3},   {16, 4},  {32, 5},
	                                    {64, 6}, {128, 7}, {256, 8}, {512, 9}};
	static const struct block one[] = {{0, 10}};
	struct pmm *p = new_pmm(0, 1024);

	assert_int_equal(pmm_add_range(p, 0, 1024), KEEL_OK);
	assert_int_equal(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_TEST), 0);
	expect_free_blocks(p, halves, 10);
	assert_int_equal(p->zones[ZONE_DMA].allocs, 1);
	assert_int_equal(p->frames[0].flags, FRAME_HEAD);
	assert_int_equal(alloc_ok(p, 1, PMM_ZONE_ANY, OWNER_TEST), 2); /* the smallest that fits */
	assert_int_equal(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_TEST), 1);
	assert_int_equal(alloc_ok(p, 1, PMM_ZONE_ANY, OWNER_TEST), 4); /* splits 4-7 */
	expect_free_blocks(p, some, 8);

	assert_int_equal(pmm_free(p, 1, 0, OWNER_TEST), KEEL_OK); /* 0 is held: no merge */
	assert_int_equal(p->frames[1].flags, FRAME_HEAD | FRAME_FREE);
	assert_int_equal(p->frames[1].order, 0);
	assert_int_equal(pmm_free(p, 0, 0, OWNER_TEST), KEEL_OK); /* 0+1, then 2-3 is held */
	assert_int_equal(p->frames[0].order, 1);
	assert_int_equal(p->frames[1].flags, 0);
	assert_int_equal(pmm_free(p, 4, 1, OWNER_TEST), KEEL_OK); /* 4-7 whole again */
	assert_int_equal(p->frames[4].order, 2);
	assert_int_equal(pmm_free(p, 2, 1, OWNER_TEST), KEEL_OK); /* up to 0-1023 */
	expect_free_blocks(p, one, 1);
	assert_int_equal(p->zones[ZONE_DMA].frees, 4);
	delete_pmm(p);
}

/* Allocate blocks of @p order until none is left, then free them all in a random order. */
static void exhaust_and_free(unsigned order, uint64_t seed)
{
	struct pmm *p = full_pmm();
	unsigned n = 0, want = FRAMES >> order;
	pfn_t *got = malloc(want * sizeof(*got)), pfn;
	bool *seen = calloc(FRAMES, sizeof(*seen));
	struct snapshot s;

	snapshot_take(&s, p);
	while (pmm_alloc(p, order, PMM_ZONE_ANY, OWNER_TEST, &pfn) == KEEL_OK) {
		assert_true(n < want && pfn < FRAMES && pfn % (1u << order) == 0 && !seen[pfn]);
		seen[pfn] = true;
		got[n++] = pfn;
	}
	assert_int_equal(n, want);
	assert_int_equal(pmm_free_frames(p), 0);
	assert_int_equal(p->owner_frames[OWNER_TEST], FRAMES);
	assert_int_equal(p->zones[ZONE_NORMAL].failures, 1);
	assert_int_equal(p->zones[ZONE_DMA].failures, 1);
	expect_pmm_ok(p);
	shuffle(got, n, seed);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(pmm_free(p, got[i], order, OWNER_TEST), KEEL_OK);
		if (i % 61 == 0)
			expect_pmm_ok(p);
	}
	expect_pmm_ok(p);
	assert_int_equal(pmm_free_frames(p), FRAMES);
	expect_same_blocks(&s, p);
	for (unsigned z = 0; z < ZONE_COUNT; z++)
		assert_int_equal(p->zones[z].allocs, p->zones[z].frees);
	snapshot_drop(&s);
	free(seen);
	free(got);
	delete_pmm(p);
}

static void allocate_until_exhausted_and_free_everything(void **state)
{
	(void)state;
	for (unsigned order = 0; order <= PMM_MAX_ORDER; order++)
		exhaust_and_free(order, 0x65786861ULL + order);
}

static void free_coalesces_back_to_the_original_blocks(void **state)
{
	(void)state;
	struct pmm *p = new_pmm(0, FRAMES);
	pfn_t pfn[FRAMES], order[FRAMES], perm[FRAMES];
	unsigned n = 0;
	uint64_t seed = 0x636f616cULL;
	struct snapshot s;

	/* Unaligned ranges and a hole, so the original blocks are of every order. */
	assert_int_equal(pmm_add_range(p, 5, 3000), KEEL_OK);
	assert_int_equal(pmm_add_range(p, 3100, 4001), KEEL_OK);
	snapshot_take(&s, p);
	for (;;) { /* random orders until not even one frame is left */
		unsigned k = next_random(&seed) % 4 ? next_random(&seed) % 3 : seed % PMM_ORDERS;
		if (pmm_alloc(p, k, PMM_ZONE_ANY, OWNER_HEAP, &pfn[n]) != KEEL_OK) {
			if (k == 0)
				break;
			continue;
		}
		order[n] = k;
		perm[n] = n;
		n++;
	}
	assert_int_equal(pmm_free_frames(p), 0);
	shuffle(perm, n, seed);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(pmm_free(p, pfn[perm[i]], order[perm[i]], OWNER_HEAP), KEEL_OK);
	expect_pmm_ok(p);
	expect_same_blocks(&s, p);
	snapshot_drop(&s);
	delete_pmm(p);
}

static void memory_from_pfn_256_like_ram_above_1mib(void **state)
{
	(void)state;
	static const struct block start[] = {{256, 8},   {512, 9},   {1024, 10}, {2048, 10},
	                                     {3072, 10}, {4096, 10}, {5120, 10}, {6144, 10},
	                                     {7168, 10}, {8192, 8}};
	struct pmm *p = new_pmm(256, FRAMES);
	pfn_t got[FRAMES];
	struct snapshot s;

	assert_int_equal(pmm_add_range(p, 256, FRAMES), KEEL_OK);
	expect_free_blocks(p, start, 10);
	assert_int_equal(p->zones[ZONE_DMA].free, DMA_END - 256);
	assert_int_equal(p->zones[ZONE_NORMAL].free, FRAMES + 256 - DMA_END);
	snapshot_take(&s, p);
	for (unsigned i = 0; i < FRAMES; i++) {
		got[i] = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL);
		assert_true(got[i] >= 256 && got[i] < 256 + FRAMES);
		assert_true(i < FRAMES + 256 - DMA_END ? got[i] >= DMA_END : got[i] < DMA_END);
	}
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	expect_pmm_ok(p);
	for (unsigned i = FRAMES; i-- > 0;) /* 256's buddy at order 8 is pfn 0: not ours */
		assert_int_equal(pmm_free(p, got[i], 0, OWNER_KERNEL), KEEL_OK);
	expect_same_blocks(&s, p);
	assert_int_equal(pmm_free(p, 100, 0, OWNER_KERNEL), KEEL_ERR_RANGE);
	assert_int_equal(pmm_free(p, 255, 0, OWNER_KERNEL), KEEL_ERR_RANGE);
	assert_int_equal(pmm_owner_of(p, 100), OWNER_RESERVED);
	assert_int_equal(pmm_owner_of(p, 256 + FRAMES), OWNER_RESERVED);
	assert_int_equal(pmm_owner_of(p, 256), OWNER_FREE);
	snapshot_drop(&s);
	delete_pmm(p);
}

/* --------------------------------------------------------------------------
 * Zones.
 */

static void dma_and_normal_allocations_stay_in_their_zone(void **state)
{
	(void)state;
	struct pmm *p = full_pmm();
	uint64_t seed = 0x7a6f6e65ULL;

	for (unsigned i = 0; i < 200; i++) {
		unsigned k = next_random(&seed) % 6;
		pfn_t d = alloc_ok(p, k, PMM_ZONE_DMA, OWNER_KERNEL);
		pfn_t n = alloc_ok(p, k, PMM_ZONE_NORMAL, OWNER_KERNEL);
		assert_true(d + (1u << k) <= DMA_END);
		assert_true(n >= DMA_END && n + (1u << k) <= FRAMES);
	}
	assert_int_equal(p->zones[ZONE_DMA].allocs, 200);
	assert_int_equal(p->zones[ZONE_NORMAL].allocs, 200);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void any_prefers_normal_and_falls_back_to_dma(void **state)
{
	(void)state;
	struct pmm *p = full_pmm();

	for (unsigned i = 0; i < DMA_END; i++)
		assert_true(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL) >= DMA_END);
	assert_int_equal(p->zones[ZONE_NORMAL].free, 0);
	assert_int_equal(p->zones[ZONE_DMA].free, DMA_END);
	assert_true(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL) < DMA_END);
	assert_true(alloc_ok(p, 10, PMM_ZONE_ANY, OWNER_KERNEL) < DMA_END);
	assert_int_equal(p->zones[ZONE_NORMAL].failures, 0); /* a fallback is no failure */

	/* Normal is exhausted while DMA still has frames, and the reverse below. */
	alloc_fails(p, 0, PMM_ZONE_NORMAL, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_int_equal(p->zones[ZONE_NORMAL].failures, 1);
	assert_int_equal(p->zones[ZONE_DMA].failures, 0);
	assert_int_equal(p->zones[ZONE_DMA].free, DMA_END - 1025);
	while (p->zones[ZONE_DMA].free > 0)
		assert_true(alloc_ok(p, 0, PMM_ZONE_DMA, OWNER_KERNEL) < DMA_END);
	alloc_fails(p, 0, PMM_ZONE_DMA, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_int_equal(p->zones[ZONE_DMA].failures, 2);
	assert_int_equal(p->zones[ZONE_NORMAL].failures, 2);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void exhausted_dma_leaves_normal_working(void **state)
{
	(void)state;
	struct pmm *p = full_pmm();

	for (unsigned i = 0; i < DMA_END / 1024; i++)
		assert_true(alloc_ok(p, 10, PMM_ZONE_DMA, OWNER_KERNEL) < DMA_END);
	alloc_fails(p, 0, PMM_ZONE_DMA, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_int_equal(p->zones[ZONE_DMA].failures, 1);
	assert_int_equal(p->zones[ZONE_NORMAL].failures, 0);
	assert_int_equal(p->zones[ZONE_NORMAL].free, FRAMES - DMA_END);
	assert_true(alloc_ok(p, 0, PMM_ZONE_NORMAL, OWNER_KERNEL) >= DMA_END);
	assert_true(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL) >= DMA_END);
	expect_pmm_ok(p);
	delete_pmm(p);

	p = new_pmm(256, 1000); /* no normal zone at all */
	assert_int_equal(pmm_add_range(p, 256, 1000), KEEL_OK);
	alloc_fails(p, 0, PMM_ZONE_NORMAL, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_true(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL) < 1256);
	delete_pmm(p);
	p = new_pmm(5000, 100); /* no DMA zone at all */
	assert_int_equal(pmm_add_range(p, 5000, 100), KEEL_OK);
	alloc_fails(p, 0, PMM_ZONE_DMA, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_true(alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL) >= 5000);
	delete_pmm(p);
}

static void no_block_large_enough_is_no_memory(void **state)
{
	(void)state;
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 0, 1000), KEEL_OK); /* 1000 frames, none of order 10 */
	alloc_fails(p, 10, PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_int_equal(pmm_free_frames(p), 1000);
	assert_int_equal(alloc_ok(p, 9, PMM_ZONE_ANY, OWNER_KERNEL), 0);
	alloc_fails(p, 9, PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_NO_MEMORY);
	assert_int_equal(alloc_ok(p, 8, PMM_ZONE_ANY, OWNER_KERNEL), 512);
	expect_pmm_ok(p);
	delete_pmm(p);
}

/* --------------------------------------------------------------------------
 * Errors and misuse.
 */

static void alloc_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	static const unsigned orders[] = {PMM_MAX_ORDER + 1, 31, 32, 255, 0xffffffffu};
	static const unsigned masks[] = {0, 4, 8, PMM_ZONE_ANY | 4, 0xffffffffu};
	static const owner_t owners[] = {OWNER_FREE, OWNER_RESERVED, PMM_OWNERS, 0xffff};
	struct pmm *p = full_pmm();
	struct snapshot s;

	snapshot_take(&s, p);
	for (unsigned i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		alloc_fails(p, orders[i], PMM_ZONE_ANY, OWNER_KERNEL, KEEL_ERR_INVALID);
	for (unsigned i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		alloc_fails(p, 0, masks[i], OWNER_KERNEL, KEEL_ERR_INVALID);
	for (unsigned i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		alloc_fails(p, 0, PMM_ZONE_ANY, owners[i], KEEL_ERR_INVALID);
	expect_unchanged(&s, p);
	/* The edges that are valid. */
	alloc_ok(p, PMM_MAX_ORDER, PMM_ZONE_ANY, OWNER_KERNEL);
	alloc_ok(p, 0, PMM_ZONE_ANY, PMM_OWNERS - 1);
	alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_FIRST_TASK - 1); /* no name, but an owner */
	expect_pmm_ok(p);
	snapshot_drop(&s);
	delete_pmm(p);
}

/* A call of pmm_free() that must fail with @p want and change nothing. */
struct bad_free {
	pfn_t pfn;
	unsigned order;
	owner_t owner;
	kstatus_t want;
};

/* Make each call in @p c; expect its error, an assert exactly when @p asserts says, no change. */
static void expect_bad_frees(struct pmm *p, const struct bad_free *c, unsigned n, bool strict)
{
	struct snapshot s;

	p->strict = strict;
	snapshot_take(&s, p);
	for (unsigned i = 0; i < n; i++) {
		kstatus_t got = KEEL_OK;
		bool misuse = c[i].want != KEEL_ERR_RANGE && c[i].want != KEEL_ERR_ALIGN;
		bool asserted = free_asserts(p, c[i].pfn, c[i].order, c[i].owner, &got);

		if (asserted != (strict && misuse))
			fail_msg("case %u: asserted %d, expected %d", i, asserted,
			         strict && misuse);
		if (asserted)
			assert_non_null(strstr(assert_expr, "pmm_free: "));
		else if (got != c[i].want)
			fail_msg("case %u: pmm_free returned %d, expected %d", i, got, c[i].want);
		expect_unchanged(&s, p);
	}
	snapshot_drop(&s);
}

/*
 * An allocator with a reserved hole at 2048-4095 and at the top, a block
 * of order 3 at *a held by the kernel and one frame at *b held by the heap.
 */
static struct pmm *misuse_pmm(pfn_t *a, pfn_t *b)
{
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 0, 2048), KEEL_OK);
	assert_int_equal(pmm_add_range(p, DMA_END, 2048), KEEL_OK);
	*a = alloc_ok(p, 3, PMM_ZONE_ANY, OWNER_KERNEL);
	*b = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_HEAP);
	return p;
}

/* Each error, and the first of several when a call has more than one wrong. */
static struct bad_free *make_bad_frees(pfn_t a, pfn_t b, unsigned *n)
{
	static struct bad_free c[32];
	const pfn_t free_pfn = 16; /* DMA: free, whatever the normal zone gave */
	const struct bad_free cases[] = {
	    {FRAMES, 0, OWNER_KERNEL, KEEL_ERR_RANGE},
	    {0xffffffff, 0, OWNER_KERNEL, KEEL_ERR_RANGE},
	    {FRAMES - 4, 3, OWNER_KERNEL, KEEL_ERR_RANGE}, /* runs past the end; also unaligned */
	    {FRAMES - 1, PMM_MAX_ORDER, OWNER_KERNEL, KEEL_ERR_RANGE},
	    {a + 1, 3, OWNER_KERNEL, KEEL_ERR_ALIGN},
	    {a + 4, 3, OWNER_KERNEL, KEEL_ERR_ALIGN},
	    {free_pfn + 1, 1, OWNER_KERNEL, KEEL_ERR_ALIGN}, /* free too: alignment first */
	    {free_pfn, 0, OWNER_KERNEL, KEEL_ERR_FREED},
	    {free_pfn + 3, 0, OWNER_KERNEL, KEEL_ERR_FREED}, /* inside a free block */
	    {free_pfn, 2, OWNER_HEAP, KEEL_ERR_FREED},
	    {a, 3, OWNER_HEAP, KEEL_ERR_DENIED},
	    {b, 0, OWNER_KERNEL, KEEL_ERR_DENIED},
	    {a, 2, OWNER_HEAP, KEEL_ERR_DENIED}, /* wrong owner and order: owner first */
	    {a, 3, OWNER_FREE, KEEL_ERR_DENIED},
	    {a, 3, PMM_OWNERS, KEEL_ERR_DENIED},
	    {3000, 0, OWNER_KERNEL, KEEL_ERR_DENIED}, /* reserved */
	    {3000, 0, OWNER_RESERVED, KEEL_ERR_DENIED},
	    {a, 0, OWNER_KERNEL, KEEL_ERR_INVALID},
	    {a, 2, OWNER_KERNEL, KEEL_ERR_INVALID},
	    {a + 4, 2, OWNER_KERNEL, KEEL_ERR_INVALID}, /* inside the block */
	    {a + 1, 0, OWNER_KERNEL, KEEL_ERR_INVALID}, /* inside, order 0 like its order field */
	    {a, PMM_MAX_ORDER + 1, OWNER_KERNEL, KEEL_ERR_INVALID},
	    {a, 40, OWNER_KERNEL, KEEL_ERR_INVALID},
	    {FRAMES, 0xffffffffu, OWNER_KERNEL, KEEL_ERR_INVALID},
	};

	*n = sizeof(cases) / sizeof(cases[0]);
	memcpy(c, cases, sizeof(cases));
	return c;
}

static void free_reports_each_error_in_order_and_changes_nothing(void **state)
{
	(void)state;
	pfn_t a, b;
	unsigned n;
	struct pmm *p = misuse_pmm(&a, &b);
	struct bad_free *c = make_bad_frees(a, b, &n);

	assert_int_equal(pmm_owner_of(p, 16), OWNER_FREE);
	expect_bad_frees(p, c, n, false);
	assert_int_equal(pmm_free(p, a, 3, OWNER_KERNEL), KEEL_OK);
	const struct bad_free twice[] = {{a, 3, OWNER_KERNEL, KEEL_ERR_FREED}};
	expect_bad_frees(p, twice, 1, false);
	assert_int_equal(pmm_free(p, b, 0, OWNER_HEAP), KEEL_OK);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void strict_mode_asserts_on_misuse_only(void **state)
{
	(void)state;
	pfn_t a, b;
	unsigned n;
	struct pmm *p = misuse_pmm(&a, &b);
	struct bad_free *c = make_bad_frees(a, b, &n);
	kstatus_t s = KEEL_ERR_CORRUPT;

	assert_true(p->strict);
	expect_bad_frees(p, c, n, true);
	assert_false(free_asserts(p, a, 3, OWNER_KERNEL, &s));
	assert_int_equal(s, KEEL_OK);
	assert_true(free_asserts(p, a, 3, OWNER_KERNEL, &s)); /* the double free */
	assert_non_null(strstr(assert_expr, "double free"));
	expect_pmm_ok(p);
	delete_pmm(p);
}

/* --------------------------------------------------------------------------
 * Owners.
 */

static void expect_owner_sums(const struct pmm *p)
{
	uint32_t sum = 0;

	for (unsigned o = 0; o < PMM_OWNERS; o++)
		sum += p->owner_frames[o];
	assert_int_equal(sum, p->count);
}

static void owner_frames_count_every_frame(void **state)
{
	(void)state;
	struct pmm *p = new_pmm(0, FRAMES);

	assert_int_equal(pmm_add_range(p, 100, 5000), KEEL_OK);
	pfn_t h = alloc_ok(p, 2, PMM_ZONE_ANY, OWNER_HEAP);
	alloc_ok(p, 0, PMM_ZONE_DMA, OWNER_HEAP);
	alloc_ok(p, 1, PMM_ZONE_ANY, OWNER_STACKS);
	pfn_t t = alloc_ok(p, 3, PMM_ZONE_ANY, OWNER_FIRST_TASK);
	alloc_ok(p, 0, PMM_ZONE_ANY, PMM_OWNERS - 1);
	assert_int_equal(p->owner_frames[OWNER_HEAP], 5);
	assert_int_equal(p->owner_frames[OWNER_STACKS], 2);
	assert_int_equal(p->owner_frames[OWNER_FIRST_TASK], 8);
	assert_int_equal(p->owner_frames[PMM_OWNERS - 1], 1);
	assert_int_equal(p->owner_frames[OWNER_KERNEL], 0);
	assert_int_equal(p->owner_frames[OWNER_FREE], 5000 - 16);
	assert_int_equal(p->owner_frames[OWNER_RESERVED], FRAMES - 5000);
	expect_owner_sums(p);
	assert_int_equal(pmm_free(p, h, 2, OWNER_HEAP), KEEL_OK);
	assert_int_equal(pmm_free(p, t, 3, OWNER_FIRST_TASK), KEEL_OK);
	assert_int_equal(p->owner_frames[OWNER_HEAP], 1);
	assert_int_equal(p->owner_frames[OWNER_FIRST_TASK], 0);
	assert_int_equal(p->owner_frames[OWNER_FREE], 5000 - 4);
	expect_owner_sums(p);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void limits_bound_each_owner(void **state)
{
	(void)state;
	static const owner_t invalid[] = {OWNER_FREE, OWNER_RESERVED, PMM_OWNERS, 0xffff};
	struct pmm *p = full_pmm();
	struct snapshot s;

	assert_int_equal(pmm_set_limit(p, OWNER_HEAP, 7), KEEL_OK);
	alloc_ok(p, 2, PMM_ZONE_ANY, OWNER_HEAP);
	pfn_t one = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_HEAP);
	alloc_ok(p, 1, PMM_ZONE_ANY, OWNER_HEAP); /* exactly at the limit */
	snapshot_take(&s, p);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_HEAP, KEEL_ERR_NO_MEMORY);
	alloc_fails(p, 0, PMM_ZONE_DMA, OWNER_HEAP, KEEL_ERR_NO_MEMORY);
	expect_unchanged(&s, p); /* not a zone's failure either: no zone was searched */
	snapshot_drop(&s);
	alloc_ok(p, 10, PMM_ZONE_ANY, OWNER_KERNEL); /* limits are per owner */
	assert_int_equal(pmm_free(p, one, 0, OWNER_HEAP), KEEL_OK);
	one = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_HEAP);

	/* A limit below what the owner holds stops allocations, never frees. */
	assert_int_equal(pmm_set_limit(p, OWNER_HEAP, 3), KEEL_OK);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_HEAP, KEEL_ERR_NO_MEMORY);
	assert_int_equal(pmm_free(p, one, 0, OWNER_HEAP), KEEL_OK);
	assert_int_equal(p->owner_frames[OWNER_HEAP], 6);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_HEAP, KEEL_ERR_NO_MEMORY);
	assert_int_equal(pmm_set_limit(p, OWNER_HEAP, 0), KEEL_OK); /* no limit */
	alloc_ok(p, 10, PMM_ZONE_ANY, OWNER_HEAP);

	assert_int_equal(pmm_set_limit(p, OWNER_FIRST_TASK, 1024), KEEL_OK);
	alloc_ok(p, 10, PMM_ZONE_ANY, OWNER_FIRST_TASK);
	alloc_fails(p, 0, PMM_ZONE_ANY, OWNER_FIRST_TASK, KEEL_ERR_NO_MEMORY);
	assert_int_equal(pmm_set_limit(p, PMM_OWNERS - 1, 1), KEEL_OK);
	alloc_fails(p, 1, PMM_ZONE_ANY, PMM_OWNERS - 1, KEEL_ERR_NO_MEMORY);
	for (unsigned i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		assert_int_equal(pmm_set_limit(p, invalid[i], 5), KEEL_ERR_INVALID);
	assert_int_equal(p->owner_limit[OWNER_FREE], 0);
	assert_int_equal(p->owner_limit[OWNER_RESERVED], 0);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void transfer_moves_ownership_without_freeing(void **state)
{
	(void)state;
	struct pmm *p = full_pmm();
	struct snapshot s;
	uint32_t free_before = pmm_free_frames(p);
	pfn_t one = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_KERNEL);
	pfn_t four = alloc_ok(p, 2, PMM_ZONE_ANY, OWNER_KERNEL);

	assert_int_equal(pmm_transfer(p, one, 0, OWNER_KERNEL, OWNER_CACHE), KEEL_OK);
	assert_int_equal(pmm_owner_of(p, one), OWNER_CACHE);
	assert_int_equal(p->owner_frames[OWNER_CACHE], 1);
	assert_int_equal(pmm_transfer(p, four, 2, OWNER_KERNEL, OWNER_HEAP), KEEL_OK);
	for (pfn_t i = 0; i < 4; i++)
		assert_int_equal(pmm_owner_of(p, four + i), OWNER_HEAP);
	assert_int_equal(pmm_free_frames(p), free_before - 5); /* nothing was freed */
	pfn_t gone = alloc_ok(p, 0, PMM_ZONE_ANY, OWNER_TEST);
	assert_int_equal(pmm_free(p, gone, 0, OWNER_TEST), KEEL_OK);
	assert_int_equal(pmm_set_limit(p, OWNER_TEST, 3), KEEL_OK);
	snapshot_take(&s, p);
	assert_int_equal(pmm_transfer(p, one, 0, OWNER_KERNEL, OWNER_TEST), KEEL_ERR_DENIED);
	assert_int_equal(pmm_transfer(p, four + 1, 0, OWNER_HEAP, OWNER_TEST), KEEL_ERR_INVALID);
	assert_int_equal(pmm_transfer(p, four, 1, OWNER_HEAP, OWNER_TEST), KEEL_ERR_INVALID);
	assert_int_equal(pmm_transfer(p, four, 2, OWNER_HEAP, OWNER_FREE), KEEL_ERR_INVALID);
	assert_int_equal(pmm_transfer(p, four, PMM_ORDERS, OWNER_HEAP, OWNER_TEST),
	                 KEEL_ERR_INVALID);
	assert_int_equal(pmm_transfer(p, 0xfffff000u, 0, OWNER_HEAP, OWNER_TEST), KEEL_ERR_RANGE);
	assert_int_equal(pmm_transfer(p, four, 2, OWNER_HEAP, OWNER_TEST), KEEL_ERR_NO_MEMORY);
	assert_int_equal(pmm_transfer(p, four + 1, 1, OWNER_HEAP, OWNER_TEST), KEEL_ERR_ALIGN);
	/* A free block is not anybody's to give, and strict mode does not stop on it. */
	assert_int_equal(pmm_transfer(p, gone, 0, OWNER_TEST, OWNER_HEAP), KEEL_ERR_FREED);
	expect_unchanged(&s, p);
	snapshot_drop(&s);
	assert_int_equal(pmm_set_limit(p, OWNER_TEST, 0), KEEL_OK);
	assert_int_equal(pmm_free(p, one, 0, OWNER_CACHE), KEEL_OK);
	assert_int_equal(pmm_free(p, four, 2, OWNER_HEAP), KEEL_OK);
	assert_int_equal(pmm_free_frames(p), free_before);
	expect_pmm_ok(p);
	delete_pmm(p);
}

static void owner_names_and_zones(void **state)
{
	(void)state;
	static const char *const names[] = {"free", "reserved", "kernel", "page tables",
	                                    "heap", "stacks",   "test",   "frame cache"};

	for (owner_t o = 0; o < OWNER_FIRST_TASK; o++)
		assert_string_equal(pmm_owner_name(o), names[o]);
	for (owner_t o = OWNER_FIRST_TASK; o < PMM_OWNERS; o++)
		assert_string_equal(pmm_owner_name(o), "task");
	assert_string_equal(pmm_owner_name(PMM_OWNERS), "owner?");
	assert_string_equal(pmm_owner_name(0xffff), "owner?");
	assert_int_equal(pmm_zone_of(0), ZONE_DMA);
	assert_int_equal(pmm_zone_of(DMA_END - 1), ZONE_DMA);
	assert_int_equal(pmm_zone_of(DMA_END), ZONE_NORMAL);
	assert_int_equal(pmm_zone_of(0xffffffff), ZONE_NORMAL);
}

/* --------------------------------------------------------------------------
 * pmm_check itself: each kind of damage must be seen.
 */

/* The first free block of the longest free list of @p z. */
static pfn_t some_free_head(const struct pmm *p, unsigned z, unsigned *order)
{
	unsigned best = 0;

	for (unsigned k = 0; k < PMM_ORDERS; k++)
		if (p->zones[z].free_blocks[k] > p->zones[z].free_blocks[best])
			best = k;
	*order = best;
	return p->zones[z].free_head[best];
}

static void check_sees_every_kind_of_damage(void **state)
{
	(void)state;
	struct pmm *p = full_pmm();
	struct snapshot s;
	unsigned k;

	pfn_t held = alloc_ok(p, 2, PMM_ZONE_NORMAL, OWNER_HEAP);
	for (unsigned i = 0; i < 40; i++) /* lists with several blocks */
		alloc_ok(p, i % 3, PMM_ZONE_ANY, OWNER_TEST);
	pfn_t f = some_free_head(p, ZONE_NORMAL, &k);
	struct frame *head = &p->frames[f], *second = &p->frames[head->next];
	assert_true(k > 0 && head->next != PFN_NONE);
	snapshot_take(&s, p);
	expect_pmm_ok(p);
#define DAMAGE(what)                                                                               \
	do {                                                                                       \
		what;                                                                              \
		if (pmm_check(p))                                                                  \
			fail_msg("pmm_check missed: %s", #what);                                   \
		snapshot_restore(&s, p);                                                           \
		expect_pmm_ok(p);                                                                  \
	} while (0)
	DAMAGE(p->frames[f + 1].flags = FRAME_HEAD);
	DAMAGE(p->frames[f + 1].owner = OWNER_KERNEL);
	DAMAGE(p->frames[held + 1].owner = OWNER_KERNEL);
	DAMAGE(p->frames[held].flags |= FRAME_FREE);
	DAMAGE(p->frames[held].order = 3);
	DAMAGE(p->frames[held].owner = OWNER_FREE);
	DAMAGE(head->order = (uint8_t)(k - 1));
	DAMAGE(head->flags = FRAME_FREE);
	DAMAGE(head->flags |= 0x80);
	DAMAGE(second->prev = PFN_NONE);
	DAMAGE(head->next = f); /* a cycle */
	DAMAGE(head->next = PFN_NONE);
	DAMAGE(p->zones[ZONE_NORMAL].free_head[k] = head->next);
	DAMAGE(p->zones[ZONE_NORMAL].free_blocks[k]++);
	DAMAGE(p->zones[ZONE_NORMAL].free++);
	DAMAGE(p->zones[ZONE_DMA].managed--);
	DAMAGE(p->zones[ZONE_NORMAL].allocs++);
	DAMAGE(p->zones[ZONE_DMA].frees++);
	DAMAGE(p->zones[ZONE_DMA].end--);
	DAMAGE(p->zones[ZONE_NORMAL].start++);
	DAMAGE(p->owner_frames[OWNER_HEAP]++);
	DAMAGE(p->owner_frames[OWNER_FREE]--);
	DAMAGE(p->owner_frames[OWNER_RESERVED]++);
#undef DAMAGE
	snapshot_drop(&s);
	delete_pmm(p);
}

/* --------------------------------------------------------------------------
 * Seeded random sequences against a model.
 */

#define MODEL_MAX (FRAMES + 256)
#define LIVE_MAX  FRAMES

/* The model: who holds each frame, which blocks are live, every owner's count and limit. */
struct model {
	pfn_t base, count;
	owner_t owner[MODEL_MAX]; /* by pfn - base */
	int8_t head[MODEL_MAX];   /* the order of the live block that starts here, or -1 */
	uint32_t held[PMM_OWNERS], limit[PMM_OWNERS];
	struct live {
		pfn_t pfn;
		unsigned order;
		owner_t owner;
	} live[LIVE_MAX];
	unsigned nlive;
};

/* What the random sequences met, so they can prove they tested the interesting cases. */
struct tally {
	unsigned allocs, high_orders, fallbacks, no_memory, limited, frees, misuse[13];
};

static void model_init(struct model *m, const struct pmm *p)
{
	memset(m, 0, sizeof(*m));
	m->base = p->base;
	m->count = p->count;
	for (pfn_t i = 0; i < p->count; i++) {
		m->owner[i] = p->frames[i].owner;
		m->head[i] = -1;
		m->held[m->owner[i]]++;
	}
}

/* The zone's frames, clipped to the model. */
static void model_zone(const struct model *m, unsigned z, pfn_t *start, pfn_t *end)
{
	pfn_t lo = z == ZONE_DMA ? 0 : DMA_END, hi = z == ZONE_DMA ? DMA_END : PFN_NONE;

	*start = lo < m->base ? m->base : lo > m->base + m->count ? m->base + m->count : lo;
	*end = hi > m->base + m->count ? m->base + m->count : hi < m->base ? m->base : hi;
}

/* Is there an aligned run of 2^order free frames in zone @p z? Free blocks merge fully,
 * so the buddy allocator has a block for exactly these requests. */
static bool model_has_room(const struct model *m, unsigned z, unsigned order)
{
	pfn_t start, end, n = 1u << order;

	model_zone(m, z, &start, &end);
	for (pfn_t a = (start + n - 1) & ~(n - 1); a + n <= end; a += n) {
		pfn_t i = 0;
		while (i < n && m->owner[a + i - m->base] == OWNER_FREE)
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static void model_take(struct model *m, pfn_t pfn, unsigned order, owner_t owner)
{
	for (pfn_t i = 0; i < 1u << order; i++)
		m->owner[pfn - m->base + i] = owner;
	m->head[pfn - m->base] = (int8_t)order;
	m->held[owner] += 1u << order;
	m->held[OWNER_FREE] -= 1u << order;
	m->live[m->nlive++] = (struct live){pfn, order, owner};
}

static void model_give_back(struct model *m, unsigned i)
{
	struct live b = m->live[i];

	for (pfn_t j = 0; j < 1u << b.order; j++)
		m->owner[b.pfn - m->base + j] = OWNER_FREE;
	m->head[b.pfn - m->base] = -1;
	m->held[b.owner] -= 1u << b.order;
	m->held[OWNER_FREE] += 1u << b.order;
	m->live[i] = m->live[--m->nlive];
}

/* What pmm_free() must answer, from the model alone. */
static kstatus_t model_free_status(const struct model *m, pfn_t pfn, unsigned order, owner_t who)
{
	if (order > PMM_MAX_ORDER)
		return KEEL_ERR_INVALID;
	if (pfn < m->base || pfn - m->base >= m->count ||
	    (1u << order) > m->count - (pfn - m->base))
		return KEEL_ERR_RANGE;
	if (pfn & ((1u << order) - 1))
		return KEEL_ERR_ALIGN;
	owner_t o = m->owner[pfn - m->base];
	if (o == OWNER_FREE)
		return KEEL_ERR_FREED;
	if (o == OWNER_RESERVED || o != who)
		return KEEL_ERR_DENIED;
	return m->head[pfn - m->base] == (int)order ? KEEL_OK : KEEL_ERR_INVALID;
}

static const owner_t random_owners[] = {
    OWNER_KERNEL, OWNER_PAGE_TABLES, OWNER_HEAP, OWNER_STACKS,
    OWNER_TEST,   OWNER_FIRST_TASK,  9,          PMM_OWNERS - 1};
#define OWNERS_N (sizeof(random_owners) / sizeof(random_owners[0]))

/* Allocate a random block; the model says which error, or which zone it must come from. */
static void random_alloc(struct pmm *p, struct model *m, uint64_t r, struct tally *t)
{
	static const unsigned masks[] = {PMM_ZONE_ANY, PMM_ZONE_ANY, PMM_ZONE_DMA, PMM_ZONE_NORMAL};
	unsigned order = r % 8 < 6 ? (r >> 3) % 3 : (r >> 3) % PMM_ORDERS;
	unsigned zones = masks[(r >> 8) % 4];
	owner_t owner = random_owners[(r >> 12) % OWNERS_N];
	uint32_t limit = m->limit[owner];
	pfn_t pfn = PFN_NONE;
	int zone = -1;

	if (zones & PMM_ZONE_NORMAL && model_has_room(m, ZONE_NORMAL, order))
		zone = ZONE_NORMAL;
	else if (zones & PMM_ZONE_DMA && model_has_room(m, ZONE_DMA, order))
		zone = ZONE_DMA;
	if (limit && m->held[owner] + (1u << order) > limit) {
		alloc_fails(p, order, zones, owner, KEEL_ERR_NO_MEMORY);
		t->limited++;
	} else if (zone < 0) {
		alloc_fails(p, order, zones, owner, KEEL_ERR_NO_MEMORY);
		t->no_memory++;
	} else {
		assert_int_equal(pmm_alloc(p, order, zones, owner, &pfn), KEEL_OK);
		assert_int_equal(pmm_zone_of(pfn), zone);
		assert_int_equal(pfn & ((1u << order) - 1), 0);
		for (pfn_t i = 0; i < 1u << order; i++) /* never overlaps a live block */
			assert_int_equal(m->owner[pfn - m->base + i], OWNER_FREE);
		model_take(m, pfn, order, owner);
		t->allocs++;
		t->high_orders += order >= 8;
		t->fallbacks += zones == PMM_ZONE_ANY && zone == ZONE_DMA;
	}
}

/* Free a random live block, as its owner. */
static void random_free(struct pmm *p, struct model *m, uint64_t r, struct tally *t)
{
	unsigned i = (unsigned)(r % m->nlive);

	assert_int_equal(pmm_free(p, m->live[i].pfn, m->live[i].order, m->live[i].owner), KEEL_OK);
	model_give_back(m, i);
	t->frees++;
}

/* Free something random: mostly wrong (a double, foreign, misaligned free...). */
static void random_misuse(struct pmm *p, struct model *m, uint64_t r, struct tally *t)
{
	pfn_t pfn;
	unsigned order = r % 16 ? (r >> 4) % PMM_ORDERS : PMM_MAX_ORDER + 1 + (r >> 4) % 40;
	owner_t owner =
	    r % 8 == 0 ? (owner_t)((r >> 12) % PMM_OWNERS) : random_owners[(r >> 12) % OWNERS_N];

	if (m->nlive > 0 && (r >> 20) % 2) { /* near a live block */
		const struct live *b = &m->live[(r >> 24) % m->nlive];
		pfn = b->pfn + (pfn_t)((r >> 40) % 3) * ((r >> 42) % 2 ? 1 : (1u << b->order));
		if ((r >> 44) % 2) { /* as its owner, with its order: valid when pfn is the head */
			order = b->order;
			owner = b->owner;
		}
	} else {
		pfn = m->base - 8 + (pfn_t)((r >> 24) % (m->count + 16));
	}
	kstatus_t want = model_free_status(m, pfn, order, owner);
	assert_int_equal(pmm_free(p, pfn, order, owner), want);
	t->misuse[-want]++;
	if (want != KEEL_OK)
		return;
	for (unsigned i = 0; i < m->nlive; i++)
		if (m->live[i].pfn == pfn) {
			model_give_back(m, i);
			return;
		}
	fail_msg("pfn %u freed but not live in the model", pfn);
}

/* NULL if @p p agrees with the model and passes its own check. */
static const char *model_error(const struct pmm *p, const struct model *m)
{
	if (!pmm_check(p))
		return "pmm_check fails";
	for (unsigned o = 0; o < PMM_OWNERS; o++)
		if (p->owner_frames[o] != m->held[o])
			return "owner_frames differ from the model";
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		pfn_t start, end, n = 0;
		model_zone(m, z, &start, &end);
		for (pfn_t pfn = start; pfn < end; pfn++)
			n += m->owner[pfn - m->base] == OWNER_FREE;
		if (p->zones[z].free != n)
			return "a zone's free count differs from the model";
	}
	return pmm_free_frames(p) == m->held[OWNER_FREE] ? NULL : "free frames differ";
}

/* One step; phase 0 is balanced, 1 mostly allocates (to exhaustion), 2 mostly frees. */
static void random_step(struct pmm *p, struct model *m, uint64_t r, unsigned phase, struct tally *t)
{
	static const unsigned allocs[] = {8, 13, 3}; /* out of 16 */
	unsigned op = r % 16;

	r >>= 4;
	if (op == 15 && (r % 64) == 0) { /* now and then a new limit (or none) */
		owner_t o = random_owners[(r >> 6) % OWNERS_N];
		m->limit[o] = (r >> 10) % 2 ? 0 : m->held[o] + (uint32_t)((r >> 11) % 64);
		assert_int_equal(pmm_set_limit(p, o, m->limit[o]), KEEL_OK);
	} else if (op == 15) {
		random_misuse(p, m, r, t);
	} else if (op < allocs[phase] || m->nlive == 0) {
		random_alloc(p, m, r, t);
	} else {
		random_free(p, m, r, t);
	}
}

/* @p steps random steps on a fresh allocator, then everything is freed. */
static void random_run(pfn_t base, const pfn_t (*ranges)[2], unsigned nranges, uint64_t seed,
                       unsigned steps, struct tally *t)
{
	static struct model m;
	struct pmm *p = new_pmm(base, FRAMES);
	struct snapshot s;

	for (unsigned i = 0; i < nranges; i++)
		assert_int_equal(pmm_add_range(p, ranges[i][0], ranges[i][1]), KEEL_OK);
	p->strict = false;
	snapshot_take(&s, p);
	model_init(&m, p);
	for (unsigned step = 0; step < steps; step++) {
		random_step(p, &m, next_random(&seed), (step / 700) % 3, t);
		const char *e = model_error(p, &m);
		if (e)
			fail_msg("seed %#llx step %u: %s", (unsigned long long)seed, step, e);
	}
	while (m.nlive > 0)
		random_free(p, &m, 0, t);
	expect_pmm_ok(p);
	expect_same_blocks(&s, p);
	snapshot_drop(&s);
	delete_pmm(p);
}

static void matches_model_on_random_sequences(void **state)
{
	(void)state;
	static const pfn_t whole[][2] = {{0, FRAMES}};
	static const pfn_t holes[][2] = {{1, 2999}, {3100, 4900}};
	static const pfn_t high_whole[][2] = {{256, FRAMES}};
	static const pfn_t high_holes[][2] = {{300, 3790}, {4100, 4300}};
	struct tally t = {0};

	random_run(0, whole, 1, 0x6b65656c2d706d6dULL, 5000, &t); /* "keel-pmm" */
	random_run(0, holes, 2, 0x686f6c6573ULL, 5000, &t);
	random_run(256, high_whole, 1, 0x68696768ULL, 5000, &t);
	random_run(256, high_holes, 2, 0x6d697865ULL, 5000, &t);
	/* The sequences must have met every case, or they tested less than they claim. */
	assert_true(t.allocs > 5000 && t.frees > 5000 && t.high_orders > 50);
	assert_true(t.fallbacks > 50 && t.no_memory > 100 && t.limited > 20);
	assert_true(t.misuse[0] > 10 && t.misuse[-KEEL_ERR_RANGE] > 10);
	assert_true(t.misuse[-KEEL_ERR_ALIGN] > 10 && t.misuse[-KEEL_ERR_FREED] > 10);
	assert_true(t.misuse[-KEEL_ERR_DENIED] > 10 && t.misuse[-KEEL_ERR_INVALID] > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_reserves_every_frame_and_clips_the_zones),
	    cmocka_unit_test(add_range_cuts_maximal_aligned_blocks_and_merges),
	    cmocka_unit_test(add_range_across_16mib_splits_at_the_boundary),
	    cmocka_unit_test(add_range_errors_change_nothing),
	    cmocka_unit_test(split_keeps_upper_halves_and_free_merges_them_back),
	    cmocka_unit_test(allocate_until_exhausted_and_free_everything),
	    cmocka_unit_test(free_coalesces_back_to_the_original_blocks),
	    cmocka_unit_test(memory_from_pfn_256_like_ram_above_1mib),
	    cmocka_unit_test(dma_and_normal_allocations_stay_in_their_zone),
	    cmocka_unit_test(any_prefers_normal_and_falls_back_to_dma),
	    cmocka_unit_test(exhausted_dma_leaves_normal_working),
	    cmocka_unit_test(no_block_large_enough_is_no_memory),
	    cmocka_unit_test(alloc_rejects_bad_arguments_and_changes_nothing),
	    cmocka_unit_test(free_reports_each_error_in_order_and_changes_nothing),
	    cmocka_unit_test(strict_mode_asserts_on_misuse_only),
	    cmocka_unit_test(owner_frames_count_every_frame),
	    cmocka_unit_test(limits_bound_each_owner),
	    cmocka_unit_test(transfer_moves_ownership_without_freeing),
	    cmocka_unit_test(owner_names_and_zones),
	    cmocka_unit_test(check_sees_every_kind_of_damage),
	    cmocka_unit_test(matches_model_on_random_sequences),
	};

	return cmocka_run_group_tests_name("pmm", tests, NULL, NULL);
}
