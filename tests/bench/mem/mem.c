/*
 * mem.c - benchmarks of slice 2's hot paths.
 *
 * frame_alloc_free: one frame_alloc() and its frame_free(), the charter's
 *   "frame allocate + free" (aim: 100 cycles). The free list is warm: the
 *   same frame comes back each time, as it would in steady use.
 * buddy_alloc16: frame_alloc_run() of 16 contiguous frames (order 4) and
 *   its free: a split from a larger block and the merges back.
 * vm_map_unmap: vm_map() and vm_unmap() of one page in a test space whose
 *   page table already exists (the common case), TLB flush included.
 * kmalloc64: kmalloc(64) and kfree() from a warm cache.
 */
#include <keel/frame.h>
#include <keel/kbench.h>
#include <keel/kmalloc.h>
#include <keel/slab.h>
#include <keel/vm.h>

/* [bench_frame] */
KBENCH(frame_alloc_free)
{
	paddr_t pa;

	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t = kbench_begin();
		frame_alloc(OWNER_TEST, &pa);
		frame_free(pa, OWNER_TEST);
		kbench_sample(kbench_end() - t);
	}
}
/* [bench_frame] */

KBENCH(buddy_alloc16)
{
	paddr_t pa;

	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t = kbench_begin();
		frame_alloc_run(4, PMM_ZONE_ANY, OWNER_TEST, &pa);
		frame_free_run(pa, 4, OWNER_TEST);
		kbench_sample(kbench_end() - t);
	}
}

KBENCH(vm_map_unmap)
{
	struct vm_space *s;
	paddr_t pa;

	if (vm_space_create(OWNER_TEST, &s) != KEEL_OK || frame_alloc(OWNER_TEST, &pa) != KEEL_OK)
		return;
	vm_map(s, 0x400000, pa, PAGE_BYTES, 0); /* make the page table once */
	vm_unmap(s, 0x400000, PAGE_BYTES);
	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t = kbench_begin();
		vm_map(s, 0x400000, pa, PAGE_BYTES, VM_WRITE);
		vm_unmap(s, 0x400000, PAGE_BYTES);
		kbench_sample(kbench_end() - t);
	}
	vm_space_destroy(s);
	frame_free(pa, OWNER_TEST);
}

KBENCH(kmalloc64)
{
	kfree(kmalloc(64)); /* warm the cache: its slab exists */
	for (unsigned i = 0; i < KBENCH_SAMPLES; i++) {
		uint64_t t = kbench_begin();
		void *p = kmalloc(64);
		kfree(p);
		kbench_sample(kbench_end() - t);
	}
}
