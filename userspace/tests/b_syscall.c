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
#include <keel_user.h>

#define SAMPLES  1000
#define YIELDER  104 /* the argument that makes this program the yield partner */
#define PER_LINE 16

static inline uint64_t bench_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
	return ((uint64_t)hi << 32) | lo;
}

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

/* The least an empty timestamp pair costs: what each sample loses. */
static uint64_t pair_cost(void)
{
	uint64_t least = ~0ull;

	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t t0 = bench_begin();
		uint64_t d = bench_end() - t0;
		least = d < least ? d : least;
	}
	return least;
}

int main(uint32_t op)
{
	uint64_t line[PER_LINE];
	unsigned n = 0;

	if (op == YIELDER)
		for (;;)
			keel_yield(); /* killed by its parent when the samples are in */
	if (op < 1 || op > 4)
		return 1;
	int32_t child = op == 4 ? keel_spawn("b_syscall", YIELDER) : 0;
	if (child < 0)
		return 1;
	uint64_t pair = pair_cost();
	printf("# b_syscall: timestamp pair %llu subtracted\n", (unsigned long long)pair);
	keel_use_sysenter(op == 2);
	one_call(op); /* warm: the first call takes the cold misses */
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t t0 = bench_begin();
		bool ok = one_call(op);
		uint64_t d = bench_end() - t0;
		line[n++] = d > pair ? d - pair : 0;
		if (!ok)
			return 1;
		if (n == PER_LINE || i == SAMPLES - 1) {
			printf("# bench samples");
			for (unsigned k = 0; k < n; k++)
				printf(" %llu", (unsigned long long)line[k]);
			printf("\n");
			n = 0;
		}
	}
	if (child > 0 && (keel_task_kill(child) != 0 || keel_task_wait(child, NULL, 1000000) != 0))
		return 1;
	return 0;
}
