/*
 * test_inherit.c - host unit tests for kernel/ipc/inherit.c, priority inheritance.
 *
 * A server left below its caller's priority lets a middling thread hold up
 * the caller (priority inversion); a server left above it after the call
 * ends steals the processor; an apply() missed leaves the scheduler running
 * a thread at a priority its node no longer has, and one too many requeues
 * a thread for nothing. So every case counts the apply() calls and names the
 * nodes they were for: a link that raises and one that does not, an unlink
 * back to base, a nested chain that passes a priority down three servers,
 * the cut in the middle of a chain (a client's timeout while its server is
 * calling another), the depth limit, and inherit_check() on each invariant
 * broken in turn. Last, a seeded random sequence of links and unlinks on 16
 * nodes is compared at every step with a model that keeps only who calls
 * whom and works out each priority from scratch by walking up the callers.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/inherit.h>

/* Nodes in the random test; enough for a chain longer than INHERIT_CHAIN_MAX allows. */
#define NODES 16

/* What apply() was told: the nodes, in order. */
struct applied {
	const struct inherit_node *node[64];
	unsigned count;
};

static void record(struct inherit_node *n, void *ctx)
{
	struct applied *a = ctx;

	assert_true(a->count < 64);
	a->node[a->count++] = n;
}

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Make @p n nodes with the given bases, poisoned first. */
static void make(struct inherit_node *nodes, const uint8_t *base, unsigned n)
{
	memset(nodes, 0xa5, n * sizeof(*nodes));
	for (unsigned i = 0; i < n; i++)
		inherit_init(&nodes[i], base[i]);
}

static void expect_all_ok(const struct inherit_node *nodes, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!inherit_check(&nodes[i]))
			fail_msg("node %u fails inherit_check", i);
}

/* Link @p s under @p c and expect apply() for exactly the nodes @p want (NULL-ended). */
static void link_expect(struct inherit_node *s, struct inherit_node *c,
                        const struct inherit_node *want)
{
	struct applied a = {.count = 0};

	assert_true(inherit_can_call(c));
	inherit_link(s, c, record, &a);
	assert_int_equal(a.count, want != NULL);
	if (want)
		assert_ptr_equal(a.node[0], want);
}

static void init_makes_an_idle_node_at_its_base(void **state)
{
	(void)state;
	struct inherit_node n;

	memset(&n, 0xa5, sizeof(n));
	inherit_init(&n, 42);
	assert_null(n.caller);
	assert_null(n.server);
	assert_int_equal(n.base, 42);
	assert_int_equal(n.prio, 42);
	assert_int_equal(n.depth, 0);
	assert_true(inherit_can_call(&n));
	assert_true(inherit_check(&n));
}

static void link_raises_the_server_to_its_caller(void **state)
{
	(void)state;
	static const uint8_t base[] = {10, 3};
	struct inherit_node n[2];

	make(n, base, 2);
	link_expect(&n[1], &n[0], &n[1]);
	assert_ptr_equal(n[1].caller, &n[0]);
	assert_ptr_equal(n[0].server, &n[1]);
	assert_int_equal(n[1].prio, 10);
	assert_int_equal(n[1].base, 3);
	assert_int_equal(n[1].depth, 1);
	assert_int_equal(n[0].prio, 10);
	assert_false(inherit_can_call(&n[0])); /* it is calling already */
	assert_true(inherit_can_call(&n[1]));
	expect_all_ok(n, 2);
}

static void link_below_a_lower_or_equal_caller_changes_nothing(void **state)
{
	(void)state;
	static const uint8_t base[] = {3, 10, 7, 7};
	struct inherit_node n[4];

	make(n, base, 4);
	link_expect(&n[1], &n[0], NULL); /* 3 calls 10 */
	assert_int_equal(n[1].prio, 10);
	link_expect(&n[3], &n[2], NULL); /* 7 calls 7 */
	assert_int_equal(n[3].prio, 7);
	assert_int_equal(n[3].depth, 1);
	expect_all_ok(n, 4);
}

static void unlink_restores_the_base(void **state)
{
	(void)state;
	static const uint8_t base[] = {200, 0};
	struct inherit_node n[2];
	struct applied a = {.count = 0};

	make(n, base, 2);
	link_expect(&n[1], &n[0], &n[1]);
	inherit_unlink(&n[1], record, &a);
	assert_int_equal(a.count, 1);
	assert_ptr_equal(a.node[0], &n[1]);
	assert_int_equal(n[1].prio, 0);
	assert_int_equal(n[1].depth, 0);
	assert_null(n[1].caller);
	assert_null(n[0].server);
	assert_true(inherit_can_call(&n[0]));
	expect_all_ok(n, 2);
	inherit_unlink(&n[1], record, &a); /* no caller: nothing happens */
	inherit_unlink(&n[0], record, &a);
	assert_int_equal(a.count, 1);
	assert_int_equal(n[1].prio, 0);
}

static void unlink_without_a_change_calls_no_apply(void **state)
{
	(void)state;
	static const uint8_t base[] = {5, 9};
	struct inherit_node n[2];
	struct applied a = {.count = 0};

	make(n, base, 2);
	link_expect(&n[1], &n[0], NULL);
	inherit_unlink(&n[1], record, &a);
	assert_int_equal(a.count, 0);
	assert_int_equal(n[1].depth, 0);
	expect_all_ok(n, 2);
}

/* client(20) -> A(5) -> B(3) -> C(1): the client's 20 goes all the way down. */
static void make_chain(struct inherit_node *n)
{
	static const uint8_t base[] = {20, 5, 3, 1};

	make(n, base, 4);
	link_expect(&n[1], &n[0], &n[1]);
	link_expect(&n[2], &n[1], &n[2]);
	link_expect(&n[3], &n[2], &n[3]);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(n[i].prio, 20);
		assert_int_equal(n[i].depth, i);
	}
	expect_all_ok(n, 4);
}

static void nested_chain_unwinds_from_the_bottom(void **state)
{
	(void)state;
	struct inherit_node n[4];
	struct applied a = {.count = 0};

	make_chain(n);
	for (unsigned s = 3; s >= 1; s--) { /* C replies, then B, then A */
		a.count = 0;
		inherit_unlink(&n[s], record, &a);
		assert_int_equal(a.count, 1);
		assert_ptr_equal(a.node[0], &n[s]);
		assert_int_equal(n[s].prio, n[s].base);
		for (unsigned i = 0; i < s; i++)
			assert_int_equal(n[i].prio, 20); /* those above still serve the client */
		expect_all_ok(n, 4);
	}
}

static void client_timeout_drops_the_servers_below_to_what_they_still_inherit(void **state)
{
	(void)state;
	struct inherit_node n[4];
	struct applied a = {.count = 0};

	make_chain(n);
	inherit_unlink(&n[1], record, &a); /* the client gives up on A while A calls B */
	assert_int_equal(a.count, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_ptr_equal(a.node[i], &n[1 + i]);
	assert_int_equal(n[0].prio, 20);
	assert_int_equal(n[1].prio, 5); /* its base */
	assert_int_equal(n[2].prio, 5); /* A's */
	assert_int_equal(n[3].prio, 5);
	assert_int_equal(n[1].depth, 0);
	assert_int_equal(n[2].depth, 1);
	assert_int_equal(n[3].depth, 2);
	assert_null(n[0].server);
	assert_ptr_equal(n[1].server, &n[2]); /* A's own call goes on */
	expect_all_ok(n, 4);
}

static void cut_in_the_middle_applies_only_to_nodes_that_changed(void **state)
{
	(void)state;
	static const uint8_t base[] = {20, 5, 30, 1};
	struct inherit_node n[4];
	struct applied a = {.count = 0};

	/* client(20) -> A(5) -> B(30) -> C(1): B's own base is the highest. */
	make(n, base, 4);
	link_expect(&n[1], &n[0], &n[1]);
	link_expect(&n[2], &n[1], NULL);
	link_expect(&n[3], &n[2], &n[3]);
	assert_int_equal(n[3].prio, 30);
	inherit_unlink(&n[1], record, &a);
	assert_int_equal(a.count, 1); /* A falls to 5; B keeps its 30, so C keeps 30 too */
	assert_ptr_equal(a.node[0], &n[1]);
	assert_int_equal(n[2].prio, 30);
	assert_int_equal(n[3].prio, 30);
	assert_int_equal(n[3].depth, 2);
	expect_all_ok(n, 4);
}

static void depth_limit_refuses_the_call_that_would_make_the_chain_too_long(void **state)
{
	(void)state;
	struct inherit_node n[INHERIT_CHAIN_MAX + 2];
	uint8_t base[INHERIT_CHAIN_MAX + 2];
	struct applied a = {.count = 0};

	for (unsigned i = 0; i < INHERIT_CHAIN_MAX + 2; i++)
		base[i] = (uint8_t)(100 - i);
	make(n, base, INHERIT_CHAIN_MAX + 2);
	for (unsigned i = 1; i <= INHERIT_CHAIN_MAX; i++)
		link_expect(&n[i], &n[i - 1], &n[i]);
	assert_int_equal(n[INHERIT_CHAIN_MAX].depth, INHERIT_CHAIN_MAX);
	assert_int_equal(n[INHERIT_CHAIN_MAX].prio, 100);
	assert_false(inherit_can_call(&n[INHERIT_CHAIN_MAX])); /* would be server number 9 */
	for (unsigned i = 0; i < INHERIT_CHAIN_MAX; i++)
		assert_false(inherit_can_call(&n[i])); /* calling already */
	assert_true(inherit_can_call(&n[INHERIT_CHAIN_MAX + 1]));
	expect_all_ok(n, INHERIT_CHAIN_MAX + 2);
	/* Cutting the chain anywhere makes room again below the cut. */
	inherit_unlink(&n[2], record, &a);
	assert_int_equal(a.count, INHERIT_CHAIN_MAX - 1);
	assert_int_equal(n[INHERIT_CHAIN_MAX].depth, INHERIT_CHAIN_MAX - 2);
	assert_int_equal(n[INHERIT_CHAIN_MAX].prio, 98);
	link_expect(&n[INHERIT_CHAIN_MAX + 1], &n[INHERIT_CHAIN_MAX], &n[INHERIT_CHAIN_MAX + 1]);
	expect_all_ok(n, INHERIT_CHAIN_MAX + 2);
}

static void check_finds_each_broken_invariant(void **state)
{
	(void)state;
	struct inherit_node n[4], good[4];

	make_chain(n);
	memcpy(good, n, sizeof(n));
	n[0].server = NULL; /* B's caller does not name it as server */
	assert_false(inherit_check(&n[1]));
	memcpy(n, good, sizeof(n));
	n[2].caller = NULL; /* A's server does not name it as caller */
	assert_false(inherit_check(&n[1]));
	memcpy(n, good, sizeof(n));
	n[1].prio = 21;
	assert_false(inherit_check(&n[1]));
	n[1].prio = 19;
	assert_false(inherit_check(&n[1]));
	memcpy(n, good, sizeof(n));
	n[0].prio = 10; /* the client's prio is its base, 20 */
	assert_false(inherit_check(&n[0]));
	memcpy(n, good, sizeof(n));
	n[2].depth = 3;
	assert_false(inherit_check(&n[2]));
	memcpy(n, good, sizeof(n));
	n[0].depth = 1;
	assert_false(inherit_check(&n[0]));
	memcpy(n, good, sizeof(n));
	n[1].depth = 255; /* its server's depth must not pass as 255 + 1 wrapped to 0 */
	n[2].depth = 0;
	assert_false(inherit_check(&n[2]));
	memcpy(n, good, sizeof(n));
	assert_true(inherit_check(&n[0]) && inherit_check(&n[1]) && inherit_check(&n[2]));
}

static void check_finds_a_chain_too_long_or_a_cycle(void **state)
{
	(void)state;
	struct inherit_node n[INHERIT_CHAIN_MAX + 2], c[2];

	/* Links made by hand, past the limit inherit_can_call() keeps. */
	for (unsigned i = 0; i < INHERIT_CHAIN_MAX + 2; i++) {
		inherit_init(&n[i], 1);
		n[i].depth = (uint8_t)i;
		n[i].caller = i > 0 ? &n[i - 1] : NULL;
		n[i].server = i + 1 < INHERIT_CHAIN_MAX + 2 ? &n[i + 1] : NULL;
	}
	assert_true(inherit_check(&n[INHERIT_CHAIN_MAX]));
	assert_false(inherit_check(&n[INHERIT_CHAIN_MAX + 1]));
	/* Two nodes calling each other: the depths can never both be right. */
	inherit_init(&c[0], 1);
	inherit_init(&c[1], 1);
	c[0].caller = c[0].server = &c[1];
	c[1].caller = c[1].server = &c[0];
	assert_false(inherit_check(&c[0]));
	assert_false(inherit_check(&c[1]));
}

/* The model: who calls whom (-1: no one), and each node's base. */
struct model {
	int caller[NODES], server[NODES];
	uint8_t base[NODES];
};

/* Walk up the callers: the highest base on the way, and how many steps it took. */
static uint8_t model_prio(const struct model *m, int i, unsigned *depth)
{
	uint8_t prio = m->base[i];

	*depth = 0;
	for (int c = m->caller[i]; c >= 0; c = m->caller[c]) {
		prio = m->base[c] > prio ? m->base[c] : prio;
		++*depth;
		assert_true(*depth <= NODES);
	}
	return prio;
}

static bool model_can_call(const struct model *m, int i)
{
	unsigned depth;

	model_prio(m, i, &depth);
	return m->server[i] < 0 && depth + 1 <= INHERIT_CHAIN_MAX;
}

/* Every node against the model, and apply() told once about each node whose prio moved. */
static void expect_matches(const struct inherit_node *n, const struct model *m,
                           const uint8_t *before, const struct applied *a)
{
	unsigned changed = 0, depth;

	for (int i = 0; i < NODES; i++) {
		uint8_t prio = model_prio(m, i, &depth);
		const struct inherit_node *c = m->caller[i] < 0 ? NULL : &n[m->caller[i]];
		const struct inherit_node *s = m->server[i] < 0 ? NULL : &n[m->server[i]];
		if (n[i].caller != c || n[i].server != s || n[i].prio != prio ||
		    n[i].depth != depth)
			fail_msg("node %d differs from the model", i);
		assert_true(inherit_check(&n[i]));
		assert_int_equal(inherit_can_call(&n[i]), model_can_call(m, i));
		unsigned told = 0;
		for (unsigned k = 0; k < a->count; k++)
			told += a->node[k] == &n[i];
		if (told != (prio != before[i]))
			fail_msg("node %d: apply() told %u times, prio %u -> %u", i, told,
			         before[i], prio);
		changed += told;
	}
	assert_int_equal(a->count, changed);
}

/* What the random sequence met, so it can prove it tested the interesting cases. */
struct tally {
	unsigned links, unlinks, middle_cuts, too_deep, applied;
};

/* The deepest node that calls no one: the bottom of the longest chain. */
static int model_deepest(const struct model *m)
{
	unsigned depth, best_depth = 0;
	int best = 0;

	for (int i = 0; i < NODES; i++) {
		model_prio(m, i, &depth);
		if (m->server[i] < 0 && depth >= best_depth) {
			best = i;
			best_depth = depth;
		}
	}
	return best;
}

/*
 * Link a random idle node under a node allowed to call, if there are both.
 * The caller is random, or half the time the bottom of the longest
 * chain, so chains grow to the limit and calls past it are tried.
 */
static void random_link(struct inherit_node *n, struct model *m, uint64_t r, struct applied *a,
                        struct tally *t)
{
	int s = (int)(r % NODES), c = (int)((r >> 8) % NODES);

	if ((r >> 16) % 2 == 0)
		c = model_deepest(m);

	for (int k = 0; k < NODES && (m->caller[s] >= 0 || m->server[s] >= 0); k++)
		s = (s + 1) % NODES;
	for (int k = 0; k < NODES && (c == s || !model_can_call(m, c)); k++) {
		unsigned depth;
		model_prio(m, c, &depth);
		t->too_deep += m->server[c] < 0 && depth == INHERIT_CHAIN_MAX;
		c = (c + 1) % NODES;
	}
	if (m->caller[s] >= 0 || m->server[s] >= 0 || c == s || !model_can_call(m, c))
		return;
	inherit_link(&n[s], &n[c], record, a);
	m->caller[s] = c;
	m->server[c] = s;
	t->links++;
}

static void random_unlink(struct inherit_node *n, struct model *m, uint64_t r, struct applied *a,
                          struct tally *t)
{
	int s = (int)(r % NODES);

	for (int k = 0; k < NODES && m->caller[s] < 0; k++)
		s = (s + 1) % NODES;
	inherit_unlink(&n[s], record, a); /* a no-op if no node has a caller */
	if (m->caller[s] < 0)
		return;
	m->server[m->caller[s]] = -1;
	m->caller[s] = -1;
	t->unlinks++;
	t->middle_cuts += m->server[s] >= 0;
}

static void matches_model_on_random_operations(void **state)
{
	(void)state;
	struct inherit_node n[NODES];
	struct model m;
	struct tally t = {0};
	uint64_t seed = 0x6b65656c2d696e68ULL; /* "keel-inh" */

	for (int i = 0; i < NODES; i++) {
		m.base[i] = (uint8_t)next_random(&seed);
		m.caller[i] = m.server[i] = -1;
	}
	make(n, m.base, NODES);
	for (int step = 0; step < 20000; step++) {
		uint64_t r = next_random(&seed);
		struct applied a = {.count = 0};
		uint8_t before[NODES];
		for (int i = 0; i < NODES; i++)
			before[i] = n[i].prio;
		/* Mostly links, so chains grow to the limit; then mostly unlinks. */
		if (r % 16 < ((step / 400) % 2 ? 14u : 5u))
			random_link(n, &m, r >> 4, &a, &t);
		else
			random_unlink(n, &m, r >> 4, &a, &t);
		expect_matches(n, &m, before, &a);
		t.applied += a.count;
	}
	/* The sequence must have met every case, or it tested less than it claims. */
	assert_true(t.links > 3000 && t.unlinks > 3000 && t.middle_cuts > 500);
	assert_true(t.too_deep > 100 && t.applied > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_makes_an_idle_node_at_its_base),
	    cmocka_unit_test(link_raises_the_server_to_its_caller),
	    cmocka_unit_test(link_below_a_lower_or_equal_caller_changes_nothing),
	    cmocka_unit_test(unlink_restores_the_base),
	    cmocka_unit_test(unlink_without_a_change_calls_no_apply),
	    cmocka_unit_test(nested_chain_unwinds_from_the_bottom),
	    cmocka_unit_test(client_timeout_drops_the_servers_below_to_what_they_still_inherit),
	    cmocka_unit_test(cut_in_the_middle_applies_only_to_nodes_that_changed),
	    cmocka_unit_test(depth_limit_refuses_the_call_that_would_make_the_chain_too_long),
	    cmocka_unit_test(check_finds_each_broken_invariant),
	    cmocka_unit_test(check_finds_a_chain_too_long_or_a_cycle),
	    cmocka_unit_test(matches_model_on_random_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
