/*
 * ubench.c - the sampling loop of the benchmark programs (ubench.h).
 */
#include <ubench.h>

#define PER_LINE 16

static bool nothing(uint32_t arg)
{
	(void)arg;
	return true;
}

/* The least the pair costs around a call, through a pointer, of an
 * operation that does nothing: what each sample carries besides its
 * operation. */
static uint64_t pair_cost(void)
{
	ubench_op volatile empty = nothing;
	uint64_t least = ~0ull;

	for (unsigned i = 0; i < UBENCH_SAMPLES; i++) {
		uint64_t t0 = ubench_begin();
		empty(0);
		uint64_t d = ubench_end() - t0;
		least = d < least ? d : least;
	}
	return least;
}

static void flush(const uint64_t *line, unsigned n)
{
	printf("# bench samples");
	for (unsigned k = 0; k < n; k++)
		printf(" %llu", (unsigned long long)line[k]);
	printf("\n");
}

/* The operation ubench_run() times, for ubench_run_timed()'s loop. */
static ubench_op timed_by_pair;

static bool between_pair(uint32_t arg, uint64_t *gross)
{
	uint64_t t0 = ubench_begin();
	bool ok = timed_by_pair(arg);

	*gross = ubench_end() - t0;
	return ok;
}

int ubench_run(const char *name, ubench_op op, uint32_t arg)
{
	timed_by_pair = op;
	return ubench_run_timed(name, between_pair, arg);
}

int ubench_run_timed(const char *name, ubench_timed_op op, uint32_t arg)
{
	uint64_t line[PER_LINE], d;
	unsigned n = 0;

	if (!op(arg, &d))
		return 1; /* warm: the first round takes the cold misses */
	uint64_t pair = pair_cost();
	printf("# %s: timestamp pair %llu subtracted\n", name, (unsigned long long)pair);
	for (unsigned i = 0; i < UBENCH_SAMPLES; i++) {
		if (!op(arg, &d))
			return 1;
		line[n++] = d > pair ? d - pair : 0;
		if (n == PER_LINE || i == UBENCH_SAMPLES - 1) {
			flush(line, n);
			n = 0;
		}
	}
	return 0;
}
