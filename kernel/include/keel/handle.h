/**
 * @file handle.h
 * @brief A task's handle table: its only way to name kernel objects.
 *
 * A task names a kernel object (a task, a thread; later an endpoint or a
 * notification) by a handle: an index into its own table of
 * KEEL_HANDLES_MAX slots, plus the slot's generation. A slot holds what
 * it refers to (a type and the object's id, which carries the object's own
 * generation), the rights the holder has, and the slot's generation,
 * which changes every time the slot is freed, so an old handle is refused
 * rather than taken for the slot's next object. There are no global ids a
 * task could guess: what is not in its table, it cannot touch.
 *
 * The slot already has the fields slice 5's capabilities need (a badge,
 * and the links of the derivation tree); slice 3 leaves them zero.
 *
 * The table is pure logic (no locks, no allocation): the host tests drive
 * it directly. The kernel's tables are guarded by sched_lock (task.h).
 * Every operation is O(1) except handle_alloc(), which is O(slots) at worst.
 */
#ifndef KEEL_HANDLE_H
#define KEEL_HANDLE_H

#include <keel/abi.h>
#include <keel/status.h>
#include <stdint.h>

/** @brief One slot: an object reference and the rights it carries. */
struct handle_slot {
	uint16_t type;        /**< enum keel_object_type; KEEL_OBJ_NONE when empty. */
	uint16_t rights;      /**< enum keel_rights. */
	uint32_t object;      /**< The object's id (with its own generation). */
	uint32_t generation;  /**< Changes each time the slot is freed. */
	uint32_t badge;       /**< Slice 5: a value the holder cannot change. Zero now. */
	int16_t parent;       /**< Slice 5: the slot it was derived from, or -1. */
	int16_t first_child;  /**< Slice 5: the first slot derived from it, or -1. */
	int16_t next_sibling; /**< Slice 5: the next slot derived from the same parent, or -1. */
	uint16_t reserved;    /**< Zero. */
};

/** @brief A task's table. */
struct handle_table {
	struct handle_slot slot[KEEL_HANDLES_MAX]; /**< The slots. */
	uint32_t used;                             /**< Slots not empty. */
};

/**
 * @brief Make @p t empty: every slot free, generations at 1 except slot
 * 0's at 0, so that what is installed first in slot 0 has handle 0,
 * KEEL_SELF. A generation that wraps goes back to 1: handle 0 never
 * names a later object.
 */
void handle_table_init(struct handle_table *t);

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
 * @brief Free the slot @p h names; its generation moves on, so @p h is stale.
 * @return KEEL_OK; KEEL_ERR_BAD_HANDLE as handle_get().
 */
kstatus_t handle_free(struct handle_table *t, keel_handle_t h);

/**
 * @brief The handle that names slot @p index now (whatever it holds);
 * KEEL_ERR_BAD_HANDLE (negative, so never a handle) if @p index is not a slot.
 */
keel_handle_t handle_of(const struct handle_table *t, unsigned index);

/**
 * @brief Check @p t's invariants: used counts the non-empty slots, empty
 * slots hold nothing, every type and right is known.
 * @return KEEL_OK or KEEL_ERR_CORRUPT.
 */
kstatus_t handle_table_check(const struct handle_table *t);

#endif
