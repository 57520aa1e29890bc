/*
 * handle_check.c - handle_table_check(): every invariant of a handle
 * table, slot by slot. For tests and the monitor (which alone call it,
 * so it is in test images only): O(slots), never on a real-time path.
 */
#include <keel/handle.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Is @p s's place in derivation order sound? Its neighbours point back at
 * it and hold the same object; an original comes first. (Only neighbours
 * are looked at: derived slots linked in a cycle with no original would
 * pass. Every link is made by cap.c's and this file's O(1) steps, which
 * the host tests check against a model.) */
static bool order_ok(const struct handle_slot *s)
{
	if (s->prev != NULL &&
	    (s->prev->next != s || s->prev->object != s->object || s->prev->type != s->type))
		return false;
	if (s->next != NULL && (s->next->prev != s || s->next->depth == 0))
		return false;
	return (s->depth == 0) == (s->prev == NULL);
}

/* Does slot @p i of @p t keep the invariants of a slot, empty or not? */
static bool slot_ok(const struct handle_table *t, const struct handle_slot *s, unsigned i)
{
	/* Generations fit a handle; 0 is slot 0's alone (KEEL_SELF's). */
	if (s->generation > HANDLE_GEN_MAX || (s->generation == 0 && i != 0) || s->table != t)
		return false;
	if (s->type > KEEL_OBJ_LAST || (s->rights & ~(unsigned)KEEL_RIGHT_ALL) != 0 ||
	    s->reserved != 0)
		return false;
	if (s->type != KEEL_OBJ_NONE)
		return order_ok(s);
	/* An empty slot holds nothing but its generation. */
	return s->rights == 0 && s->object == 0 && s->badge == 0 && s->mapped == 0 &&
	       s->prev == NULL && s->next == NULL && s->depth == 0;
}

kstatus_t handle_table_check(const struct handle_table *t)
{
	uint32_t used = 0;

	if (t->size == 0 || t->size > KEEL_HANDLES_MAX)
		return KEEL_ERR_CORRUPT;
	for (unsigned i = 0; i < t->size; i++) {
		if (!slot_ok(t, &t->slot[i], i))
			return KEEL_ERR_CORRUPT;
		used += t->slot[i].type != KEEL_OBJ_NONE;
	}
	return used == t->used ? KEEL_OK : KEEL_ERR_CORRUPT;
}
