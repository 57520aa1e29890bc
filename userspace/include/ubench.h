/**
 * @file ubench.h
 * @brief Timing from ring 3 for the benchmark programs (b_syscall, b_ipc).
 *
 * A benchmark program takes each sample between the same serialised
 * timestamp pair the kernel's runner uses (lfence; rdtsc before, rdtscp;
 * lfence after; rdtsc is allowed in ring 3), and subtracts the least the
 * pair costs around a call of an operation that does nothing (its own
 * pair is inline, cheaper than the runner's; the operation is called
 * through a pointer),
 * and prints its samples in the runner's "# bench samples" lines, which
 * scripts/bench reads. The kernel's cases that spawn such a program say
 * its samples are net (KBENCH_NET).
 */
#ifndef KEEL_UBENCH_H
#define KEEL_UBENCH_H

#include <keel_user.h>

/** @brief Samples each benchmark program takes. */
#define UBENCH_SAMPLES 1000

/** @brief A timestamp, serialised before the read. */
static inline uint64_t ubench_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/** @brief A timestamp, serialised after the read. */
static inline uint64_t ubench_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
	return ((uint64_t)hi << 32) | lo;
}

/** @brief One operation to time; false if it failed. */
typedef bool (*ubench_op)(uint32_t arg);

/**
 * @brief Print the cost of an empty pair (subtracted), run @p op(@p arg)
 * once to warm up, then UBENCH_SAMPLES times between the pair, printing
 * the net samples. @p name names the program in the first line.
 * @return 0, or 1 as soon as @p op fails.
 */
int ubench_run(const char *name, ubench_op op, uint32_t arg);

/** @brief One operation that takes its own timestamps (ubench_begin() where
 *  it starts, ubench_end() where it ends, perhaps in another thread) and
 *  stores their difference in *@p gross; false if it failed. */
typedef bool (*ubench_timed_op)(uint32_t arg, uint64_t *gross);

/**
 * @brief ubench_run() for an operation that times itself: what happens
 * between its two timestamps is the sample, net of the pair's own cost.
 * @return 0, or 1 as soon as @p op fails.
 */
int ubench_run_timed(const char *name, ubench_timed_op op, uint32_t arg);

#endif
