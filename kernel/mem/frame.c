/*
 * frame.c - the kernel's frame allocator, built from the boot memory map.
 *
 * pmm.c is the allocator; this file feeds it the machine's memory. Every
 * frame up to the top of RAM the direct map reaches gets a struct frame
 * in one array (the frame table), which is placed in the first free RAM
 * above the kernel image. Then each usable region of the boot map is
 * given to the allocator, except what must never be handed out:
 *   - the first MiB (real-mode structures, the BIOS's data; slice 7
 *     puts the other CPUs' start-up code there);
 *   - the kernel image, the boot modules and the frame table itself.
 * Reserved and absent frames keep the owner OWNER_RESERVED.
 *
 * Until paging.c has built the direct map, only the first 16 MiB are
 * mapped; the frame table must lie there, and frame_init() runs first.
 */
#include <keel/arch.h>
#include <keel/arch_vm.h>
#include <keel/bootinfo.h>
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/spinlock.h>
#include <keel/vm.h>

#define LOW_RESERVED 0x100000u /* the first MiB */
#define RESERVED_MAX (BOOT_MAX_MODULES + 2)

struct pmm pmm_kernel;

struct range {
	uint64_t lo, hi;
};

static uint64_t round_up(uint64_t v)
{
	return (v + FRAME_SIZE - 1) & ~(uint64_t)(FRAME_SIZE - 1);
}

/* [frame_table_place] */
/* The first usable, frame-aligned place for @bytes above the kernel, below 16 MiB. */
static uint64_t place_table(uint64_t bytes)
{
	uint64_t lo = round_up(bootinfo.kernel_end);

	for (size_t i = 0; i < bootinfo.module_count; i++)
		if (bootinfo.modules[i].end > lo)
			lo = round_up(bootinfo.modules[i].end);
	for (size_t i = 0; i < bootinfo.region_count; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		uint64_t start = lo > r->base ? lo : round_up(r->base);
		if (r->type == MEM_USABLE && start + bytes <= r->base + r->length &&
		    start + bytes <= ZONE_DMA_END * (uint64_t)FRAME_SIZE)
			return start;
	}
	panic("frame: no room for the frame table (%llu bytes) below 16 MiB",
	      (unsigned long long)bytes);
}
/* [frame_table_place] */

/* Give [lo, hi) to the allocator, minus the reserved ranges (sorted, disjoint). */
static void give(uint64_t lo, uint64_t hi, const struct range *res, size_t nres)
{
	for (size_t i = 0; i <= nres && lo < hi; i++) {
		uint64_t end = i < nres && res[i].lo < hi ? res[i].lo : hi;
		if (end > lo) {
			pfn_t first = round_up(lo) >> FRAME_SHIFT, last = end >> FRAME_SHIFT;
			kstatus_t st = last > first
			                   ? pmm_add_range(&pmm_kernel, first, last - first)
			                   : KEEL_OK;
			if (st != KEEL_OK)
				kprintf("warning: frame: memory at 0x%llx not added: %s\n",
				        (unsigned long long)lo, kstatus_name(st));
		}
		if (i < nres && res[i].hi > lo)
			lo = res[i].hi;
	}
}

/* The ranges never to hand out, sorted by start. */
static size_t reserved_ranges(struct range *res, uint64_t table, uint64_t table_bytes)
{
	size_t n = 0;

	res[n++] = (struct range){0, LOW_RESERVED};
	res[n++] = (struct range){bootinfo.kernel_start, round_up(bootinfo.kernel_end)};
	res[n++] = (struct range){table, round_up(table + table_bytes)};
	for (size_t i = 0; i < bootinfo.module_count && n < RESERVED_MAX; i++)
		res[n++] =
		    (struct range){bootinfo.modules[i].start, round_up(bootinfo.modules[i].end)};
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of entries */
		for (size_t j = i; j > 0 && res[j].lo < res[j - 1].lo; j--) {
			struct range t = res[j];
			res[j] = res[j - 1];
			res[j - 1] = t;
		}
	return n;
}

/* [frame_init] */
void frame_init(void)
{
	uint64_t top = bootinfo_usable_top(&bootinfo);
	struct range res[RESERVED_MAX + 1];

	if (top > VM_DIRECT_MAX)
		top = VM_DIRECT_MAX; /* frames the direct map cannot reach are left alone */
	pfn_t count = top >> FRAME_SHIFT;
	uint64_t bytes = (uint64_t)count * sizeof(struct frame);
	uint64_t table = place_table(bytes);
	pmm_init(&pmm_kernel, (struct frame *)((uintptr_t)table + VM_KERNEL_BASE), 0, count);
	size_t nres = reserved_ranges(res, table, bytes);
	for (size_t i = 0; i < bootinfo.region_count; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		uint64_t hi = r->base + r->length < top ? r->base + r->length : top;
		if (r->type == MEM_USABLE && r->base < hi)
			give(r->base, hi, res, nres);
	}
	if (bootinfo.dropped_modules)
		kprintf("warning: frame: %zu boot modules were not recorded and may be reused\n",
		        bootinfo.dropped_modules);
}
/* [frame_init] */

/* [frame_cache] */
/*
 * The frame cache: a stack of free single frames of the normal zone, kept
 * off the buddy lists. One frame from fully merged memory costs the buddy
 * allocator PMM_MAX_ORDER splits, and its free as many merges; from the
 * cache it is a pop and a push. Cached frames belong to OWNER_CACHE; when
 * the lists cannot serve a request, the cache goes back to them first.
 * Slice 7 gives each CPU a cache of its own.
 */
#define FRAME_CACHE_MAX 32

/* frame_lock guards pmm_kernel and the frame cache. */
static spinlock_t frame_lock = SPINLOCK_INIT("frame", LOCK_RANK_FRAME);
static pfn_t cache[FRAME_CACHE_MAX];
static unsigned cached;

static kstatus_t cache_pop(owner_t owner, pfn_t *pfn)
{
	if (cached == 0)
		return KEEL_ERR_NO_MEMORY;
	kstatus_t st = pmm_transfer(&pmm_kernel, cache[cached - 1], 0, OWNER_CACHE, owner);
	if (st == KEEL_OK)
		*pfn = cache[--cached];
	return st;
}

static bool cache_push(pfn_t pfn, owner_t owner)
{
	if (cached == FRAME_CACHE_MAX || pmm_zone_of(pfn) != ZONE_NORMAL ||
	    pmm_transfer(&pmm_kernel, pfn, 0, owner, OWNER_CACHE) != KEEL_OK)
		return false;
	cache[cached++] = pfn;
	return true;
}

static void cache_drain(void)
{
	while (cached > 0)
		pmm_free(&pmm_kernel, cache[--cached], 0, OWNER_CACHE);
}
/* [frame_cache] */

static kstatus_t alloc_locked(unsigned order, unsigned zones, owner_t owner, pfn_t *pfn)
{
	kstatus_t st = KEEL_ERR_NO_MEMORY;

	if (order == 0 && (zones & PMM_ZONE_NORMAL))
		st = cache_pop(owner, pfn);
	if (st == KEEL_ERR_NO_MEMORY)
		st = pmm_alloc(&pmm_kernel, order, zones, owner, pfn);
	if (st == KEEL_ERR_NO_MEMORY && cached > 0) {
		cache_drain(); /* merge what the cache held, and try once more */
		st = pmm_alloc(&pmm_kernel, order, zones, owner, pfn);
	}
	return st;
}

kstatus_t frame_alloc_run(unsigned order, unsigned zones, owner_t owner, paddr_t *pa)
{
	pfn_t pfn;
	spinflags_t irq = spin_lock(&frame_lock);
	kstatus_t st = alloc_locked(order, zones, owner, &pfn);

	spin_unlock(&frame_lock, irq);
	if (st == KEEL_OK)
		*pa = (paddr_t)pfn << FRAME_SHIFT;
	return st;
}

static kstatus_t free_locked(pfn_t pfn, unsigned order, owner_t owner)
{
	if (order == 0 && cache_push(pfn, owner))
		return KEEL_OK;
	if (pmm_owner_of(&pmm_kernel, pfn) == OWNER_CACHE) {
		assert(!pmm_kernel.strict && "frame_free: a double free");
		return KEEL_ERR_FREED; /* free already, and in the cache */
	}
	return pmm_free(&pmm_kernel, pfn, order, owner);
}

kstatus_t frame_free_run(paddr_t pa, unsigned order, owner_t owner)
{
	if (pa % FRAME_SIZE != 0)
		return KEEL_ERR_ALIGN;
	if (pa >> FRAME_SHIFT >= PFN_NONE)
		return KEEL_ERR_RANGE;
	spinflags_t irq = spin_lock(&frame_lock);
	kstatus_t st = free_locked((pfn_t)(pa >> FRAME_SHIFT), order, owner);
	spin_unlock(&frame_lock, irq);
	return st;
}

kstatus_t frame_alloc(owner_t owner, paddr_t *pa)
{
	return frame_alloc_run(0, PMM_ZONE_ANY, owner, pa);
}

kstatus_t frame_free(paddr_t pa, owner_t owner)
{
	return frame_free_run(pa, 0, owner);
}

uint32_t frame_free_count(void)
{
	return pmm_free_frames(&pmm_kernel) + cached;
}

owner_t frame_owner(paddr_t pa)
{
	if (pa >> FRAME_SHIFT >= PFN_NONE)
		return OWNER_RESERVED;
	owner_t o = pmm_owner_of(&pmm_kernel, (pfn_t)(pa >> FRAME_SHIFT));
	return o == OWNER_CACHE ? OWNER_FREE : o; /* cached frames are free to their users */
}

int frame_block_order(paddr_t pa)
{
	pfn_t pfn = (pfn_t)(pa >> FRAME_SHIFT);

	if (pa % FRAME_SIZE != 0 || pfn < pmm_kernel.base ||
	    pfn - pmm_kernel.base >= pmm_kernel.count)
		return -1;
	const struct frame *f = &pmm_kernel.frames[pfn - pmm_kernel.base];
	bool allocated = (f->flags & FRAME_HEAD) && !(f->flags & FRAME_FREE);
	return allocated && f->owner != OWNER_RESERVED && f->owner != OWNER_CACHE ? f->order : -1;
}

bool frame_heads_block(paddr_t pa, unsigned order, owner_t owner)
{
	pfn_t i = (pfn_t)(pa >> FRAME_SHIFT) - pmm_kernel.base; /* wraps below the base */

	if (pa % FRAME_SIZE != 0 || pa >> FRAME_SHIFT >= PFN_NONE || i >= pmm_kernel.count)
		return false;
	const struct frame *f = &pmm_kernel.frames[i];
	return f->flags == FRAME_HEAD && f->order == order && f->owner == owner;
}

void *frame_virt(paddr_t pa)
{
	return pa < arch_vm_direct_end() ? (void *)(uintptr_t)(pa + VM_KERNEL_BASE) : NULL;
}

paddr_t frame_phys(const void *va)
{
	return (uintptr_t)va - VM_KERNEL_BASE;
}

/* [frame_owner_seams] */
kstatus_t frame_set_limit(owner_t owner, uint32_t frames)
{
	spinflags_t irq = spin_lock(&frame_lock);
	kstatus_t st = pmm_set_limit(&pmm_kernel, owner, frames);

	spin_unlock(&frame_lock, irq);
	return st;
}

uint32_t frame_held(owner_t owner)
{
	return owner < PMM_OWNERS ? pmm_kernel.owner_frames[owner] : 0;
}

#define RECLAIM_BATCH 256

uint32_t frame_reclaim(owner_t owner)
{
	uint32_t freed = 0;

	if (!pmm_can_own(owner) || owner < OWNER_FIRST_TASK)
		return 0;
	/* O(frames): an owner's end is not a real-time path. The lock is
	 * held for RECLAIM_BATCH frames at a time, so that interrupts are
	 * never off for long, and the scan stops once the owner holds none. */
	for (pfn_t i = 0; i < pmm_kernel.count && frame_held(owner) > 0;) {
		spinflags_t irq = spin_lock(&frame_lock);
		for (pfn_t end = i + RECLAIM_BATCH; i < pmm_kernel.count && i < end; i++) {
			const struct frame *f = &pmm_kernel.frames[i];
			if (f->owner == owner && f->flags == FRAME_HEAD &&
			    free_locked(pmm_kernel.base + i, f->order, owner) == KEEL_OK)
				freed++;
		}
		spin_unlock(&frame_lock, irq);
	}
	return freed;
}
/* [frame_owner_seams] */
