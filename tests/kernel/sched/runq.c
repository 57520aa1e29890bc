/*
 * runq.c - in-kernel tests of the priority bitmap and the run queue.
 *
 * The host unit tests (tests/unit/test_runq.c) check this code under the
 * sanitizers; these check it as the kernel is built, on bitmaps and
 * queues of their own, with no thread and no switch. Lab 1's grader
 * scores prio_bitmap_highest() with them, whatever state the rest of the
 * scheduler is in.
 */
#include <keel/ktest.h>
#include <keel/runq.h>

/* The highest level of @p set, by a plain scan: what the bitmap must say. */
static int highest_by_scan(const bool *set)
{
	for (int p = RUNQ_LEVELS - 1; p >= 0; p--)
		if (set[p])
			return p;
	return -1;
}

KTEST(runq, bitmap_each_level_alone)
{
	struct prio_bitmap b;
	unsigned wrong = 0;

	/* Every level, so every word boundary: 0, 31, 32, 63, 64, ..., 255. */
	for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
		prio_bitmap_init(&b);
		prio_bitmap_set(&b, p);
		int got = prio_bitmap_highest(&b);
		if (got != (int)p && wrong++ < 4)
			ktest_fail(__FILE__, __LINE__, "only level %u set: highest is %d", p, got);
		prio_bitmap_clear(&b, p);
		if (prio_bitmap_highest(&b) != -1 && wrong++ < 4)
			ktest_fail(__FILE__, __LINE__,
			           "level %u set and cleared: highest is %d, not -1", p,
			           prio_bitmap_highest(&b));
	}
}

KTEST(runq, bitmap_word_boundaries)
{
	/* Pairs of levels on both sides of a boundary, or at the two ends. */
	static const unsigned pairs[][2] = {{0, 31},    {31, 32}, {32, 63},   {63, 64}, {95, 96},
	                                    {127, 128}, {0, 255}, {224, 255}, {1, 254}, {33, 40}};
	struct prio_bitmap b;

	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		unsigned lo = pairs[i][0], hi = pairs[i][1];
		prio_bitmap_init(&b);
		prio_bitmap_set(&b, lo);
		prio_bitmap_set(&b, hi);
		KT_EXPECT_EQ(prio_bitmap_highest(&b), hi);
		prio_bitmap_clear(&b, hi);
		KT_EXPECT_EQ(prio_bitmap_highest(&b), lo);
		prio_bitmap_set(&b, hi);
		prio_bitmap_clear(&b, lo);
		KT_EXPECT_EQ(prio_bitmap_highest(&b), hi);
		prio_bitmap_clear(&b, hi);
		KT_EXPECT_EQ(prio_bitmap_highest(&b), -1);
		if (ktest_failed()) {
			ktest_fail(__FILE__, __LINE__, "with levels %u and %u", lo, hi);
			return;
		}
	}
}

KTEST(runq, bitmap_follows_sets_and_clears)
{
	static bool set[RUNQ_LEVELS];
	struct prio_bitmap b;

	prio_bitmap_init(&b);
	for (unsigned p = 0; p < RUNQ_LEVELS; p++)
		set[p] = false;
	/* Set every level in a scrambled order (97 is odd: each level once), then
	 * clear them in another; after each step, compare with a scan. */
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < RUNQ_LEVELS; i++) {
			unsigned p = (i * (round ? 61 : 97) + 13) % RUNQ_LEVELS;
			if (round == 0)
				prio_bitmap_set(&b, p);
			else
				prio_bitmap_clear(&b, p);
			set[p] = round == 0;
			int want = highest_by_scan(set), got = prio_bitmap_highest(&b);
			if (got != want) {
				ktest_fail(__FILE__, __LINE__,
				           "after %s level %u: highest is %d, not %d",
				           round ? "clearing" : "setting", p, got, want);
				return;
			}
		}
	}
}

KTEST(runq, peek_finds_the_highest_level)
{
	static struct runq rq;
	struct runq_node n[5];

	runq_init(&rq);
	runq_push(&rq, &n[0], 0);
	runq_push(&rq, &n[1], 200);
	runq_push(&rq, &n[2], 200);
	runq_push(&rq, &n[3], 64);
	KT_EXPECT(runq_peek(&rq) == &n[1]);
	runq_push(&rq, &n[4], 255);
	KT_EXPECT(runq_peek(&rq) == &n[4]);
	struct runq_node *order[] = {&n[4], &n[1], &n[2], &n[3], &n[0]};
	for (unsigned i = 0; i < 5; i++) {
		KT_ASSERT(runq_peek(&rq) == order[i]);
		KT_EXPECT_EQ(runq_highest(&rq), order[i]->prio);
		runq_remove(&rq, order[i]);
	}
	KT_EXPECT(runq_peek(&rq) == NULL);
	KT_EXPECT_EQ(runq_highest(&rq), -1);
}
