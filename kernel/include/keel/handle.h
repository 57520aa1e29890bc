/**
 * @file handle.h
 * @brief A task's handle table: its only way to name kernel objects.
 *
 * A task names a kernel object (a task, a thread; later an endpoint or a
 * notification) by a handle: an index into its own table (of a size set
 * when the task is made, up to KEEL_HANDLES_MAX slots), plus the slot's
 * generation. A slot holds what
 * it refers to (a type and the object's id, which carries the object's own
 * generation), the rights the holder has, and the slot's generation,
 * which changes every time the slot is freed, so an old handle is refused
 * rather than taken for the slot's next object. There are no global ids a
 * task could guess: what is not in its table, it cannot touch.
 *
 * A table has a size fixed when it is made (a task's at spawn, up to
 * KEEL_HANDLES_MAX); its slots are storage the caller provides.
 *
 * The seam for slice 5 (capabilities). Every slot has a place in its
 * object's derivation order: the capabilities to one object, in the
 * order of a walk of the tree of which was derived from which (pre-order),
 * each with its depth in that tree. A slot of depth 0 is an original;
 * those after it with a greater depth are what was derived from it. Slice
 * 3 makes only originals, each alone in its order; slice 5 (cap.h)
 * derives and revokes. What this file does keeps the order true: freeing
 * a slot unlinks it, and a slot with something derived from it cannot be
 * freed (revoke first).
 *
 * The table is pure logic (no locks, no allocation): the host tests drive
 * it directly. The kernel's tables are guarded by sched_lock (task.h).
 * Every operation is O(1) except handle_alloc(), which is O(slots) at worst.
 */
#ifndef KEEL_HANDLE_H
#define KEEL_HANDLE_H

#include <keel/abi.h>
#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct handle_table;

/** @brief The largest generation: the bits of a non-negative int32 above the index. */
#define HANDLE_GEN_MAX ((1u << (31 - KEEL_HANDLE_INDEX_BITS)) - 1)

/** @brief The deepest a slot may be in its derivation tree (depth is 16 bits). */
#define HANDLE_DEPTH_MAX 0xfffe

/** @brief One slot: an object reference and the rights it carries. */
struct handle_slot {
	uint16_t type;              /**< enum keel_object_type; KEEL_OBJ_NONE when empty. */
	uint16_t rights;            /**< enum keel_rights. */
	uint32_t object;            /**< The object's id (with its own generation). */
	uint32_t generation;        /**< Changes each time the slot is freed. */
	uint32_t badge;             /**< Set when derived; the holder cannot change it. */
	uint32_t mapped;            /**< Slice 5: where a frames capability is mapped in its
	                                 holder's space, or 0. */
	struct handle_slot *prev;   /**< The one before it in derivation order, or NULL. */
	struct handle_slot *next;   /**< The one after it in derivation order, or NULL. */
	struct handle_table *table; /**< The table it is in (set by handle_table_init). */
	uint16_t depth;             /**< Its depth in its derivation tree: 0 for an original. */
	uint16_t reserved;          /**< Zero. */
};

/** @brief A task's table. */
struct handle_table {
	struct handle_slot *slot; /**< Its slots (storage of the caller's). */
	uint32_t size;            /**< How many: 1 to KEEL_HANDLES_MAX. */
	uint32_t used;            /**< Slots not empty. */
};

/**
 * @brief Make @p t an empty table of the @p size slots at @p storage:
 * every slot free, generations at 1 except slot 0's at 0, so that what is
 * installed first in slot 0 has handle 0, KEEL_SELF. A generation that
 * wraps goes back to 1: handle 0 never names a later object.
 * @p size is 1 to KEEL_HANDLES_MAX (the caller's to check).
 */
void handle_table_init(struct handle_table *t, struct handle_slot *storage, uint32_t size);

/**
 * @brief Put a reference to object @p object of @p type with @p rights in
 * the lowest free slot.
 * @return KEEL_OK and *out (the handle); KEEL_ERR_INVALID (type NONE or
 *         unknown, rights outside KEEL_RIGHT_ALL); KEEL_ERR_LIMIT (no free slot).
 */
kstatus_t handle_alloc(struct handle_table *t, unsigned type, uint32_t object, unsigned rights,
                       keel_handle_t *out);

/**
 * @brief Put the reference in slot @p index exactly (KEEL_SELF at start-up).
 * @return KEEL_OK and *out; KEEL_ERR_INVALID; KEEL_ERR_BUSY if it is not free.
 */
kstatus_t handle_install(struct handle_table *t, unsigned index, unsigned type, uint32_t object,
                         unsigned rights, keel_handle_t *out);

/**
 * @brief The slot @p h names, if it is a live handle to an object of
 * @p type (KEEL_OBJ_NONE: any type) carrying every right in @p rights.
 * @return KEEL_OK and *out; KEEL_ERR_BAD_HANDLE (negative, out of range,
 *         empty slot, stale generation); KEEL_ERR_WRONG_TYPE;
 *         KEEL_ERR_DENIED (a right is missing).
 */
kstatus_t handle_get(const struct handle_table *t, keel_handle_t h, unsigned type, unsigned rights,
                     const struct handle_slot **out);

/**
 * @brief Free the slot @p h names; its generation moves on, so @p h is
 * stale, and it leaves its derivation order.
 * @return KEEL_OK; KEEL_ERR_BAD_HANDLE as handle_get(); KEEL_ERR_BUSY if
 *         something was derived from it (revoke that first).
 */
kstatus_t handle_free(struct handle_table *t, keel_handle_t h);

/**
 * @brief Move the capability in slot @p from to a free slot of @p to (the
 * lowest), keeping its place in derivation order and its badge; @p from
 * becomes free (its generation moves on).
 * @return KEEL_OK and *out (the handle in @p to); KEEL_ERR_LIMIT (no free slot).
 */
kstatus_t handle_move(struct handle_slot *from, struct handle_table *to, keel_handle_t *out);

/**
 * @brief Free slot @p s (not empty) and unlink it from its derivation
 * order. Whatever was derived from it stays in the order after the one
 * before it, still deeper: only a revocation under way (cap.h) frees such
 * a slot, and its next steps take them.
 */
void handle_free_slot(struct handle_slot *s);

/** @brief Has anything been derived from @p s (is the next in its order deeper)? */
static inline bool handle_has_derived(const struct handle_slot *s)
{
	return s->next != NULL && s->next->depth > s->depth;
}

/**
 * @brief Is a revocation of @p s under way? Between two of its steps the
 * slot after @p s may be more than one deeper (cap.h); a capability
 * derived from @p s then would land before what is still to be deleted
 * and seem to be its parent, so derivation from @p s waits
 * (KEEL_ERR_BUSY) until the revocation ends.
 */
static inline bool handle_revoking(const struct handle_slot *s)
{
	return s->next != NULL && s->next->depth > s->depth + 1;
}

/**
 * @brief May a capability be derived (or copied) from @p s now?
 * @return KEEL_OK; KEEL_ERR_LIMIT (@p s is HANDLE_DEPTH_MAX deep already);
 *         KEEL_ERR_BUSY (a revocation of @p s is under way: handle_revoking()).
 */
static inline kstatus_t handle_may_derive(const struct handle_slot *s)
{
	if (s->depth >= HANDLE_DEPTH_MAX)
		return KEEL_ERR_LIMIT;
	return handle_revoking(s) ? KEEL_ERR_BUSY : KEEL_OK;
}

/** @brief The slot index in handle @p h (whether or not it is live). */
static inline unsigned handle_index_of(keel_handle_t h)
{
	return (uint32_t)h & ((uint32_t)KEEL_HANDLES_MAX - 1);
}

/** @brief The index of slot @p s in its table. */
static inline unsigned handle_index(const struct handle_slot *s)
{
	return (unsigned)(s - s->table->slot);
}

/**
 * @brief The handle that names slot @p index now (whatever it holds);
 * KEEL_ERR_BAD_HANDLE (negative, so never a handle) if @p index is not a slot.
 */
keel_handle_t handle_of(const struct handle_table *t, unsigned index);

/**
 * @brief Check @p t's invariants: used counts the non-empty slots, empty
 * slots hold nothing, every type and right is known, each slot's
 * neighbours in derivation order point back at it and name the same
 * object, and an original (depth 0) is first in its order. (A slot may be
 * more than one deeper than the one before it while a revocation is under
 * way, so that is not checked.)
 * @return KEEL_OK or KEEL_ERR_CORRUPT.
 */
kstatus_t handle_table_check(const struct handle_table *t);

#endif
