/*
 * cap.c - benchmarks of slice 5's hot paths: the capability lookup, the
 * derivation tree, and mapping memory through a frames capability.
 *
 * The in-kernel cases work on tables of their own (handle_table_init()
 * on kmalloc'd slots, of a type no hook acts on), so no task's table is
 * touched. Each sample is taken with sched_lock held, as the kernel holds
 * it around these calls; the host subtracts the timestamp pair (gross).
 *
 * lookup: handle_get() of a live handle with a type and a rights check,
 *   in a table of 64 slots whose first 8 are live: the charter's
 *   "capability lookup" (aim: 30 cycles, hot cache).
 * derive: cap_derive() from one of those 8 into the same table (the
 *   lowest free slot, the ninth) and handle_free() of the new one: one
 *   capability made, linked into the tree, unlinked and freed.
 * revoke_1, revoke_64, revoke_4096: cap_revoke_all() of a capability
 *   with that many descendants. The tree is 4-ary (descendant i was
 *   derived from descendant (i - 1) / 4, the revoked one being 0), so
 *   depths are mixed: 1 for revoke_1, up to 3 for 64 and 6 for 4096. Its
 *   capabilities alternate between two tables of KEEL_HANDLES_MAX slots,
 *   as if held by two tasks. Every sample builds its tree afresh,
 *   untimed; the timed part is the revocation alone (the system call
 *   adds the lookup and a lock round every CAP_REVOKE_STEP deletions).
 *
 * From ring 3 (b_cap, net of its own timestamp pair, like b_ipc):
 * map_unmap_1, map_unmap_16: FRAMES_MAP and FRAMES_UNMAP of a frames
 *   capability to a run of 1 or 16 pages.
 * derive_close: CAP_DERIVE of an endpoint capability and HANDLE_CLOSE of
 *   the new one: the system-call cost of deriving.
 * derive_close_frames: the same with a frames capability, whose closing
 *   also looks for a mapping to undo.
 */
#include <keel/cap.h>
#include <keel/kbench.h>
#include <keel/kmalloc.h>
#include <keel/kprintf.h>
#include <keel/sched.h>
#include <keel/task.h>

#include "../user/bench_program.h"

/* What the in-kernel cases name: an endpoint id no endpoint has. */
#define BENCH_TYPE   KEEL_OBJ_ENDPOINT
#define BENCH_OBJECT 0xbe0c
/* The lookup and derive table: its size and its live handles. */
#define SMALL_SLOTS 64
#define SMALL_LIVE  8
#define SMALL_PICK  5
/* The revocation trees: their tables, fan-out and largest size. */
#define TREE_TABLES  2
#define TREE_FANOUT  4
#define TREE_MAX     4096
#define TREE_SAMPLES 200 /* revoke_4096's: each rebuilds 4096 capabilities */

/* A table of @p size slots on kmalloc'd storage, or false. */
static bool table_new(struct handle_table *t, uint32_t size)
{
	struct handle_slot *storage = kmalloc(size * sizeof(*storage));

	if (storage == NULL) {
		kprintf("# bench: cap: no memory for a table of %u slots\n", size);
		return false;
	}
	handle_table_init(t, storage, size);
	return true;
}

/* The small table: SMALL_LIVE live handles, all with every right. */
static bool small_table(struct handle_table *t)
{
	keel_handle_t h;

	if (!table_new(t, SMALL_SLOTS))
		return false;
	for (unsigned i = 0; i < SMALL_LIVE; i++)
		if (handle_alloc(t, BENCH_TYPE, BENCH_OBJECT + i, KEEL_RIGHT_ALL, &h) != KEEL_OK)
			return false;
	return true;
}

/* [bench_lookup] */
KBENCH(lookup)
{
	struct handle_table t;
	const struct handle_slot *s;
	kstatus_t st = KEEL_OK;

	if (!small_table(&t))
		return;
	keel_handle_t h = handle_of(&t, SMALL_PICK);
	for (unsigned i = 0; i < KBENCH_SAMPLES && st == KEEL_OK; i++) {
		spinflags_t f = spin_lock(&sched_lock);
		uint64_t t0 = kbench_begin();
		st = handle_get(&t, h, BENCH_TYPE, KEEL_RIGHT_SEND | KEEL_RIGHT_GRANT, &s);
		uint64_t t1 = kbench_end();
		spin_unlock(&sched_lock, f);
		kbench_sample(t1 - t0);
	}
	if (st != KEEL_OK)
		kprintf("# bench: cap.lookup: handle_get failed (%d)\n", st);
	kfree(t.slot);
}
/* [bench_lookup] */

KBENCH(derive)
{
	struct handle_table t;
	kstatus_t st = KEEL_OK;
	keel_handle_t d;

	if (!small_table(&t))
		return;
	struct handle_slot *from = &t.slot[SMALL_PICK];
	for (unsigned i = 0; i < KBENCH_SAMPLES && st == KEEL_OK; i++) {
		spinflags_t f = spin_lock(&sched_lock);
		uint64_t t0 = kbench_begin();
		st = cap_derive(from, &t, KEEL_RIGHT_SEND, 0, &d);
		if (st == KEEL_OK)
			st = handle_free(&t, d);
		uint64_t t1 = kbench_end();
		spin_unlock(&sched_lock, f);
		kbench_sample(t1 - t0);
	}
	if (st != KEEL_OK)
		kprintf("# bench: cap.derive: failed (%d)\n", st);
	kfree(t.slot);
}

/* The revocation trees' tables; tree node i is slot i / 2 of table i % 2. */
static struct handle_table trees[TREE_TABLES];

static struct handle_slot *node(unsigned i)
{
	return &trees[i % TREE_TABLES].slot[i / TREE_TABLES];
}

/* Build node 0 and @p n descendants, each linked under its parent as
 * cap_derive() links (handle_install() in a known slot: O(1), where
 * cap_derive()'s lowest-free-slot search would make the build O(n^2)). */
static bool tree_build(unsigned n)
{
	keel_handle_t h;

	for (unsigned i = 0; i <= n; i++) {
		if (handle_install(&trees[i % TREE_TABLES], i / TREE_TABLES, BENCH_TYPE,
		                   BENCH_OBJECT, i == 0 ? KEEL_RIGHT_ALL : KEEL_RIGHT_SEND,
		                   &h) != KEEL_OK)
			return false;
		if (i > 0)
			cap_link_derived(node((i - 1) / TREE_FANOUT), node(i));
	}
	return cap_derived_count(node(0)) == n;
}

/* Capabilities left in the trees' tables. */
static uint32_t trees_used(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < TREE_TABLES; i++)
		n += trees[i].used;
	return n;
}

/* Time revoking a tree of @p n descendants, @p samples times. */
static void revoke_bench(unsigned n, unsigned samples)
{
	unsigned made = 0;

	while (made < TREE_TABLES && table_new(&trees[made], KEEL_HANDLES_MAX))
		made++;
	for (unsigned i = 0; made == TREE_TABLES && i < samples; i++) {
		if (!tree_build(n)) {
			kprintf("# bench: cap.revoke_%u: the tree was not built\n", n);
			break;
		}
		spinflags_t f = spin_lock(&sched_lock);
		uint64_t t0 = kbench_begin();
		cap_revoke_all(node(0));
		uint64_t t1 = kbench_end();
		spin_unlock(&sched_lock, f);
		kbench_sample(t1 - t0);
		handle_free_slot(node(0));
		if (trees_used() != 0) {
			kprintf("# bench: cap.revoke_%u: capabilities left\n", n);
			break;
		}
	}
	while (made > 0)
		kfree(trees[--made].slot);
}

KBENCH(revoke_1)
{
	revoke_bench(1, KBENCH_SAMPLES);
}

KBENCH(revoke_64)
{
	revoke_bench(64, KBENCH_SAMPLES);
}

KBENCH(revoke_4096)
{
	revoke_bench(TREE_MAX, TREE_SAMPLES);
}

static void user_bench(uint32_t op)
{
	bench_program("b_cap", op);
}

KBENCH_FLAGS(map_unmap_1, KBENCH_NET)
{
	user_bench(1);
}

KBENCH_FLAGS(map_unmap_16, KBENCH_NET)
{
	user_bench(2);
}

KBENCH_FLAGS(derive_close, KBENCH_NET)
{
	user_bench(3);
}

KBENCH_FLAGS(derive_close_frames, KBENCH_NET)
{
	user_bench(4);
}
