/*
 * test_cap.c - host unit tests for kernel/cap/cap.c, the derivation tree.
 *
 * Every rule of slice 5 rests on this file: a derived capability has no
 * right its source lacks, and revoking one deletes everything derived
 * from it, in every table, and nothing else. A revocation that misses a
 * grandchild leaves a capability that outlives its source; one that
 * deletes a sibling takes what its holder still owns. The tree is kept
 * as a pre-order list with depths (handle.h), so the tests look at the
 * links and the depths after every call, check every table with
 * handle_table_check(), and check that cap_deleting is told of each
 * deleted slot exactly once and that the handles to them are stale.
 *
 * Case by case: derive (rights, table full, depth limit, badge, place in
 * the order, across tables), then revoke of a child, a chain of
 * grandchildren, a wide tree, a deep chain across tables of
 * KEEL_HANDLES_MAX slots, in budgeted steps with derivations in between,
 * and what a revocation must leave alone. Last, a seeded random sequence
 * of derivations, moves, revocations (whole, or in steps left half done
 * for a while), deletions and lookups over four tables, compared after
 * every step with a model that keeps, for each live capability, what it
 * was derived from, its rights and its table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/cap.h>

#define SLOTS      64 /* the size of most tables here */
#define INDEX_MASK ((uint32_t)KEEL_HANDLES_MAX - 1)
#define GEN_MAX    ((1u << (31 - KEEL_HANDLE_INDEX_BITS)) - 1)
#define THREAD     KEEL_OBJ_THREAD
#define ALL        KEEL_RIGHT_ALL
#define RW         (KEEL_RIGHT_READ | KEEL_RIGHT_WRITE)
#define HANDLE(index, generation)                                                                  \
	((keel_handle_t)((index) | (generation) << KEEL_HANDLE_INDEX_BITS))

/* A table of SLOTS with its storage, so a test can copy both and compare. */
struct table {
	struct handle_table t;
	struct handle_slot slot[SLOTS];
};

/* What cap_deleting was told: each slot, with the handle that named it then. */
#define DELETIONS_MAX 4096
static struct {
	const struct handle_slot *slot[DELETIONS_MAX];
	keel_handle_t handle[DELETIONS_MAX];
	unsigned n;
} deleted;

static void note_deleting(struct handle_slot *s)
{
	/* Called before the slot is freed: it still holds the capability. */
	assert_int_not_equal(s->type, KEEL_OBJ_NONE);
	assert_true(deleted.n < DELETIONS_MAX);
	deleted.slot[deleted.n] = s;
	deleted.handle[deleted.n++] = handle_of(s->table, handle_index(s));
}

/* Each case starts with the hook set and nothing noted. */
static int watch_deletions(void **state)
{
	(void)state;
	cap_deleting = note_deleting;
	deleted.n = 0;
	return 0;
}

/* How many times cap_deleting was told of slot @p s while handle @p h named it. */
static unsigned times_deleted(const struct handle_slot *s, keel_handle_t h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < deleted.n; i++)
		n += deleted.slot[i] == s && deleted.handle[i] == h;
	return n;
}

static void expect_sane(const struct handle_table *t)
{
	assert_int_equal(handle_table_check(t), KEEL_OK);
}

static struct handle_table *fresh(struct table *tab)
{
	memset(tab, 0x5a, sizeof(*tab));
	handle_table_init(&tab->t, tab->slot, SLOTS);
	return &tab->t;
}

static struct handle_slot *slot_of(struct handle_table *t, keel_handle_t h)
{
	const struct handle_slot *s = NULL;

	assert_int_equal(handle_get(t, h, KEEL_OBJ_NONE, 0, &s), KEEL_OK);
	return (struct handle_slot *)s;
}

static kstatus_t get_status_of(const struct handle_table *t, keel_handle_t h)
{
	const struct handle_slot *s = NULL;

	return handle_get(t, h, KEEL_OBJ_NONE, 0, &s);
}

/* @p h is stale: refused by a lookup and by a free. */
static void expect_stale(struct handle_table *t, keel_handle_t h)
{
	assert_int_equal(get_status_of(t, h), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_free(t, h), KEEL_ERR_BAD_HANDLE);
}

/* An original capability to thread @p object, with every right. */
static struct handle_slot *original(struct handle_table *t, uint32_t object)
{
	keel_handle_t h;

	assert_int_equal(handle_alloc(t, THREAD, object, ALL, &h), KEEL_OK);
	return slot_of(t, h);
}

/* Derive from @p from into @p to, and check the new one is right after
 * its source, one deeper, with the rights and the badge asked for. */
static struct handle_slot *derive(struct handle_slot *from, struct handle_table *to,
                                  unsigned rights, uint32_t badge)
{
	keel_handle_t h = -1;
	uint32_t used = to->used;
	struct handle_slot *s;

	assert_int_equal(cap_derive(from, to, rights, badge, &h), KEEL_OK);
	s = slot_of(to, h);
	assert_int_equal(s->type, from->type);
	assert_int_equal(s->object, from->object);
	assert_int_equal(s->rights, rights);
	assert_int_equal(s->badge, badge);
	assert_int_equal(s->depth, from->depth + 1);
	assert_ptr_equal(s->table, to);
	assert_ptr_equal(s->prev, from);
	assert_ptr_equal(from->next, s);
	assert_ptr_equal(cap_parent(s), from);
	assert_int_equal(to->used, used + 1);
	expect_sane(to);
	expect_sane(from->table);
	return s;
}

/* The handle that names live slot @p s now. */
static keel_handle_t handle_at(const struct handle_slot *s)
{
	return handle_of(s->table, handle_index(s));
}

/* A chain o, c[0], ..., c[n-1] of object 1, each derived from the one
 * before, spread over the @p ntab tables @p t by turns. */
static void build_chain(struct handle_table **t, unsigned ntab, struct handle_slot **c, unsigned n)
{
	c[0] = original(t[0], 1);
	for (unsigned i = 1; i < n; i++)
		c[i] = derive(c[i - 1], t[i % ntab], ALL, i);
}

/* --------------------------------------------------------------------------
 * Checking a revocation: the victims are gone (once each, told to the
 * hook), and every other slot of the tables is as it was but for the
 * links that closed up over the victims.
 */

struct before {
	struct table *now;    /* the tables */
	struct table then[4]; /* a copy of them from before */
	unsigned n;           /* how many */
};

static void take_before(struct before *b, struct table *now, unsigned n)
{
	assert_true(n <= 4);
	b->now = now;
	b->n = n;
	memcpy(b->then, now, n * sizeof(*now));
	deleted.n = 0;
}

/* The copy, from before, of the slot @p s points at now. */
static const struct handle_slot *then_of(const struct before *b, const struct handle_slot *s)
{
	for (unsigned k = 0; k < b->n; k++)
		if (s >= b->now[k].slot && s < b->now[k].slot + SLOTS)
			return &b->then[k].slot[s - b->now[k].slot];
	fail_msg("a link to no slot of the tables");
	return NULL;
}

static bool in(const struct handle_slot *s, struct handle_slot *const *v, unsigned nv)
{
	for (unsigned i = 0; i < nv; i++)
		if (v[i] == s)
			return true;
	return false;
}

/* The first slot from @p s on, along the order from before, that is not a victim. */
static const struct handle_slot *kept(const struct before *b, const struct handle_slot *s,
                                      bool forward, struct handle_slot *const *v, unsigned nv)
{
	while (s != NULL && in(s, v, nv))
		s = forward ? then_of(b, s)->next : then_of(b, s)->prev;
	return s;
}

static void expect_kept_slot(const struct before *b, const struct handle_slot *now,
                             const struct handle_slot *then, struct handle_slot *const *v,
                             unsigned nv)
{
	assert_int_equal(now->type, then->type);
	assert_int_equal(now->rights, then->rights);
	assert_int_equal(now->object, then->object);
	assert_int_equal(now->generation, then->generation);
	assert_int_equal(now->badge, then->badge);
	assert_int_equal(now->depth, then->depth);
	assert_ptr_equal(now->table, then->table);
	assert_ptr_equal(now->prev, kept(b, then->prev, false, v, nv));
	assert_ptr_equal(now->next, kept(b, then->next, true, v, nv));
}

/* Slot @p i of table @p now was deleted: told to the hook once, and stale. */
static void expect_gone_slot(struct table *now, const struct table *then, unsigned i)
{
	keel_handle_t h = HANDLE(i, then->slot[i].generation);

	assert_int_not_equal(then->slot[i].type, KEEL_OBJ_NONE);
	assert_int_equal(now->slot[i].type, KEEL_OBJ_NONE);
	assert_int_equal(now->slot[i].generation, then->slot[i].generation + 1);
	assert_int_equal(times_deleted(&now->slot[i], h), 1);
	expect_stale(&now->t, h);
}

/* Exactly the @p nv slots @p v were deleted since take_before(). */
static void expect_deleted(const struct before *b, struct handle_slot *const *v, unsigned nv)
{
	assert_int_equal(deleted.n, nv);
	for (unsigned k = 0; k < b->n; k++) {
		struct table *now = &b->now[k];
		const struct table *then = &b->then[k];
		uint32_t gone = 0;
		for (unsigned i = 0; i < SLOTS; i++) {
			if (in(&now->slot[i], v, nv)) {
				expect_gone_slot(now, then, i);
				gone++;
			} else {
				expect_kept_slot(b, &now->slot[i], &then->slot[i], v, nv);
			}
		}
		assert_int_equal(now->t.used, then->t.used - gone);
		expect_sane(&now->t);
	}
}

/* --------------------------------------------------------------------------
 * Deriving.
 */

static void derive_puts_the_new_one_right_after_its_source(void **state)
{
	(void)state;
	struct table a, b;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o = original(ta, 5);
	struct handle_slot *c1, *c2, *g, *none;

	c1 = derive(o, ta, RW, 7);
	c2 = derive(o, tb, KEEL_RIGHT_READ, 0); /* the later one comes first */
	assert_ptr_equal(c2->next, c1);
	assert_ptr_equal(c1->prev, c2);
	g = derive(c1, tb, KEEL_RIGHT_WRITE, 9); /* another table, one deeper still */
	assert_int_equal(g->depth, 2);
	assert_null(g->next);
	none = derive(g, ta, 0, 0); /* no rights at all is a subset too */
	assert_ptr_equal(derive(none, tb, 0, 1)->prev, none);
	assert_ptr_equal(derive(o, ta, ALL, 0)->next, c2); /* all of its source's rights */
	/* o, x, c2, c1, g, none, y */
	assert_null(o->prev);
	assert_int_equal(o->depth, 0);
	assert_null(cap_parent(o));
	assert_ptr_equal(cap_parent(c2), o);
	assert_ptr_equal(cap_parent(g), c1);
	assert_int_equal(cap_derived_count(o), 6);
	assert_int_equal(cap_derived_count(c1), 3);
	assert_int_equal(cap_derived_count(c2), 0);
	assert_int_equal(cap_derived_count(none), 1);
	assert_int_equal(ta->used, 4);
	assert_int_equal(tb->used, 3);
	assert_int_equal(deleted.n, 0);
}

static void derive_refuses_rights_its_source_lacks(void **state)
{
	(void)state;
	static const unsigned more[] = {ALL, RW | KEEL_RIGHT_KILL, KEEL_RIGHT_DERIVE,
	                                KEEL_RIGHT_MAP, KEEL_RIGHT_GRANT};
	static const unsigned unknown[] = {ALL + 1,  1u << 9,  RW | 1u << 9, 1u << 15,
	                                   1u << 16, 1u << 31, ~0u};
	struct table a, b, a0, b0;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o = original(ta, 5), *c = derive(o, tb, RW, 3);
	keel_handle_t h = 12345;

	a0 = a;
	b0 = b;
	for (unsigned i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		assert_int_equal(cap_derive(c, ta, more[i], 0, &h), KEEL_ERR_DENIED);
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(cap_derive(c, ta, unknown[i], 0, &h), KEEL_ERR_INVALID);
		assert_int_equal(cap_derive(o, tb, unknown[i], 0, &h), KEEL_ERR_INVALID);
	}
	assert_int_equal(h, 12345);
	assert_memory_equal(&a, &a0, sizeof(a));
	assert_memory_equal(&b, &b0, sizeof(b));
}

static void derive_into_a_full_table_is_limit(void **state)
{
	(void)state;
	struct table a, b, a0, b0;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o = original(ta, 5), *c = derive(o, ta, RW, 3);
	keel_handle_t h = 12345;

	for (unsigned i = 0; i < SLOTS; i++)
		original(tb, 100 + i);
	a0 = a;
	b0 = b;
	assert_int_equal(cap_derive(o, tb, RW, 0, &h), KEEL_ERR_LIMIT);
	assert_int_equal(cap_derive(c, tb, 0, 0, &h), KEEL_ERR_LIMIT);
	assert_int_equal(cap_derive(&tb->slot[3], tb, 0, 0, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&a, &a0, sizeof(a));
	assert_memory_equal(&b, &b0, sizeof(b));
	/* Rights are checked before room: a bad request is refused as such. */
	assert_int_equal(cap_derive(c, tb, ALL, 0, &h), KEEL_ERR_DENIED);
	assert_int_equal(cap_derive(c, tb, 1u << 9, 0, &h), KEEL_ERR_INVALID);
}

static void derive_past_the_depth_limit_is_limit(void **state)
{
	(void)state;
	struct table a, a0;
	struct handle_table *ta = fresh(&a);
	struct handle_slot *o = original(ta, 5), *c = derive(o, ta, ALL, 0), *d;
	keel_handle_t h = 12345;

	c->depth = HANDLE_DEPTH_MAX - 1; /* as if deep in a chain */
	expect_sane(ta);
	d = derive(c, ta, RW, 4);
	assert_int_equal(d->depth, HANDLE_DEPTH_MAX);
	a0 = a;
	assert_int_equal(cap_derive(d, ta, RW, 0, &h), KEEL_ERR_LIMIT);
	assert_int_equal(cap_derive(d, ta, 0, 0, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&a, &a0, sizeof(a));
	/* Its source is shallower: it may still derive, beside d. */
	assert_ptr_equal(derive(c, ta, 0, 0)->next, d);
	assert_ptr_equal(cap_parent(d), c);
	assert_int_equal(cap_derived_count(o), 3);
	cap_revoke_all(o);
	assert_int_equal(deleted.n, 3);
	assert_int_equal(ta->used, 1);
}

/* cap_link_derived(): what task_handle_copy() uses for a copy it filled. */
static void link_derived_puts_a_copy_right_after_its_source(void **state)
{
	(void)state;
	struct table a, b;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o = original(ta, 5), *c = derive(o, ta, RW, 0);
	struct handle_slot *copy = original(tb, 5);

	cap_link_derived(o, copy);
	assert_int_equal(copy->depth, 1);
	assert_true(o->next == copy && copy->prev == o && copy->next == c && c->prev == copy);
	assert_ptr_equal(cap_parent(copy), o);
	expect_sane(ta);
	expect_sane(tb);
	copy = original(tb, 5);
	cap_link_derived(c, copy); /* at the end of the order */
	assert_true(c->next == copy && copy->prev == c && copy->next == NULL);
	assert_int_equal(copy->depth, 2);
	expect_sane(tb);
	assert_int_equal(cap_derived_count(o), 3);
}

/* --------------------------------------------------------------------------
 * Revoking.
 */

static void revoke_deletes_a_child_and_keeps_the_capability(void **state)
{
	(void)state;
	struct table tabs[2];
	struct handle_table *ta = fresh(&tabs[0]), *tb = fresh(&tabs[1]);
	struct handle_slot *o = original(ta, 5), *c = derive(o, tb, RW, 7);
	struct before b;

	take_before(&b, tabs, 2);
	assert_true(cap_revoke_step(o));
	expect_deleted(&b, &c, 1);
	assert_null(o->next);
	assert_false(handle_has_derived(o));
	assert_int_equal(cap_derived_count(o), 0);
	/* Nothing is left: no step deletes, and o stays. */
	take_before(&b, tabs, 2);
	assert_false(cap_revoke_step(o));
	assert_int_equal(cap_revoke(o, 16), 0);
	cap_revoke_all(o);
	expect_deleted(&b, NULL, 0);
	assert_int_equal(slot_of(ta, HANDLE(0, 0u))->rights, ALL);
}

/* A chain o, c1 ... c5 over three tables: revoking c1 must reach c5. */
static void revoke_deletes_every_grandchild_of_a_chain(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *t[3] = {fresh(&tabs[0]), fresh(&tabs[1]), fresh(&tabs[2])};
	struct handle_slot *c[6];
	struct before b;

	build_chain(t, 3, c, 6);
	take_before(&b, tabs, 3);
	cap_revoke_all(c[1]);
	expect_deleted(&b, &c[2], 4);
	assert_null(c[1]->next);
	assert_ptr_equal(c[0]->next, c[1]);
	assert_int_equal(cap_derived_count(c[0]), 1);
	take_before(&b, tabs, 3);
	cap_revoke_all(c[0]);
	expect_deleted(&b, &c[1], 1);
	assert_int_equal(t[0]->used + t[1]->used + t[2]->used, 1);
}

/* An original with 64 capabilities derived from it directly, in two tables. */
static void revoke_deletes_a_wide_tree(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *ta = fresh(&tabs[0]), *tb = fresh(&tabs[1]), *tc = fresh(&tabs[2]);
	struct handle_slot *o = original(ta, 5), *c[64];
	struct before b;

	for (unsigned i = 0; i < 64; i++)
		c[i] = derive(o, i % 2 ? tb : tc, i % 4 ? RW : 0, i);
	for (unsigned i = 0; i < 64; i++)
		assert_ptr_equal(cap_parent(c[i]), o);
	assert_int_equal(cap_derived_count(o), 64);
	take_before(&b, tabs, 3);
	for (unsigned round = 0; round < 4; round++) {
		assert_int_equal(cap_revoke(o, CAP_REVOKE_STEP), CAP_REVOKE_STEP);
		assert_int_equal(cap_derived_count(o), 64 - CAP_REVOKE_STEP * (round + 1));
		expect_sane(ta);
		expect_sane(tb);
		expect_sane(tc);
	}
	assert_int_equal(cap_revoke(o, CAP_REVOKE_STEP), 0);
	expect_deleted(&b, c, 64);
	assert_int_equal(tb->used + tc->used, 0);
	assert_null(o->next);
}

/* 1000 deep over two tables of KEEL_HANDLES_MAX slots. */
#define CHAIN 1001

static void revoke_deletes_a_deep_chain(void **state)
{
	(void)state;
	static struct handle_slot storage[2][KEEL_HANDLES_MAX];
	static struct handle_table big[2];
	static struct handle_slot *c[CHAIN];
	static keel_handle_t h[CHAIN];
	struct handle_table *t[2] = {&big[0], &big[1]};

	handle_table_init(&big[0], storage[0], KEEL_HANDLES_MAX);
	handle_table_init(&big[1], storage[1], KEEL_HANDLES_MAX);
	build_chain(t, 2, c, CHAIN);
	for (unsigned i = 0; i < CHAIN; i++) {
		h[i] = handle_at(c[i]);
		assert_int_equal(c[i]->depth, i);
		assert_ptr_equal(cap_parent(c[i]), i ? c[i - 1] : NULL);
	}
	assert_int_equal(cap_derived_count(c[0]), CHAIN - 1);
	assert_int_equal(cap_derived_count(c[500]), CHAIN - 501);
	cap_revoke_all(c[500]); /* the lower half */
	assert_int_equal(deleted.n, CHAIN - 501);
	for (unsigned i = 501; i < CHAIN; i++) {
		expect_stale(t[i % 2], h[i]);
		assert_int_equal(times_deleted(c[i], h[i]), 1);
	}
	assert_int_equal(big[0].used + big[1].used, 501);
	assert_int_equal(cap_derived_count(c[0]), 500);
	/* The rest in budgeted steps, the tables sound between them. */
	for (unsigned left = 500; left > 0;) {
		unsigned want = left < CAP_REVOKE_STEP ? left : CAP_REVOKE_STEP;
		assert_int_equal(cap_revoke(c[0], CAP_REVOKE_STEP), want);
		left -= want;
		assert_int_equal(cap_derived_count(c[0]), left);
		expect_sane(&big[0]);
		expect_sane(&big[1]);
	}
	assert_int_equal(cap_revoke(c[0], CAP_REVOKE_STEP), 0);
	assert_int_equal(deleted.n, CHAIN - 1);
	for (unsigned i = 1; i <= 500; i++)
		expect_stale(t[i % 2], h[i]);
	assert_int_equal(big[0].used + big[1].used, 1);
	assert_null(c[0]->next);
}

/* o with a tree under it over three tables:
 *   o: a (a1 (a11, a12), a2), b (b1), c */
static void build_tree(struct handle_table **t, struct handle_slot **n)
{
	n[0] = original(t[0], 5);          /* o */
	n[1] = derive(n[0], t[1], ALL, 1); /* a */
	n[2] = derive(n[1], t[2], RW, 2);  /* a1 */
	n[3] = derive(n[2], t[0], RW, 3);  /* a11 */
	n[4] = derive(n[2], t[1], 0, 4);   /* a12 */
	n[5] = derive(n[1], t[2], ALL, 5); /* a2 */
	n[6] = derive(n[0], t[0], RW, 6);  /* b */
	n[7] = derive(n[6], t[1], RW, 7);  /* b1 */
	n[8] = derive(n[0], t[2], 0, 8);   /* c */
}

#define TREE 9

/* One step at a time: each deletes the first derived one, the tables are
 * sound between steps, and what is derived in between is caught. */
static void revoke_in_budgeted_steps(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *t[3] = {fresh(&tabs[0]), fresh(&tabs[1]), fresh(&tabs[2])};
	struct handle_slot *n[TREE], *o, *victim, *late[2];
	keel_handle_t hl[2];
	struct before b;

	build_tree(t, n);
	o = n[0];
	for (unsigned left = TREE - 1; left > 4; left--) {
		victim = o->next;
		take_before(&b, tabs, 3);
		assert_int_equal(cap_revoke(o, 1), 1);
		expect_deleted(&b, &victim, 1);
		assert_int_equal(cap_derived_count(o), left - 1);
		assert_true(handle_has_derived(o));
	}
	/* Half done: o, then a2 and a1 (two deeper: a gap), a12 and a11. What
	 * is derived now from a survivor is caught too; o itself refuses to
	 * derive (BUSY) until its revocation ends, since a new one would land
	 * before the deeper ones still to go and seem to be their parent. */
	assert_ptr_equal(o->next, n[5]);
	assert_int_equal(n[5]->depth, 2);
	assert_true(handle_revoking(o));
	late[0] = derive(n[4], t[2], 0, 0);
	hl[0] = handle_at(late[0]);
	take_before(&b, tabs, 3);
	assert_int_equal(cap_derive(o, t[1], RW, 0, &hl[1]), KEEL_ERR_BUSY);
	expect_deleted(&b, NULL, 0); /* nothing changed */
	(void)late[1];
	assert_int_equal(cap_derived_count(o), 5);
	deleted.n = 0;
	assert_int_equal(cap_revoke(o, CAP_REVOKE_STEP), 5);
	assert_int_equal(cap_revoke(o, CAP_REVOKE_STEP), 0);
	assert_false(handle_revoking(o));
	expect_stale(t[2], hl[0]);
	assert_int_equal(deleted.n, 5);
	assert_int_equal(t[0]->used + t[1]->used + t[2]->used, 1);
	for (unsigned k = 0; k < 3; k++)
		expect_sane(t[k]);
}

/* Revoking a or b leaves the capability itself, its siblings before and
 * after it, its ancestors and another object's tree as they were. */
static void revoke_leaves_all_else_alone(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *t[3] = {fresh(&tabs[0]), fresh(&tabs[1]), fresh(&tabs[2])};
	struct handle_slot *n[TREE], *other[3];
	struct before b;

	other[0] = original(t[1], 6); /* another object, its tree in the same tables */
	other[1] = derive(other[0], t[0], RW, 0);
	other[2] = derive(other[1], t[2], 0, 0);
	build_tree(t, n);
	take_before(&b, tabs, 3);
	cap_revoke_all(n[6]); /* b: only b1 */
	expect_deleted(&b, &n[7], 1);
	take_before(&b, tabs, 3);
	cap_revoke_all(n[1]); /* a: a1, a11, a12, a2 */
	expect_deleted(&b, &n[2], 4);
	assert_int_equal(cap_derived_count(n[0]), 3);
	assert_int_equal(cap_derived_count(other[0]), 2);
	take_before(&b, tabs, 3);
	cap_revoke_all(n[8]); /* c: a leaf, nothing */
	cap_revoke_all(other[2]);
	expect_deleted(&b, NULL, 0);
}

/* While a revocation is half done, a slot may be more than one deeper than
 * the one before it: parent and count still follow the order. */
static void parent_and_count_while_a_revocation_is_half_done(void **state)
{
	(void)state;
	struct table tabs[2];
	struct handle_table *t[2] = {fresh(&tabs[0]), fresh(&tabs[1])};
	struct handle_slot *c[4], *d, *y;

	build_chain(t, 2, c, 4);                  /* o, a, b, cc */
	d = derive(c[0], t[0], RW, 0);            /* o, d, a, b, cc */
	assert_int_equal(cap_revoke(c[1], 1), 1); /* b goes: o, d, a, cc */
	assert_int_equal(c[3]->depth, 3);
	assert_ptr_equal(c[1]->next, c[3]);
	assert_ptr_equal(cap_parent(c[3]), c[1]); /* cc is now a's to delete */
	assert_ptr_equal(cap_parent(c[1]), c[0]);
	assert_ptr_equal(cap_parent(d), c[0]);
	assert_int_equal(cap_derived_count(c[1]), 1);
	assert_int_equal(cap_derived_count(c[0]), 3);
	assert_int_equal(cap_derived_count(d), 0);
	assert_true(handle_has_derived(c[1]));
	expect_sane(t[0]);
	expect_sane(t[1]);
	y = derive(c[3], t[1], 0, 0); /* from the survivor: one deeper than it */
	assert_int_equal(y->depth, 4);
	assert_int_equal(cap_derived_count(c[1]), 2);
	assert_int_equal(cap_revoke(c[1], CAP_REVOKE_STEP), 2);
	assert_int_equal(deleted.n, 3);
	assert_int_equal(cap_derived_count(c[0]), 2);
	assert_int_equal(t[0]->used + t[1]->used, 3);
}

/* A step stops at the first one that is not deeper, and a budget of 0 does nothing. */
static void revoke_stops_where_what_was_derived_ends(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *t[3] = {fresh(&tabs[0]), fresh(&tabs[1]), fresh(&tabs[2])};
	struct handle_slot *n[TREE];
	struct before b;

	build_tree(t, n); /* o, c, b, b1, a, a2, a1, a12, a11 */
	take_before(&b, tabs, 3);
	assert_false(cap_revoke_step(n[8])); /* c: next is b, a sibling */
	assert_false(cap_revoke_step(n[7])); /* b1: next is a, shallower */
	assert_false(cap_revoke_step(n[3])); /* a11: last of all */
	assert_int_equal(cap_revoke(n[0], 0), 0);
	expect_deleted(&b, NULL, 0);
	/* With no hook a deletion is just a free. */
	cap_deleting = NULL;
	assert_int_equal(cap_revoke(n[1], CAP_REVOKE_STEP), 4);
	assert_int_equal(deleted.n, 0);
	for (unsigned k = 0; k < 3; k++)
		expect_sane(t[k]);
}

/* A capability moved to another table is still revoked with its tree,
 * and a revocation goes on from where its capability moved to. */
static void revoke_follows_moved_capabilities(void **state)
{
	(void)state;
	struct table tabs[3];
	struct handle_table *t[3] = {fresh(&tabs[0]), fresh(&tabs[1]), fresh(&tabs[2])};
	struct handle_slot *n[TREE], *a, *o;
	keel_handle_t h;

	build_tree(t, n);
	assert_int_equal(handle_move(n[1], t[2], &h), KEEL_OK); /* a */
	a = slot_of(t[2], h);
	assert_int_equal(cap_derived_count(a), 4);
	assert_ptr_equal(cap_parent(a), n[0]);
	assert_int_equal(cap_revoke(n[0], 3), 3); /* c, b, b1 */
	assert_int_equal(handle_move(n[0], t[1], &h), KEEL_OK);
	o = slot_of(t[1], h);
	assert_int_equal(cap_derived_count(o), 5);
	assert_int_equal(cap_revoke(o, CAP_REVOKE_STEP), 5);
	assert_int_equal(deleted.n, 8);
	assert_int_equal(t[0]->used + t[1]->used + t[2]->used, 1);
	for (unsigned k = 0; k < 3; k++)
		expect_sane(t[k]);
}

/* --------------------------------------------------------------------------
 * A seeded random sequence against a model.
 *
 * Four tables; a capability's id in the model is its slot, table * SLOTS
 * + index. The model keeps, for each live one, the id it was derived from
 * (NONE for an original), its rights and its depth; its table is in its
 * id. A revocation in steps deletes a prefix of its capability's tree in
 * pre-order, so whatever a deleted one had derived is, in the model, now
 * derived from the capability being revoked: the order says so too
 * (cap_parent()), and the next steps delete it.
 *
 * Deriving from a capability whose own revocation is half done is
 * refused (KEEL_ERR_BUSY, handle_revoking()): the new one would be put
 * before the deeper ones that wait to be deleted, and cap_parent(),
 * cap_derived_count() and handle_free() would take them for derived from
 * it. The sequence still tries it now and then and expects BUSY.
 */

#define TABLES 4
#define CAPS   (TABLES * SLOTS)
#define STEPS  40000
#define NONE   (-1)

struct mcap {
	bool live;
	bool revoking; /* a revocation of it is half done */
	int parent;    /* the id it was derived from, or NONE */
	unsigned type, rights, depth;
	uint32_t object, badge, generation;
};

/* What the sequence met, so that it is known to test what it claims. */
struct tally {
	unsigned derive[32], move[32], get[32]; /* by -status */
	unsigned partial, completed, busy, half_done, from_leftover, deleted, depth;
};

static struct run {
	struct table tab[TABLES];
	struct mcap cap[CAPS];
	keel_handle_t stale[64]; /* handles freed: refused from then on */
	unsigned stale_table[64], nstale;
	uint64_t seed, state;
	unsigned step, live;
	uint32_t objects;
	struct tally y;
} run;

/* Fail, saying where in the sequence. */
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("seed %#llx, step %u: %s (line %d)",                              \
			         (unsigned long long)run.seed, run.step, #cond, __LINE__);         \
	} while (0)

static uint64_t rnd(void)
{
	run.state ^= run.state << 13;
	run.state ^= run.state >> 7;
	run.state ^= run.state << 17;
	return run.state;
}

static struct handle_slot *slot_at(unsigned id)
{
	return &run.tab[id / SLOTS].slot[id % SLOTS];
}

static struct handle_table *table_at(unsigned id)
{
	return &run.tab[id / SLOTS].t;
}

static keel_handle_t handle_to(unsigned id)
{
	return HANDLE(id % SLOTS, run.cap[id].generation);
}

/* The id of slot @p s (NONE for NULL); a slot outside the tables fails. */
static int id_of(const struct handle_slot *s)
{
	if (s == NULL)
		return NONE;
	for (unsigned k = 0; k < TABLES; k++)
		if (s >= run.tab[k].slot && s < run.tab[k].slot + SLOTS)
			return (int)(k * SLOTS + (unsigned)(s - run.tab[k].slot));
	EXPECT(!"a link to a slot of no table");
	return NONE;
}

static unsigned lowest_free(unsigned k)
{
	unsigned i = 0;

	while (i < SLOTS && run.cap[k * SLOTS + i].live)
		i++;
	return i;
}

/* A live capability, from a random place on (NONE if there is none). */
static int pick_live(void)
{
	unsigned start = (unsigned)(rnd() % CAPS);

	for (unsigned i = 0; i < CAPS; i++)
		if (run.cap[(start + i) % CAPS].live)
			return (int)((start + i) % CAPS);
	return NONE;
}

static bool derived_from(unsigned d, unsigned a)
{
	for (int p = run.cap[d].parent; p != NONE; p = run.cap[p].parent)
		if (p == (int)a)
			return true;
	return false;
}

/* Is a revocation of @p id or of one it was derived from half done? */
static bool under_revocation(unsigned id)
{
	for (int p = (int)id; p != NONE; p = run.cap[p].parent)
		if (run.cap[p].revoking)
			return true;
	return false;
}

static unsigned model_count(unsigned a)
{
	unsigned n = 0;

	for (unsigned id = 0; id < CAPS; id++)
		n += run.cap[id].live && derived_from(id, a);
	return n;
}

static void model_fill(unsigned id, struct mcap c)
{
	c.generation = run.cap[id].generation;
	c.live = true;
	run.cap[id] = c;
	run.live++;
	if (c.depth > run.y.depth)
		run.y.depth = c.depth;
}

static void model_free(unsigned id)
{
	uint32_t g = run.cap[id].generation;

	run.stale[run.nstale % 64] = handle_to(id);
	run.stale_table[run.nstale++ % 64] = id / SLOTS;
	run.cap[id] = (struct mcap){.parent = NONE, .generation = g == GEN_MAX ? 1 : g + 1};
	run.live--;
}

static void op_original(void)
{
	unsigned k = rnd() % TABLES, i = lowest_free(k);
	unsigned type = 1 + rnd() % KEEL_OBJ_LAST, rights = rnd() & ALL;
	keel_handle_t h = -7;
	kstatus_t got = handle_alloc(&run.tab[k].t, type, ++run.objects, rights, &h);

	EXPECT(got == (i == SLOTS ? KEEL_ERR_LIMIT : KEEL_OK));
	if (got != KEEL_OK)
		return;
	EXPECT(h == HANDLE(i, run.cap[k * SLOTS + i].generation));
	model_fill(
	    k * SLOTS + i,
	    (struct mcap){.parent = NONE, .type = type, .rights = rights, .object = run.objects});
}

/* Rights to ask for: mostly a part of @p have, sometimes one more, sometimes any bits. */
static unsigned pick_rights(unsigned have)
{
	uint64_t r = rnd();

	switch (r % 8) {
	case 0:
		return (unsigned)(r >> 8) & 0x3ff;
	case 1:
		return have | 1u << ((r >> 8) % 9);
	default:
		return have & (unsigned)(r >> 8);
	}
}

static kstatus_t derive_want(const struct mcap *from, unsigned k, unsigned rights)
{
	if ((rights & ~(unsigned)ALL) != 0)
		return KEEL_ERR_INVALID;
	if ((rights & ~from->rights) != 0)
		return KEEL_ERR_DENIED;
	if (from->depth >= HANDLE_DEPTH_MAX || lowest_free(k) == SLOTS)
		return KEEL_ERR_LIMIT;
	return KEEL_OK;
}

static void op_derive(void)
{
	int from = pick_live();

	if (from == NONE)
		return;
	const struct mcap *f = &run.cap[from];
	unsigned k = rnd() % TABLES, rights = pick_rights(f->rights), i = lowest_free(k);
	uint32_t badge = (uint32_t)rnd();
	keel_handle_t h = -7;
	kstatus_t want = derive_want(f, k, rights);

	/* Half revoked with a gap after it (see above): refused, once the
	 * other checks pass. Without a gap the new one is its child like any
	 * other, and the revocation under way will take it. */
	if (want == KEEL_OK && f->revoking && handle_revoking(slot_at(from)))
		want = KEEL_ERR_BUSY;
	EXPECT(!handle_revoking(slot_at(from)) || f->revoking); /* a gap only while revoking */

	EXPECT(cap_derive(slot_at(from), &run.tab[k].t, rights, badge, &h) == want);
	run.y.derive[-want]++;
	if (want != KEEL_OK) {
		EXPECT(h == -7);
		return;
	}
	EXPECT(h == HANDLE(i, run.cap[k * SLOTS + i].generation));
	run.y.from_leftover += under_revocation(from);
	model_fill(k * SLOTS + i, (struct mcap){.parent = from,
	                                        .type = f->type,
	                                        .rights = rights,
	                                        .depth = f->depth + 1,
	                                        .object = f->object,
	                                        .badge = badge});
}

static void op_move(void)
{
	int from = pick_live();
	unsigned k = rnd() % TABLES, i = lowest_free(k), to = k * SLOTS + i;
	keel_handle_t h = -7;

	if (from == NONE)
		return;
	kstatus_t want = i == SLOTS ? KEEL_ERR_LIMIT : KEEL_OK;
	EXPECT(handle_move(slot_at(from), &run.tab[k].t, &h) == want);
	run.y.move[-want]++;
	if (want != KEEL_OK) {
		EXPECT(h == -7);
		return;
	}
	EXPECT(h == handle_to(to));
	struct mcap c = run.cap[from];
	model_free(from);
	model_fill(to, c); /* a revocation half done goes with it */
	for (unsigned id = 0; id < CAPS; id++)
		if (run.cap[id].live && run.cap[id].parent == (int)from)
			run.cap[id].parent = (int)to;
}

/* Which live capabilities of the model the tables have deleted: each
 * derived from @p s, each told to the hook once, their ancestors up to
 * @p s deleted before them (a prefix of the order). */
static unsigned find_deleted(unsigned s, bool *gone)
{
	unsigned n = 0;

	for (unsigned id = 0; id < CAPS; id++) {
		gone[id] = run.cap[id].live && slot_at(id)->generation != run.cap[id].generation;
		if (!gone[id])
			continue;
		n++;
		EXPECT(slot_at(id)->type == KEEL_OBJ_NONE);
		EXPECT(derived_from(id, s));
		EXPECT(times_deleted(slot_at(id), handle_to(id)) == 1);
	}
	for (unsigned id = 0; id < CAPS; id++)
		if (gone[id])
			EXPECT(run.cap[id].parent == (int)s || gone[run.cap[id].parent]);
	return n;
}

/* Revoke @p s by up to @p budget steps (0: wholly), check what went, and
 * give what the deleted ones had derived to @p s. */
static void revoke(unsigned s, unsigned budget)
{
	static bool gone[CAPS];
	unsigned had = model_count(s), n = had;

	deleted.n = 0;
	if (budget == 0)
		cap_revoke_all(slot_at(s));
	else
		n = cap_revoke(slot_at(s), budget);
	EXPECT(n == (budget == 0 || had < budget ? had : budget));
	EXPECT(find_deleted(s, gone) == n && deleted.n == n);
	for (unsigned id = 0; id < CAPS; id++)
		if (run.cap[id].live && !gone[id] && run.cap[id].parent != NONE &&
		    gone[run.cap[id].parent])
			run.cap[id].parent = (int)s;
	for (unsigned id = 0; id < CAPS; id++)
		if (gone[id])
			model_free(id);
	run.y.deleted += n;
	run.y.completed += run.cap[s].revoking && n == had;
	run.cap[s].revoking = n < had;
	run.y.partial += n < had;
	EXPECT(handle_has_derived(slot_at(s)) == run.cap[s].revoking);
}

static void op_revoke(void)
{
	int s = pick_live();
	unsigned mode = rnd() % 4; /* wholly, by CAP_REVOKE_STEP, or a step or three */

	if (s != NONE)
		revoke((unsigned)s, mode == 0 ? 0 : mode == 1 ? CAP_REVOKE_STEP : 1 + rnd() % 3);
}

/* Go on with a revocation half done, if there is one. */
static void op_resume(void)
{
	unsigned start = rnd() % CAPS;

	for (unsigned i = 0; i < CAPS; i++) {
		unsigned id = (start + i) % CAPS;
		if (run.cap[id].revoking) {
			revoke(id, 1 + rnd() % 4);
			return;
		}
	}
	op_revoke();
}

/* Delete one: a free, refused while something is derived from it; then
 * revoke it wholly and free it. */
static void op_delete(void)
{
	int c = pick_live();

	if (c == NONE)
		return;
	bool has = model_count((unsigned)c) > 0;
	EXPECT(handle_free(table_at(c), handle_to(c)) == (has ? KEEL_ERR_BUSY : KEEL_OK));
	if (has) {
		run.y.busy++;
		revoke((unsigned)c, 0);
		deleted.n = 0;
		EXPECT(handle_free(table_at(c), handle_to(c)) == KEEL_OK);
		EXPECT(deleted.n == 0); /* a free is not a revocation */
	}
	model_free(c);
}

static kstatus_t model_get(unsigned k, keel_handle_t h, unsigned type, unsigned rights)
{
	unsigned i = (uint32_t)h & INDEX_MASK;
	const struct mcap *c;

	if (h < 0 || i >= SLOTS)
		return KEEL_ERR_BAD_HANDLE;
	c = &run.cap[k * SLOTS + i];
	if (!c->live || c->generation != (uint32_t)h >> KEEL_HANDLE_INDEX_BITS)
		return KEEL_ERR_BAD_HANDLE;
	if (type != KEEL_OBJ_NONE && c->type != type)
		return KEEL_ERR_WRONG_TYPE;
	return (c->rights & rights) == rights ? KEEL_OK : KEEL_ERR_DENIED;
}

/* A lookup by a handle that is live, stale, out of the table or any number. */
static void op_lookup(void)
{
	uint64_t r = rnd();
	unsigned k = r % TABLES, type = (r >> 8) % (KEEL_OBJ_LAST + 1);
	unsigned rights = (r >> 12) % 4 ? 0 : (unsigned)(r >> 16) & ALL;
	int live = pick_live();
	keel_handle_t h = (keel_handle_t)(uint32_t)(r >> 32);
	const struct handle_slot *s = NULL;

	if ((r >> 28) % 4 == 0 && run.nstale > 0) {
		unsigned j = (unsigned)(r >> 40) % (run.nstale < 64 ? run.nstale : 64);
		h = run.stale[j];
		k = run.stale_table[j];
	} else if ((r >> 28) % 4 == 1 && live != NONE) {
		h = handle_to(live);
		k = live / SLOTS;
	} else if ((r >> 28) % 4 == 2) {
		h = HANDLE((unsigned)(r >> 40) % (SLOTS + 8), (uint32_t)(r >> 50) % 4);
	}
	kstatus_t want = model_get(k, h, type, rights);
	EXPECT(handle_get(&run.tab[k].t, h, type, rights, &s) == want);
	run.y.get[-want]++;
	if (want == KEEL_OK)
		EXPECT(s == &run.tab[k].slot[h & INDEX_MASK]);
}

/* Slot @p id agrees with the model; @p count is how many the model has derived from it. */
static void check_cap(unsigned id, unsigned count)
{
	const struct mcap *c = &run.cap[id];
	const struct handle_slot *s = slot_at(id);

	EXPECT(s->generation == c->generation);
	if (c->generation > 1 || (id % SLOTS == 0 && c->generation > 0)) /* the last one stale */
		EXPECT(get_status_of(table_at(id), HANDLE(id % SLOTS, c->generation - 1)) ==
		       KEEL_ERR_BAD_HANDLE);
	if (!c->live) {
		EXPECT(s->type == KEEL_OBJ_NONE);
		return;
	}
	EXPECT(s->type == c->type && s->rights == c->rights && s->object == c->object);
	EXPECT(s->badge == c->badge && s->depth == c->depth);
	EXPECT(id_of(cap_parent(s)) == c->parent);
	if (c->parent == NONE) {
		EXPECT(c->depth == 0);
	} else {
		const struct mcap *p = &run.cap[c->parent];
		EXPECT(p->live); /* no dangling child */
		EXPECT(p->object == c->object && p->type == c->type);
		/* One deeper, or more while a revocation over it is half done. */
		EXPECT(under_revocation(id) ? c->depth > p->depth : c->depth == p->depth + 1);
	}
	EXPECT(cap_derived_count(s) == count);
	EXPECT(handle_has_derived(s) == (count > 0));
}

static void check_all(void)
{
	static unsigned count[CAPS];
	unsigned used[TABLES] = {0}, total = 0;

	memset(count, 0, sizeof(count));
	for (unsigned id = 0; id < CAPS; id++) {
		if (!run.cap[id].live)
			continue;
		used[id / SLOTS]++;
		for (int p = run.cap[id].parent; p != NONE; p = run.cap[p].parent)
			count[p]++;
	}
	for (unsigned k = 0; k < TABLES; k++) {
		EXPECT(handle_table_check(&run.tab[k].t) == KEEL_OK);
		EXPECT(run.tab[k].t.used == used[k]); /* no leak */
		total += run.tab[k].t.used;
	}
	EXPECT(total == run.live);
	for (unsigned id = 0; id < CAPS; id++)
		check_cap(id, count[id]);
	for (unsigned j = 0; j < run.nstale && j < 64; j++)
		EXPECT(get_status_of(&run.tab[run.stale_table[j]].t, run.stale[j]) ==
		       KEEL_ERR_BAD_HANDLE);
}

static void finish_revocations(void)
{
	for (unsigned id = 0; id < CAPS; id++)
		if (run.cap[id].revoking)
			revoke(id, 0);
}

static bool any_revoking(void)
{
	for (unsigned id = 0; id < CAPS; id++)
		if (run.cap[id].revoking)
			return true;
	return false;
}

/* The operations, and how often each runs (of 100) while the tables fill
 * up and while they drain. */
static void (*const op[])(void) = {op_original, op_derive, op_move,  op_revoke,
                                   op_resume,   op_delete, op_lookup};
static const unsigned weight[2][7] = {{3, 55, 12, 3, 5, 2, 20}, {3, 25, 12, 6, 5, 12, 37}};

static void one_step(void)
{
	unsigned r = rnd() % 100, i = 0;
	const unsigned *w = weight[run.step / 1000 % 2];

	while (r >= w[i])
		r -= w[i++];
	op[run.live < 4 ? 0 : i]();
	if (run.step % 1000 == 999)
		finish_revocations(); /* now and then, none half done */
	run.y.half_done += any_revoking();
}

static void matches_model_on_random_sequences(void **state)
{
	(void)state;
	memset(&run, 0, sizeof(run));
	run.seed = run.state = 0x6b65656c2d636170ULL; /* "keel-cap" */
	print_message("# random sequence: seed %#llx, %u steps\n", (unsigned long long)run.seed,
	              STEPS);
	for (unsigned id = 0; id < CAPS; id++) {
		if (id % SLOTS == 0)
			fresh(&run.tab[id / SLOTS]);
		run.cap[id] = (struct mcap){.parent = NONE, .generation = id % SLOTS ? 1 : 0};
	}
	for (run.step = 0; run.step < STEPS; run.step++) {
		one_step();
		check_all();
	}
	finish_revocations();
	check_all();
	/* The sequence must have met every outcome, or it tested less than it claims. */
	struct tally *y = &run.y;
	print_message("# derived %u, moved %u, deleted %u, %u revocations left half done, "
	              "%u steps with one, depth %u\n",
	              y->derive[0], y->move[0], y->deleted, y->partial, y->half_done, y->depth);
	EXPECT(y->derive[0] > 2000 && y->derive[-KEEL_ERR_DENIED] > 200);
	EXPECT(y->derive[-KEEL_ERR_INVALID] > 100 && y->derive[-KEEL_ERR_LIMIT] > 100);
	EXPECT(y->derive[-KEEL_ERR_BUSY] > 0); /* derivation from a half-revoked one, refused */
	EXPECT(y->move[0] > 1000 && y->move[-KEEL_ERR_LIMIT] > 100);
	EXPECT(y->partial > 500 && y->completed > 200 && y->half_done > STEPS / 5);
	EXPECT(y->busy > 500 && y->from_leftover > 50 && y->depth > 6);
	EXPECT(y->get[0] > 300 && y->get[-KEEL_ERR_BAD_HANDLE] > 1000);
	EXPECT(y->get[-KEEL_ERR_WRONG_TYPE] > 100 && y->get[-KEEL_ERR_DENIED] > 50);
}

/* cap_derived_upto() counts like cap_derived_count(), up to its bound. */
static void derived_upto_stops_at_its_bound(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	struct handle_slot *o = original(t, 5), *last = o;

	for (unsigned i = 0; i < 10; i++)
		last = derive(i % 2 ? last : o, t, KEEL_RIGHT_DERIVE, 0);
	assert_int_equal(cap_derived_count(o), 10);
	assert_int_equal(cap_derived_upto(o, 100), 10);
	assert_int_equal(cap_derived_upto(o, 10), 10);
	assert_int_equal(cap_derived_upto(o, 4), 4);
	assert_int_equal(cap_derived_upto(o, 0), 0);
	assert_int_equal(cap_derived_upto(last, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(derive_puts_the_new_one_right_after_its_source, watch_deletions),
	    cmocka_unit_test_setup(derive_refuses_rights_its_source_lacks, watch_deletions),
	    cmocka_unit_test_setup(derive_into_a_full_table_is_limit, watch_deletions),
	    cmocka_unit_test_setup(derive_past_the_depth_limit_is_limit, watch_deletions),
	    cmocka_unit_test_setup(link_derived_puts_a_copy_right_after_its_source,
	                           watch_deletions),
	    cmocka_unit_test_setup(revoke_deletes_a_child_and_keeps_the_capability,
	                           watch_deletions),
	    cmocka_unit_test_setup(revoke_deletes_every_grandchild_of_a_chain, watch_deletions),
	    cmocka_unit_test_setup(revoke_deletes_a_wide_tree, watch_deletions),
	    cmocka_unit_test_setup(revoke_deletes_a_deep_chain, watch_deletions),
	    cmocka_unit_test_setup(revoke_in_budgeted_steps, watch_deletions),
	    cmocka_unit_test_setup(revoke_leaves_all_else_alone, watch_deletions),
	    cmocka_unit_test_setup(parent_and_count_while_a_revocation_is_half_done,
	                           watch_deletions),
	    cmocka_unit_test_setup(revoke_stops_where_what_was_derived_ends, watch_deletions),
	    cmocka_unit_test_setup(revoke_follows_moved_capabilities, watch_deletions),
	    cmocka_unit_test_setup(derived_upto_stops_at_its_bound, watch_deletions),
	    cmocka_unit_test_setup(matches_model_on_random_sequences, watch_deletions),
	};

	return cmocka_run_group_tests_name("cap", tests, NULL, NULL);
}
