/*
 * pick.c - in-kernel tests of sched_pick_next() on a private CPU.
 *
 * The CPU, its run queue, its idle thread and the threads queued on it
 * are the test's own: nothing runs, nothing is switched, and the real
 * scheduler never sees them. So these tests grade the choice alone (lab
 * 1's first part), whether or not the context switch works.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>

#define FAKES 8

static struct cpu cpu;
static struct thread fake[FAKES], idle;

/* An empty private CPU, interrupts off (the contract of sched_pick_next). */
static spinflags_t setup(void)
{
	spinflags_t f = spin_lock(&sched_lock);

	runq_init(&cpu.rq);
	cpu.idle = &idle;
	cpu.current = &idle;
	for (unsigned i = 0; i < FAKES; i++)
		fake[i].state = THREAD_READY;
	return f;
}

/* Queue fake thread @p i at @p prio, at the tail of its level. */
static void ready(unsigned i, unsigned prio)
{
	fake[i].prio = (uint8_t)prio;
	runq_push(&cpu.rq, &fake[i].rq, (uint8_t)prio);
}

/* Pick once; which thread came out: fake[i] is i, idle is FAKES, a stranger -1. */
static int pick(void)
{
	struct thread *t = sched_pick_next(&cpu);

	if (t == &idle)
		return FAKES;
	for (int i = 0; i < FAKES; i++)
		if (t == &fake[i])
			return i;
	return -1;
}

/* A name for what pick() returned, for messages. */
static const char *name(int i)
{
	static const char *const names[] = {"fake[0]", "fake[1]", "fake[2]",
	                                    "fake[3]", "fake[4]", "fake[5]",
	                                    "fake[6]", "fake[7]", "the idle thread"};
	_Static_assert(sizeof(names) / sizeof(names[0]) == FAKES + 1, "a name per thread");
	return i >= 0 && i <= FAKES ? names[i] : "a thread that was never queued";
}

/* Pick number @p n gave @p got; it should have given @p want. */
static void expect_picked(int line, unsigned n, int got, int want)
{
	if (got == want)
		return;
	if (want == FAKES)
		ktest_fail(__FILE__, line, "pick %u: expected the idle thread, got %s", n,
		           name(got));
	else
		ktest_fail(__FILE__, line, "pick %u: expected %s (priority %u), got %s", n,
		           name(want), fake[want].prio, name(got));
}

KTEST(pick, highest_level_first)
{
	static const unsigned prios[FAKES] = {5, 200, 31, 32, 255, 0, 64, 63};
	static const int order[FAKES] = {4, 1, 6, 7, 3, 2, 0, 5};
	spinflags_t f = setup();
	int got[FAKES + 1];

	for (unsigned i = 0; i < FAKES; i++)
		ready(i, prios[i]);
	for (unsigned i = 0; i <= FAKES; i++)
		got[i] = pick();
	spin_unlock(&sched_lock, f);
	for (unsigned i = 0; i < FAKES; i++)
		expect_picked(__LINE__, i, got[i], order[i]);
	expect_picked(__LINE__, FAKES, got[FAKES], FAKES); /* the queue is empty: idle */
}

KTEST(pick, fifo_within_a_level)
{
	spinflags_t f = setup();
	int got[6];

	for (unsigned i = 0; i < 4; i++)
		ready(i, 40);
	fake[4].prio = 40;
	runq_push_front(&cpu.rq, &fake[4].rq, 40); /* preempted with its slice left */
	got[0] = pick();
	got[1] = pick();
	ready(5, 41); /* a better thread arrives between two picks */
	for (unsigned i = 2; i < 6; i++)
		got[i] = pick();
	spin_unlock(&sched_lock, f);
	static const int order[6] = {4, 0, 5, 1, 2, 3};
	for (unsigned i = 0; i < 6; i++)
		expect_picked(__LINE__, i, got[i], order[i]);
}

KTEST(pick, takes_the_thread_off_the_queue)
{
	spinflags_t f = setup();
	bool queued[3];
	unsigned count[3];
	int highest[3], got[3];

	ready(0, 90);
	ready(1, 90);
	ready(2, 10);
	for (unsigned i = 0; i < 3; i++) {
		got[i] = pick();
		queued[i] = got[i] >= 0 && got[i] < FAKES && fake[got[i]].rq.queued;
		count[i] = cpu.rq.count;
		highest[i] = runq_highest(&cpu.rq);
	}
	bool current_kept = cpu.current == &idle;
	spin_unlock(&sched_lock, f);
	for (unsigned i = 0; i < 3; i++) {
		expect_picked(__LINE__, i, got[i], (int)i);
		KT_EXPECT(!queued[i]);
		KT_EXPECT_EQ(count[i], 2 - i);
	}
	/* The bitmap follows: level 90 empties after the second pick. */
	KT_EXPECT_EQ(highest[0], 90);
	KT_EXPECT_EQ(highest[1], 10);
	KT_EXPECT_EQ(highest[2], -1);
	KT_EXPECT(current_kept); /* choosing is not switching */
}
