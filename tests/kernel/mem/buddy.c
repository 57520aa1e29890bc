/*
 * buddy.c - in-kernel tests of pmm_alloc() and pmm_free() on allocators
 * of the test's own.
 *
 * Each case builds a private struct pmm over a static frame table, so the
 * kernel's own allocator (and whatever broke in it) plays no part: these
 * tests grade the buddy split and merge alone (lab 2's first part). The
 * tables straddle the DMA zone's end (pfn 4096) so both zones exist.
 * pmm_add_range() hands memory over by freeing it through pmm_free(): a
 * pmm_free() that does nothing leaves an allocator with no free memory,
 * and setup() says so.
 */
#include <keel/ktest.h>
#include <keel/pmm.h>

#define TABLE_MAX 6144

static struct frame table[TABLE_MAX];
static struct pmm pmm;

/*
 * A private allocator describing pfns @base .. @base + @count - 1, with
 * @n frames from @first given to it. False (the case has failed) if the
 * hand-over did not leave exactly @n frames free in sound free lists.
 */
static bool setup(pfn_t base, pfn_t count, pfn_t first, pfn_t n)
{
	pmm_init(&pmm, table, base, count);
	kstatus_t st = pmm_add_range(&pmm, first, n);
	if (st != KEEL_OK) {
		ktest_fail(__FILE__, __LINE__, "pmm_add_range(%u, %u): %s", first, n,
		           kstatus_name(st));
		return false;
	}
	if (pmm_free_frames(&pmm) != n) {
		ktest_fail(__FILE__, __LINE__,
		           "%u frames given, %u free: pmm_add_range() hands memory over "
		           "through pmm_free(), which did not free it",
		           n, pmm_free_frames(&pmm));
		return false;
	}
	if (!pmm_check(&pmm)) {
		ktest_fail(__FILE__, __LINE__,
		           "pmm_check() fails after pmm_add_range(), which "
		           "frees every block through pmm_free()");
		return false;
	}
	return true;
}

/* Does @owner hold every frame of the block of 2^@order frames at @pfn? */
static bool owns(pfn_t pfn, unsigned order, owner_t owner)
{
	for (pfn_t i = 0; i < (pfn_t)1 << order; i++)
		if (pmm_owner_of(&pmm, pfn + i) != owner)
			return false;
	return true;
}

KTEST(buddy, single_frame)
{
	pfn_t pfn = PFN_NONE;

	if (!setup(2048, 6144, 2048, 6144))
		return;
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT_EQ(pmm_owner_of(&pmm, pfn), OWNER_TEST);
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 6144 - 1);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], 1);
	KT_EXPECT(pmm_check(&pmm));
	KT_ASSERT_EQ(pmm_free(&pmm, pfn, 0, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_owner_of(&pmm, pfn), OWNER_FREE);
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 6144);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], 0);
	KT_EXPECT(pmm_check(&pmm));
}

KTEST(buddy, split_leaves_one_block_per_order)
{
	struct pmm_zone *z = &pmm.zones[ZONE_NORMAL];
	pfn_t pfn = PFN_NONE;

	if (!setup(4096, 64, 4104, 8)) /* one block of order 3: pfns 4104..4111 */
		return;
	KT_ASSERT_EQ(z->free_head[3], 4104);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_NORMAL, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT_EQ(pfn, 4104); /* the lowest frame; the upper halves stay free */
	KT_EXPECT_EQ(z->free_head[0], 4105);
	KT_EXPECT_EQ(z->free_head[1], 4106);
	KT_EXPECT_EQ(z->free_head[2], 4108);
	KT_EXPECT_EQ(z->free_head[3], PFN_NONE);
	for (unsigned k = 0; k < 3; k++)
		KT_EXPECT_EQ(z->free_blocks[k], 1);
	KT_EXPECT_EQ(z->free_blocks[3], 0);
	KT_EXPECT_EQ(z->free, 7);
	KT_EXPECT(pmm_check(&pmm));
}

KTEST(buddy, frees_merge_back_into_the_block)
{
	static const unsigned order[8] = {5, 2, 7, 0, 3, 6, 1, 4};
	struct pmm_zone *z = &pmm.zones[ZONE_DMA];
	pfn_t pfn[8];

	if (!setup(2048, 2048, 3000, 8)) /* 3000 = 8 * 375: one block of order 3 */
		return;
	for (unsigned i = 0; i < 8; i++) {
		KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_DMA, OWNER_TEST, &pfn[i]), KEEL_OK);
		KT_EXPECT_EQ(pfn[i], 3000 + i); /* each split keeps the lower half */
	}
	for (unsigned i = 0; i < 8; i++) {
		KT_ASSERT_EQ(pmm_free(&pmm, pfn[order[i]], 0, OWNER_TEST), KEEL_OK);
		KT_ASSERT(pmm_check(&pmm));
	}
	KT_EXPECT_EQ(z->free_head[3], 3000);
	KT_EXPECT_EQ(z->free_blocks[3], 1);
	for (unsigned k = 0; k < 3; k++)
		KT_EXPECT_EQ(z->free_blocks[k], 0);
	/* The merged block is whole again: it can be had in one piece. */
	KT_ASSERT_EQ(pmm_alloc(&pmm, 3, PMM_ZONE_DMA, OWNER_TEST, &pfn[0]), KEEL_OK);
	KT_EXPECT_EQ(pfn[0], 3000);
}

KTEST(buddy, every_order_is_aligned)
{
	pfn_t pfn[PMM_ORDERS];
	uint32_t held = 0;

	if (!setup(2048, 6144, 2048, 6144))
		return;
	/* A single frame first, so that every later block comes from a split. */
	for (unsigned k = 0; k <= PMM_MAX_ORDER; k++) {
		KT_ASSERT_EQ(pmm_alloc(&pmm, k, PMM_ZONE_ANY, OWNER_TEST, &pfn[k]), KEEL_OK);
		KT_EXPECT_EQ(pfn[k] % (1u << k), 0);
		KT_EXPECT(owns(pfn[k], k, OWNER_TEST));
		held += 1u << k;
		KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], held); /* no block overlaps another */
	}
	KT_EXPECT(pmm_check(&pmm));
	for (int k = PMM_MAX_ORDER; k >= 0; k--)
		KT_ASSERT_EQ(pmm_free(&pmm, pfn[k], (unsigned)k, OWNER_TEST), KEEL_OK);
	/* Everything merged back: two 4 MiB blocks of DMA, four of normal memory. */
	KT_EXPECT_EQ(pmm.zones[ZONE_DMA].free_blocks[PMM_MAX_ORDER], 2);
	KT_EXPECT_EQ(pmm.zones[ZONE_NORMAL].free_blocks[PMM_MAX_ORDER], 4);
	KT_EXPECT(pmm_check(&pmm));
}

KTEST(buddy, zones_are_kept_apart)
{
	pfn_t pfn, normal[4];

	if (!setup(3072, 2048, 3072, 2048)) /* 1024 frames of each zone */
		return;
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_DMA, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT(pfn < ZONE_DMA_END);
	KT_EXPECT_EQ(pmm.zones[ZONE_DMA].free, 1023);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 0, OWNER_TEST), KEEL_OK);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_NORMAL, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT(pfn >= ZONE_DMA_END);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 0, OWNER_TEST), KEEL_OK);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT(pfn >= ZONE_DMA_END); /* normal first: DMA frames are scarce */
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 0, OWNER_TEST), KEEL_OK);
	/* Normal memory used up: NORMAL fails, ANY falls back on DMA. */
	for (unsigned i = 0; i < 4; i++)
		KT_ASSERT_EQ(pmm_alloc(&pmm, 8, PMM_ZONE_NORMAL, OWNER_TEST, &normal[i]), KEEL_OK);
	KT_EXPECT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_NORMAL, OWNER_TEST, &pfn), KEEL_ERR_NO_MEMORY);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT(pfn < ZONE_DMA_END);
	KT_EXPECT(pmm_check(&pmm));
}

KTEST(buddy, exhaustion_then_recovery)
{
	pfn_t pfn[64], out = 12345;

	if (!setup(8192, 128, 8256, 64)) /* one block of order 6 */
		return;
	for (unsigned i = 0; i < 64; i++)
		KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_TEST, &pfn[i]), KEEL_OK);
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 0);
	KT_EXPECT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_TEST, &out), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(pmm_alloc(&pmm, 1, PMM_ZONE_NORMAL, OWNER_TEST, &out), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(out, 12345); /* untouched on an error */
	KT_EXPECT_EQ(pmm.zones[ZONE_NORMAL].failures, 2);
	KT_EXPECT(pmm_check(&pmm));
	for (unsigned i = 0; i < 64; i++)
		KT_ASSERT_EQ(pmm_free(&pmm, pfn[63 - i], 0, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 64);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 6, PMM_ZONE_ANY, OWNER_TEST, &out), KEEL_OK);
	KT_EXPECT_EQ(out, 8256);
}

KTEST(buddy, free_errors_change_nothing)
{
	pfn_t pfn;

	if (!setup(4000, 256, 4032, 128)) /* 4032..4095 DMA, 4096..4159 normal */
		return;
	pmm.strict = false; /* the DEV profile would assert; here we want the errors */
	KT_ASSERT_EQ(pmm_alloc(&pmm, 1, PMM_ZONE_ANY, OWNER_TEST, &pfn), KEEL_OK);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 1, OWNER_KERNEL), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn + 1, 1, OWNER_TEST), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 0, OWNER_TEST), KEEL_ERR_INVALID);     /* order 1, not 0 */
	KT_EXPECT_EQ(pmm_free(&pmm, pfn + 1, 0, OWNER_TEST), KEEL_ERR_INVALID); /* not the head */
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, PMM_MAX_ORDER + 1, OWNER_TEST), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(pmm_free(&pmm, 4000, 0, OWNER_TEST), KEEL_ERR_DENIED); /* reserved */
	KT_EXPECT_EQ(pmm_free(&pmm, 3999, 0, OWNER_TEST), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(pmm_free(&pmm, 4256, 0, OWNER_TEST), KEEL_ERR_RANGE);
	KT_EXPECT(owns(pfn, 1, OWNER_TEST)); /* nothing changed */
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 126);
	KT_EXPECT(pmm_check(&pmm));
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 1, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn, 1, OWNER_TEST), KEEL_ERR_FREED);
	KT_EXPECT_EQ(pmm_free(&pmm, pfn + 1, 0, OWNER_TEST), KEEL_ERR_FREED);
	KT_EXPECT_EQ(pmm_free_frames(&pmm), 128);
	KT_EXPECT(pmm_check(&pmm));
}

KTEST(buddy, owners_are_counted)
{
	pfn_t a, b, c;

	if (!setup(5000, 1000, 5120, 512))
		return;
	KT_ASSERT_EQ(pmm_alloc(&pmm, 2, PMM_ZONE_ANY, OWNER_TEST, &a), KEEL_OK);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 0, PMM_ZONE_ANY, OWNER_KERNEL, &b), KEEL_OK);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 3, PMM_ZONE_ANY, OWNER_FIRST_TASK, &c), KEEL_OK);
	KT_EXPECT(owns(a, 2, OWNER_TEST)); /* every frame of a block, not just the first */
	KT_EXPECT(owns(b, 0, OWNER_KERNEL));
	KT_EXPECT(owns(c, 3, OWNER_FIRST_TASK));
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], 4);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_KERNEL], 1);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_FIRST_TASK], 8);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_FREE], 512 - 13);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_RESERVED], 1000 - 512);
	/* A limit of 6 frames: 2 more may come, not 3. */
	KT_ASSERT_EQ(pmm_set_limit(&pmm, OWNER_TEST, 6), KEEL_OK);
	KT_EXPECT_EQ(pmm_alloc(&pmm, 2, PMM_ZONE_ANY, OWNER_TEST, &b), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(pmm_free(&pmm, b, 0, OWNER_KERNEL), KEEL_OK);
	KT_ASSERT_EQ(pmm_alloc(&pmm, 1, PMM_ZONE_ANY, OWNER_TEST, &b), KEEL_OK);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], 6);
	KT_EXPECT_EQ(pmm_free(&pmm, a, 2, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_free(&pmm, b, 1, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_free(&pmm, c, 3, OWNER_FIRST_TASK), KEEL_OK);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_TEST], 0);
	KT_EXPECT_EQ(pmm.owner_frames[OWNER_FREE], 512);
	KT_EXPECT(pmm_check(&pmm));
}

struct held {
	pfn_t pfn;
	unsigned order; /* PMM_ORDERS: the slot is empty */
};

KTEST(buddy, seeded_random_sequence)
{
	static const unsigned zones[3] = {PMM_ZONE_DMA, PMM_ZONE_NORMAL, PMM_ZONE_ANY};
	static struct held held[48];
	uint32_t in_use = 0;

	if (!setup(3584, 1536, 3584, 1536)) /* 512 DMA frames, 1024 normal */
		return;
	for (unsigned i = 0; i < 48; i++)
		held[i].order = PMM_ORDERS;
	ktest_random_seed(0x9e3779b9);
	for (unsigned step = 0; step < 600; step++) {
		struct held *h = &held[ktest_random() % 48];
		unsigned order = ktest_random() % 6;
		if (h->order != PMM_ORDERS) {
			KT_ASSERT_EQ(pmm_free(&pmm, h->pfn, h->order, OWNER_TEST), KEEL_OK);
			in_use -= 1u << h->order;
			h->order = PMM_ORDERS;
		} else if (pmm_alloc(&pmm, order, zones[ktest_random() % 3], OWNER_TEST, &h->pfn) ==
		           KEEL_OK) {
			h->order = order;
			in_use += 1u << order;
		}
		if (!pmm_check(&pmm)) {
			ktest_fail(__FILE__, __LINE__, "pmm_check() fails after step %u", step);
			return;
		}
		KT_ASSERT_EQ(pmm_free_frames(&pmm) + in_use, 1536);
	}
	for (unsigned i = 0; i < 48; i++)
		if (held[i].order != PMM_ORDERS)
			KT_ASSERT_EQ(pmm_free(&pmm, held[i].pfn, held[i].order, OWNER_TEST),
			             KEEL_OK);
	KT_EXPECT_EQ(pmm.zones[ZONE_NORMAL].free_blocks[PMM_MAX_ORDER], 1);
	KT_EXPECT_EQ(pmm.zones[ZONE_DMA].free_blocks[9], 1);
	KT_EXPECT(pmm_check(&pmm));
}
