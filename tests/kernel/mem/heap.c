/*
 * heap.c - in-kernel tests of slab caches and kmalloc() on the real frame
 * allocator: seeded random stress, red zones and poison (DEV and HARDENED
 * profiles), misuse, exhaustion and recovery, the leak report.
 */
#include <keel/frame.h>
#include <keel/kmalloc.h>
#include <keel/ktest.h>
#include <keel/slab.h>
#include <keel/string.h>

#define LIVE_MAX 96

struct live {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static bool intact(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		if (l->p[i] != l->fill)
			return false;
	return true;
}

/* A random size: mostly small, some up to a page, a few large. */
static size_t random_size(void)
{
	uint32_t r = ktest_random();

	if (r % 16 == 0)
		return 1 + r % (4 * FRAME_SIZE);
	return 1 + r % 600;
}

/* [heap_stress] */
KTEST(heap, seeded_random_stress)
{
	static struct live live[LIVE_MAX];
	uint32_t heap_before = pmm_kernel.owner_frames[OWNER_HEAP];

	ktest_random_seed(0x2545f491);
	for (unsigned step = 0; step < 4000; step++) {
		struct live *l = &live[ktest_random() % LIVE_MAX];
		if (l->p) {
			KT_ASSERT(intact(l)); /* no other object overlapped it */
			KT_ASSERT_EQ(kfree(l->p), KEEL_OK);
			l->p = NULL;
			continue;
		}
		l->size = random_size();
		l->fill = (unsigned char)step;
		l->p = kmalloc(l->size);
		KT_ASSERT(l->p != NULL);
		KT_EXPECT_EQ((uintptr_t)l->p % 8, 0);
		memset(l->p, l->fill, l->size);
	}
	for (unsigned i = 0; i < LIVE_MAX; i++) {
		if (live[i].p) {
			KT_EXPECT(intact(&live[i]));
			KT_EXPECT_EQ(kfree(live[i].p), KEEL_OK);
			live[i].p = NULL;
		}
	}
	for (struct slab_cache *c = slab_caches(); c; c = c->next)
		KT_EXPECT_EQ(slab_check(c), KEEL_OK);
	/* At most one empty slab per cache stays; large blocks all went back. */
	KT_EXPECT(pmm_kernel.owner_frames[OWNER_HEAP] <= heap_before + 8 * 8);
}
/* [heap_stress] */

KTEST(heap, sizes_and_alignment)
{
	KT_EXPECT(kmalloc(0) == NULL);
	KT_EXPECT(kmalloc(KMALLOC_MAX + 1) == NULL);
	KT_EXPECT(kmalloc((size_t)-1) == NULL);
	KT_EXPECT_EQ(kfree(NULL), KEEL_OK);
	void *big = kmalloc(3 * FRAME_SIZE);
	KT_ASSERT(big != NULL);
	KT_EXPECT_EQ((uintptr_t)big % FRAME_SIZE, 0);
	KT_EXPECT_EQ(frame_owner(frame_phys(big)), OWNER_HEAP);
	KT_EXPECT_EQ(frame_block_order(frame_phys(big)), 2);
	KT_EXPECT_EQ(kfree(big), KEEL_OK);
	for (size_t size = 1; size <= SLAB_MAX_OBJECT; size *= 2) {
		void *p = kmalloc(size);
		KT_ASSERT(p != NULL);
		KT_EXPECT(slab_cache_of(p) != NULL && slab_cache_of(p)->size >= size);
		KT_EXPECT_EQ(kfree(p), KEEL_OK);
	}
}

KTEST(heap, misuse_is_refused)
{
	int local;
	paddr_t pa;
	unsigned char *p = kmalloc(40);

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(kfree(p + 8), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(kfree(&local), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(kfree((void *)memcpy), KEEL_ERR_INVALID); /* kernel code */
	KT_EXPECT_EQ(kfree(p), KEEL_OK);
	KT_EXPECT_EQ(kfree(p), KEEL_ERR_FREED);
	/* A frame-aligned pointer the heap does not own. */
	KT_ASSERT_EQ(frame_alloc(OWNER_TEST, &pa), KEEL_OK);
	KT_EXPECT_EQ(kfree(frame_virt(pa)), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(frame_free(pa, OWNER_TEST), KEEL_OK);
}

/* [redzone_test] */
KTEST(heap, red_zone_corruption_is_caught)
{
	if (!SLAB_DEBUG)
		return; /* STANDARD: no red zones to check */
	unsigned char *p = kmalloc(32), *q = kmalloc(32);
	struct slab_cache *c = slab_cache_of(p);
	KT_ASSERT(p != NULL && q != NULL && c != NULL);
	uint32_t before = c->corruptions;

	p[32] = 0x41; /* one byte past the end */
	q[-1] = 0x42; /* one byte before the start */
	KT_EXPECT_EQ(kfree(p), KEEL_ERR_CORRUPT);
	KT_EXPECT_EQ(kfree(q), KEEL_ERR_CORRUPT);
	KT_EXPECT_EQ(c->corruptions, before + 2);
	/* The damaged objects are never handed out again. */
	void *again[64];
	for (unsigned i = 0; i < 64; i++) {
		again[i] = kmalloc(32);
		KT_EXPECT(again[i] != p && again[i] != q);
	}
	for (unsigned i = 0; i < 64; i++)
		KT_EXPECT_EQ(kfree(again[i]), KEEL_OK);
}
/* [redzone_test] */

KTEST(heap, write_after_free_is_caught)
{
	if (!SLAB_DEBUG)
		return;
	static struct slab_cache c;
	KT_ASSERT_EQ(slab_cache_init(&c, "test-uaf", 48, 0), KEEL_OK);
	unsigned char *p = slab_alloc(&c);
	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ(slab_free(&c, p), KEEL_OK);
	p[20] = 0; /* a write through a stale pointer */
	KT_EXPECT_EQ(slab_check(&c), KEEL_ERR_CORRUPT);
	KT_EXPECT(c.corruptions >= 1);
}

KTEST(heap, exhaustion_then_recovery)
{
	static struct slab_cache c;
	static void *objs[512];
	unsigned n = 0;

	KT_ASSERT_EQ(slab_cache_init(&c, "test-exhaust", 500, 0), KEEL_OK);
	uint32_t held = pmm_kernel.owner_frames[OWNER_HEAP];
	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_HEAP, held + 4), KEEL_OK);
	while (n < 512 && (objs[n] = slab_alloc(&c)) != NULL)
		n++;
	KT_EXPECT(n > 0 && n < 512);
	KT_EXPECT(c.failures >= 1);
	KT_EXPECT(kmalloc(2 * FRAME_SIZE * 4) == NULL); /* large blocks too */
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT_EQ(slab_free(&c, objs[i]), KEEL_OK);
	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_HEAP, 0), KEEL_OK);
	void *p = slab_alloc(&c);
	KT_EXPECT(p != NULL);
	KT_EXPECT_EQ(slab_free(&c, p), KEEL_OK);
	KT_EXPECT_EQ(slab_cache_destroy(&c), KEEL_OK);
}

KTEST(heap, leak_report_and_destroy)
{
	static struct slab_cache c;
	void *p[3];

	KT_ASSERT_EQ(slab_cache_init(&c, "test-leak", 24, 0), KEEL_OK);
	KT_EXPECT_EQ(slab_cache_init(&c, "test-leak", 24, 0), KEEL_ERR_EXISTS);
	for (int i = 0; i < 3; i++)
		KT_ASSERT((p[i] = slab_alloc(&c)) != NULL);
	KT_EXPECT_EQ(c.live, 3);
	KT_EXPECT(slab_leak_report() >= 3);
	KT_EXPECT_EQ(slab_cache_destroy(&c), KEEL_ERR_BUSY);
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(slab_free(&c, p[i]), KEEL_OK);
	KT_EXPECT_EQ(slab_cache_destroy(&c), KEEL_OK);
	KT_EXPECT_EQ(slab_cache_init(&c, "test-leak", 0, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(slab_cache_init(&c, "test-leak", SLAB_MAX_OBJECT + 1, 0), KEEL_ERR_INVALID);
}
