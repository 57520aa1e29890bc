/*
 * gcov.c - the coverage runtime of the COVERAGE=1 build.
 *
 * GCC's -fprofile-arcs gives every object a `struct gcov_info` that
 * describes its functions and their arc counters, and a constructor in
 * .init_array that hands it to __gcov_init(). A hosted program gets
 * libgcov, which writes .gcda files at exit; a freestanding kernel has no
 * files, so this file keeps the list and, when the kernel finishes,
 * prints every counter on the console as `# gcov:` lines (KTAP comments).
 * scripts/coverage turns them back into .gcda files on the host.
 *
 * The Makefile builds this file only in the coverage build, and never
 * instruments it. The layout below is GCC 12's (gcc/gcov-io.h, libgcov).
 */
#include <keel/init.h>
#include <keel/kprintf.h>

#define GCOV_COUNTERS 8 /* GCC 10 and later */
#define GCOV_PER_LINE 8 /* counter values per console line */

typedef uint64_t gcov_type;

struct gcov_info;

/* The counters of one kind for one function. */
struct gcov_ctr_info {
	uint32_t num;
	gcov_type *values;
};

/* One function: ctrs[] has an entry per counter kind whose merge is set. */
struct gcov_fn_info {
	const struct gcov_info *key; /* the object that owns the function */
	uint32_t ident;
	uint32_t lineno_checksum;
	uint32_t cfg_checksum;
	struct gcov_ctr_info ctrs[];
};

/* One object file, as GCC 12 lays it out. */
struct gcov_info {
	uint32_t version;
	struct gcov_info *next;
	uint32_t stamp;
	uint32_t checksum;
	const char *filename; /* where the .gcda file belongs */
	void (*merge[GCOV_COUNTERS])(gcov_type *, uint32_t);
	uint32_t n_functions;
	const struct gcov_fn_info *const *functions;
};

void __gcov_init(struct gcov_info *info);
void __gcov_merge_add(gcov_type *counters, uint32_t n);
void __gcov_exit(void);

extern void (*const __init_array_start[])(void), (*const __init_array_end[])(void);

static struct gcov_info *gcov_list;

/* Called by each object's constructor: remember its counters. */
void __gcov_init(struct gcov_info *info)
{
	info->next = gcov_list;
	gcov_list = info;
}

/* Merging runs happens on the host (scripts/coverage sums the boots). */
void __gcov_merge_add(gcov_type *counters, uint32_t n)
{
	(void)counters;
	(void)n;
}

/* The destructors that call this are discarded by the linker script. */
void __gcov_exit(void)
{
}

static void gcov_dump_values(const struct gcov_ctr_info *ctr)
{
	for (uint32_t i = 0; i < ctr->num; i++) {
		if (i % GCOV_PER_LINE == 0)
			kprintf("%s# gcov: v", i ? "\n" : "");
		kprintf(" %llx", (unsigned long long)ctr->values[i]);
	}
	if (ctr->num)
		kprintf("\n");
}

static void gcov_dump_function(const struct gcov_info *info, uint32_t idx)
{
	const struct gcov_fn_info *fn = info->functions[idx];
	uint32_t k = 0;

	if (!fn || fn->key != info) {
		kprintf("# gcov: fn %u -\n", (unsigned)idx);
		return;
	}
	kprintf("# gcov: fn %u %x %x %x\n", (unsigned)idx, (unsigned)fn->ident,
	        (unsigned)fn->lineno_checksum, (unsigned)fn->cfg_checksum);
	for (unsigned t = 0; t < GCOV_COUNTERS; t++) {
		if (!info->merge[t])
			continue;
		kprintf("# gcov: ctr %u %u\n", t, (unsigned)fn->ctrs[k].num);
		gcov_dump_values(&fn->ctrs[k++]);
	}
}

/* Print every object's counters; the host checks each `end` line. */
static void gcov_dump(void)
{
	unsigned files = 0;

	kprintf("# gcov: begin\n");
	for (const struct gcov_info *info = gcov_list; info; info = info->next, files++) {
		kprintf("# gcov: file %x %x %x %u %s\n", (unsigned)info->version,
		        (unsigned)info->stamp, (unsigned)info->checksum,
		        (unsigned)info->n_functions, info->filename);
		for (uint32_t i = 0; i < info->n_functions; i++)
			gcov_dump_function(info, i);
		kprintf("# gcov: end %s\n", info->filename);
	}
	kprintf("# gcov: done %u\n", files);
}

/* Run the constructors (they only call __gcov_init) and hook the exit. */
static void gcov_start(void)
{
	for (void (*const *ctor)(void) = __init_array_start; ctor < __init_array_end; ctor++)
		(*ctor)();
	kernel_finish_hook = gcov_dump;
}
KEEL_INIT(INIT_LATE, gcov_start);
