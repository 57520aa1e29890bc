/*
 * timer.c - in-kernel tests of the clock, sleeping and timeouts.
 *
 * "Never early" is checked against the clock itself: a sleep of d
 * microseconds that began at t must end at or after t + d. How late it
 * ends is a matter for `make bench`, not a test.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/timer.h>

KTEST(timer, clock_is_monotonic)
{
	uint64_t prev = timer_read_us();

	for (unsigned i = 0; i < 20000; i++) {
		uint64_t now = timer_read_us();
		if (now < prev) {
			ktest_fail(__FILE__, __LINE__, "clock went back from %llu to %llu",
			           (unsigned long long)prev, (unsigned long long)now);
			return;
		}
		prev = now;
	}
}

KTEST(timer, ticks_advance)
{
	uint64_t before = timer_ticks();
	thread_sleep_us(3 * 1000000 / TIMER_HZ);
	KT_EXPECT(timer_ticks() > before);
}

KTEST(timer, sleep_never_wakes_early)
{
	static const uint64_t lengths[] = {1, 500, 1000, 1001, 2500, 7000};

	for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		uint64_t start = timer_read_us();
		KT_EXPECT_EQ(thread_sleep_us(lengths[i]), KEEL_OK);
		uint64_t slept = timer_read_us() - start;
		if (slept < lengths[i])
			ktest_fail(__FILE__, __LINE__, "asked for %llu us, slept %llu",
			           (unsigned long long)lengths[i], (unsigned long long)slept);
	}
}

static int wake_order[3];
static volatile unsigned woken;

static void sleep_then_log(void *arg)
{
	uint64_t us = (uint64_t)(uintptr_t)arg;
	thread_sleep_us(us);
	spinflags_t f = spin_lock(&sched_lock);
	wake_order[woken++] = (int)us;
	spin_unlock(&sched_lock, f);
}

KTEST(timer, sleepers_wake_in_deadline_order)
{
	static const unsigned lengths[] = {9000, 3000, 6000};
	tid_t tids[3];

	woken = 0;
	/* Created in a different order than they are due; all above main so
	 * each starts its sleep at once. */
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_EQ(thread_create("sleeper", sleep_then_log, (void *)(uintptr_t)lengths[i],
		                           PRIO_MAIN + 1, &tids[i]),
		             KEEL_OK);
	for (unsigned i = 0; i < 3; i++)
		KT_EXPECT_EQ(thread_join(tids[i], 0, TIMEOUT_NEVER), KEEL_OK);
	KT_ASSERT_EQ(woken, 3);
	KT_EXPECT_EQ(wake_order[0], 3000);
	KT_EXPECT_EQ(wake_order[1], 6000);
	KT_EXPECT_EQ(wake_order[2], 9000);
}

KTEST(timer, wait_times_out_not_early)
{
	struct waitq wq;

	waitq_init(&wq);
	spinflags_t f = spin_lock(&sched_lock);
	uint64_t start = timer_read_us();
	kstatus_t s = waitq_wait(&wq, 2000);
	uint64_t waited = timer_read_us() - start;
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(s, KEEL_ERR_TIMED_OUT);
	KT_EXPECT(waited >= 2000);
	KT_EXPECT(list_empty(&wq.waiters));
}

KTEST(timer, wait_zero_is_a_poll)
{
	struct waitq wq;

	waitq_init(&wq);
	spinflags_t f = spin_lock(&sched_lock);
	KT_EXPECT_EQ(waitq_wait(&wq, 0), KEEL_ERR_TIMED_OUT);
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(thread_current()->state, THREAD_RUNNING);
}

static struct waitq early_wq;

static void wake_early(void *arg)
{
	(void)arg;
	thread_sleep_us(1000);
	spinflags_t f = spin_lock(&sched_lock);
	waitq_wake_all(&early_wq);
	spin_unlock(&sched_lock, f);
}

KTEST(timer, wake_beats_timeout_and_cancels_it)
{
	tid_t tid;

	waitq_init(&early_wq);
	KT_ASSERT_EQ(thread_create("waker", wake_early, 0, PRIO_MAIN + 1, &tid), KEEL_OK);
	spinflags_t f = spin_lock(&sched_lock);
	kstatus_t s = waitq_wait(&early_wq, 30000000);
	bool still_armed = timer_pending(&thread_current()->timer);
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(s, KEEL_OK);
	KT_EXPECT(!still_armed);
	KT_EXPECT_EQ(thread_join(tid, 0, TIMEOUT_NEVER), KEEL_OK);
}

KTEST(timer, timers_report_queue_errors)
{
	struct timer t;

	timer_init(&t, 0, 0);
	spinflags_t f = spin_lock(&sched_lock);
	KT_EXPECT_EQ(timer_arm(&t, UINT64_MAX), KEEL_OK);
	KT_EXPECT_EQ(timer_arm(&t, UINT64_MAX), KEEL_ERR_BUSY);
	KT_EXPECT(timer_cancel(&t));
	KT_EXPECT(!timer_cancel(&t));
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(timer_deadline(UINT64_MAX), UINT64_MAX);
}
