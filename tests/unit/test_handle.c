/*
 * test_handle.c - host unit tests for kernel/user/handle.c, a task's handle table.
 *
 * A handle is the only name a task has for a kernel object, so the table
 * must never let one name the wrong object: not after the slot is reused
 * (the generation), not as another type, not with a right it lacks, not
 * past the end of its table (whose size is the caller's), and not as a
 * negative number (errors and handles share a register). The tests fill
 * tables of 64 slots, of KEEL_HANDLES_MAX and of 5 to KEEL_ERR_LIMIT, free
 * and reuse slots, refuse stale, out-of-range, mistyped and
 * underprivileged handles in the contract's order, and wrap a generation.
 * They check the seam slice 5 builds on: each slot's place in its
 * object's derivation order (prev, next, depth) through a move to another
 * table and a free, and that a slot with something derived from it is
 * not freed. handle_table_check() must catch each kind of corruption.
 * Last, a seeded random sequence of installs, allocations, moves, frees
 * and lookups, valid and not, is compared at every step with a model that
 * keeps each slot as four plain numbers.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/handle.h>

#define SLOTS      64 /* the size of most tables here */
#define GEN_MAX    ((1u << (31 - KEEL_HANDLE_INDEX_BITS)) - 1)
#define INDEX_MASK ((uint32_t)KEEL_HANDLES_MAX - 1)
#define TASK       KEEL_OBJ_TASK
#define THREAD     KEEL_OBJ_THREAD
#define ALL        KEEL_RIGHT_ALL
#define LAST_TYPE  KEEL_OBJ_LAST
#define HANDLE(index, generation)                                                                  \
	((keel_handle_t)((index) | (generation) << KEEL_HANDLE_INDEX_BITS))

/* A table of SLOTS with its storage, so a test can copy both and compare. */
struct table {
	struct handle_table t;
	struct handle_slot slot[SLOTS];
};

static void expect_sane(const struct handle_table *t)
{
	assert_int_equal(handle_table_check(t), KEEL_OK);
}

/* Make @p t a table of @p size slots at @p storage, both filled with junk
 * first, so that init must set every field. */
static void fresh_sized(struct handle_table *t, struct handle_slot *storage, uint32_t size)
{
	memset(t, 0x5a, sizeof(*t));
	memset(storage, 0x5a, size * sizeof(*storage));
	handle_table_init(t, storage, size);
	expect_sane(t);
}

static struct handle_table *fresh(struct table *tab)
{
	fresh_sized(&tab->t, tab->slot, SLOTS);
	return &tab->t;
}

static keel_handle_t alloc_ok(struct handle_table *t, unsigned type, uint32_t object,
                              unsigned rights)
{
	keel_handle_t h = -1;

	assert_int_equal(handle_alloc(t, type, object, rights, &h), KEEL_OK);
	assert_true(h >= 0);
	expect_sane(t);
	return h;
}

static const struct handle_slot *get_ok(const struct handle_table *t, keel_handle_t h,
                                        unsigned type, unsigned rights)
{
	const struct handle_slot *s = NULL;

	assert_int_equal(handle_get(t, h, type, rights, &s), KEEL_OK);
	assert_non_null(s);
	return s;
}

static kstatus_t get_status(const struct handle_table *t, keel_handle_t h, unsigned type,
                            unsigned rights)
{
	const struct handle_slot *s = NULL;
	kstatus_t status = handle_get(t, h, type, rights, &s);

	if (status != KEEL_OK)
		assert_null(s); /* out is untouched on error */
	return status;
}

/* The slot @p h names, writable: the tests build derivation orders by hand. */
static struct handle_slot *slot_of(struct handle_table *t, keel_handle_t h)
{
	return (struct handle_slot *)get_ok(t, h, KEEL_OBJ_NONE, 0);
}

/* Put @p s (alone) right after @p prev in its derivation order at @p depth:
 * by hand what slice 5's cap_link_derived() does. */
static void link_after(struct handle_slot *prev, struct handle_slot *s, unsigned depth)
{
	s->depth = (uint16_t)depth;
	s->prev = prev;
	s->next = prev->next;
	if (prev->next != NULL)
		prev->next->prev = s;
	prev->next = s;
}

/* @p s is alone in its order: an original with nothing derived from it. */
static void expect_alone(const struct handle_slot *s)
{
	assert_null(s->prev);
	assert_null(s->next);
	assert_int_equal(s->depth, 0);
	assert_false(handle_has_derived(s));
}

/* --------------------------------------------------------------------------
 * The contract, case by case.
 */

static void init_empties_every_slot(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);

	assert_ptr_equal(t->slot, tab.slot);
	assert_int_equal(t->size, SLOTS);
	assert_int_equal(t->used, 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct handle_slot *s = &t->slot[i];
		assert_int_equal(s->type, KEEL_OBJ_NONE);
		assert_int_equal(s->rights | s->object | s->badge | s->reserved, 0);
		expect_alone(s);
		assert_ptr_equal(s->table, t);
		assert_int_equal(handle_index(s), i);
		assert_int_equal(s->generation, i == 0 ? 0 : 1);
		assert_int_equal(handle_of(t, i), HANDLE(i, i == 0 ? 0u : 1u));
		assert_int_equal(get_status(t, handle_of(t, i), KEEL_OBJ_NONE, 0),
		                 KEEL_ERR_BAD_HANDLE);
	}
	assert_int_equal(handle_of(t, SLOTS), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_of(t, KEEL_HANDLES_MAX), KEEL_ERR_BAD_HANDLE);
}

/* A table of 5: init writes no slot past the 5th, and no handle reaches past it. */
static void a_small_table_ends_at_its_size(void **state)
{
	(void)state;
	static const unsigned past[] = {5, 6, SLOTS - 1, SLOTS, KEEL_HANDLES_MAX - 1};
	struct handle_slot storage[6], guard;
	struct handle_table t;
	keel_handle_t h = 12345;

	memset(&guard, 0xa5, sizeof(guard));
	storage[5] = guard;
	fresh_sized(&t, storage, 5);
	assert_memory_equal(&storage[5], &guard, sizeof(guard));
	assert_int_equal(handle_install(&t, 5, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(alloc_ok(&t, TASK, 1 + i, ALL), HANDLE(i, i == 0 ? 0u : 1u));
	assert_int_equal(handle_alloc(&t, TASK, 9, ALL, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	for (unsigned i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		assert_int_equal(handle_of(&t, past[i]), KEEL_ERR_BAD_HANDLE);
		for (uint32_t gen = 0; gen < 3; gen++) {
			assert_int_equal(get_status(&t, HANDLE(past[i], gen), KEEL_OBJ_NONE, 0),
			                 KEEL_ERR_BAD_HANDLE);
			assert_int_equal(handle_free(&t, HANDLE(past[i], gen)),
			                 KEEL_ERR_BAD_HANDLE);
		}
	}
	assert_int_equal(t.used, 5);
	expect_sane(&t);
	assert_memory_equal(&storage[5], &guard, sizeof(guard));
}

/* A table of KEEL_HANDLES_MAX: every index a handle can hold is a slot. */
static void a_table_of_the_most_slots_fills_every_index(void **state)
{
	(void)state;
	static struct handle_slot storage[KEEL_HANDLES_MAX];
	struct handle_table t;
	keel_handle_t h = 12345;

	fresh_sized(&t, storage, KEEL_HANDLES_MAX);
	for (unsigned i = 0; i < KEEL_HANDLES_MAX; i++) {
		assert_int_equal(handle_alloc(&t, THREAD, i, i % 16, &h), KEEL_OK);
		assert_int_equal(h, HANDLE(i, i == 0 ? 0u : 1u));
	}
	assert_int_equal(t.used, KEEL_HANDLES_MAX);
	assert_int_equal(handle_alloc(&t, THREAD, 1, ALL, &h), KEEL_ERR_LIMIT);
	expect_sane(&t);
	assert_int_equal(get_ok(&t, HANDLE(KEEL_HANDLES_MAX - 1, 1u), THREAD, 0)->object,
	                 KEEL_HANDLES_MAX - 1);
	assert_int_equal(handle_free(&t, HANDLE(KEEL_HANDLES_MAX - 1, 1u)), KEEL_OK);
	assert_int_equal(handle_free(&t, HANDLE(KEEL_HANDLES_MAX - 1, 1u)), KEEL_ERR_BAD_HANDLE);
	/* The largest handle there is: the last slot at the last generation. */
	storage[KEEL_HANDLES_MAX - 1].generation = GEN_MAX;
	assert_int_equal(alloc_ok(&t, TASK, 7, ALL), INT32_MAX);
	assert_int_equal(get_ok(&t, INT32_MAX, TASK, ALL)->object, 7);
	assert_int_equal(t.used, KEEL_HANDLES_MAX);
}

static void install_in_slot_zero_gives_keel_self(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h = -1;

	assert_int_equal(handle_install(t, 0, TASK, 42, ALL, &h), KEEL_OK);
	assert_int_equal(h, KEEL_SELF);
	expect_sane(t);
	const struct handle_slot *s = get_ok(t, KEEL_SELF, TASK, KEEL_RIGHT_KILL);
	assert_int_equal(s->object, 42);
	assert_int_equal(s->badge, 0);
	assert_ptr_equal(s->table, t);
	expect_alone(s);
	assert_int_equal(handle_install(t, 0, TASK, 43, ALL, &h), KEEL_ERR_BUSY);
	/* Closed, the self handle is stale for good: slot 0 never returns to generation 0. */
	assert_int_equal(handle_free(t, KEEL_SELF), KEEL_OK);
	assert_int_equal(handle_install(t, 0, TASK, 42, ALL, &h), KEEL_OK);
	assert_int_equal(h, HANDLE(0, 1u));
	assert_int_equal(get_status(t, KEEL_SELF, TASK, 0), KEEL_ERR_BAD_HANDLE);
	expect_sane(t);
}

static void install_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	struct table tab, before;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h = 12345;

	before = tab;
	assert_int_equal(handle_install(t, SLOTS, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(t, KEEL_HANDLES_MAX, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(t, UINT_MAX, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(t, 3, KEEL_OBJ_NONE, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(t, 3, LAST_TYPE + 1, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(t, 3, TASK, 1, ALL + 1, &h), KEEL_ERR_INVALID);
	assert_int_equal(h, 12345);
	assert_memory_equal(&tab, &before, sizeof(tab));
}

static void alloc_fills_the_lowest_slots_until_the_limit(void **state)
{
	(void)state;
	struct table tab, before;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h = 12345;

	for (unsigned i = 0; i < SLOTS; i++) {
		assert_int_equal(alloc_ok(t, i % 2 ? TASK : THREAD, 100 + i, i % 16),
		                 HANDLE(i, i == 0 ? 0u : 1u));
		assert_int_equal(t->used, i + 1);
		expect_alone(&t->slot[i]);
	}
	before = tab;
	assert_int_equal(handle_alloc(t, TASK, 7, ALL, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&tab, &before, sizeof(tab));
	/* A freed slot in the middle is the one taken next, at its next generation. */
	assert_int_equal(handle_free(t, HANDLE(37, 1u)), KEEL_OK);
	assert_int_equal(handle_free(t, HANDLE(41, 1u)), KEEL_OK);
	assert_int_equal(t->used, SLOTS - 2);
	assert_int_equal(alloc_ok(t, TASK, 7, ALL), HANDLE(37, 2u));
	assert_int_equal(alloc_ok(t, TASK, 8, ALL), HANDLE(41, 2u));
	assert_int_equal(handle_alloc(t, TASK, 9, ALL, &h), KEEL_ERR_LIMIT);
}

static void alloc_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	struct table tab, before;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h = 12345;

	before = tab;
	assert_int_equal(handle_alloc(t, KEEL_OBJ_NONE, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(t, LAST_TYPE + 1, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(t, 0xffff + TASK, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(t, TASK, 1, ALL + 1, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(t, TASK, 1, 1u << 16, &h), KEEL_ERR_INVALID);
	assert_int_equal(h, 12345);
	assert_memory_equal(&tab, &before, sizeof(tab));
}

static void a_stale_handle_is_refused_after_the_slot_is_reused(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	keel_handle_t self, old, reused;

	assert_int_equal(handle_install(t, 0, TASK, 1, ALL, &self), KEEL_OK);
	old = alloc_ok(t, THREAD, 10, ALL);
	assert_int_equal(handle_free(t, old), KEEL_OK);
	expect_sane(t);
	assert_int_equal(get_status(t, old, KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_free(t, old), KEEL_ERR_BAD_HANDLE);
	reused = alloc_ok(t, THREAD, 11, ALL);
	assert_int_equal(reused & INDEX_MASK, old & INDEX_MASK); /* the same slot */
	assert_int_not_equal(reused, old);
	assert_int_equal(get_status(t, old, THREAD, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_free(t, old), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(get_ok(t, reused, THREAD, 0)->object, 11);
	assert_int_equal(t->used, 2);
	expect_sane(t);
}

static void wrong_type_then_missing_rights_in_that_order(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h;

	h = alloc_ok(t, TASK, 5, KEEL_RIGHT_READ | KEEL_RIGHT_WAIT);
	assert_int_equal(get_status(t, h, THREAD, 0), KEEL_ERR_WRONG_TYPE);
	assert_int_equal(get_status(t, h, THREAD, KEEL_RIGHT_KILL), KEEL_ERR_WRONG_TYPE);
	assert_int_equal(get_status(t, h, TASK, KEEL_RIGHT_KILL), KEEL_ERR_DENIED);
	assert_int_equal(get_status(t, h, TASK, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE),
	                 KEEL_ERR_DENIED);
	assert_int_equal(get_status(t, h, KEEL_OBJ_NONE, ALL), KEEL_ERR_DENIED);
	assert_int_equal(get_status(t, h, TASK, KEEL_RIGHT_DERIVE), KEEL_ERR_DENIED);
	assert_int_equal(get_status(t, h, TASK, KEEL_RIGHT_MAP), KEEL_ERR_DENIED);
	get_ok(t, h, TASK, KEEL_RIGHT_READ | KEEL_RIGHT_WAIT);
	get_ok(t, h, KEEL_OBJ_NONE, 0);
	/* A handle with no rights at all is still a name: it can be looked up and closed. */
	h = alloc_ok(t, THREAD, 6, 0);
	get_ok(t, h, THREAD, 0);
	assert_int_equal(get_status(t, h, THREAD, KEEL_RIGHT_READ), KEEL_ERR_DENIED);
	assert_int_equal(handle_free(t, h), KEEL_OK);
	/* The rights slice 5 added are rights like the others. */
	h = alloc_ok(t, KEEL_OBJ_FRAMES, 7, KEEL_RIGHT_DERIVE | KEEL_RIGHT_MAP);
	get_ok(t, h, KEEL_OBJ_FRAMES, KEEL_RIGHT_MAP);
	assert_int_equal(get_status(t, h, KEEL_OBJ_FRAMES, KEEL_RIGHT_WRITE), KEEL_ERR_DENIED);
}

static void negative_and_foreign_handles_are_refused(void **state)
{
	(void)state;
	static const keel_handle_t bad[] = {-1,
	                                    INT32_MIN,
	                                    KEEL_ERR_BAD_HANDLE,
	                                    KEEL_ERR_MIN,
	                                    INT32_MAX,
	                                    HANDLE(1, 2u),
	                                    HANDLE(1, 0u),
	                                    HANDLE(2, 1u),
	                                    HANDLE(SLOTS, 1u),
	                                    HANDLE(SLOTS + 1, 0u),
	                                    HANDLE(0, GEN_MAX)};
	struct table tab, before;
	struct handle_table *t = fresh(&tab);
	keel_handle_t self;

	assert_int_equal(handle_install(t, 0, TASK, 1, ALL, &self), KEEL_OK);
	alloc_ok(t, THREAD, 2, ALL); /* slot 1, generation 1 */
	before = tab;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(get_status(t, bad[i], KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
		assert_int_equal(handle_free(t, bad[i]), KEEL_ERR_BAD_HANDLE);
	}
	assert_memory_equal(&tab, &before, sizeof(tab));
}

static void generations_wrap_within_19_bits_and_skip_zero(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	keel_handle_t h;

	t->slot[0].generation = GEN_MAX; /* as after 2^19 - 1 frees */
	t->slot[1].generation = GEN_MAX - 1;
	expect_sane(t);
	h = alloc_ok(t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(0, GEN_MAX));
	assert_int_equal(h, INT32_MAX - INDEX_MASK); /* the largest handle of slot 0 */
	assert_int_equal(handle_free(t, h), KEEL_OK);
	assert_int_equal(t->slot[0].generation, 1); /* not 0: KEEL_SELF stays stale */
	h = alloc_ok(t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(0, 1u));
	h = alloc_ok(t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(1, GEN_MAX - 1));
	assert_int_equal(handle_free(t, h), KEEL_OK);
	assert_int_equal(t->slot[1].generation, GEN_MAX);
	expect_sane(t);
}

/* --------------------------------------------------------------------------
 * The derivation order: what a free and a move keep true.
 */

/* In @p t: an original of object 9 in slot 0, then built by hand the order
 * o, c2, c1, g: c1 and c2 derived from o (c2 later, so first), g from c1. */
static void build_order(struct handle_table *t, struct handle_slot **o, struct handle_slot **c1,
                        struct handle_slot **c2, struct handle_slot **g)
{
	*o = slot_of(t, alloc_ok(t, THREAD, 9, ALL));
	*c1 = slot_of(t, alloc_ok(t, THREAD, 9, KEEL_RIGHT_READ));
	link_after(*o, *c1, 1);
	*c2 = slot_of(t, alloc_ok(t, THREAD, 9, KEEL_RIGHT_WRITE));
	link_after(*o, *c2, 1);
	*g = slot_of(t, alloc_ok(t, THREAD, 9, 0));
	link_after(*c1, *g, 2);
	expect_sane(t);
}

static void free_refuses_a_slot_with_something_derived_from_it(void **state)
{
	(void)state;
	struct table tab, before;
	struct handle_table *t = fresh(&tab);
	struct handle_slot *o, *c1, *c2, *g;

	build_order(t, &o, &c1, &c2, &g);
	assert_true(handle_has_derived(o) && handle_has_derived(c1));
	assert_false(handle_has_derived(c2)); /* the next, c1, is no deeper: a sibling */
	assert_false(handle_has_derived(g));
	before = tab;
	assert_int_equal(handle_free(t, HANDLE(0, 0u)), KEEL_ERR_BUSY);
	assert_int_equal(handle_free(t, HANDLE(1, 1u)), KEEL_ERR_BUSY);
	assert_memory_equal(&tab, &before, sizeof(tab));
	/* Leaves go, and their neighbours close up over them. */
	assert_int_equal(handle_free(t, HANDLE(2, 1u)), KEEL_OK); /* c2 */
	assert_ptr_equal(o->next, c1);
	assert_ptr_equal(c1->prev, o);
	expect_sane(t);
	assert_int_equal(handle_free(t, HANDLE(3, 1u)), KEEL_OK); /* g */
	assert_null(c1->next);
	assert_false(handle_has_derived(c1));
	expect_sane(t);
	assert_int_equal(handle_free(t, HANDLE(1, 1u)), KEEL_OK); /* c1 */
	expect_alone(o);
	assert_int_equal(handle_free(t, HANDLE(0, 0u)), KEEL_OK);
	assert_int_equal(t->used, 0);
	expect_sane(t);
}

/* Across tables too: what was derived into another table still holds its source. */
static void free_refuses_a_source_whose_derived_one_is_in_another_table(void **state)
{
	(void)state;
	struct table a, b;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o = slot_of(ta, alloc_ok(ta, TASK, 3, ALL));
	keel_handle_t hc = alloc_ok(tb, TASK, 3, KEEL_RIGHT_READ);

	link_after(o, slot_of(tb, hc), 1);
	expect_sane(ta);
	expect_sane(tb);
	assert_int_equal(handle_free(ta, HANDLE(0, 0u)), KEEL_ERR_BUSY);
	assert_int_equal(handle_free(tb, hc), KEEL_OK);
	expect_alone(o);
	assert_int_equal(handle_free(ta, HANDLE(0, 0u)), KEEL_OK);
	expect_sane(ta);
	expect_sane(tb);
	assert_int_equal(ta->used + tb->used, 0);
}

/* handle_free_slot() of a slot with derived ones, as a revocation does:
 * they stay, after its predecessor and deeper than it. */
static void free_slot_leaves_what_was_derived_after_the_one_before(void **state)
{
	(void)state;
	struct table tab;
	struct handle_table *t = fresh(&tab);
	struct handle_slot *o, *c1, *c2, *g;

	build_order(t, &o, &c1, &c2, &g);
	handle_free_slot(c1);
	assert_ptr_equal(c2->next, g);
	assert_ptr_equal(g->prev, c2);
	assert_int_equal(g->depth, 2);
	assert_int_equal(c1->type, KEEL_OBJ_NONE);
	expect_alone(c1);
	assert_int_equal(c1->generation, 2);
	assert_int_equal(get_status(t, HANDLE(1, 1u), KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(t->used, 3);
	handle_free_slot(c2); /* now g is two deeper than o: a revocation's gap */
	assert_ptr_equal(o->next, g);
	assert_ptr_equal(g->prev, o);
	assert_true(handle_has_derived(o));
	expect_sane(t);
}

static void move_keeps_the_place_in_derivation_order(void **state)
{
	(void)state;
	struct table a, b;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o, *c1, *c2, *g, *moved;
	keel_handle_t h = -1;

	build_order(ta, &o, &c1, &c2, &g); /* o, c2, c1, g in slots 0, 2, 1, 3 */
	c1->badge = 7;
	alloc_ok(tb, TASK, 1, ALL); /* b's slot 0 is taken */
	assert_int_equal(handle_move(c1, tb, &h), KEEL_OK);
	assert_int_equal(h, HANDLE(1, 1u));
	moved = &tb->slot[1];
	assert_ptr_equal(get_ok(tb, h, THREAD, KEEL_RIGHT_READ), moved);
	assert_int_equal(moved->object, 9);
	assert_int_equal(moved->rights, KEEL_RIGHT_READ);
	assert_int_equal(moved->badge, 7);
	assert_int_equal(moved->depth, 1);
	assert_ptr_equal(moved->table, tb);
	assert_ptr_equal(moved->prev, c2);
	assert_ptr_equal(moved->next, g);
	assert_ptr_equal(c2->next, moved);
	assert_ptr_equal(g->prev, moved);
	/* The old slot is empty and its handle stale. */
	assert_int_equal(c1->type, KEEL_OBJ_NONE);
	assert_int_equal(c1->rights | c1->object | c1->badge, 0);
	expect_alone(c1);
	assert_int_equal(get_status(ta, HANDLE(1, 1u), KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(ta->used, 3);
	assert_int_equal(tb->used, 2);
	expect_sane(ta);
	expect_sane(tb);
	assert_int_equal(handle_free(tb, h), KEEL_ERR_BUSY); /* g still comes from it */
}

/* The first and the last of an order move too, and a move within one table. */
static void move_the_ends_of_an_order_and_within_a_table(void **state)
{
	(void)state;
	struct table a, b;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o, *c1, *c2, *g, *o2, *g2, *c22;
	keel_handle_t h = -1;

	build_order(ta, &o, &c1, &c2, &g); /* o, c2, c1, g */
	assert_int_equal(handle_move(o, tb, &h), KEEL_OK);
	o2 = slot_of(tb, h);
	assert_true(o2->prev == NULL && o2->depth == 0 && o2->next == c2 && c2->prev == o2);
	assert_int_equal(handle_move(g, tb, &h), KEEL_OK);
	g2 = slot_of(tb, h);
	assert_true(g2->next == NULL && g2->depth == 2 && g2->prev == c1 && c1->next == g2);
	/* Within a table: to its lowest free slot, here below where it was. */
	assert_int_equal(handle_move(c2, ta, &h), KEEL_OK);
	assert_int_equal(h, HANDLE(0, 1u));
	c22 = slot_of(ta, h);
	assert_true(c22->prev == o2 && c22->next == c1 && o2->next == c22 && c1->prev == c22);
	assert_int_equal(c22->rights, KEEL_RIGHT_WRITE);
	assert_int_equal(c2->type, KEEL_OBJ_NONE);
	assert_int_equal(ta->used, 2);
	assert_int_equal(tb->used, 2);
	expect_sane(ta);
	expect_sane(tb);
	/* An original alone moves and stays alone. */
	keel_handle_t lone = alloc_ok(tb, TASK, 4, ALL);
	assert_int_equal(handle_move(slot_of(tb, lone), ta, &h), KEEL_OK);
	expect_alone(slot_of(ta, h));
	assert_int_equal(get_status(tb, lone, KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
	expect_sane(ta);
	expect_sane(tb);
}

static void move_to_a_full_table_is_limit_and_changes_nothing(void **state)
{
	(void)state;
	struct table a, b, a0, b0;
	struct handle_table *ta = fresh(&a), *tb = fresh(&b);
	struct handle_slot *o, *c1, *c2, *g;
	keel_handle_t h = 12345;

	build_order(ta, &o, &c1, &c2, &g);
	for (unsigned i = 0; i < SLOTS; i++)
		alloc_ok(tb, TASK, i, ALL);
	a0 = a;
	b0 = b;
	assert_int_equal(handle_move(c1, tb, &h), KEEL_ERR_LIMIT);
	assert_int_equal(handle_move(o, tb, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&a, &a0, sizeof(a));
	assert_memory_equal(&b, &b0, sizeof(b));
	/* Nor within a full table. */
	assert_int_equal(handle_move(&tb->slot[5], tb, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&b, &b0, sizeof(b));
}

/* One way to damage a slot's fields or the table's count. The table
 * starts as damage_base() makes it. */
static void damage_fields(struct handle_table *t, unsigned how)
{
	struct handle_slot *s = t->slot;

	switch (how) {
	case 0:
		t->used++;
		break;
	case 1:
		t->used--;
		break;
	case 2:
		s[5].rights = KEEL_RIGHT_READ;
		break; /* empty but with rights */
	case 3:
		s[5].object = 9;
		break; /* empty but names an object */
	case 4:
		s[5].badge = 1;
		break; /* empty but badged */
	case 5:
		s[5].depth = 1;
		break; /* empty but derived */
	case 6:
		s[1].type = LAST_TYPE + 1;
		break; /* unknown type */
	case 7:
		s[1].rights = ALL + 1;
		break; /* unknown right */
	case 8:
		s[1].reserved = 1;
		break;
	case 9:
		s[1].generation = GEN_MAX + 1;
		break; /* would make a negative handle */
	case 10:
		s[3].generation = 0;
		break; /* 0 is slot 0's alone */
	case 11:       /* no slots at all */
		t->size = 0;
		t->used = 0;
		break;
	case 12:
		t->size = KEEL_HANDLES_MAX + 1;
		break;
	default:
		s[6].type = TASK;
		break; /* live, but not counted */
	}
}

#define FIELD_DAMAGE 14

/* One way to damage the derivation order or the table pointers. */
static void damage_order(struct handle_table *t, struct handle_table *other, unsigned how)
{
	struct handle_slot *s = t->slot;

	switch (how) {
	case 0:
		s[5].prev = &s[1];
		break; /* empty but linked */
	case 1:
		s[5].next = &s[2];
		break;
	case 2:
		s[1].next = NULL;
		break; /* slot 2's prev does not point back */
	case 3:
		s[2].prev = &s[2];
		break;
	case 4:
		s[2].next = &s[2];
		break; /* a next that does not point back */
	case 5:        /* linked both ways to a slot naming another object */
		s[1].next = NULL;
		s[3].next = &s[2];
		s[2].prev = &s[3];
		break;
	case 6: /* the same object number, another type */
		s[1].next = NULL;
		s[4].next = &s[2];
		s[2].prev = &s[4];
		break;
	case 7:
		s[2].depth = 0;
		break; /* an original with a prev */
	case 8:        /* the same, its prev in a table not checked */
		other->slot[1] = (struct handle_slot){
		    .type = THREAD, .object = 2, .generation = 1, .next = &s[2], .table = other};
		s[1].next = NULL;
		s[2].prev = &other->slot[1];
		s[2].depth = 0;
		break;
	case 9:
		s[3].depth = 1;
		break; /* derived, but first in its order */
	case 10:
		s[5].table = other;
		break; /* an empty slot of another table */
	default:
		s[2].table = other;
		break; /* a live slot of another table */
	}
}

#define ORDER_DAMAGE 12

static void damage_base(struct handle_table *t)
{
	keel_handle_t h;

	assert_int_equal(handle_install(t, 0, TASK, 1, ALL, &h), KEEL_OK);
	alloc_ok(t, THREAD, 2, ALL);
	link_after(&t->slot[1], slot_of(t, alloc_ok(t, THREAD, 2, KEEL_RIGHT_READ)), 1);
	t->slot[2].badge = 7;
	alloc_ok(t, THREAD, 3, ALL);
	alloc_ok(t, TASK, 2, ALL);
	expect_sane(t);
}

static void check_catches_every_kind_of_damage(void **state)
{
	(void)state;
	struct table tab, other;
	struct handle_table *t;

	for (unsigned how = 0; how < FIELD_DAMAGE + ORDER_DAMAGE; how++) {
		t = fresh(&tab);
		damage_base(t);
		if (how < FIELD_DAMAGE)
			damage_fields(t, how);
		else
			damage_order(t, fresh(&other), how - FIELD_DAMAGE);
		if (handle_table_check(t) != KEEL_ERR_CORRUPT)
			fail_msg("damage %u not caught", how);
	}
	/* A slot more than one deeper than the one before it is a revocation
	 * under way, not damage; and a table may have a single slot. */
	t = fresh(&tab);
	damage_base(t);
	t->slot[2].depth = 5;
	expect_sane(t);
	t->size = 1;
	t->used = 1;
	expect_sane(t);
}

/* --------------------------------------------------------------------------
 * Seeded random sequences against a model.
 */

/* The model: each slot as four numbers; live when type is not KEEL_OBJ_NONE. */
struct model {
	unsigned type[SLOTS], rights[SLOTS];
	uint32_t object[SLOTS], generation[SLOTS];
	unsigned used;
	keel_handle_t seen[256]; /* handles given out, live or stale, to try again */
	unsigned nseen;
};

struct tally {
	unsigned status[32]; /* by -status */
	unsigned moved;
};

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static kstatus_t model_get(const struct model *m, keel_handle_t h, unsigned type, unsigned rights)
{
	unsigned i = (uint32_t)h & INDEX_MASK;

	if (h < 0 || i >= SLOTS || m->type[i] == KEEL_OBJ_NONE ||
	    m->generation[i] != (uint32_t)h >> KEEL_HANDLE_INDEX_BITS)
		return KEEL_ERR_BAD_HANDLE;
	if (type != KEEL_OBJ_NONE && m->type[i] != type)
		return KEEL_ERR_WRONG_TYPE;
	return (m->rights[i] & rights) == rights ? KEEL_OK : KEEL_ERR_DENIED;
}

static void model_fill(struct model *m, unsigned i, unsigned type, uint32_t object, unsigned rights,
                       keel_handle_t h)
{
	m->type[i] = type;
	m->object[i] = object;
	m->rights[i] = rights;
	m->used++;
	m->seen[m->nseen++ % 256] = h;
}

static void model_empty(struct model *m, unsigned i)
{
	m->type[i] = KEEL_OBJ_NONE;
	m->rights[i] = 0;
	m->object[i] = 0;
	m->generation[i] = m->generation[i] == GEN_MAX ? 1 : m->generation[i] + 1;
	m->used--;
}

/* The lowest free slot in the model, or SLOTS. */
static unsigned model_lowest_free(const struct model *m)
{
	unsigned i = 0;

	while (i < SLOTS && m->type[i] != KEEL_OBJ_NONE)
		i++;
	return i;
}

/* A handle to try: mostly one given out before, sometimes any number at
 * all, or one of any generation whose index may be past the table's end. */
static keel_handle_t pick_handle(const struct model *m, uint64_t r)
{
	if (m->nseen == 0 || r % 8 == 0)
		return (keel_handle_t)(uint32_t)(r >> 8);
	if (r % 8 == 1)
		return HANDLE((unsigned)(r >> 8) % (SLOTS + 8), (uint32_t)(r >> 16) % 4);
	return m->seen[(r >> 8) % (m->nseen < 256 ? m->nseen : 256)];
}

static void random_make(struct handle_table *t, struct model *m, uint64_t r, struct tally *y)
{
	unsigned type = (r >> 4) % (LAST_TYPE + 2), rights = (r >> 8) % (ALL + 5),
	         i = 0; /* some invalid */
	uint32_t object = (uint32_t)(r >> 32);
	bool install = (r >> 20) % 4 == 0;
	keel_handle_t h = -7;
	kstatus_t want, got;

	if (install) {
		i = (r >> 22) % (SLOTS + 2);
		want = i >= SLOTS || type == 0 || type > LAST_TYPE || rights > ALL
		           ? KEEL_ERR_INVALID
		       : m->type[i] != KEEL_OBJ_NONE ? KEEL_ERR_BUSY
		                                     : KEEL_OK;
		got = handle_install(t, i, type, object, rights, &h);
	} else {
		i = model_lowest_free(m);
		want = type == 0 || type > LAST_TYPE || rights > ALL ? KEEL_ERR_INVALID
		       : i == SLOTS                                  ? KEEL_ERR_LIMIT
		                                                     : KEEL_OK;
		got = handle_alloc(t, type, object, rights, &h);
	}
	assert_int_equal(got, want);
	y->status[-got]++;
	if (got != KEEL_OK) {
		assert_int_equal(h, -7);
		return;
	}
	assert_int_equal(h, HANDLE(i, m->generation[i]));
	model_fill(m, i, type, object, rights, h);
}

static void random_free(struct handle_table *t, struct model *m, uint64_t r, struct tally *y)
{
	keel_handle_t h = pick_handle(m, r);
	kstatus_t want = model_get(m, h, KEEL_OBJ_NONE, 0);

	assert_int_equal(handle_free(t, h), want);
	y->status[-want]++;
	if (want == KEEL_OK)
		model_empty(m, (uint32_t)h & INDEX_MASK);
}

/* Move a live slot to the table's lowest free slot (handle_move() takes a slot, not a handle). */
static void random_move(struct handle_table *t, struct model *m, uint64_t r, struct tally *y)
{
	unsigned from = (r >> 4) % SLOTS, to = model_lowest_free(m);
	keel_handle_t h = -7;
	kstatus_t got;

	if (m->type[from] == KEEL_OBJ_NONE)
		return;
	got = handle_move(&t->slot[from], t, &h);
	assert_int_equal(got, to == SLOTS ? KEEL_ERR_LIMIT : KEEL_OK);
	y->status[-got]++;
	if (got != KEEL_OK) {
		assert_int_equal(h, -7);
		return;
	}
	assert_int_equal(h, HANDLE(to, m->generation[to]));
	model_fill(m, to, m->type[from], m->object[from], m->rights[from], h);
	model_empty(m, from);
	y->moved++;
}

static void random_get(const struct handle_table *t, const struct model *m, uint64_t r,
                       struct tally *y)
{
	keel_handle_t h = pick_handle(m, r);
	unsigned type = (r >> 40) % 4, rights = (r >> 44) % 16;
	kstatus_t want = model_get(m, h, type, rights);
	const struct handle_slot *s = NULL;

	assert_int_equal(handle_get(t, h, type, rights, &s), want);
	y->status[-want]++;
	if (want != KEEL_OK)
		return;
	unsigned i = (uint32_t)h & INDEX_MASK;
	assert_ptr_equal(s, &t->slot[i]);
	assert_int_equal(s->object, m->object[i]);
	assert_int_equal(s->rights, m->rights[i]);
	assert_int_equal(s->type, m->type[i]);
}

/* The table and the model agree on every slot, and the table passes its own check. */
static void expect_model(const struct handle_table *t, const struct model *m)
{
	expect_sane(t);
	assert_int_equal(t->used, m->used);
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct handle_slot *s = &t->slot[i];
		assert_int_equal(s->type, m->type[i]);
		assert_int_equal(s->rights, m->rights[i]);
		assert_int_equal(s->object, m->object[i]);
		assert_int_equal(s->generation, m->generation[i]);
		assert_int_equal(handle_of(t, i), HANDLE(i, m->generation[i]));
		expect_alone(s); /* this file makes only originals */
	}
}

static void matches_model_on_random_sequences(void **state)
{
	(void)state;
	const uint64_t seed0 = 0x6b65656c2d68646cULL; /* "keel-hdl" */
	uint64_t seed = seed0;
	static struct table tab;
	static struct model m;
	struct handle_table *t = fresh(&tab);
	struct tally y = {0};

	print_message("# random sequence: seed %#llx, 50000 steps\n", (unsigned long long)seed0);
	m = (struct model){.generation = {0}};
	for (unsigned i = 0; i < SLOTS; i++)
		m.generation[i] = i == 0 ? 0 : 1;
	for (unsigned i = 8; i < 12; i++) /* a few slots near the wrap */
		t->slot[i].generation = m.generation[i] = GEN_MAX - 2;
	for (unsigned step = 0; step < 50000; step++) {
		uint64_t r = next_random(&seed);
		unsigned phase = (step / 1000) % 2; /* fill up, then drain */
		unsigned op = r % 16;

		r >>= 4;
		if (op < (phase ? 4u : 9u))
			random_make(t, &m, r, &y);
		else if (op < 12)
			random_free(t, &m, r, &y);
		else if (op < 13)
			random_move(t, &m, r, &y);
		else
			random_get(t, &m, r, &y);
		expect_model(t, &m);
	}
	/* The sequence must have met every outcome, or it tested less than it claims. */
	assert_true(y.status[0] > 5000 && y.status[-KEEL_ERR_INVALID] > 100);
	assert_true(y.status[-KEEL_ERR_LIMIT] > 100 && y.status[-KEEL_ERR_BUSY] > 100);
	assert_true(y.status[-KEEL_ERR_BAD_HANDLE] > 1000);
	assert_true(y.status[-KEEL_ERR_WRONG_TYPE] > 100 && y.status[-KEEL_ERR_DENIED] > 100);
	assert_true(y.moved > 500);
	for (unsigned i = 8; i < 12; i++)
		assert_true(m.generation[i] < GEN_MAX - 2); /* they wrapped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_empties_every_slot),
	    cmocka_unit_test(a_small_table_ends_at_its_size),
	    cmocka_unit_test(a_table_of_the_most_slots_fills_every_index),
	    cmocka_unit_test(install_in_slot_zero_gives_keel_self),
	    cmocka_unit_test(install_rejects_bad_arguments_and_changes_nothing),
	    cmocka_unit_test(alloc_fills_the_lowest_slots_until_the_limit),
	    cmocka_unit_test(alloc_rejects_bad_arguments_and_changes_nothing),
	    cmocka_unit_test(a_stale_handle_is_refused_after_the_slot_is_reused),
	    cmocka_unit_test(wrong_type_then_missing_rights_in_that_order),
	    cmocka_unit_test(negative_and_foreign_handles_are_refused),
	    cmocka_unit_test(generations_wrap_within_19_bits_and_skip_zero),
	    cmocka_unit_test(free_refuses_a_slot_with_something_derived_from_it),
	    cmocka_unit_test(free_refuses_a_source_whose_derived_one_is_in_another_table),
	    cmocka_unit_test(free_slot_leaves_what_was_derived_after_the_one_before),
	    cmocka_unit_test(move_keeps_the_place_in_derivation_order),
	    cmocka_unit_test(move_the_ends_of_an_order_and_within_a_table),
	    cmocka_unit_test(move_to_a_full_table_is_limit_and_changes_nothing),
	    cmocka_unit_test(check_catches_every_kind_of_damage),
	    cmocka_unit_test(matches_model_on_random_sequences),
	};

	return cmocka_run_group_tests_name("handle", tests, NULL, NULL);
}
