/*
 * sched.c - in-kernel tests of the scheduling policy itself.
 *
 * Each test makes the policy visible through the order in which threads
 * append to a log, or through the slices they were given. None measures
 * time: the only clock here is the count of events.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/timer.h>

#define LOG_MAX 16
static int order[LOG_MAX];
static volatile unsigned logged;

static void log_self(void *arg)
{
	spinflags_t f = spin_lock(&sched_lock);
	if (logged < LOG_MAX)
		order[logged++] = (int)(uintptr_t)arg;
	spin_unlock(&sched_lock, f);
}

static void join_all(tid_t *tids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT_EQ(thread_join(tids[i], 0, TIMEOUT_NEVER), KEEL_OK);
}

KTEST(sched, strict_priority_order)
{
	static const unsigned prios[] = {20, 90, 50, 10, 70};
	tid_t tids[5];

	logged = 0;
	/* All below main: none runs until main blocks in join. */
	for (unsigned i = 0; i < 5; i++)
		KT_ASSERT_EQ(thread_create("prio", log_self, (void *)(uintptr_t)prios[i], prios[i],
		                           &tids[i]),
		             KEEL_OK);
	KT_EXPECT_EQ(logged, 0);
	join_all(tids, 5);
	KT_ASSERT_EQ(logged, 5);
	KT_EXPECT_EQ(order[0], 90);
	KT_EXPECT_EQ(order[1], 70);
	KT_EXPECT_EQ(order[2], 50);
	KT_EXPECT_EQ(order[3], 20);
	KT_EXPECT_EQ(order[4], 10);
}

KTEST(sched, fifo_within_a_level)
{
	tid_t tids[4];

	logged = 0;
	for (unsigned i = 0; i < 4; i++)
		KT_ASSERT_EQ(thread_create("fifo", log_self, (void *)(uintptr_t)i, 40, &tids[i]),
		             KEEL_OK);
	join_all(tids, 4);
	for (unsigned i = 0; i < 4; i++)
		KT_EXPECT_EQ(order[i], (int)i);
}

KTEST(sched, higher_priority_runs_at_once)
{
	tid_t tid;

	logged = 0;
	KT_ASSERT_EQ(thread_create("urgent", log_self, (void *)7, PRIO_MAIN + 10, &tid), KEEL_OK);
	/* It preempted us inside thread_create and has already run. */
	KT_EXPECT_EQ(logged, 1);
	join_all(&tid, 1);
}

/* --- Preemption by a wake-up ------------------------------------------ */

static struct waitq wake_queue;
static volatile bool waker_continued, seen_by_woken;

static void high_waiter(void *arg)
{
	(void)arg;
	spinflags_t f = spin_lock(&sched_lock);
	waitq_wait(&wake_queue, TIMEOUT_NEVER);
	seen_by_woken = waker_continued; /* must still be false: we ran first */
	spin_unlock(&sched_lock, f);
}

static void low_waker(void *arg)
{
	(void)arg;
	spinflags_t f = spin_lock(&sched_lock);
	waitq_wake_one(&wake_queue);
	spin_unlock(&sched_lock, f);
	sched_preempt(); /* the woken thread is better: it runs here */
	waker_continued = true;
}

KTEST(sched, wake_of_higher_priority_preempts)
{
	tid_t high, low;

	waitq_init(&wake_queue);
	waker_continued = seen_by_woken = false;
	KT_ASSERT_EQ(thread_create("high", high_waiter, 0, 100, &high), KEEL_OK);
	KT_ASSERT_EQ(thread_create("low", low_waker, 0, 30, &low), KEEL_OK);
	join_all(&high, 1);
	join_all(&low, 1);
	KT_EXPECT(waker_continued);
	KT_EXPECT(!seen_by_woken);
}
