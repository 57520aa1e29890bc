/*
 * sched.c - benchmarks of slice 1's hot paths.
 *
 * thread_switch: two threads of one priority hand the CPU to each other
 *   with sched_yield(); a sample runs from just before one thread's yield
 *   to just after the other resumes: one yield and one context switch.
 * timer_irq: a thread reads the timestamp in a tight loop; an interrupt
 *   shows up as a gap much longer than the loop's own shortest one. A
 *   sample is that gap minus the loop's: entry, handler and exit of a tick.
 * sched_pick_next_N: sched_pick_next() on a private CPU whose run queue
 *   holds N threads at scattered priorities. The same cost for N = 1 and
 *   N = 64 is what O(1) means.
 */
#include <keel/irq.h>
#include <keel/kbench.h>
#include <keel/sched.h>
#include <keel/timer.h>

/* [bench_thread_switch] */
#define SWITCHES 2000

static volatile uint64_t stamp;
static volatile unsigned turns;

static void ping_pong(void *arg)
{
	(void)arg;
	while (turns < SWITCHES) {
		if (turns > 0)
			kbench_sample(kbench_end() - stamp);
		turns++;
		stamp = kbench_begin();
		sched_yield();
	}
}

KBENCH(thread_switch)
{
	tid_t a, b;

	turns = 0;
	/* Above main, so the two run back to back until both are done. */
	thread_create("ping", ping_pong, 0, PRIO_MAIN + 1, &a);
	thread_create("pong", ping_pong, 0, PRIO_MAIN + 1, &b);
	thread_join(a, 0, TIMEOUT_NEVER);
	thread_join(b, 0, TIMEOUT_NEVER);
}
/* [bench_thread_switch] */

KBENCH_FLAGS(timer_irq, KBENCH_NET)
{
	uint64_t shortest = UINT64_MAX, prev = kbench_begin();
	unsigned got = 0;

	/* The loop's own cost: its shortest gap over many turns. Any gap
	 * three times longer is an interrupt (the tick is the only one). */
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t now = kbench_begin();
		if (now - prev < shortest)
			shortest = now - prev;
		prev = now;
	}
	prev = kbench_begin();
	while (got < 200) {
		uint64_t now = kbench_begin();
		if (now - prev > 3 * shortest + 8) {
			kbench_sample(now - prev - shortest);
			got++;
			now = kbench_begin(); /* recording may print: start afresh */
		}
		prev = now;
	}
}

static struct thread fake[64];

static void pick_bench(unsigned n)
{
	static struct cpu c;

	runq_init(&c.rq);
	c.idle = &fake[0];
	for (unsigned i = 0; i < n; i++)
		runq_push(&c.rq, &fake[i].rq, (uint8_t)((i * 97 + 13) % 256));
	spinflags_t f = spin_lock(&sched_lock);
	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_begin();
		struct thread *t = sched_pick_next(&c);
		uint64_t t1 = kbench_end();
		kbench_sample(t1 - t0);
		runq_push(&c.rq, &t->rq, t->rq.prio); /* put it back, untimed */
	}
	spin_unlock(&sched_lock, f);
}

KBENCH(sched_pick_next_1)
{
	pick_bench(1);
}

KBENCH(sched_pick_next_64)
{
	pick_bench(64);
}
