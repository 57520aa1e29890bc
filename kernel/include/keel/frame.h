/**
 * @file frame.h
 * @brief The kernel's physical memory: one struct pmm built from the boot map.
 *
 * frame_init() (slice 2, at start-up) describes every frame the kernel's
 * direct map can reach, reserves what is not free RAM (firmware areas, the
 * first MiB, the kernel image, boot modules, the frame table itself) and
 * gives the rest to the buddy allocator of pmm.h. The functions below are
 * that allocator for the running kernel, in physical addresses; the
 * direct map turns a frame's address into a pointer the kernel can use.
 *
 * Every function here may be called from any context: each runs with
 * interrupts off for its (bounded) duration.
 */
#ifndef KEEL_FRAME_H
#define KEEL_FRAME_H

#include <keel/pmm.h>

/** @brief The kernel's allocator (for reports, tests and GDB). */
extern struct pmm pmm_kernel;

/**
 * @brief Allocate one frame for @p owner, normal zone first.
 * @return KEEL_OK and *pa; otherwise as pmm_alloc(). O(1).
 */
kstatus_t frame_alloc(owner_t owner, paddr_t *pa);

/**
 * @brief Free one frame @p owner holds: onto a small cache of free frames,
 * or back to the buddy lists. @return as pmm_free(). O(1).
 */
kstatus_t frame_free(paddr_t pa, owner_t owner);

/**
 * @brief Allocate 2^@p order physically contiguous frames from @p zones.
 * @return KEEL_OK and *pa (aligned to the block's size); as pmm_alloc().
 */
kstatus_t frame_alloc_run(unsigned order, unsigned zones, owner_t owner, paddr_t *pa);

/** @brief Free a run frame_alloc_run() gave. @return as pmm_free(); also KEEL_ERR_ALIGN if @p pa is not frame-aligned. */
kstatus_t frame_free_run(paddr_t pa, unsigned order, owner_t owner);

/**
 * @brief The order of the allocated block that starts at @p pa, or -1 if
 * no allocated block starts there (free, reserved, inside a block).
 */
int frame_block_order(paddr_t pa);

/**
 * @brief True if an allocated block of exactly 2^@p order frames that
 * @p owner holds starts at @p pa. One lookup in the frame table; any address.
 */
bool frame_heads_block(paddr_t pa, unsigned order, owner_t owner);

/** @brief Frames free: on the buddy lists and in the frame cache. */
uint32_t frame_free_count(void);

/** @brief The owner of the frame holding @p pa (OWNER_FREE for a cached frame). */
owner_t frame_owner(paddr_t pa);

/** @brief The kernel pointer to physical address @p pa (direct map); NULL if unmapped. */
void *frame_virt(paddr_t pa);

/** @brief The physical address behind a direct-map pointer @p va. */
paddr_t frame_phys(const void *va);

/**
 * @brief Limit @p owner to @p frames frames (0: no limit); see pmm_set_limit().
 * Slice 3 gives each task its limit this way.
 */
kstatus_t frame_set_limit(owner_t owner, uint32_t frames);

/** @brief Frames @p owner holds now (cached free frames are nobody's). */
uint32_t frame_held(owner_t owner);

/**
 * @brief Free every block @p owner still holds: a task's end, after its
 * address space is gone. Only task owners (OWNER_FIRST_TASK and up).
 * @return the blocks freed. O(frames); takes the lock block by block.
 */
uint32_t frame_reclaim(owner_t owner);

/** @brief Build pmm_kernel from the boot information. Boot only (slice 2's start-up). */
void frame_init(void);

#endif
