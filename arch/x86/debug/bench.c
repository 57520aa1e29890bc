/*
 * bench.c - serialised timestamps for benchmarks.
 *
 * rdtsc may be executed before earlier instructions finish, or after
 * later ones start. The usual fence: `lfence; rdtsc` before the measured
 * code (nothing earlier is still running) and `rdtscp; lfence` after it
 * (everything measured has finished; nothing later has started). CPUs
 * without rdtscp, or without SSE2's lfence, get cpuid, which serialises
 * everything but costs more (the runner measures and subtracts it).
 */
#include <keel/arch.h>

#include "x86.h"

static int features = -1; /* bit 0: lfence (SSE2), bit 1: rdtscp */

static int bench_features(void)
{
	if (features < 0) {
		uint32_t r[4];
		cpuid_leaf(1, r);
		features = (r[3] >> 26) & 1;
		cpuid_leaf(0x80000000, r);
		if (r[0] >= 0x80000001) {
			cpuid_leaf(0x80000001, r);
			features |= ((r[3] >> 27) & 1) << 1;
		}
	}
	return features;
}

static void serialise(void)
{
	if (bench_features() & 1) {
		__asm__ volatile("lfence" : : : "memory");
	} else {
		uint32_t r[4];
		cpuid_leaf(0, r);
	}
}

uint64_t arch_bench_begin(void)
{
	serialise();
	return rdtsc();
}

uint64_t arch_bench_end(void)
{
	uint32_t lo, hi;

	if (bench_features() & 2) {
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
	} else {
		serialise();
		uint64_t t = rdtsc();
		lo = (uint32_t)t, hi = (uint32_t)(t >> 32);
	}
	serialise();
	return ((uint64_t)hi << 32) | lo;
}

const char *arch_bench_unit(void)
{
	return "tsc";
}
