/*
 * b_syscall.c - times system calls from ring 3 for `make bench`.
 *
 * The kernel's benchmark cases (tests/bench/user/user.c) spawn this
 * program with the operation to time as its argument: 1, KEEL_SYS_NULL
 * through `int 0x80`; 2, the same through sysenter; 3, CLOCK_READ (a
 * call that copies 8 bytes out). Each sample is one call between the
 * same serialised timestamp pair the kernel's runner uses (lfence; rdtsc
 * before, rdtscp; lfence after), and the samples go out in the runner's
 * own "# bench samples" lines, which scripts/bench reads. The runner
 * subtracts the cost of an empty pair, which it measures in the kernel
 * with the same instructions.
 */
#include <keel_user.h>

#define SAMPLES  1000
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
	return keel_null() == 0;
}

int main(uint32_t op)
{
	uint64_t line[PER_LINE];
	unsigned n = 0;

	if (op < 1 || op > 3)
		return 1;
	keel_use_sysenter(op == 2);
	one_call(op); /* warm: the first call takes the cold misses */
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t t0 = bench_begin();
		bool ok = one_call(op);
		line[n++] = bench_end() - t0;
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
	return 0;
}
