/*
 * cap.c - the derivation tree: derive, revoke, and the walks that count.
 *
 * Slice 5 ("cap"). The tree lives in the slots themselves (handle.h):
 * each capability knows the one before and after it in pre-order and its
 * depth. See cap.h for why that order makes every step O(1), and the
 * chapter for the pictures.
 */
#include <keel/cap.h>

void (*cap_deleting)(struct handle_slot *s);

/* [cap_link_derived] */
void cap_link_derived(struct handle_slot *from, struct handle_slot *copy)
{
	/* LAB 5: put copy right after from, one deeper, in derivation order */
	copy->depth = (uint16_t)(from->depth + 1);
	copy->prev = from;
	copy->next = from->next;
	if (from->next != NULL)
		from->next->prev = copy;
	from->next = copy;
	/* LAB 5 STUB
	(void)from;
	(void)copy;
	LAB 5 END */
}
/* [cap_link_derived] */

/* [cap_derive] */
kstatus_t cap_derive(struct handle_slot *from, struct handle_table *to, unsigned rights,
                     uint32_t badge, keel_handle_t *out)
{
	/* LAB 5: check the rights and the room, then make the new one and link it */
	if ((rights & ~(unsigned)KEEL_RIGHT_ALL) != 0)
		return KEEL_ERR_INVALID;
	if ((rights & ~(unsigned)from->rights) != 0)
		return KEEL_ERR_DENIED; /* no right its source lacks */
	if (to->used == to->size)
		return KEEL_ERR_LIMIT;
	kstatus_t s = handle_may_derive(from); /* too deep, or being revoked */
	if (s == KEEL_OK)
		s = handle_alloc(to, from->type, from->object, rights, out);
	if (s != KEEL_OK)
		return s;
	struct handle_slot *copy = &to->slot[handle_index_of(*out)];
	copy->badge = badge;
	cap_link_derived(from, copy);
	return KEEL_OK;
	/* LAB 5 STUB
	(void)from;
	(void)to;
	(void)rights;
	(void)badge;
	(void)out;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 5 END */
}
/* [cap_derive] */

/* [cap_revoke_step] */
bool cap_revoke_step(struct handle_slot *s)
{
	/* LAB 5: delete the first capability derived from s, if there is one */
	struct handle_slot *victim = s->next;

	if (victim == NULL || victim->depth <= s->depth)
		return false; /* nothing after it is derived from it */
	/* What was derived from the victim stays after s, deeper than s: the
	 * next steps take it. The victim goes even if it has some. */
	if (cap_deleting != NULL)
		cap_deleting(victim);
	handle_free_slot(victim);
	return true;
	/* LAB 5 STUB
	(void)s;
	return false;
	LAB 5 END */
}
/* [cap_revoke_step] */

unsigned cap_revoke(struct handle_slot *s, unsigned budget)
{
	unsigned n = 0;

	while (n < budget && cap_revoke_step(s))
		n++;
	return n;
}

unsigned cap_derived_upto(const struct handle_slot *s, unsigned max)
{
	unsigned n = 0;

	for (const struct handle_slot *c = s->next; n < max && c != NULL && c->depth > s->depth;
	     c = c->next)
		n++;
	return n;
}
