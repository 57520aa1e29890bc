/*
 * slab_check.c - the table of every slab cache, for the monitor's `mem`.
 *
 * It needs only what slab.h shows of a cache, so it sits apart from the
 * allocator: one line per cache, with its sizes and its counters. Only
 * the monitor prints it, so this is debug code, linked into test images
 * only (see the Makefile).
 */
#include <keel/kprintf.h>
#include <keel/slab.h>

void slab_print_stats(void)
{
	spinflags_t f = spin_lock(&slab_lock);

	kprintf("%-16s %6s %6s %6s %7s %9s %9s %8s %7s\n", "cache", "size", "stride", "slabs",
	        "live", "allocs", "frees", "failures", "corrupt");
	for (const struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		kprintf("%-16s %6zu %6zu %6u %7u %9u %9u %8u %7u\n", c->name, c->size, c->stride,
		        c->slabs, c->live, c->allocs, c->frees, c->failures, c->corruptions);
	spin_unlock(&slab_lock, f);
}
