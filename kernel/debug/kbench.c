/*
 * kbench.c - run in-kernel benchmarks and print their samples.
 *
 * The runner prints every sample, so the host sees the whole distribution
 * and computes the statistics; the kernel does no sorting and keeps no
 * buffers. The protocol, one line each, all KTAP-style comments:
 *
 *     # bench clock tsc                     what the samples count
 *     # bench begin overhead net            the cost of an empty begin/end pair
 *     # bench begin SLICE.NAME net|gross    then, for each case:
 *     # bench samples <up to 16 values>     as many lines as needed
 *     # bench end SLICE.NAME <count>
 */
#include <keel/arch.h>
#include <keel/kbench.h>
#include <keel/kprintf.h>
#include <keel/string.h>

extern const struct kbench_case __kbench_start[], __kbench_end[];

#define PER_LINE 16

static uint64_t line[PER_LINE];
static unsigned in_line, total;

uint64_t kbench_begin(void)
{
	return arch_bench_begin();
}

uint64_t kbench_end(void)
{
	return arch_bench_end();
}

static void flush_line(void)
{
	if (in_line == 0)
		return;
	kprintf("# bench samples");
	for (unsigned i = 0; i < in_line; i++)
		kprintf(" %llu", (unsigned long long)line[i]);
	kprintf("\n");
	in_line = 0;
}

void kbench_sample(uint64_t value)
{
	line[in_line++] = value;
	total++;
	if (in_line == PER_LINE)
		flush_line();
}

/* The cost of the measurement itself: an empty begin/end pair. */
static void measure_overhead(void)
{
	kprintf("# bench begin overhead net\n");
	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t0 = kbench_begin();
		kbench_sample(kbench_end() - t0);
	}
	flush_line();
	kprintf("# bench end overhead %u\n", total);
	total = 0;
}

static bool selected(const char *selection, const struct kbench_case *c)
{
	size_t n = strlen(c->name);

	if (strcmp(selection, "all") == 0)
		return true;
	for (const char *p = selection; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : 0)
		if (strncmp(p, c->name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Report each name in @p selection that no benchmark has; true if all are known. */
static bool names_known(const char *selection)
{
	bool ok = true;

	if (strcmp(selection, "all") == 0)
		return true;
	for (const char *p = selection; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : 0) {
		size_t n = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
		bool found = false;
		for (const struct kbench_case *c = __kbench_start; c < __kbench_end && !found; c++)
			found = strlen(c->name) == n && strncmp(p, c->name, n) == 0;
		if (!found) {
			kprintf("# bench: unknown benchmark '%.*s'; available:", (int)n, p);
			for (const struct kbench_case *c = __kbench_start; c < __kbench_end; c++)
				kprintf(" %s", c->name);
			kprintf("\n");
			ok = false;
		}
	}
	return ok;
}

int kbench_run(const char *selection)
{
	unsigned ran = 0;

	if (!names_known(selection))
		return KEEL_EXIT_FAIL;
	kprintf("# bench clock %s\n", arch_bench_unit());
	measure_overhead();
	for (const struct kbench_case *c = __kbench_start; c < __kbench_end; c++) {
		if (!selected(selection, c))
			continue;
		kprintf("# bench begin %s.%s %s\n", c->slice, c->name,
		        (c->flags & KBENCH_NET) ? "net" : "gross");
		total = 0;
		c->fn();
		flush_line();
		kprintf("# bench end %s.%s %u\n", c->slice, c->name, total);
		ran++;
	}
	kprintf("# bench done %u\n", ran);
	return KEEL_EXIT_PASS;
}
