/*
 * handle.c - a task's handle table: the names it may use for kernel objects.
 *
 * A handle is a slot's index in its low KEEL_HANDLE_INDEX_BITS bits and the
 * slot's generation above them. Freeing a slot moves its generation on, so
 * the handles that named the old object no longer match and are refused,
 * even once the slot holds something new. The generation keeps to the 19
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
 *
 * Every slot also keeps its place in its derivation order (handle.h).
 * Here every slot is made an original, alone; freeing one unlinks it.
 * Slice 5 (kernel/cap/) derives and revokes. handle_table_check(), which
 * only tests and the monitor call, is in handle_check.c.
 */
#include <keel/handle.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Generations use the bits of a non-negative int32 above the index. */
#define GEN_MAX    HANDLE_GEN_MAX
#define INDEX_MASK ((uint32_t)KEEL_HANDLES_MAX - 1)
#define OBJ_LAST   KEEL_OBJ_LAST /* the highest object type */

_Static_assert(GEN_MAX == (1u << 19) - 1, "generations fill a non-negative int32 above the index");

/* Is @p type the type of a kernel object (not KEEL_OBJ_NONE)? */
static bool type_known(unsigned type)
{
	return type > KEEL_OBJ_NONE && type <= OBJ_LAST;
}

static bool rights_known(unsigned rights)
{
	return (rights & ~(unsigned)KEEL_RIGHT_ALL) == 0;
}

/* An empty slot of @p t at @p generation: what every free slot looks like. */
static struct handle_slot slot_empty(struct handle_table *t, uint32_t generation)
{
	return (struct handle_slot){.type = KEEL_OBJ_NONE, .generation = generation, .table = t};
}

void handle_table_init(struct handle_table *t, struct handle_slot *storage, uint32_t size)
{
	t->slot = storage;
	t->size = size;
	t->used = 0;
	for (unsigned i = 0; i < size; i++)
		t->slot[i] = slot_empty(t, i == 0 ? 0 : 1); /* slot 0 at 0: KEEL_SELF */
}

keel_handle_t handle_of(const struct handle_table *t, unsigned index)
{
	if (index >= t->size)
		return KEEL_ERR_BAD_HANDLE; /* negative: never a handle */
	return (keel_handle_t)(index | t->slot[index].generation << KEEL_HANDLE_INDEX_BITS);
}

/* Fill the free slot @p index; the caller checked the arguments. */
static keel_handle_t slot_fill(struct handle_table *t, unsigned index, unsigned type,
                               uint32_t object, unsigned rights)
{
	struct handle_slot *s = &t->slot[index];

	/* A free slot is empty already (handle_table_check() holds it to that). */
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
	/* O(slots): one compare a slot, and only when a handle is made. */
	for (unsigned i = 0; i < t->size; i++) {
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
	if (index >= t->size || !type_known(type) || !rights_known(rights))
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

	if (h < 0 || ((uint32_t)h & INDEX_MASK) >= t->size)
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

/* [handle_free_slot] */
void handle_free_slot(struct handle_slot *s)
{
	struct handle_table *t = s->table;
	/* Wrap to 1, not 0: generation 0 is slot 0's first, KEEL_SELF's (see the top). */
	uint32_t generation = s->generation == GEN_MAX ? 1 : s->generation + 1;

	if (s->prev != NULL)
		s->prev->next = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	/* Field by field, not slot_empty(): this is every revocation step. */
	s->type = KEEL_OBJ_NONE;
	s->rights = 0;
	s->object = 0;
	s->generation = generation;
	s->badge = 0;
	s->mapped = 0;
	s->prev = s->next = NULL;
	s->depth = 0;
	t->used--;
}
/* [handle_free_slot] */

/* [handle_move] */
kstatus_t handle_move(struct handle_slot *from, struct handle_table *to, keel_handle_t *out)
{
	kstatus_t s = handle_alloc(to, from->type, from->object, from->rights, out);

	if (s != KEEL_OK)
		return s;
	struct handle_slot *dst = &to->slot[(uint32_t)*out & INDEX_MASK];
	dst->badge = from->badge;
	dst->depth = from->depth;
	dst->prev = from->prev;
	dst->next = from->next;
	if (dst->prev != NULL)
		dst->prev->next = dst;
	if (dst->next != NULL)
		dst->next->prev = dst;
	from->prev = from->next = NULL; /* it has left the order: free it as a leaf */
	from->depth = 0;
	handle_free_slot(from);
	return KEEL_OK;
}
/* [handle_move] */

kstatus_t handle_free(struct handle_table *t, keel_handle_t h)
{
	const struct handle_slot *s;
	kstatus_t status = handle_get(t, h, KEEL_OBJ_NONE, 0, &s);

	if (status != KEEL_OK)
		return status;
	if (handle_has_derived(s))
		return KEEL_ERR_BUSY;
	handle_free_slot(&t->slot[(uint32_t)h & INDEX_MASK]);
	return KEEL_OK;
}
