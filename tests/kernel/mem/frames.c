/*
 * frames.c - in-kernel tests of the frame allocator built from the boot map.
 *
 * The host unit tests prove the buddy allocator on made-up memory; these
 * prove the kernel's own: what frame_init() reserved (the first MiB, the
 * kernel image, the frame table), that zones hold, that misuse is refused
 * with the right error and changes nothing, and that running out of
 * memory is an error after which memory can be had again.
 */
#include <keel/bootinfo.h>
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/string.h>

KTEST(frames, boot_reservations)
{
	KT_EXPECT(pmm_check(&pmm_kernel));
	KT_EXPECT_EQ(frame_owner(0), OWNER_RESERVED);
	KT_EXPECT_EQ(frame_owner(0xff000), OWNER_RESERVED);
	for (uint64_t pa = bootinfo.kernel_start; pa < bootinfo.kernel_end; pa += FRAME_SIZE)
		KT_ASSERT_EQ(frame_owner(pa), OWNER_RESERVED);
	paddr_t table = frame_phys(pmm_kernel.frames);
	KT_EXPECT_EQ(frame_owner(table), OWNER_RESERVED);
	KT_EXPECT(pmm_kernel.zones[ZONE_DMA].managed > 0);
	KT_EXPECT(frame_free_count() > 1024); /* QEMU has 128 MiB */
}

KTEST(frames, alloc_and_free)
{
	paddr_t a, b;
	uint32_t before = frame_free_count();

	KT_ASSERT_EQ(frame_alloc(OWNER_TEST, &a), KEEL_OK);
	KT_ASSERT_EQ(frame_alloc(OWNER_TEST, &b), KEEL_OK);
	KT_EXPECT(a != b);
	KT_EXPECT_EQ(a % FRAME_SIZE, 0);
	KT_EXPECT_EQ(frame_owner(a), OWNER_TEST);
	/* The frame is usable memory through the direct map. */
	memset(frame_virt(a), 0x5a, FRAME_SIZE);
	KT_EXPECT_EQ(((unsigned char *)frame_virt(a))[FRAME_SIZE - 1], 0x5a);
	KT_EXPECT_EQ(frame_free_count(), before - 2);
	KT_EXPECT_EQ(frame_free(a, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free(b, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free_count(), before);
	KT_EXPECT_EQ(frame_owner(a), OWNER_FREE);
}

KTEST(frames, runs_are_aligned_and_contiguous)
{
	paddr_t pa;

	for (unsigned order = 0; order <= PMM_MAX_ORDER; order += 2) {
		KT_ASSERT_EQ(frame_alloc_run(order, PMM_ZONE_ANY, OWNER_TEST, &pa), KEEL_OK);
		KT_EXPECT_EQ(pa % ((paddr_t)FRAME_SIZE << order), 0);
		KT_EXPECT_EQ(frame_block_order(pa), (int)order);
		for (unsigned i = 0; i < (1u << order); i++)
			KT_ASSERT_EQ(frame_owner(pa + (paddr_t)i * FRAME_SIZE), OWNER_TEST);
		KT_EXPECT_EQ(frame_free_run(pa, order, OWNER_TEST), KEEL_OK);
	}
	KT_EXPECT(pmm_check(&pmm_kernel));
}

KTEST(frames, zones)
{
	paddr_t dma, normal;

	KT_ASSERT_EQ(frame_alloc_run(0, PMM_ZONE_DMA, OWNER_TEST, &dma), KEEL_OK);
	KT_EXPECT(dma < 0x1000000);
	KT_ASSERT_EQ(frame_alloc_run(0, PMM_ZONE_NORMAL, OWNER_TEST, &normal), KEEL_OK);
	KT_EXPECT(normal >= 0x1000000);
	KT_EXPECT_EQ(frame_free(dma, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free(normal, OWNER_TEST), KEEL_OK);
}

KTEST(frames, misuse_is_refused)
{
	paddr_t pa;
	bool strict = pmm_kernel.strict;

	pmm_kernel.strict = false; /* the DEV profile would assert; here we want the errors */
	KT_ASSERT_EQ(frame_alloc(OWNER_TEST, &pa), KEEL_OK);
	KT_EXPECT_EQ(frame_free(pa, OWNER_KERNEL), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(frame_free(pa + 1, OWNER_TEST), KEEL_ERR_ALIGN);
	/* Order errors on a block of our own, so neither depends on where the
	 * single frame above lies (near the top of RAM, a run of 8 from it
	 * would pass the end, and the range check comes first). */
	paddr_t run;
	KT_ASSERT_EQ(frame_alloc_run(3, PMM_ZONE_ANY, OWNER_TEST, &run), KEEL_OK);
	KT_EXPECT_EQ(frame_free_run(run + FRAME_SIZE, 1, OWNER_TEST), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(frame_free_run(run, 2, OWNER_TEST), KEEL_ERR_INVALID); /* wrong order */
	KT_EXPECT_EQ(frame_free_run(run, 3, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free(0x100000, OWNER_TEST), KEEL_ERR_DENIED); /* the kernel image */
	KT_EXPECT_EQ(frame_free(0xfff00000ull, OWNER_TEST), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(frame_owner(pa), OWNER_TEST); /* nothing changed */
	KT_EXPECT_EQ(frame_free(pa, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free(pa, OWNER_TEST), KEEL_ERR_FREED);
	KT_EXPECT_EQ(frame_alloc_run(PMM_MAX_ORDER + 1, PMM_ZONE_ANY, OWNER_TEST, &pa),
	             KEEL_ERR_INVALID);
	KT_EXPECT_EQ(frame_alloc(OWNER_FREE, &pa), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(frame_alloc(PMM_OWNERS, &pa), KEEL_ERR_INVALID);
	pmm_kernel.strict = strict;
	KT_EXPECT(pmm_check(&pmm_kernel));
}

KTEST(frames, owner_limit)
{
	paddr_t pa[4];

	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 3), KEEL_OK);
	for (int i = 0; i < 3; i++)
		KT_ASSERT_EQ(frame_alloc(OWNER_TEST, &pa[i]), KEEL_OK);
	KT_EXPECT_EQ(frame_alloc(OWNER_TEST, &pa[3]), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(pmm_kernel.owner_frames[OWNER_TEST], 3);
	KT_EXPECT_EQ(frame_free(pa[0], OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_alloc(OWNER_TEST, &pa[0]), KEEL_OK);
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(frame_free(pa[i], OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 0), KEEL_OK);
	KT_EXPECT_EQ(pmm_set_limit(&pmm_kernel, OWNER_FREE, 1), KEEL_ERR_INVALID);
}

/* [exhaustion_chain] */
/* Take every free frame, chaining each to the last through its own memory. */
static paddr_t take_everything(unsigned *count)
{
	paddr_t head = 0, pa;

	*count = 0;
	while (frame_alloc(OWNER_TEST, &pa) == KEEL_OK) {
		*(paddr_t *)frame_virt(pa) = head;
		head = pa;
		(*count)++;
	}
	return head;
}
/* [exhaustion_chain] */

KTEST(frames, exhaustion_then_recovery)
{
	uint32_t before = frame_free_count();
	unsigned count;
	paddr_t pa, head = take_everything(&count);

	KT_EXPECT_EQ(count, before);
	KT_EXPECT_EQ(frame_free_count(), 0);
	KT_EXPECT_EQ(frame_alloc(OWNER_TEST, &pa), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(frame_alloc_run(4, PMM_ZONE_ANY, OWNER_TEST, &pa), KEEL_ERR_NO_MEMORY);
	while (head != 0) {
		paddr_t next = *(paddr_t *)frame_virt(head);
		KT_ASSERT_EQ(frame_free(head, OWNER_TEST), KEEL_OK);
		head = next;
	}
	KT_EXPECT_EQ(frame_free_count(), before);
	KT_EXPECT(pmm_check(&pmm_kernel));
	/* Freed frames merged again: a large run is there to be had. */
	KT_ASSERT_EQ(frame_alloc_run(PMM_MAX_ORDER, PMM_ZONE_ANY, OWNER_TEST, &pa), KEEL_OK);
	KT_EXPECT_EQ(frame_free_run(pa, PMM_MAX_ORDER, OWNER_TEST), KEEL_OK);
}
