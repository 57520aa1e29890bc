/*
 * user.c - benchmarks of slice 3's hot paths, measured from ring 3.
 *
 * A system call's cost is the way in and out of the kernel, which only a
 * program in user mode can time. So these cases spawn the benchmark
 * program b_syscall with the operation to measure as its argument; it
 * takes KBENCH_SAMPLES samples with the same serialised timestamp pair
 * the kernel uses (rdtsc is allowed in ring 3) and prints them in the
 * runner's "# bench samples" lines, which scripts/bench reads. Its pair
 * is inline, cheaper than the runner's out-of-line one, so it measures
 * and subtracts its own: these cases are net.
 *
 * null_int: KEEL_SYS_NULL through `int 0x80` (the charter's null call).
 * null_sysenter: the same through sysenter/sysexit.
 * clock_read: CLOCK_READ, a call that copies a result out to user memory.
 * yield_roundtrip: THREAD_YIELD to another task's thread of the same
 *   priority, which yields back: two system calls and two switches
 *   between address spaces (Linux's sched_yield ping-pong, side by side).
 * spawn_wait: task_spawn() of b_empty (a program that only exits) and
 *   task_wait() for it, measured in the kernel: loading, one thread's
 *   life, and giving it all back.
 */
#include <keel/kbench.h>
#include <keel/kprintf.h>
#include <keel/task.h>

#include "bench_program.h"

#define SPAWN_SAMPLES 100

void bench_program(const char *prog, uint32_t op)
{
	struct keel_spawn opts = {.arg = op};
	struct task *t;
	int status = -1;

	if (task_spawn(prog, NULL, &opts, &t) != KEEL_OK ||
	    task_wait(t, &status, TIMEOUT_NEVER) != KEEL_OK || status != 0)
		kprintf("# bench: %s %u failed (status %d)\n", prog, op, status);
}

/* Run b_syscall measuring operation @p op; it prints its own samples. */
static void user_bench(uint32_t op)
{
	bench_program("b_syscall", op);
}

/* Net: b_syscall subtracts the cost of its own (inline) timestamp pair. */
KBENCH_FLAGS(null_int, KBENCH_NET)
{
	user_bench(1);
}

KBENCH_FLAGS(null_sysenter, KBENCH_NET)
{
	user_bench(2);
}

KBENCH_FLAGS(clock_read, KBENCH_NET)
{
	user_bench(3);
}

KBENCH_FLAGS(yield_roundtrip, KBENCH_NET)
{
	user_bench(4);
}

/* [bench_spawn] */
KBENCH(spawn_wait)
{
	for (unsigned i = 0; i < SPAWN_SAMPLES; i++) {
		struct task *t;
		int status;
		uint64_t t0 = kbench_begin();
		if (task_spawn("b_empty", NULL, NULL, &t) != KEEL_OK ||
		    task_wait(t, &status, TIMEOUT_NEVER) != KEEL_OK)
			return;
		kbench_sample(kbench_end() - t0);
	}
}
/* [bench_spawn] */
