/*
 * bench_program.h - what the benchmarks of slice 3 and later share: run
 * a benchmark program from the boot archive, which takes and prints its
 * own samples.
 */
#ifndef KEEL_TESTS_BENCH_PROGRAM_H
#define KEEL_TESTS_BENCH_PROGRAM_H

#include <stdint.h>

/* Spawn @p prog with operation @p op as its argument and wait for it; a
 * failure (no such program, a status other than 0) is printed as a
 * "# bench:" line, which scripts/bench reports. */
void bench_program(const char *prog, uint32_t op);

#endif
