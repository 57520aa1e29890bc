/*
 * test_handle.c - host unit tests for kernel/user/handle.c, a task's handle table.
 *
 * A handle is the only name a task has for a kernel object, so the table
 * must never let one name the wrong object: not after the slot is reused
 * (the generation), not as another type, not with a right it lacks, and
 * not as a negative number (errors and handles share a register). The
 * tests fill the table to KEEL_ERR_LIMIT, free and reuse slots, refuse
 * stale, mistyped and underprivileged handles in the contract's order,
 * and wrap a generation; handle_table_check() must catch each kind of
 * corruption. Last, a seeded random sequence of installs, allocations,
 * frees and lookups, valid and not, is compared at every step with a
 * model that keeps each slot as four plain numbers.
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

#define SLOTS     KEEL_HANDLES_MAX
#define GEN_MAX   ((1u << (31 - KEEL_HANDLE_INDEX_BITS)) - 1)
#define TASK      KEEL_OBJ_TASK
#define THREAD    KEEL_OBJ_THREAD
#define ALL       KEEL_RIGHT_ALL
#define LAST_TYPE KEEL_OBJ_CHANNEL /* the highest object type the ABI has */
#define HANDLE(index, generation)                                                                  \
	((keel_handle_t)((index) | (generation) << KEEL_HANDLE_INDEX_BITS))

static void expect_sane(const struct handle_table *t)
{
	assert_int_equal(handle_table_check(t), KEEL_OK);
}

/* A table filled with junk first, so init must set every field. */
static void fresh(struct handle_table *t)
{
	memset(t, 0x5a, sizeof(*t));
	handle_table_init(t);
	expect_sane(t);
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

/* --------------------------------------------------------------------------
 * The contract, case by case.
 */

static void init_empties_every_slot(void **state)
{
	(void)state;
	struct handle_table t;

	fresh(&t);
	assert_int_equal(t.used, 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct handle_slot *s = &t.slot[i];
		assert_int_equal(s->type, KEEL_OBJ_NONE);
		assert_int_equal(s->rights | s->object | s->badge | s->reserved, 0);
		assert_int_equal(s->parent, -1);
		assert_int_equal(s->first_child, -1);
		assert_int_equal(s->next_sibling, -1);
		assert_int_equal(s->generation, i == 0 ? 0 : 1);
		assert_int_equal(handle_of(&t, i), HANDLE(i, i == 0 ? 0u : 1u));
		assert_int_equal(get_status(&t, handle_of(&t, i), KEEL_OBJ_NONE, 0),
		                 KEEL_ERR_BAD_HANDLE);
	}
	assert_int_equal(handle_of(&t, SLOTS), KEEL_ERR_BAD_HANDLE);
}

static void install_in_slot_zero_gives_keel_self(void **state)
{
	(void)state;
	struct handle_table t;
	keel_handle_t h = -1;

	fresh(&t);
	assert_int_equal(handle_install(&t, 0, TASK, 42, ALL, &h), KEEL_OK);
	assert_int_equal(h, KEEL_SELF);
	expect_sane(&t);
	const struct handle_slot *s = get_ok(&t, KEEL_SELF, TASK, KEEL_RIGHT_KILL);
	assert_int_equal(s->object, 42);
	assert_int_equal(s->badge, 0);
	assert_int_equal(s->parent, -1);
	assert_int_equal(s->first_child, -1);
	assert_int_equal(s->next_sibling, -1);
	assert_int_equal(handle_install(&t, 0, TASK, 43, ALL, &h), KEEL_ERR_BUSY);
	/* Closed, the self handle is stale for good: slot 0 never returns to generation 0. */
	assert_int_equal(handle_free(&t, KEEL_SELF), KEEL_OK);
	assert_int_equal(handle_install(&t, 0, TASK, 42, ALL, &h), KEEL_OK);
	assert_int_equal(h, HANDLE(0, 1u));
	assert_int_equal(get_status(&t, KEEL_SELF, TASK, 0), KEEL_ERR_BAD_HANDLE);
	expect_sane(&t);
}

static void install_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	struct handle_table t, before;
	keel_handle_t h = 12345;

	fresh(&t);
	before = t;
	assert_int_equal(handle_install(&t, SLOTS, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(&t, UINT_MAX, TASK, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(&t, 3, KEEL_OBJ_NONE, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(&t, 3, LAST_TYPE + 1, 1, ALL, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_install(&t, 3, TASK, 1, ALL + 1, &h), KEEL_ERR_INVALID);
	assert_int_equal(h, 12345);
	assert_memory_equal(&t, &before, sizeof(t));
}

static void alloc_fills_the_lowest_slots_until_the_limit(void **state)
{
	(void)state;
	struct handle_table t, before;
	keel_handle_t h = 12345;

	fresh(&t);
	for (unsigned i = 0; i < SLOTS; i++) {
		assert_int_equal(alloc_ok(&t, i % 2 ? TASK : THREAD, 100 + i, i % 16),
		                 HANDLE(i, i == 0 ? 0u : 1u));
		assert_int_equal(t.used, i + 1);
	}
	before = t;
	assert_int_equal(handle_alloc(&t, TASK, 7, ALL, &h), KEEL_ERR_LIMIT);
	assert_int_equal(h, 12345);
	assert_memory_equal(&t, &before, sizeof(t));
	/* A freed slot in the middle is the one taken next, at its next generation. */
	assert_int_equal(handle_free(&t, HANDLE(37, 1u)), KEEL_OK);
	assert_int_equal(handle_free(&t, HANDLE(41, 1u)), KEEL_OK);
	assert_int_equal(t.used, SLOTS - 2);
	assert_int_equal(alloc_ok(&t, TASK, 7, ALL), HANDLE(37, 2u));
	assert_int_equal(alloc_ok(&t, TASK, 8, ALL), HANDLE(41, 2u));
	assert_int_equal(handle_alloc(&t, TASK, 9, ALL, &h), KEEL_ERR_LIMIT);
}

static void alloc_rejects_bad_arguments_and_changes_nothing(void **state)
{
	(void)state;
	struct handle_table t, before;
	keel_handle_t h = 12345;

	fresh(&t);
	before = t;
	assert_int_equal(handle_alloc(&t, KEEL_OBJ_NONE, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(&t, LAST_TYPE + 1, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(&t, 0xffff + TASK, 1, 0, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(&t, TASK, 1, ALL + 1, &h), KEEL_ERR_INVALID);
	assert_int_equal(handle_alloc(&t, TASK, 1, 1u << 16, &h), KEEL_ERR_INVALID);
	assert_int_equal(h, 12345);
	assert_memory_equal(&t, &before, sizeof(t));
}

static void a_stale_handle_is_refused_after_the_slot_is_reused(void **state)
{
	(void)state;
	struct handle_table t;
	keel_handle_t self, old, reused;

	fresh(&t);
	assert_int_equal(handle_install(&t, 0, TASK, 1, ALL, &self), KEEL_OK);
	old = alloc_ok(&t, THREAD, 10, ALL);
	assert_int_equal(handle_free(&t, old), KEEL_OK);
	expect_sane(&t);
	assert_int_equal(get_status(&t, old, KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_free(&t, old), KEEL_ERR_BAD_HANDLE);
	reused = alloc_ok(&t, THREAD, 11, ALL);
	assert_int_equal(reused & (SLOTS - 1), old & (SLOTS - 1)); /* the same slot */
	assert_int_not_equal(reused, old);
	assert_int_equal(get_status(&t, old, THREAD, 0), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(handle_free(&t, old), KEEL_ERR_BAD_HANDLE);
	assert_int_equal(get_ok(&t, reused, THREAD, 0)->object, 11);
	assert_int_equal(t.used, 2);
	expect_sane(&t);
}

static void wrong_type_then_missing_rights_in_that_order(void **state)
{
	(void)state;
	struct handle_table t;
	keel_handle_t h;

	fresh(&t);
	h = alloc_ok(&t, TASK, 5, KEEL_RIGHT_READ | KEEL_RIGHT_WAIT);
	assert_int_equal(get_status(&t, h, THREAD, 0), KEEL_ERR_WRONG_TYPE);
	assert_int_equal(get_status(&t, h, THREAD, KEEL_RIGHT_KILL), KEEL_ERR_WRONG_TYPE);
	assert_int_equal(get_status(&t, h, TASK, KEEL_RIGHT_KILL), KEEL_ERR_DENIED);
	assert_int_equal(get_status(&t, h, TASK, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE),
	                 KEEL_ERR_DENIED);
	assert_int_equal(get_status(&t, h, KEEL_OBJ_NONE, ALL), KEEL_ERR_DENIED);
	assert_int_equal(get_status(&t, h, TASK, 1u << 7), KEEL_ERR_DENIED);
	get_ok(&t, h, TASK, KEEL_RIGHT_READ | KEEL_RIGHT_WAIT);
	get_ok(&t, h, KEEL_OBJ_NONE, 0);
	/* A handle with no rights at all is still a name: it can be looked up and closed. */
	h = alloc_ok(&t, THREAD, 6, 0);
	get_ok(&t, h, THREAD, 0);
	assert_int_equal(get_status(&t, h, THREAD, KEEL_RIGHT_READ), KEEL_ERR_DENIED);
	assert_int_equal(handle_free(&t, h), KEEL_OK);
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
	                                    HANDLE(0, GEN_MAX)};
	struct handle_table t, before;
	keel_handle_t self;

	fresh(&t);
	assert_int_equal(handle_install(&t, 0, TASK, 1, ALL, &self), KEEL_OK);
	alloc_ok(&t, THREAD, 2, ALL); /* slot 1, generation 1 */
	before = t;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(get_status(&t, bad[i], KEEL_OBJ_NONE, 0), KEEL_ERR_BAD_HANDLE);
		assert_int_equal(handle_free(&t, bad[i]), KEEL_ERR_BAD_HANDLE);
	}
	assert_memory_equal(&t, &before, sizeof(t));
}

static void generations_wrap_within_25_bits_and_skip_zero(void **state)
{
	(void)state;
	struct handle_table t;
	keel_handle_t h;

	fresh(&t);
	t.slot[0].generation = GEN_MAX; /* as after 2^25 - 1 frees */
	t.slot[1].generation = GEN_MAX - 1;
	expect_sane(&t);
	h = alloc_ok(&t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(0, GEN_MAX));
	assert_int_equal(h, INT32_MAX - (SLOTS - 1)); /* the largest handle of slot 0 */
	assert_int_equal(handle_free(&t, h), KEEL_OK);
	assert_int_equal(t.slot[0].generation, 1); /* not 0: KEEL_SELF stays stale */
	h = alloc_ok(&t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(0, 1u));
	h = alloc_ok(&t, TASK, 1, ALL);
	assert_int_equal(h, HANDLE(1, GEN_MAX - 1));
	assert_int_equal(handle_free(&t, h), KEEL_OK);
	assert_int_equal(t.slot[1].generation, GEN_MAX);
	expect_sane(&t);
}

/* One way to damage a table; the table starts with slot 0 (self) and slot 1 live. */
static void damage(struct handle_table *t, unsigned how)
{
	switch (how) {
	case 0:
		t->used++;
		break;
	case 1:
		t->used--;
		break;
	case 2:
		t->slot[5].rights = KEEL_RIGHT_READ;
		break; /* empty but with rights */
	case 3:
		t->slot[5].object = 9;
		break; /* empty but names an object */
	case 4:
		t->slot[5].badge = 1;
		break; /* empty but badged */
	case 5:
		t->slot[5].parent = 1;
		break; /* empty but linked */
	case 6:
		t->slot[5].next_sibling = 2;
		break;
	case 7:
		t->slot[1].type = LAST_TYPE + 1;
		break; /* unknown type */
	case 8:
		t->slot[1].rights = ALL + 1;
		break; /* unknown right */
	case 9:
		t->slot[1].reserved = 1;
		break;
	case 10:
		t->slot[1].generation = GEN_MAX + 1;
		break; /* would make a negative handle */
	case 11:
		t->slot[3].generation = 0;
		break; /* 0 is slot 0's alone */
	case 12:
		t->slot[1].first_child = SLOTS;
		break; /* a link to no slot */
	case 13:
		t->slot[1].parent = -2;
		break;
	default:
		t->slot[6].type = TASK;
		break; /* live, but not counted */
	}
}

static void check_catches_every_kind_of_damage(void **state)
{
	(void)state;
	struct handle_table t;
	keel_handle_t h;

	for (unsigned how = 0; how <= 14; how++) {
		fresh(&t);
		assert_int_equal(handle_install(&t, 0, TASK, 1, ALL, &h), KEEL_OK);
		alloc_ok(&t, THREAD, 2, ALL);
		damage(&t, how);
		if (handle_table_check(&t) != KEEL_ERR_CORRUPT)
			fail_msg("damage %u not caught", how);
	}
	/* Slice 5's links and badge may be set on a live slot. */
	fresh(&t);
	alloc_ok(&t, TASK, 1, ALL);
	alloc_ok(&t, TASK, 2, ALL);
	t.slot[1] = (struct handle_slot){.type = TASK,
	                                 .object = 2,
	                                 .generation = 1,
	                                 .badge = 7,
	                                 .parent = 0,
	                                 .first_child = -1,
	                                 .next_sibling = -1};
	t.slot[0].first_child = 1;
	expect_sane(&t);
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
	unsigned i = (uint32_t)h % SLOTS;

	if (h < 0 || m->type[i] == KEEL_OBJ_NONE ||
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

/* A handle to try: mostly one given out before, sometimes any number at all. */
static keel_handle_t pick_handle(const struct model *m, uint64_t r)
{
	if (m->nseen == 0 || r % 8 == 0)
		return (keel_handle_t)(uint32_t)(r >> 8);
	if (r % 8 == 1)
		return HANDLE((unsigned)(r >> 8) % SLOTS, (uint32_t)(r >> 16) % 4);
	return m->seen[(r >> 8) % (m->nseen < 256 ? m->nseen : 256)];
}

static void random_make(struct handle_table *t, struct model *m, uint64_t r, struct tally *y)
{
	unsigned type = (r >> 4) % (LAST_TYPE + 2), rights = (r >> 8) % (ALL + 5),
	         i = 0; /* some invalid */
	uint32_t object = (uint32_t)(r >> 32);
	bool install = (r >> 16) % 4 == 0;
	keel_handle_t h = -7;
	kstatus_t want, got;

	if (install) {
		i = (r >> 18) % (SLOTS + 2);
		want = i >= SLOTS || type == 0 || type > LAST_TYPE || rights > ALL
		           ? KEEL_ERR_INVALID
		       : m->type[i] != KEEL_OBJ_NONE ? KEEL_ERR_BUSY
		                                     : KEEL_OK;
		got = handle_install(t, i, type, object, rights, &h);
	} else {
		while (i < SLOTS && m->type[i] != KEEL_OBJ_NONE)
			i++;
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
	unsigned i = (uint32_t)h % SLOTS;

	assert_int_equal(handle_free(t, h), want);
	y->status[-want]++;
	if (want != KEEL_OK)
		return;
	m->type[i] = KEEL_OBJ_NONE;
	m->generation[i] = m->generation[i] == GEN_MAX ? 1 : m->generation[i] + 1;
	m->used--;
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
	unsigned i = (uint32_t)h % SLOTS;
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
		assert_int_equal(t->slot[i].type, m->type[i]);
		assert_int_equal(t->slot[i].generation, m->generation[i]);
		assert_int_equal(handle_of(t, i), HANDLE(i, m->generation[i]));
	}
}

static void matches_model_on_random_sequences(void **state)
{
	(void)state;
	const uint64_t seed0 = 0x6b65656c2d68646cULL; /* "keel-hdl" */
	uint64_t seed = seed0;
	static struct handle_table t;
	static struct model m;
	struct tally y = {0};

	print_message("# random sequence: seed %#llx, 50000 steps\n", (unsigned long long)seed0);
	fresh(&t);
	m = (struct model){.generation = {0}};
	for (unsigned i = 0; i < SLOTS; i++)
		m.generation[i] = i == 0 ? 0 : 1;
	for (unsigned i = 8; i < 12; i++) /* a few slots near the wrap */
		t.slot[i].generation = m.generation[i] = GEN_MAX - 2;
	for (unsigned step = 0; step < 50000; step++) {
		uint64_t r = next_random(&seed);
		unsigned phase = (step / 1000) % 2; /* fill up, then drain */
		unsigned op = r % 16;

		r >>= 4;
		if (op < (phase ? 4u : 9u))
			random_make(&t, &m, r, &y);
		else if (op < 13)
			random_free(&t, &m, r, &y);
		else
			random_get(&t, &m, r, &y);
		expect_model(&t, &m);
	}
	/* The sequence must have met every outcome, or it tested less than it claims. */
	assert_true(y.status[0] > 5000 && y.status[-KEEL_ERR_INVALID] > 100);
	assert_true(y.status[-KEEL_ERR_LIMIT] > 100 && y.status[-KEEL_ERR_BUSY] > 100);
	assert_true(y.status[-KEEL_ERR_BAD_HANDLE] > 1000);
	assert_true(y.status[-KEEL_ERR_WRONG_TYPE] > 100 && y.status[-KEEL_ERR_DENIED] > 100);
	for (unsigned i = 8; i < 12; i++)
		assert_true(m.generation[i] < GEN_MAX - 2); /* they wrapped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_empties_every_slot),
	    cmocka_unit_test(install_in_slot_zero_gives_keel_self),
	    cmocka_unit_test(install_rejects_bad_arguments_and_changes_nothing),
	    cmocka_unit_test(alloc_fills_the_lowest_slots_until_the_limit),
	    cmocka_unit_test(alloc_rejects_bad_arguments_and_changes_nothing),
	    cmocka_unit_test(a_stale_handle_is_refused_after_the_slot_is_reused),
	    cmocka_unit_test(wrong_type_then_missing_rights_in_that_order),
	    cmocka_unit_test(negative_and_foreign_handles_are_refused),
	    cmocka_unit_test(generations_wrap_within_25_bits_and_skip_zero),
	    cmocka_unit_test(check_catches_every_kind_of_damage),
	    cmocka_unit_test(matches_model_on_random_sequences),
	};

	return cmocka_run_group_tests_name("handle", tests, NULL, NULL);
}
