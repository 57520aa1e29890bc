/**
 * @file slab.h
 * @brief The kernel heap: slab caches of fixed-size objects, and kmalloc().
 *
 * A slab cache hands out objects of one size. It takes whole blocks of
 * frames from the buddy allocator (a slab), carves each into equal
 * objects and keeps the free ones on a list inside the slab, so that
 * allocating and freeing an object is a list operation: O(1), no search.
 * The slab's header sits at the start of its block, and blocks are
 * aligned to their size, so the slab of any object is found by rounding
 * its address down. kmalloc() is a set of caches of power-of-two sizes
 * (16 to 2048 bytes); larger requests take a block of frames directly.
 *
 * Debugging (SLAB_DEBUG, on in the DEV profile): each object is framed by
 * red zones, a free object is filled with poison, and the allocation site
 * is recorded. slab_free() and slab_check() report an overwritten red zone
 * or poisoned byte with the cache's name and the object's address; the
 * leak report lists the objects still allocated, with where they were
 * allocated.
 *
 * Every function here may be called from any context: each holds
 * slab_lock (interrupts off) for its duration. None blocks.
 */
#ifndef KEEL_SLAB_H
#define KEEL_SLAB_H

#include <keel/spinlock.h>
#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Red zones and poison: on in profiles with asserts (DEV, HARDENED). */
#define SLAB_DEBUG KEEL_ASSERTS

/** @brief Bytes of red zone on each side of an object (when SLAB_DEBUG). */
#define SLAB_REDZONE 8
/** @brief The byte a red zone is filled with. */
#define SLAB_REDZONE_BYTE 0xbb
/** @brief The byte a free object is filled with. */
#define SLAB_POISON_BYTE 0x6b
/** @brief The largest object a cache serves (bigger kmalloc()s take frames). */
#define SLAB_MAX_OBJECT 2048

struct slab;

/**
 * @brief Guards every cache's slabs, lists and counters, and the list of
 * caches. Rank LOCK_RANK_HEAP: a cache that grows takes frame_lock inside.
 */
extern spinlock_t slab_lock;

/** @brief A list of slabs (doubly linked through struct slab). */
struct slab_list {
	struct slab *head; /**< First slab, or NULL. */
};

/**
 * @brief A cache of objects of one size.
 *
 * Invariants: every slab is on exactly one of partial (some objects free,
 * some not), full (none free) or empty (all free; at most one is kept,
 * the rest go back to the buddy allocator). live counts allocated objects.
 */
struct slab_cache {
	const char *name;         /**< "vm_space", "kmalloc-64". */
	size_t size;              /**< The size callers asked for. */
	size_t stride;            /**< Bytes per object in a slab, red zones included. */
	unsigned order;           /**< Each slab is 2^order frames. */
	unsigned per_slab;        /**< Objects in one slab. */
	struct slab_list partial; /**< Slabs with free and allocated objects. */
	struct slab_list full;    /**< Slabs with no free object. */
	struct slab_list empty;   /**< Slabs with no allocated object. */
	uint32_t slabs;           /**< Slabs the cache holds. */
	uint32_t live;            /**< Objects allocated now. */
	uint32_t allocs;          /**< Successful slab_alloc() calls. */
	uint32_t frees;           /**< Successful slab_free() calls. */
	uint32_t failures;        /**< slab_alloc() calls that found no memory. */
	uint32_t corruptions;     /**< Red zones or poison found overwritten. */
	struct slab_cache *next;  /**< Every cache, for `mem` and the leak report. */
};

/**
 * @brief Set up cache @p c for objects of @p size bytes, aligned to @p align
 * (a power of two up to 64; 0 means 8), and add it to the list of caches.
 * Takes no memory until the first slab_alloc().
 * @return KEEL_OK; KEEL_ERR_INVALID for size 0, size above SLAB_MAX_OBJECT,
 *         or a bad alignment; KEEL_ERR_EXISTS if @p c is already set up.
 */
kstatus_t slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align);

/**
 * @brief Tear down cache @p c, giving its slabs back.
 * @return KEEL_OK; KEEL_ERR_BUSY if objects are still allocated (they are
 *         listed, as by slab_leak_report(); the cache stays usable);
 *         KEEL_ERR_INVALID if @p c is not set up. After KEEL_OK, @p c may
 *         be set up again.
 */
kstatus_t slab_cache_destroy(struct slab_cache *c);

/**
 * @brief An object from cache @p c, or NULL when no memory is left.
 * Contents are undefined (poisoned with SLAB_DEBUG). O(1) unless a new slab is needed.
 */
void *slab_alloc(struct slab_cache *c);

/**
 * @brief slab_alloc() recording @p site as the object's allocation site
 * (kept with SLAB_DEBUG, shown by the leak report), for allocators built
 * on caches: kmalloc() passes its own caller, not itself.
 */
void *slab_alloc_at(struct slab_cache *c, uintptr_t site);

/**
 * @brief Give @p obj back to @p c.
 * @return KEEL_OK; KEEL_ERR_INVALID if @p obj is NULL, not in a slab of
 *         @p c or not the start of an object; KEEL_ERR_FREED if it is free
 *         already; KEEL_ERR_CORRUPT if a red zone around it was overwritten
 *         (reported; the object is then kept out of use, never reissued). O(1).
 */
kstatus_t slab_free(struct slab_cache *c, void *obj);

/**
 * @brief Check every object of @p c: red zones of allocated objects,
 * poison of free ones (and, in every profile, their free-list links).
 * Reports each problem found. A damaged free object is counted and
 * quarantined at once; a damaged allocated one is reported again and
 * counted when it is freed (slab_free() returns KEEL_ERR_CORRUPT).
 * @return KEEL_OK, or KEEL_ERR_CORRUPT if anything was overwritten. O(objects).
 */
kstatus_t slab_check(struct slab_cache *c);

/**
 * @brief The cache whose slab holds @p ptr, or NULL if @p ptr lies in no
 * slab (a large kmalloc() block, memory the heap does not own). Any
 * pointer may be passed: a slab's header is read only once the frame
 * allocator says a heap block starts there. For kfree(). O(1).
 */
struct slab_cache *slab_cache_of(const void *ptr);

/** @brief The first cache on the list of every cache (then follow ->next). */
struct slab_cache *slab_caches(void);

/**
 * @brief Print each cache's allocated objects with the place that
 * allocated them (SLAB_DEBUG) or just the count.
 * @return the number of objects still allocated in all caches.
 */
unsigned slab_leak_report(void);

/**
 * @brief Print one line per cache (size, slabs, live objects, counters), for `mem`.
 * (Debug code: test images and the monitor only.)
 */
void slab_print_stats(void);

#endif
