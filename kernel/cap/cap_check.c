/*
 * cap_check.c - the derivation tree's walks that only tests, benchmarks
 * and the monitor need: revoke without a budget, count every descendant,
 * find a capability's parent.
 *
 * The kernel revokes in bounded steps (cap_revoke()) and counts with a
 * bound (cap_derived_upto()); the unbounded forms are debug code, linked
 * into test images only (see the Makefile). Pure like cap.c: the host unit
 * tests compile the two together.
 */
#include <keel/cap.h>

void cap_revoke_all(struct handle_slot *s)
{
	while (cap_revoke_step(s))
		;
}

unsigned cap_derived_count(const struct handle_slot *s)
{
	return cap_derived_upto(s, ~0u);
}

struct handle_slot *cap_parent(const struct handle_slot *s)
{
	struct handle_slot *p = s->prev;

	while (p != NULL && p->depth >= s->depth)
		p = p->prev;
	return p;
}
