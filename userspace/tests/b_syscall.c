/*
 * b_syscall.c - times system calls from ring 3 for `make bench`.
 *
 * The kernel's benchmark cases (tests/bench/user/user.c) spawn this
 * program with the operation to time as its argument: 1, KEEL_SYS_NULL
 * through `int 0x80`; 2, the same through sysenter; 3, CLOCK_READ (a
 * call that copies 8 bytes out). Each sample is one call between the
 * same serialised timestamp pair the kernel's runner uses (lfence; rdtsc
 * before, rdtscp; lfence after), and the samples go out in the runner's
 * own "# bench samples" lines, which scripts/bench reads. 4 is a yield
 * round trip: this program's THREAD_YIELD runs a child of the same
 * priority (this program with argument 104), which yields straight back,
 * the work of Linux's sched_yield ping-pong. The samples
 * are net: the runner's pair is measured in the kernel through calls,
 * which costs more than this program's inline one, so the program
 * subtracts the least an empty pair of its own costs, and the kernel's
 * cases say the samples are net (KBENCH_NET).
 */
#include <ubench.h>

#define YIELDER 104 /* the argument that makes this program the yield partner */

/* One call of operation @p op; false if it failed. */
static bool one_call(uint32_t op)
{
	uint64_t us;

	if (op == 3)
		return keel_clock_us(&us) == 0;
	if (op == 4)
		return keel_yield() == 0;
	return keel_null() == 0;
}

int main(uint32_t op)
{
	if (op == YIELDER)
		for (;;)
			keel_yield(); /* killed by its parent when the samples are in */
	if (op < 1 || op > 4)
		return 1;
	int32_t child = op == 4 ? keel_spawn("b_syscall", YIELDER) : 0;
	if (child < 0)
		return 1;
	keel_use_sysenter(op == 2);
	int status = ubench_run("b_syscall", one_call, op);
	if (child > 0 && (keel_task_kill(child) != 0 || keel_task_wait(child, NULL, 1000000) != 0))
		return 1;
	return status;
}
