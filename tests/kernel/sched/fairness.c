/*
 * fairness.c - round-robin among equals, counted in time slices.
 *
 * N spinning threads share one priority. Round robin means that over
 * any stretch, no thread has started more than one slice more than any
 * other. The test waits (sleeping in short steps, so it runs only
 * briefly and always returns a spinner to the front of its level) until
 * every spinner has started ROUNDS slices, then compares the slice counts
 * the scheduler kept. It counts events, never time: on a loaded host the
 * ticks come late, and the test simply waits longer.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/timer.h>

#define SPINNERS 4
#define ROUNDS   8

static volatile bool stop;

static void spin(void *arg)
{
	(void)arg;
	while (!stop)
		;
}

static uint64_t fewest_slices(const tid_t *tids)
{
	uint64_t fewest = UINT64_MAX;
	spinflags_t f = spin_lock(&sched_lock);

	for (unsigned i = 0; i < SPINNERS; i++)
		if (thread_lookup(tids[i])->slices < fewest)
			fewest = thread_lookup(tids[i])->slices;
	spin_unlock(&sched_lock, f);
	return fewest;
}

KTEST(sched, round_robin_is_fair_within_one_slice)
{
	tid_t tids[SPINNERS];
	uint64_t slices[SPINNERS];
	kstatus_t slept = KEEL_OK;

	stop = false;
	for (unsigned i = 0; i < SPINNERS; i++)
		KT_ASSERT_EQ(thread_create("spinner", spin, 0, 60, &tids[i]), KEEL_OK);
	/* A sleep that fails would leave the spinners no turn: stop waiting. */
	while (slept == KEEL_OK && fewest_slices(tids) < ROUNDS)
		slept = thread_sleep_us(1000000 / TIMER_HZ);
	spinflags_t f = spin_lock(&sched_lock);
	for (unsigned i = 0; i < SPINNERS; i++)
		slices[i] = thread_lookup(tids[i])->slices;
	spin_unlock(&sched_lock, f);
	stop = true;
	for (unsigned i = 0; i < SPINNERS; i++)
		KT_EXPECT_EQ(thread_join(tids[i], 0, TIMEOUT_NEVER), KEEL_OK);
	KT_ASSERT_EQ(slept, KEEL_OK);

	uint64_t lo = slices[0], hi = slices[0];
	for (unsigned i = 1; i < SPINNERS; i++) {
		lo = slices[i] < lo ? slices[i] : lo;
		hi = slices[i] > hi ? slices[i] : hi;
	}
	KT_EXPECT(lo >= ROUNDS);
	if (hi - lo > 1)
		ktest_fail(__FILE__, __LINE__, "slices per spinner %llu..%llu: more than one apart",
		           (unsigned long long)lo, (unsigned long long)hi);
}

static volatile unsigned yields_seen[2];

static void yielder(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	for (unsigned i = 0; i < 5; i++) {
		yields_seen[me]++;
		/* Each yield must hand over to the other thread of our level. */
		if (me == 1 && yields_seen[0] != yields_seen[1])
			ktest_fail(__FILE__, __LINE__, "yield did not alternate: %u vs %u",
			           yields_seen[0], yields_seen[1]);
		sched_yield();
	}
}

KTEST(sched, yield_alternates_equals)
{
	tid_t a, b;

	yields_seen[0] = yields_seen[1] = 0;
	KT_ASSERT_EQ(thread_create("yield0", yielder, (void *)0, 70, &a), KEEL_OK);
	KT_ASSERT_EQ(thread_create("yield1", yielder, (void *)1, 70, &b), KEEL_OK);
	KT_EXPECT_EQ(thread_join(a, 0, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(thread_join(b, 0, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(yields_seen[0], 5);
	KT_EXPECT_EQ(yields_seen[1], 5);
}

KTEST(sched, set_priority)
{
	KT_EXPECT_EQ(sched_set_priority(0, 10), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(sched_set_priority(thread_current(), 256), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(sched_set_priority(thread_current(), PRIO_MAIN + 1), KEEL_OK);
	KT_EXPECT_EQ(thread_current()->prio, PRIO_MAIN + 1);
	KT_EXPECT_EQ(sched_set_priority(thread_current(), PRIO_MAIN), KEEL_OK);
}
