/**
 * @file kmalloc.h
 * @brief kmalloc() and kfree() (kernel/mem/kmalloc.c): memory of any size
 * up to KMALLOC_MAX, from slab caches of power-of-two sizes (slab.h) or,
 * above SLAB_MAX_OBJECT, from runs of frames.
 */
#ifndef KEEL_KMALLOC_H
#define KEEL_KMALLOC_H

#include <keel/slab.h>

/** @brief The smallest kmalloc() size class. */
#define KMALLOC_MIN 16
/** @brief The largest request kmalloc() accepts: a block of PMM_MAX_ORDER. */
#define KMALLOC_MAX (4u << 20)

/**
 * @brief @p size bytes of kernel memory, aligned to 8 (to a frame above
 * SLAB_MAX_OBJECT), or NULL if @p size is 0, above KMALLOC_MAX, or no
 * memory is left.
 */
void *kmalloc(size_t size);

/**
 * @brief Free what kmalloc() returned. kfree(NULL) does nothing.
 * @return KEEL_OK, or as slab_free() (KEEL_ERR_INVALID for a pointer
 *         kmalloc() did not return; KEEL_ERR_FREED; KEEL_ERR_CORRUPT).
 */
kstatus_t kfree(void *ptr);

/** @brief Set up the kmalloc() caches. Boot only (slice 2's start-up). */
void kmalloc_init(void);

#endif
