/*
 * test_runq.c - host unit tests for kernel/sched/runq.c, the scheduler's run queue.
 *
 * The scheduler trusts two things here: that prio_bitmap_highest() names the
 * highest non-empty level, and that a level's bit is set exactly while its
 * list is non-empty. A stale bit sends the scheduler to an empty list; a
 * missing one hides a ready thread. The bitmap is checked at every word
 * boundary and from full to empty; the run queue's FIFO order, head insertion
 * and removal directly; then a seeded random sequence of operations is checked
 * step by step against a plain model: one array of nodes per level.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/runq.h>

/* Nodes used by the run queue tests; the random test cycles through all of them. */
#define NODES 64

static bool bit_is_set(const struct prio_bitmap *b, unsigned p)
{
	return (b->words[p / 32] >> (p % 32)) & 1u;
}

/* Fail with the message a checker returned, if it returned one. */
#define expect_ok(error)                                                                           \
	do {                                                                                       \
		const char *e_ = (error);                                                          \
		if (e_)                                                                            \
			fail_msg("%s", e_);                                                        \
	} while (0)

/* NULL if summary bit w is set exactly when words[w] is non-zero, else what is wrong. */
static const char *summary_error(const struct prio_bitmap *b)
{
	static char msg[96];

	for (unsigned w = 0; w < RUNQ_WORDS; w++) {
		bool bit = (b->summary >> w) & 1u;
		if (bit != (b->words[w] != 0)) {
			snprintf(msg, sizeof(msg), "summary bit %u is %d but word %u is 0x%08x", w,
			         bit, w, b->words[w]);
			return msg;
		}
	}
	if (b->summary >> RUNQ_WORDS)
		return "summary has bits above the last word";
	return NULL;
}

/* @p b holds level @p p and nothing else, in both the word and the summary. */
static void expect_only(const struct prio_bitmap *b, unsigned p)
{
	for (unsigned w = 0; w < RUNQ_WORDS; w++)
		assert_int_equal(b->words[w], w == p / 32 ? 1u << (p % 32) : 0u);
	assert_int_equal(b->summary, 1u << (p / 32));
	assert_int_equal(prio_bitmap_highest(b), p);
}

static void expect_empty(const struct prio_bitmap *b)
{
	for (unsigned w = 0; w < RUNQ_WORDS; w++)
		assert_int_equal(b->words[w], 0);
	assert_int_equal(b->summary, 0);
	assert_int_equal(prio_bitmap_highest(b), -1);
}

/* Set level @p p alone, check it, clear it, check the bitmap is empty again. */
static void expect_alone(unsigned p)
{
	struct prio_bitmap b;

	prio_bitmap_init(&b);
	prio_bitmap_set(&b, p);
	expect_only(&b, p);
	prio_bitmap_clear(&b, p);
	expect_empty(&b);
}

static void highest_is_minus_one_when_empty(void **state)
{
	(void)state;
	struct prio_bitmap b;

	memset(&b, 0xa5, sizeof(b)); /* init must not rely on zeroed memory */
	prio_bitmap_init(&b);
	expect_empty(&b);
}

/* Every level alone, so every word boundary: 0, 31, 32, 63, 64, ..., 254, 255. */
static void highest_is_the_only_level_set_for_each_level(void **state)
{
	(void)state;
	for (unsigned p = 0; p < RUNQ_LEVELS; p++)
		expect_alone(p);
}

static void fill(struct prio_bitmap *b)
{
	prio_bitmap_init(b);
	for (unsigned p = 0; p < RUNQ_LEVELS; p++)
		prio_bitmap_set(b, p);
}

static void highest_is_255_when_all_set(void **state)
{
	(void)state;
	struct prio_bitmap b;

	fill(&b);
	assert_int_equal(prio_bitmap_highest(&b), 255);
	assert_int_equal(b.summary, (1u << RUNQ_WORDS) - 1);
	for (unsigned w = 0; w < RUNQ_WORDS; w++)
		assert_int_equal(b.words[w], UINT32_MAX);
}

static void highest_follows_clears_downward_to_empty(void **state)
{
	(void)state;
	struct prio_bitmap b;

	fill(&b);
	for (int p = RUNQ_LEVELS - 1; p >= 0; p--) {
		assert_int_equal(prio_bitmap_highest(&b), p);
		prio_bitmap_clear(&b, (unsigned)p);
		expect_ok(summary_error(&b));
		assert_int_equal(prio_bitmap_highest(&b), p - 1);
	}
	expect_empty(&b);
}

static void clear_keeps_summary_bit_while_word_has_another_level(void **state)
{
	(void)state;
	struct prio_bitmap b;

	prio_bitmap_init(&b);
	prio_bitmap_set(&b, 33);
	prio_bitmap_set(&b, 40); /* same word as 33 */
	prio_bitmap_clear(&b, 40);
	assert_int_equal(b.summary, 1u << 1);
	assert_int_equal(prio_bitmap_highest(&b), 33);
	prio_bitmap_set(&b, 224);
	prio_bitmap_set(&b, 255); /* the top word, both ends */
	prio_bitmap_clear(&b, 255);
	assert_int_equal(prio_bitmap_highest(&b), 224);
	prio_bitmap_clear(&b, 224);
	assert_int_equal(prio_bitmap_highest(&b), 33);
	prio_bitmap_set(&b, 0);
	prio_bitmap_set(&b, 31);
	prio_bitmap_clear(&b, 33);
	expect_ok(summary_error(&b));
	assert_int_equal(prio_bitmap_highest(&b), 31);
	prio_bitmap_clear(&b, 31);
	expect_only(&b, 0);
}

static void setting_twice_or_clearing_an_unset_level_changes_nothing(void **state)
{
	(void)state;
	struct prio_bitmap b;

	prio_bitmap_init(&b);
	prio_bitmap_clear(&b, 5);
	expect_empty(&b);
	prio_bitmap_set(&b, 77);
	prio_bitmap_set(&b, 77);
	expect_only(&b, 77);
	prio_bitmap_clear(&b, 76);  /* unset, same word */
	prio_bitmap_clear(&b, 200); /* unset, another word */
	expect_only(&b, 77);
	prio_bitmap_clear(&b, 77); /* one clear undoes two sets: a set, not a count */
	expect_empty(&b);
}

/*
 * NULL if @p rq keeps its invariants: bit p set iff level p's list is non-empty, the summary
 * true, every queued node linked both ways and marked with its level, count nodes in all.
 */
static const char *runq_error(const struct runq *rq)
{
	static char msg[128];
	const char *e = summary_error(&rq->ready);
	unsigned total = 0;

	if (e)
		return e;
	for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
		const struct list *head = &rq->levels[p];
		bool ok = bit_is_set(&rq->ready, p) != list_empty(head);
		for (const struct list *l = head->next; ok && l != head; l = l->next) {
			const struct runq_node *n = list_entry(l, struct runq_node, link);
			ok = l->next->prev == l && l->prev->next == l && n->prio == p && n->queued;
			if (++total > rq->count) /* also stops a list that never returns */
				return "more nodes on the lists than count says";
		}
		if (!ok) {
			snprintf(msg, sizeof(msg),
			         "level %u: wrong bit, or a node linked or marked wrong", p);
			return msg;
		}
	}
	return total == rq->count ? NULL : "fewer nodes on the lists than count says";
}

/* Level @p p holds exactly the @p n nodes of @p want, in that order. */
static void expect_level(const struct runq *rq, unsigned p, struct runq_node *const *want,
                         unsigned n)
{
	const struct list *head = &rq->levels[p];
	unsigned i = 0;

	for (const struct list *l = head->next; l != head; l = l->next, i++)
		if (i >= n || list_entry(l, struct runq_node, link) != want[i])
			fail_msg("level %u: node %u is not the expected one", p, i);
	assert_int_equal(i, n);
}

#define NODE_LIST(...) ((struct runq_node *const[]){__VA_ARGS__})
#define EXPECT_LEVEL(rq, p, ...)                                                                   \
	expect_level((rq), (p), NODE_LIST(__VA_ARGS__),                                            \
	             sizeof(NODE_LIST(__VA_ARGS__)) / sizeof(struct runq_node *))

static void init_leaves_queue_empty(void **state)
{
	(void)state;
	struct runq rq;

	memset(&rq, 0xa5, sizeof(rq));
	runq_init(&rq);
	expect_ok(runq_error(&rq));
	assert_null(runq_peek(&rq));
	assert_int_equal(runq_highest(&rq), -1);
	assert_int_equal(rq.count, 0);
}

static void push_keeps_fifo_order_within_a_level(void **state)
{
	(void)state;
	struct runq rq;
	struct runq_node n[4];

	runq_init(&rq);
	for (unsigned i = 0; i < 4; i++) {
		runq_push(&rq, &n[i], 10);
		expect_ok(runq_error(&rq));
		assert_true(n[i].queued);
		assert_int_equal(n[i].prio, 10);
		assert_int_equal(rq.count, i + 1);
		assert_ptr_equal(runq_peek(&rq), &n[0]);
	}
	EXPECT_LEVEL(&rq, 10, &n[0], &n[1], &n[2], &n[3]);
	for (unsigned i = 0; i < 4; i++) {
		assert_ptr_equal(runq_peek(&rq), &n[i]);
		runq_remove(&rq, &n[i]);
		expect_ok(runq_error(&rq));
		assert_false(n[i].queued);
		assert_int_equal(rq.count, 3 - i);
	}
	assert_null(runq_peek(&rq));
}

static void push_front_goes_before_existing_nodes(void **state)
{
	(void)state;
	struct runq rq;
	struct runq_node n[6];

	runq_init(&rq);
	runq_push(&rq, &n[0], 7);
	runq_push(&rq, &n[1], 7);
	runq_push_front(&rq, &n[2], 7);
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 7, &n[2], &n[0], &n[1]);
	assert_ptr_equal(runq_peek(&rq), &n[2]);
	runq_push_front(&rq, &n[3], 7);
	runq_push(&rq, &n[4], 7);
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 7, &n[3], &n[2], &n[0], &n[1], &n[4]);
	assert_ptr_equal(runq_peek(&rq), &n[3]);
	runq_push_front(&rq, &n[5], 9); /* on an empty level, it is the only node */
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 9, &n[5]);
	assert_ptr_equal(runq_peek(&rq), &n[5]);
	assert_int_equal(rq.count, 6);
}

static void remove_from_head_middle_and_tail_keeps_invariant(void **state)
{
	(void)state;
	struct runq rq;
	struct runq_node n[6];

	runq_init(&rq);
	runq_push(&rq, &n[5], 99);
	for (unsigned i = 0; i < 5; i++)
		runq_push(&rq, &n[i], 100);
	runq_remove(&rq, &n[2]); /* middle */
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 100, &n[0], &n[1], &n[3], &n[4]);
	runq_remove(&rq, &n[0]); /* head */
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 100, &n[1], &n[3], &n[4]);
	assert_ptr_equal(runq_peek(&rq), &n[1]);
	runq_remove(&rq, &n[4]); /* tail */
	expect_ok(runq_error(&rq));
	EXPECT_LEVEL(&rq, 100, &n[1], &n[3]);
	runq_remove(&rq, &n[3]);
	runq_remove(&rq, &n[1]); /* the last one: the level's bit goes */
	expect_ok(runq_error(&rq));
	assert_false(bit_is_set(&rq.ready, 100));
	assert_int_equal(runq_highest(&rq), 99);
	assert_ptr_equal(runq_peek(&rq), &n[5]);
	assert_int_equal(rq.count, 1);
}

static void peek_returns_first_node_of_highest_level(void **state)
{
	(void)state;
	struct runq rq;
	struct runq_node n[6];

	runq_init(&rq);
	runq_push(&rq, &n[0], 0);
	runq_push(&rq, &n[1], 200);
	runq_push(&rq, &n[2], 200);
	runq_push(&rq, &n[3], 64);
	assert_ptr_equal(runq_peek(&rq), &n[1]);
	runq_push(&rq, &n[4], 255);
	assert_ptr_equal(runq_peek(&rq), &n[4]);
	assert_int_equal(runq_highest(&rq), 255);
	struct runq_node *order[] = {&n[4], &n[1], &n[2], &n[3], &n[0]};
	for (unsigned i = 0; i < 5; i++) {
		assert_ptr_equal(runq_peek(&rq), order[i]);
		assert_int_equal(runq_highest(&rq), order[i]->prio);
		runq_remove(&rq, order[i]);
		expect_ok(runq_error(&rq));
	}
	assert_null(runq_peek(&rq));
	assert_int_equal(runq_highest(&rq), -1);
}

/* The reference model: each level's queued nodes, as indices into the node array, in order. */
struct model {
	unsigned char order[RUNQ_LEVELS][NODES];
	unsigned len[RUNQ_LEVELS];
	unsigned prio[NODES];
	bool queued[NODES];
	unsigned count;
};

static void model_push(struct model *m, unsigned i, unsigned prio, bool front)
{
	unsigned char *o = m->order[prio];

	if (front)
		memmove(o + 1, o, m->len[prio]);
	o[front ? 0 : m->len[prio]] = (unsigned char)i;
	m->len[prio]++;
	m->prio[i] = prio;
	m->queued[i] = true;
	m->count++;
}

static void model_remove(struct model *m, unsigned i)
{
	unsigned p = m->prio[i], k = 0;

	while (m->order[p][k] != i)
		k++;
	memmove(&m->order[p][k], &m->order[p][k + 1], m->len[p] - k - 1);
	m->len[p]--;
	m->queued[i] = false;
	m->count--;
}

static int model_highest(const struct model *m)
{
	for (int p = RUNQ_LEVELS - 1; p >= 0; p--)
		if (m->len[p])
			return p;
	return -1;
}

/* NULL if @p rq holds what the model holds, level by level and in order, else what differs. */
static const char *model_error(const struct runq *rq, struct runq_node *n, const struct model *m)
{
	static char msg[96];
	const char *e = runq_error(rq);
	int h = model_highest(m);

	if (e)
		return e;
	for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
		const struct list *l = rq->levels[p].next;
		for (unsigned k = 0; k < m->len[p]; k++, l = l->next)
			if (l == &rq->levels[p] || l != &n[m->order[p][k]].link) {
				snprintf(msg, sizeof(msg), "level %u differs at node %u", p, k);
				return msg;
			}
		if (l != &rq->levels[p])
			return "a level holds more nodes than the model";
	}
	if (rq->count != m->count || runq_highest(rq) != h)
		return "count or highest differs from the model";
	if (runq_peek(rq) != (h < 0 ? NULL : &n[m->order[h][0]]))
		return "peek differs from the model";
	return NULL;
}

/* A level, half the time one at or next to a word boundary so levels fill up. */
static uint8_t random_prio(uint64_t r)
{
	static const uint8_t edges[] = {0, 1, 31, 32, 33, 63, 64, 127, 128, 200, 254, 255};

	return (r & 1) ? edges[(r >> 1) % sizeof(edges)] : (uint8_t)(r >> 8);
}

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * One operation: filling, toggle a random node (push, push_front or remove); draining,
 * remove the node the scheduler would pick, or any queued node.
 */
static void random_step(struct runq *rq, struct runq_node *n, struct model *m, uint64_t r,
                        bool drain)
{
	unsigned i = r % NODES;

	if (drain && (r >> 16) & 1 && rq->count)
		i = (unsigned)(runq_peek(rq) - n);
	for (unsigned tries = 0; drain && !m->queued[i] && tries < NODES; tries++)
		i = (i + 1) % NODES;
	if (m->queued[i]) {
		runq_remove(rq, &n[i]);
		model_remove(m, i);
	} else if (!drain) {
		bool front = (r >> 24) % 3 == 0;
		uint8_t prio = random_prio(r >> 32);
		if (front)
			runq_push_front(rq, &n[i], prio);
		else
			runq_push(rq, &n[i], prio);
		model_push(m, i, prio, front);
	}
}

static void matches_model_on_random_operations(void **state)
{
	(void)state;
	static struct model m;
	struct runq rq;
	struct runq_node n[NODES];
	uint64_t seed = 0x6b65656c2d72756eULL; /* "keel-run" */
	unsigned empties = 0, most = 0;

	memset(&m, 0, sizeof(m));
	memset(n, 0, sizeof(n)); /* never queued: queued is false */
	runq_init(&rq);
	for (int step = 0; step < 5000; step++) {
		random_step(&rq, n, &m, next_random(&seed), step % 400 >= 300);
		const char *e = model_error(&rq, n, &m);
		if (e)
			fail_msg("step %d: %s", step, e);
		empties += m.count == 0;
		most = m.count > most ? m.count : most;
	}
	/* The sequence must have emptied the queue and filled it well, or it tested little. */
	assert_true(empties >= 10);
	assert_true(most >= NODES / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(highest_is_minus_one_when_empty),
	    cmocka_unit_test(highest_is_the_only_level_set_for_each_level),
	    cmocka_unit_test(highest_is_255_when_all_set),
	    cmocka_unit_test(highest_follows_clears_downward_to_empty),
	    cmocka_unit_test(clear_keeps_summary_bit_while_word_has_another_level),
	    cmocka_unit_test(setting_twice_or_clearing_an_unset_level_changes_nothing),
	    cmocka_unit_test(init_leaves_queue_empty),
	    cmocka_unit_test(push_keeps_fifo_order_within_a_level),
	    cmocka_unit_test(push_front_goes_before_existing_nodes),
	    cmocka_unit_test(remove_from_head_middle_and_tail_keeps_invariant),
	    cmocka_unit_test(peek_returns_first_node_of_highest_level),
	    cmocka_unit_test(matches_model_on_random_operations),
	};

	return cmocka_run_group_tests_name("runq", tests, NULL, NULL);
}
