/*
 * kmalloc.c - the kernel's general-purpose heap, built on slab caches.
 *
 * A request of up to SLAB_MAX_OBJECT bytes goes to the smallest of eight
 * caches whose sizes are powers of two, 16 to 2048 bytes, so no more than
 * half of an object is wasted. A larger request takes a whole block of
 * frames from the buddy allocator, the smallest order that fits, which is
 * therefore frame-aligned. kfree() needs no size: the frame table tells
 * whether a pointer lies in a slab (whose header names its cache) or
 * starts a block of frames the heap owns (whose order the table records).
 * Slice 2 ("mem"): the rest of the kernel allocates through here.
 */
#include <keel/arch.h>
#include <keel/frame.h>
#include <keel/kmalloc.h>
#include <keel/kprintf.h>
#include <keel/panic.h>

/* Size classes: KMALLOC_MIN << i for i below KMALLOC_CLASSES, up to SLAB_MAX_OBJECT. */
#define KMALLOC_CLASSES 8
_Static_assert((KMALLOC_MIN << (KMALLOC_CLASSES - 1)) == SLAB_MAX_OBJECT,
               "the largest class is the largest slab object");

static struct slab_cache kmalloc_caches[KMALLOC_CLASSES];
static const char *const kmalloc_names[KMALLOC_CLASSES] = {
    "kmalloc-16",  "kmalloc-32",  "kmalloc-64",   "kmalloc-128",
    "kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
};

void kmalloc_init(void)
{
	/* Again after a cache was destroyed (tests do): the rest are already set up. */
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
		kstatus_t st = slab_cache_init(&kmalloc_caches[i], kmalloc_names[i],
		                               (size_t)KMALLOC_MIN << i, 8);
		assert(st == KEEL_OK || st == KEEL_ERR_EXISTS);
		(void)st;
	}
}

/* [kmalloc_class] */
/* The smallest size class that holds @p size bytes (1 .. SLAB_MAX_OBJECT). */
static struct slab_cache *kmalloc_class(size_t size)
{
	unsigned i = 0;

	while (((size_t)KMALLOC_MIN << i) < size)
		i++;
	return &kmalloc_caches[i];
}
/* [kmalloc_class] */

/* The smallest order of block that holds @p size bytes (up to KMALLOC_MAX). */
static unsigned large_order(size_t size)
{
	unsigned order = 0;

	while (((size_t)FRAME_SIZE << order) < size)
		order++;
	return order;
}

void *kmalloc(size_t size)
{
	paddr_t pa;

	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	if (size <= SLAB_MAX_OBJECT)
		return slab_alloc_at(kmalloc_class(size), (uintptr_t)__builtin_return_address(0));
	if (frame_alloc_run(large_order(size), PMM_ZONE_ANY, OWNER_HEAP, &pa) != KEEL_OK)
		return NULL;
	return frame_virt(pa);
}

static bool is_kmalloc_cache(const struct slab_cache *c)
{
	uintptr_t p = (uintptr_t)c, first = (uintptr_t)&kmalloc_caches[0];

	return p >= first && p < first + sizeof(kmalloc_caches);
}

/* Free @p ptr, which lies in no slab: it must start a block of frames the heap owns. */
static kstatus_t large_free(void *ptr)
{
	paddr_t pa = frame_phys(ptr);
	int order = frame_block_order(pa);

	if (frame_virt(pa) != ptr || (pa & (FRAME_SIZE - 1)) != 0)
		return KEEL_ERR_INVALID;
	if (order < 0) /* a block of the heap's, freed already, or some other memory */
		return frame_owner(pa) == OWNER_FREE ? KEEL_ERR_FREED : KEEL_ERR_INVALID;
	if (frame_owner(pa) != OWNER_HEAP)
		return KEEL_ERR_INVALID;
	return frame_free_run(pa, (unsigned)order, OWNER_HEAP);
}

/*
 * No lock of its own: slab_cache_of() and slab_free() each hold slab_lock,
 * and slab_free() checks the pointer again against the cache, so a lookup
 * gone stale in between (a racing free of the same pointer) gets an error,
 * never a corrupt cache. large_free() goes through the frame allocator's
 * lock.
 */
kstatus_t kfree(void *ptr)
{
	struct slab_cache *c = ptr ? slab_cache_of(ptr) : NULL;

	if (c != NULL) /* a slab's: it must be one of ours, and then slab_free() checks the rest */
		return is_kmalloc_cache(c) ? slab_free(c, ptr) : KEEL_ERR_INVALID;
	return ptr != NULL ? large_free(ptr) : KEEL_OK;
}
