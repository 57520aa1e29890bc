/*
 * lab.c - in-kernel tests of what lab 5 cuts: deriving a capability
 * (cap_derive, cap_link_derived), revoking what was derived
 * (cap_revoke_step), and the rights a mapping needs (frames_map_flags),
 * each graded on its own; the user programs of programs.c grade them
 * together.
 *
 * The tree tests work on handle tables of their own, in static storage,
 * with no task: three tables stand for three tasks. So they need nothing
 * but the functions under test and handle.c, and each checks exactly what
 * the contract in cap.h says: where a derived capability goes in
 * derivation order and how deep, what it carries, which error a refusal
 * gives and that a refusal changes nothing, and that a revocation takes
 * everything derived (grandchildren too, in any table) and nothing else.
 * Every table is checked with handle_table_check() after each step.
 */
#include <keel/cap.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/vm.h>

#include "../../../kernel/cap/cap_internal.h"

#define SLOTS 64
#define EP    KEEL_OBJ_ENDPOINT
#define ALL   KEEL_RIGHT_ALL
#define RS    (KEEL_RIGHT_READ | KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE)

static struct handle_slot storage[4][SLOTS];
static struct handle_table tab[4]; /* tab[3]: where a failed step's stand-in slot comes from */
static unsigned deleted_calls;

/* Three empty tables. */
static void fresh(void)
{
	for (unsigned i = 0; i < 4; i++)
		handle_table_init(&tab[i], storage[i], SLOTS);
}

/* A stand-in for a slot a failed step did not make (the failure is
 * recorded; the case goes on without dereferencing NULL). */
static struct handle_slot *stand_in(void)
{
	return &tab[3].slot[SLOTS - 1];
}

static struct handle_slot *slot_of(struct handle_table *t, keel_handle_t h)
{
	return &t->slot[handle_index_of(h)];
}

/* An original in @p t: a new object's first capability, every right. */
static struct handle_slot *original(struct handle_table *t, uint32_t object)
{
	keel_handle_t h;

	if (handle_alloc(t, EP, object, ALL, &h) != KEEL_OK) {
		ktest_fail(__FILE__, __LINE__, "handle_alloc failed");
		return stand_in();
	}
	return slot_of(t, h);
}

/* Derive from @p from into @p t with @p rights; the new slot. */
static struct handle_slot *derive(struct handle_slot *from, struct handle_table *t, unsigned rights)
{
	keel_handle_t h = -1;
	kstatus_t s = cap_derive(from, t, rights, 0, &h);

	if (s != KEEL_OK || h < 0) {
		ktest_fail(__FILE__, __LINE__, "cap_derive gave %d (%s)", s, kstatus_meaning(s));
		return stand_in();
	}
	return slot_of(t, h);
}

static void tables_sound(void)
{
	for (unsigned i = 0; i < 3; i++)
		KT_EXPECT_EQ(handle_table_check(&tab[i]), KEEL_OK);
}

static bool live(const struct handle_slot *s, uint32_t generation)
{
	return s->type != KEEL_OBJ_NONE && s->generation == generation;
}

/* -- derive ----------------------------------------------------------- */

/* Each right alone, and every subset: no more than the source has. */
KTEST(derive, rights_no_more_than_held)
{
	keel_handle_t h = -1;

	fresh();
	struct handle_slot *o = original(&tab[0], 7);
	struct handle_slot *d = derive(o, &tab[1], RS);
	KT_EXPECT_EQ(d->rights, RS);
	KT_EXPECT_EQ(d->type, EP);
	KT_EXPECT_EQ(d->object, 7);
	for (unsigned bit = 1; bit <= KEEL_RIGHT_ALL; bit <<= 1) {
		uint32_t used = tab[2].used;
		kstatus_t want = (RS & bit) ? KEEL_OK : KEEL_ERR_DENIED;
		KT_EXPECT_EQ(cap_derive(d, &tab[2], bit, 0, &h), want);
		KT_EXPECT_EQ(tab[2].used, used + (want == KEEL_OK));
	}
	KT_EXPECT_EQ(cap_derive(d, &tab[2], RS | KEEL_RIGHT_RECV, 0, &h), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(cap_derive(d, &tab[2], ALL, 0, &h), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(cap_derive(d, &tab[2], 0, 0, &h), KEEL_OK); /* no rights at all: allowed */
	KT_EXPECT_EQ(cap_derive(o, &tab[2], ALL + 1, 0, &h), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(cap_derive(o, &tab[2], 1u << 31, 0, &h), KEEL_ERR_INVALID);
	tables_sound();
}

/* A derived capability goes right after its source, one deeper, with its badge. */
KTEST(derive, order_depth_and_badge)
{
	keel_handle_t h = -1;

	fresh();
	struct handle_slot *o = original(&tab[0], 7), *other = original(&tab[0], 8);
	struct handle_slot *a = derive(o, &tab[1], ALL);
	KT_EXPECT(o->next == a && a->prev == o && a->depth == 1);
	struct handle_slot *b = derive(o, &tab[2], RS); /* the newest first */
	KT_EXPECT(o->next == b && b->next == a && a->prev == b && b->depth == 1);
	struct handle_slot *a1 = derive(a, &tab[0], RS);
	KT_EXPECT(a->next == a1 && a1->prev == a && a1->depth == 2 && a1->next == NULL);
	KT_ASSERT_EQ(cap_derive(a1, &tab[2], 0, 0xbad9e, &h), KEEL_OK);
	KT_EXPECT_EQ(slot_of(&tab[2], h)->badge, 0xbad9e);
	KT_EXPECT_EQ(slot_of(&tab[2], h)->depth, 3);
	KT_EXPECT_EQ(cap_derived_count(o), 4);
	KT_EXPECT_EQ(cap_derived_count(a), 2);
	KT_EXPECT(cap_parent(a1) == a && cap_parent(b) == o && cap_parent(o) == NULL);
	KT_EXPECT(other->next == NULL && other->prev == NULL); /* another tree: untouched */
	tables_sound();
}

/* A full table and the deepest tree refuse with LIMIT, and nothing changes. */
KTEST(derive, limits_change_nothing)
{
	keel_handle_t h = -1;

	fresh();
	struct handle_slot *o = original(&tab[0], 7);
	while (tab[1].used < SLOTS)
		derive(o, &tab[1], RS);
	struct handle_slot *first = o->next;
	KT_EXPECT_EQ(cap_derive(o, &tab[1], RS, 0, &h), KEEL_ERR_LIMIT);
	KT_EXPECT(o->next == first);
	KT_EXPECT_EQ(cap_derived_count(o), SLOTS);
	struct handle_slot *deep = derive(o, &tab[2], RS);
	deep->depth = HANDLE_DEPTH_MAX; /* as if that deep */
	KT_EXPECT_EQ(cap_derive(deep, &tab[2], RS, 0, &h), KEEL_ERR_LIMIT);
	KT_EXPECT_EQ(tab[2].used, 1);
	deep->depth = 1;
	tables_sound();
}

/* A copy made for a message or a spawn (task_handle_copy) is derived too. */
KTEST(derive, copies_are_derived)
{
	keel_handle_t h = -1;
	spinflags_t flags = spin_lock(&sched_lock);

	fresh();
	struct handle_slot *o = original(&tab[0], 7);
	kstatus_t s = task_handle_copy(o, &tab[1], -1, KEEL_RIGHT_SEND, &h);
	spin_unlock(&sched_lock, flags);
	KT_ASSERT_EQ(s, KEEL_OK);
	struct handle_slot *c = slot_of(&tab[1], h);
	KT_EXPECT(o->next == c && c->prev == o && c->depth == 1);
	KT_EXPECT_EQ(c->rights, KEEL_RIGHT_SEND);
	tables_sound();
}

/* -- revoke ----------------------------------------------------------- */

/* A chain o -> a -> b -> c over three tables, with siblings: revoking a
 * takes b and its child c, and leaves a, o, a's sibling and o's other tree. */
KTEST(revoke, reaches_grandchildren_in_any_table)
{
	fresh();
	struct handle_slot *o = original(&tab[0], 7), *x = original(&tab[2], 9);
	struct handle_slot *a = derive(o, &tab[1], ALL), *sib = derive(o, &tab[2], RS);
	struct handle_slot *b = derive(a, &tab[2], ALL), *c = derive(b, &tab[0], RS);
	struct handle_slot *b2 = derive(a, &tab[0], RS), *xa = derive(x, &tab[1], RS);
	uint32_t gb = b->generation, gc = c->generation, gb2 = b2->generation;
	uint32_t used = tab[0].used + tab[1].used + tab[2].used;

	cap_revoke_all(a);
	KT_EXPECT(!live(b, gb) && !live(c, gc) && !live(b2, gb2)); /* c: a grandchild */
	KT_EXPECT_EQ(tab[0].used + tab[1].used + tab[2].used, used - 3);
	KT_EXPECT_EQ(cap_derived_count(a), 0);
	KT_EXPECT(a->type == EP && sib->type == EP && xa->type == EP && o->type == EP);
	KT_EXPECT_EQ(cap_derived_count(o), 2); /* a and sib */
	KT_EXPECT_EQ(cap_derived_count(x), 1);
	tables_sound();
	cap_revoke_all(o);
	KT_EXPECT_EQ(cap_derived_count(o), 0);
	KT_EXPECT_EQ(tab[0].used + tab[1].used + tab[2].used, 3); /* o, x, xa */
	tables_sound();
}

/* Wide and deep at once: 40 children, and a chain 100 deep under the last. */
KTEST(revoke, wide_and_deep)
{
	fresh();
	struct handle_slot *o = original(&tab[0], 7), *last = o;

	for (unsigned i = 0; i < 40; i++)
		last = derive(o, &tab[1 + i % 2], RS);
	for (unsigned i = 0; i < 100; i++)
		last = derive(last, &tab[i % 3], RS);
	KT_EXPECT_EQ(cap_derived_count(o), 140);
	KT_EXPECT_EQ(last->depth, 101);
	cap_revoke_all(o);
	KT_EXPECT_EQ(cap_derived_count(o), 0);
	KT_EXPECT(o->next == NULL);
	KT_EXPECT_EQ(tab[0].used + tab[1].used + tab[2].used, 1);
	tables_sound();
}

static void count_deleted(struct handle_slot *s)
{
	KT_EXPECT(s->type != KEEL_OBJ_NONE); /* told while it is still there */
	deleted_calls++;
}

/* One deletion a step; the tables sound between steps; the hook once each. */
KTEST(revoke, one_step_at_a_time)
{
	void (*saved)(struct handle_slot *) = cap_deleting;

	fresh();
	struct handle_slot *o = original(&tab[0], 7), *a = derive(o, &tab[1], ALL);
	derive(derive(a, &tab[2], ALL), &tab[1], RS);
	derive(o, &tab[2], RS);
	cap_deleting = count_deleted;
	deleted_calls = 0;
	for (unsigned left = 4; left > 0; left--) {
		KT_EXPECT_EQ(cap_revoke(o, 1), 1);
		KT_EXPECT_EQ(cap_derived_count(o), left - 1);
		tables_sound();
	}
	KT_EXPECT_EQ(cap_revoke(o, 1), 0);
	KT_EXPECT(!cap_revoke_step(o));
	cap_deleting = saved;
	KT_EXPECT_EQ(deleted_calls, 4);
	KT_EXPECT_EQ(tab[0].used + tab[1].used + tab[2].used, 1);
}

/* -- map -------------------------------------------------------------- */

/* A slot with @p rights, for frames_map_flags(). */
static kstatus_t flags_for(unsigned rights, uint32_t prot, unsigned *flags)
{
	struct handle_slot s = {.type = KEEL_OBJ_FRAMES, .rights = (uint16_t)rights};

	*flags = 0xdead;
	return frames_map_flags(&s, prot, flags);
}

KTEST(map, no_more_than_the_capability)
{
	const unsigned r = KEEL_RIGHT_READ, w = KEEL_RIGHT_WRITE, m = KEEL_RIGHT_MAP;
	unsigned f;

	KT_EXPECT_EQ(flags_for(r | m, 0, &f), KEEL_OK);
	KT_EXPECT_EQ(f, VM_USER | VM_KEPT);
	KT_EXPECT_EQ(flags_for(r | m | w, KEEL_PROT_WRITE, &f), KEEL_OK);
	KT_EXPECT_EQ(f, VM_USER | VM_KEPT | VM_WRITE);
	KT_EXPECT_EQ(flags_for(r | m, KEEL_PROT_EXEC, &f), KEEL_OK);
	KT_EXPECT_EQ(f, VM_USER | VM_KEPT | VM_EXEC);
	KT_EXPECT_EQ(flags_for(r | m, KEEL_PROT_WRITE, &f), KEEL_ERR_DENIED); /* no WRITE */
	KT_EXPECT_EQ(flags_for(r | w, 0, &f), KEEL_ERR_DENIED);               /* no MAP */
	KT_EXPECT_EQ(flags_for(r | w, KEEL_PROT_WRITE, &f), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(flags_for(ALL & ~m, KEEL_PROT_EXEC, &f), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(flags_for(ALL, KEEL_PROT_WRITE | KEEL_PROT_EXEC, &f), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(flags_for(ALL, 4, &f), KEEL_ERR_INVALID);
}
