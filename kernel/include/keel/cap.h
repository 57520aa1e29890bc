/**
 * @file cap.h
 * @brief Capabilities: derive, revoke, and the derivation tree (slice 5).
 *
 * A handle (handle.h) is a capability: a slot in its holder's table that
 * names one object with the rights the holder has. Slice 5 adds how
 * capabilities come from one another. Deriving makes a new capability to
 * the same object with equal or fewer rights (and, for memory, a part of
 * the range) in any table, recorded as derived from its source; a copy
 * sent in a message or given to a spawned task is derived the same way.
 * The records form one tree per original capability: the one the kernel
 * made with the object.
 *
 * The tree is kept as a list in pre-order with each capability's depth
 * (handle.h's derivation order): what was derived from c, directly or
 * not, is exactly the run of capabilities after c that are deeper than
 * c. That makes every step O(1): deriving inserts the new one right
 * after its source, one deeper; revoking c deletes the one after c while
 * it is deeper than c; moving one to another table relinks its two
 * neighbours. Nothing walks the tree but the functions that count.
 *
 * The rules (every one is checked, and tested in tests/unit/test_cap.c):
 * - rights only shrink: a derived capability has no right its source lacks;
 * - deleting a capability first deletes everything derived from it
 *   (task_handle_close()), so no capability outlives the one it came
 *   from, and an object's original outlives every other capability to
 *   it: the object lives exactly as long as its original;
 * - revoking deletes what was derived, in whatever table it is, and
 *   leaves the capability itself; it works in steps of one deletion, so
 *   a caller can stop between steps (the kernel does, every
 *   CAP_REVOKE_STEP deletions, to let a better thread run).
 *
 * Pure logic: no locks, no allocation; the kernel calls it with
 * sched_lock held, the host tests directly.
 */
#ifndef KEEL_CAP_H
#define KEEL_CAP_H

#include <keel/handle.h>
#include <stdbool.h>

/** @brief Deletions a revocation makes between two chances to be preempted. */
#define CAP_REVOKE_STEP 16

/**
 * @brief What a deletion may need to undo beyond the slot: set by the
 * kernel (a memory capability's mapping, slice 5's frames); NULL does
 * nothing. Called before the slot is freed.
 */
extern void (*cap_deleting)(struct handle_slot *s);

/**
 * @brief Derive from @p from a capability in @p to's lowest free slot,
 * to the same object, with @p rights and @p badge.
 * @return KEEL_OK and *out; KEEL_ERR_DENIED if @p rights has a right
 *         @p from lacks; KEEL_ERR_INVALID (rights outside
 *         KEEL_RIGHT_ALL); KEEL_ERR_LIMIT (no free slot in @p to, or
 *         @p from is already HANDLE_DEPTH_MAX deep); KEEL_ERR_BUSY (a
 *         revocation of @p from is under way: handle_revoking()). Checked
 *         in that order. Nothing changes on error.
 */
kstatus_t cap_derive(struct handle_slot *from, struct handle_table *to, unsigned rights,
                     uint32_t badge, keel_handle_t *out);

/**
 * @brief Link @p copy (just filled, alone) as derived from @p from: right
 * after it, one deeper. The hook for task_handle_copy().
 */
void cap_link_derived(struct handle_slot *from, struct handle_slot *copy);

/**
 * @brief One step of revoking @p s: delete the first capability derived
 * from it (its table's count drops, its generation moves on).
 * @return true if something was deleted, false if nothing was left.
 */
bool cap_revoke_step(struct handle_slot *s);

/**
 * @brief Revoke @p s up to @p budget steps.
 * @return The capabilities deleted; @p s is wholly revoked when fewer
 *         than @p budget were (or handle_has_derived(@p s) is false).
 */
unsigned cap_revoke(struct handle_slot *s, unsigned budget);

/** @brief Revoke @p s wholly, in one go (unbounded: for tests and
 *  benchmarks; the kernel revokes in steps, with cap_revoke()). (Debug
 *  code: test images and the monitor only.) */
void cap_revoke_all(struct handle_slot *s);

/**
 * @brief How many capabilities were derived from @p s, directly or not.
 * O(that). (Debug code: test images and the monitor only.)
 */
unsigned cap_derived_count(const struct handle_slot *s);

/** @brief cap_derived_count(), but no more than @p max: O(@p max) at worst. */
unsigned cap_derived_upto(const struct handle_slot *s, unsigned max);

/**
 * @brief The capability @p s was derived from (the nearest before it that
 * is shallower), or NULL for an original. O(distance). (Debug code:
 * test images and the monitor only.)
 */
struct handle_slot *cap_parent(const struct handle_slot *s);

/**
 * @brief Runs of frames alive now (FRAMES_ALLOC's objects): for tests and
 * reports. (Debug code: test images and the monitor only.)
 */
unsigned cap_frames_count(void);

/**
 * @brief The types whose capabilities name a range (1 << type): the badge
 * is KEEL_RANGE(first, count), CAP_DERIVE may name a part, CAP_INFO tells
 * it. Slice 5 sets frames; later slices add theirs at start-up.
 */
extern uint32_t cap_range_types;

/** @brief The first page (line, port) a ranged capability names. */
static inline uint32_t range_first(const struct handle_slot *s)
{
	return s->badge >> 16;
}

/** @brief How many pages (lines, ports) a ranged capability names. */
static inline uint32_t range_pages(const struct handle_slot *s)
{
	return s->badge & 0xffffu;
}

/**
 * @brief The page flags (enum vm_flags) of a mapping with @p prot (enum
 * keel_prot) through the capability in @p s (frames, or slice 6's device
 * memory). Any context.
 * @return KEEL_OK; KEEL_ERR_INVALID (an unknown bit); KEEL_ERR_DENIED (W^X;
 *         a right the mapping needs that @p s lacks: MAP always, WRITE for
 *         a writable one).
 */
kstatus_t frames_map_flags(const struct handle_slot *s, uint32_t prot, unsigned *flags);

/**
 * @brief Unmap what the capability in @p s mapped in its holder's space.
 * sched_lock held.
 * @return KEEL_OK, or KEEL_ERR_NOT_FOUND if it mapped nothing.
 */
kstatus_t frames_unmap(struct handle_slot *s);

/** @brief The task that holds the capability in slot @p s. */
struct task *cap_holder(const struct handle_slot *s);

#endif
