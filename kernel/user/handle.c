/*
 * handle.c - a task's handle table: the names it may use for kernel objects.
 *
 * A handle is a slot's index in its low KEEL_HANDLE_INDEX_BITS bits and the
 * slot's generation above them. Freeing a slot moves its generation on, so
 * the handles that named the old object no longer match and are refused,
 * even once the slot holds something new. The generation keeps to the 25
 * bits left below the sign bit, so a handle is never negative and a
 * negative number is never a handle: system calls return handles and
 * errors in the same register.
 *
 * KEEL_SELF is handle 0: slot 0 at generation 0. Every other slot starts
 * at generation 1, and a generation that wraps goes back to 1, so
 * generation 0 exists only in slot 0 before its first free, where the
 * task's start-up installs the task itself. Handle 0 can then only ever
 * mean the task's own first object, never a later one.
 *
 * Slice 3 ("user"): each task owns one table (task.c), guarded by
 * sched_lock; system calls turn the handles they are passed into objects
 * through handle_get(). This file holds no lock and allocates nothing.
 */
#include <keel/handle.h>
#include <stdbool.h>
#include <stdint.h>

/* Generations use the bits of a non-negative int32 above the index. */
#define GEN_BITS   (31 - KEEL_HANDLE_INDEX_BITS)
#define GEN_MAX    ((1u << GEN_BITS) - 1)
#define INDEX_MASK ((uint32_t)KEEL_HANDLES_MAX - 1)
#define NO_SLOT    (-1)             /* slice 5's derivation links: none */
#define OBJ_LAST   KEEL_OBJ_CHANNEL /* the highest object type */

_Static_assert(GEN_BITS == 25, "generations fill a non-negative int32 above the index");

/* Is @p type the type of a kernel object (not KEEL_OBJ_NONE)? */
static bool type_known(unsigned type)
{
	return type > KEEL_OBJ_NONE && type <= OBJ_LAST;
}

static bool rights_known(unsigned rights)
{
	return (rights & ~(unsigned)KEEL_RIGHT_ALL) == 0;
}

/* An empty slot at @p generation: what every free slot looks like. */
static struct handle_slot slot_empty(uint32_t generation)
{
	return (struct handle_slot){.type = KEEL_OBJ_NONE,
	                            .generation = generation,
	                            .parent = NO_SLOT,
	                            .first_child = NO_SLOT,
	                            .next_sibling = NO_SLOT};
}

void handle_table_init(struct handle_table *t)
{
	t->used = 0;
	for (unsigned i = 0; i < KEEL_HANDLES_MAX; i++)
		t->slot[i] = slot_empty(i == 0 ? 0 : 1); /* slot 0 at 0: KEEL_SELF */
}

keel_handle_t handle_of(const struct handle_table *t, unsigned index)
{
	if (index >= KEEL_HANDLES_MAX)
		return KEEL_ERR_BAD_HANDLE; /* negative: never a handle */
	return (keel_handle_t)(index | t->slot[index].generation << KEEL_HANDLE_INDEX_BITS);
}

/* Fill the free slot @p index; the caller checked the arguments. */
static keel_handle_t slot_fill(struct handle_table *t, unsigned index, unsigned type,
                               uint32_t object, unsigned rights)
{
	struct handle_slot *s = &t->slot[index];

	*s = slot_empty(s->generation);
	s->type = (uint16_t)type;
	s->rights = (uint16_t)rights;
	s->object = object;
	t->used++;
	return handle_of(t, index);
}

kstatus_t handle_alloc(struct handle_table *t, unsigned type, uint32_t object, unsigned rights,
                       keel_handle_t *out)
{
	if (!type_known(type) || !rights_known(rights))
		return KEEL_ERR_INVALID;
	/* O(slots): 64 compares at most, and only when a handle is made. */
	for (unsigned i = 0; i < KEEL_HANDLES_MAX; i++) {
		if (t->slot[i].type == KEEL_OBJ_NONE) {
			*out = slot_fill(t, i, type, object, rights);
			return KEEL_OK;
		}
	}
	return KEEL_ERR_LIMIT;
}

kstatus_t handle_install(struct handle_table *t, unsigned index, unsigned type, uint32_t object,
                         unsigned rights, keel_handle_t *out)
{
	if (index >= KEEL_HANDLES_MAX || !type_known(type) || !rights_known(rights))
		return KEEL_ERR_INVALID;
	if (t->slot[index].type != KEEL_OBJ_NONE)
		return KEEL_ERR_BUSY;
	*out = slot_fill(t, index, type, object, rights);
	return KEEL_OK;
}

/* [handle_get] */
kstatus_t handle_get(const struct handle_table *t, keel_handle_t h, unsigned type, unsigned rights,
                     const struct handle_slot **out)
{
	const struct handle_slot *s;

	if (h < 0)
		return KEEL_ERR_BAD_HANDLE;
	s = &t->slot[(uint32_t)h & INDEX_MASK];
	/* An empty slot never matches: its generation is not the one of any live handle. */
	if (s->type == KEEL_OBJ_NONE || s->generation != (uint32_t)h >> KEEL_HANDLE_INDEX_BITS)
		return KEEL_ERR_BAD_HANDLE;
	if (type != KEEL_OBJ_NONE && s->type != type)
		return KEEL_ERR_WRONG_TYPE;
	if ((s->rights & rights) != rights)
		return KEEL_ERR_DENIED;
	*out = s;
	return KEEL_OK;
}
/* [handle_get] */

kstatus_t handle_free(struct handle_table *t, keel_handle_t h)
{
	const struct handle_slot *s;
	kstatus_t status = handle_get(t, h, KEEL_OBJ_NONE, 0, &s);
	uint32_t generation;

	if (status != KEEL_OK)
		return status;
	/* Wrap to 1, not 0: generation 0 is slot 0's first, KEEL_SELF's (see the top). */
	generation = s->generation == GEN_MAX ? 1 : s->generation + 1;
	t->slot[(uint32_t)h & INDEX_MASK] = slot_empty(generation);
	t->used--;
	return KEEL_OK;
}

/* Is @p link a derivation link: NO_SLOT or a slot's index? */
static bool link_known(int16_t link)
{
	return link == NO_SLOT || (link >= 0 && link < KEEL_HANDLES_MAX);
}

/* Does slot @p i keep the invariants of a slot, empty or not? */
static bool slot_ok(const struct handle_slot *s, unsigned i)
{
	/* Generations fit a handle; 0 is slot 0's alone (KEEL_SELF's). */
	if (s->generation > GEN_MAX || (s->generation == 0 && i != 0))
		return false;
	if (s->type > OBJ_LAST || !rights_known(s->rights) || s->reserved != 0)
		return false;
	if (!link_known(s->parent) || !link_known(s->first_child) || !link_known(s->next_sibling))
		return false;
	/* An empty slot holds nothing but its generation. */
	return s->type != KEEL_OBJ_NONE ||
	       (s->rights == 0 && s->object == 0 && s->badge == 0 && s->parent == NO_SLOT &&
	        s->first_child == NO_SLOT && s->next_sibling == NO_SLOT);
}

kstatus_t handle_table_check(const struct handle_table *t)
{
	uint32_t used = 0;

	for (unsigned i = 0; i < KEEL_HANDLES_MAX; i++) {
		if (!slot_ok(&t->slot[i], i))
			return KEEL_ERR_CORRUPT;
		used += t->slot[i].type != KEEL_OBJ_NONE;
	}
	return used == t->used ? KEEL_OK : KEEL_ERR_CORRUPT;
}
