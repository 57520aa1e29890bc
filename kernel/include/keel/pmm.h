/**
 * @file pmm.h
 * @brief The physical memory manager: frames, zones, owners and the buddy allocator.
 *
 * Physical memory is cut into 4 KiB frames, numbered by their physical
 * address shifted right by FRAME_SHIFT (a pfn). Free frames are kept in
 * naturally aligned blocks of 2^order frames, order 0 to PMM_MAX_ORDER,
 * one free list per order in each zone (the buddy system). Allocation
 * takes the smallest free block that fits and splits it; freeing merges a
 * block with its buddy while the buddy is free too. Both take at most
 * PMM_MAX_ORDER steps whatever the size of memory: a single frame is
 * allocated and freed in bounded, constant time.
 *
 * Every frame has an owner (an owner_t): OWNER_FREE while it is free,
 * OWNER_RESERVED for what the allocator never hands out (firmware, the
 * kernel image, boot modules, the frame table itself), else whoever
 * allocated it. Frames are counted per owner, and an owner may be given a
 * limit, so that later slices can account and bound memory per task.
 *
 * The allocator is pure logic over a struct pmm and a caller-supplied
 * array of struct frame: the host unit tests build their own, the kernel
 * builds one from the boot memory map (see frame.h). None of these
 * functions blocks or allocates; none is safe against concurrent callers
 * (the kernel calls them with interrupts off).
 */
#ifndef KEEL_PMM_H
#define KEEL_PMM_H

#include <keel/status.h>
#include <port/layout.h> /* the port's zone boundary, ARCH_ZONE_DMA_END */
#include <stdbool.h>
#include <stdint.h>

/** @brief log2 of the frame size. */
#define FRAME_SHIFT 12
/** @brief Bytes in a frame. */
#define FRAME_SIZE (1u << FRAME_SHIFT)
/** @brief The largest block: 2^10 frames, 4 MiB. */
#define PMM_MAX_ORDER 10
/** @brief Number of block orders, 0..PMM_MAX_ORDER. */
#define PMM_ORDERS (PMM_MAX_ORDER + 1)
/** @brief "No frame": the end of a free list. */
#define PFN_NONE 0xffffffffu

/** @brief A physical frame number: physical address >> FRAME_SHIFT. */
typedef uint32_t pfn_t;
/** @brief A physical address (PAE reaches 36 bits, so wider than a pointer). */
typedef uint64_t paddr_t;
/** @brief Who a frame belongs to. */
typedef uint16_t owner_t;

/** @brief The owners every kernel knows; later slices number tasks from OWNER_FIRST_TASK. */
enum pmm_owner {
	OWNER_FREE = 0,     /**< Free: in a free block. */
	OWNER_RESERVED = 1, /**< Never allocatable: firmware, kernel image, modules, frame table. */
	OWNER_KERNEL = 2,   /**< General kernel use. */
	OWNER_PAGE_TABLES = 3, /**< Page directories and tables. */
	OWNER_HEAP = 4,        /**< Slab pages and large kmalloc() blocks. */
	OWNER_STACKS = 5,      /**< Guarded kernel stacks. */
	OWNER_TEST = 6,        /**< In-kernel tests and benchmarks. */
	OWNER_CACHE = 7,       /**< Free single frames held by frame.c's cache, not the lists. */
	OWNER_FIRST_TASK = 8,  /**< The first owner id later slices give to tasks. */
	PMM_OWNERS = 32,       /**< Owner ids are below this. */
};

/** @brief Memory zones: DMA (below the port's ARCH_ZONE_DMA_END, on a PC
 * the 16 MiB ISA devices reach) and normal. */
enum pmm_zone_id {
	ZONE_DMA = 0,    /**< Frames below ZONE_DMA_END: ISA DMA can reach them. */
	ZONE_NORMAL = 1, /**< Every other frame the allocator manages. */
	ZONE_COUNT = 2,
};

/** @brief The first pfn above the DMA zone (the port's ARCH_ZONE_DMA_END). */
#define ZONE_DMA_END ((pfn_t)(ARCH_ZONE_DMA_END >> FRAME_SHIFT))

/** @brief Zone masks for pmm_alloc(): which zones a block may come from. */
enum pmm_zones {
	PMM_ZONE_DMA = 1u << ZONE_DMA,                 /**< Only below 16 MiB. */
	PMM_ZONE_NORMAL = 1u << ZONE_NORMAL,           /**< Only above 16 MiB. */
	PMM_ZONE_ANY = PMM_ZONE_DMA | PMM_ZONE_NORMAL, /**< Normal first, DMA if normal is empty. */
};

/** @brief Bits of frame.flags. */
enum frame_flags {
	FRAME_HEAD = 1u << 0, /**< The first frame of a block (free or allocated). */
	FRAME_FREE = 1u << 1, /**< Heads a block on a free list. */
};

/**
 * @brief What the allocator knows about one frame (12 bytes).
 *
 * Invariants: a frame inside a free block has owner OWNER_FREE; the
 * block's first frame has FRAME_HEAD | FRAME_FREE, its order, and links
 * to its neighbours on its zone's free list for that order. Every frame
 * of an allocated block has the block's owner; its first frame has
 * FRAME_HEAD and the block's order. Other frames have no flags.
 */
struct frame {
	owner_t owner; /**< Owner of this frame (enum pmm_owner or a task's id). */
	uint8_t order; /**< Order of the block this frame heads. */
	uint8_t flags; /**< enum frame_flags. */
	pfn_t next;    /**< Next block on the free list, or PFN_NONE. */
	pfn_t prev;    /**< Previous block on the free list, or PFN_NONE. */
};

/** @brief One zone: its range and its free lists. */
struct pmm_zone {
	const char *name;                 /**< "DMA", "normal". */
	pfn_t start;                      /**< First pfn of the zone. */
	pfn_t end;                        /**< One past the last pfn. */
	pfn_t free_head[PMM_ORDERS];      /**< Head of each order's free list. */
	uint32_t free_blocks[PMM_ORDERS]; /**< Blocks on each list. */
	uint32_t managed;                 /**< Frames ever given to the allocator. */
	uint32_t free;                    /**< Frames free now. */
	uint32_t allocs;                  /**< Successful pmm_alloc() calls. */
	uint32_t frees;                   /**< Successful pmm_free() calls. */
	uint32_t failures;                /**< pmm_alloc() calls that found nothing. */
};

/** @brief An allocator: frames base..base+count-1, in zones, with owners. */
struct pmm {
	struct frame *frames;              /**< frames[i] describes pfn base + i. */
	pfn_t base;                        /**< First pfn described. */
	pfn_t count;                       /**< Frames described. */
	struct pmm_zone zones[ZONE_COUNT]; /**< The zones, indexed by enum pmm_zone_id. */
	uint32_t owner_frames[PMM_OWNERS]; /**< Frames each owner holds. */
	uint32_t owner_limit[PMM_OWNERS];  /**< Most frames each owner may hold; 0: no limit. */
	bool strict; /**< Misuse (double or foreign free) asserts, besides returning an error. */
};

/**
 * @brief Set up @p p to describe frames @p base .. @p base + @p count - 1,
 * all of them OWNER_RESERVED and none free. @p frames has @p count entries.
 * strict starts as KEEL_ASSERTS (on in the DEV profile). Boot only.
 */
void pmm_init(struct pmm *p, struct frame *frames, pfn_t base, pfn_t count);

/**
 * @brief Give frames @p first .. @p first + @p count - 1 to the allocator.
 *
 * They are cut into the largest naturally aligned blocks that fit, never
 * across a zone boundary, and merged with free buddies.
 * @return KEEL_OK; KEEL_ERR_RANGE if the range is not inside what @p p
 *         describes; KEEL_ERR_EXISTS if any frame of it is not OWNER_RESERVED
 *         (already given, or allocated). Nothing changes on an error. Boot only.
 */
kstatus_t pmm_add_range(struct pmm *p, pfn_t first, pfn_t count);

/**
 * @brief Allocate a block of 2^@p order frames for @p owner.
 * @param zones which zones it may come from (enum pmm_zones); normal before DMA.
 * @param out receives the block's first pfn (aligned to 2^@p order).
 * @return KEEL_OK; KEEL_ERR_INVALID for an order above PMM_MAX_ORDER, an
 *         empty zone mask, or owner OWNER_FREE, OWNER_RESERVED or
 *         >= PMM_OWNERS; KEEL_ERR_NO_MEMORY if no block is free in those
 *         zones or the owner's limit would be passed. *out is untouched on
 *         an error. At most PMM_MAX_ORDER splits; interrupts off.
 */
kstatus_t pmm_alloc(struct pmm *p, unsigned order, unsigned zones, owner_t owner, pfn_t *out);

/**
 * @brief Free the block of 2^@p order frames at @p pfn that @p owner holds.
 * @return KEEL_OK; KEEL_ERR_RANGE if @p pfn is outside @p p; KEEL_ERR_ALIGN
 *         if it is not aligned to 2^@p order; KEEL_ERR_FREED if the frame is
 *         free (a double free); KEEL_ERR_DENIED if another owner holds it
 *         (or it is reserved); KEEL_ERR_INVALID if it does not start a block
 *         of that order. Nothing changes on an error; with strict set, the
 *         misuse also asserts. At most PMM_MAX_ORDER merges; interrupts off.
 */
kstatus_t pmm_free(struct pmm *p, pfn_t pfn, unsigned order, owner_t owner);

/** @brief The owner of frame @p pfn; OWNER_RESERVED outside @p p. */
owner_t pmm_owner_of(const struct pmm *p, pfn_t pfn);

/**
 * @brief Limit @p owner to @p frames frames (0: no limit). A limit below
 * what the owner holds stops further allocations only.
 * @return KEEL_OK; KEEL_ERR_INVALID for an owner id that cannot allocate.
 */
kstatus_t pmm_set_limit(struct pmm *p, owner_t owner, uint32_t frames);

/**
 * @brief Give the allocated block of 2^@p order frames at @p pfn from
 * @p from to @p to, without freeing it (for caches and accounting).
 * The block is checked exactly as pmm_free() checks it, but misuse is
 * only returned, never asserted.
 * @return KEEL_OK; KEEL_ERR_INVALID (order too large, @p to cannot own
 *         frames, or @p pfn does not start a block of that order);
 *         KEEL_ERR_RANGE; KEEL_ERR_ALIGN; KEEL_ERR_FREED if the block is
 *         free; KEEL_ERR_DENIED if @p from does not hold it;
 *         KEEL_ERR_NO_MEMORY if @p to's limit would be passed. Nothing
 *         changes on error. O(2^@p order).
 */
kstatus_t pmm_transfer(struct pmm *p, pfn_t pfn, unsigned order, owner_t from, owner_t to);

/** @brief True if @p owner may hold allocated frames (not free, not reserved, in range). */
bool pmm_can_own(owner_t owner);

/** @brief Frames free in every zone. */
uint32_t pmm_free_frames(const struct pmm *p);

/** @brief The zone of frame @p pfn. */
enum pmm_zone_id pmm_zone_of(pfn_t pfn);

/** @brief An owner's name ("kernel", "heap"; "task" for task ids). */
const char *pmm_owner_name(owner_t owner);

/**
 * @brief Check every invariant of @p p (free lists, flags, counters).
 * @return true if all hold. For tests; O(frames).
 */
bool pmm_check(const struct pmm *p);

#endif
