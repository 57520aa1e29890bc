/*
 * test_timerq.c - host unit tests for kernel/sched/timerq.c, the timer queue.
 *
 * Every sleep and every timeout in Keel waits in this heap, so a timer that
 * expires early, late or never is a thread that wakes wrongly. After every
 * operation a helper walks the heap array: each timer's index field names its
 * slot, and no timer expires before its parent by (deadline, insertion order).
 * The contract is then checked case by case (ties, removal from every slot,
 * busy and full errors, the edges of `now` and of the deadline range) and by a
 * seeded random sequence compared at each step with a plain array scanned for
 * the earliest timer.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/timerq.h>

/* More timers than the queue holds, so the random test can fill it. */
#define POOL (TIMERQ_MAX + 32)

/* Does a expire before b, by deadline and then by insertion order? */
static bool before(const struct timer *a, const struct timer *b)
{
	if (a->deadline_us != b->deadline_us)
		return a->deadline_us < b->deadline_us;
	return a->seq < b->seq;
}

/* NULL if every slot's timer knows its slot and none expires before its parent. */
static const char *heap_error(const struct timerq *q)
{
	static char msg[96];

	if (q->count > TIMERQ_MAX)
		return "count is above TIMERQ_MAX";
	for (unsigned i = 0; i < q->count; i++) {
		const struct timer *t = q->heap[i];
		if (t == NULL || t->index != (int)i)
			snprintf(msg, sizeof(msg), "slot %u: the timer's index is wrong", i);
		else if (i > 0 && before(t, q->heap[(i - 1) / 2]))
			snprintf(msg, sizeof(msg), "slot %u: expires before its parent", i);
		else
			continue;
		return msg;
	}
	return NULL;
}

/* Fail with the message heap_error() returned, if it returned one. */
#define expect_heap_ok(q)                                                                          \
	do {                                                                                       \
		const char *e_ = heap_error(q);                                                    \
		if (e_)                                                                            \
			fail_msg("%s", e_);                                                        \
	} while (0)

static void ignore(struct timer *t)
{
	(void)t;
}

/* Make @p n timers that are not queued, each with itself as context. */
static void init_timers(struct timer *t, unsigned n)
{
	memset(t, 0xa5, n * sizeof(*t));
	for (unsigned i = 0; i < n; i++)
		timer_init(&t[i], ignore, &t[i]);
}

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill @p perm with 0..n-1 in a seeded random order (Fisher-Yates). */
static void shuffle(unsigned *perm, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		perm[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = next_random(&seed) % (i + 1), tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
}

/* Pop everything; deadlines must not decrease, and @p count timers must come out. */
static void expect_drains_in_order(struct timerq *q, unsigned count)
{
	uint64_t last = 0;
	struct timer *t;
	unsigned popped = 0;

	while ((t = timerq_pop_due(q, UINT64_MAX)) != NULL) {
		assert_true(t->deadline_us >= last);
		assert_false(timer_pending(t));
		last = t->deadline_us;
		popped++;
		expect_heap_ok(q);
	}
	assert_int_equal(popped, count);
	assert_int_equal(q->count, 0);
}

static void timer_init_makes_a_timer_that_is_not_pending(void **state)
{
	(void)state;
	struct timer t;
	int ctx;

	memset(&t, 0xa5, sizeof(t));
	timer_init(&t, ignore, &ctx);
	assert_false(timer_pending(&t));
	assert_ptr_equal(t.fn, ignore);
	assert_ptr_equal(t.ctx, &ctx);
}

static void empty_queue_peeks_and_pops_null(void **state)
{
	(void)state;
	struct timerq q;

	memset(&q, 0xa5, sizeof(q));
	timerq_init(&q);
	assert_int_equal(q.count, 0);
	assert_null(timerq_peek(&q));
	assert_null(timerq_pop_due(&q, 0));
	assert_null(timerq_pop_due(&q, UINT64_MAX));
}

static void pops_in_deadline_order_after_random_inserts(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[100];
	unsigned perm[100];

	init_timers(t, 100);
	timerq_init(&q);
	shuffle(perm, 100, 0x74696d6572ULL);
	for (unsigned k = 0; k < 100; k++) {
		struct timer *x = &t[perm[k]];
		assert_int_equal(timerq_insert(&q, x, 10 * perm[k] + 7), KEEL_OK);
		assert_true(timer_pending(x));
		assert_int_equal(x->deadline_us, 10 * perm[k] + 7);
		expect_heap_ok(&q);
	}
	assert_int_equal(q.count, 100);
	for (unsigned i = 0; i < 100; i++) {
		assert_ptr_equal(timerq_peek(&q), &t[i]);
		assert_ptr_equal(timerq_pop_due(&q, UINT64_MAX), &t[i]);
		assert_false(timer_pending(&t[i]));
		assert_true(t[i].fn == ignore && t[i].ctx == &t[i]); /* left alone */
		expect_heap_ok(&q);
	}
	assert_null(timerq_peek(&q));
}

static void equal_deadlines_pop_in_insertion_order(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[40];
	unsigned perm[40], early[40], late[40], ne = 0, nl = 0;
	uint64_t seed = 0x7469657300ULL;

	init_timers(t, 40);
	timerq_init(&q);
	shuffle(perm, 40, seed);
	for (unsigned k = 0; k < 40; k++) { /* timers in a random order, two deadlines */
		bool is_early = next_random(&seed) & 1;
		assert_int_equal(timerq_insert(&q, &t[perm[k]], is_early ? 5 : 9), KEEL_OK);
		expect_heap_ok(&q);
		if (is_early)
			early[ne++] = perm[k];
		else
			late[nl++] = perm[k];
	}
	for (unsigned k = 0; k < ne; k++)
		assert_ptr_equal(timerq_pop_due(&q, 9), &t[early[k]]);
	for (unsigned k = 0; k < nl; k++)
		assert_ptr_equal(timerq_pop_due(&q, 9), &t[late[k]]);
	assert_null(timerq_peek(&q));
}

static void reinserted_timer_goes_after_equal_deadlines(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[3];

	init_timers(t, 3);
	timerq_init(&q);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(timerq_insert(&q, &t[i], 100), KEEL_OK);
	assert_true(timerq_remove(&q, &t[0]));
	assert_int_equal(timerq_insert(&q, &t[0], 100), KEEL_OK);
	expect_heap_ok(&q);
	assert_ptr_equal(timerq_pop_due(&q, 100), &t[1]);
	assert_ptr_equal(timerq_pop_due(&q, 100), &t[2]);
	assert_ptr_equal(timerq_pop_due(&q, 100), &t[0]);
}

/* A full five-level heap (31 timers, deadlines in a random order); remove the one in @p slot. */
static void remove_from_slot(unsigned slot)
{
	struct timerq q;
	struct timer t[31];
	unsigned perm[31];

	init_timers(t, 31);
	timerq_init(&q);
	shuffle(perm, 31, 0x736c6f74ULL + slot);
	for (unsigned k = 0; k < 31; k++)
		assert_int_equal(timerq_insert(&q, &t[perm[k]], 100 * perm[k]), KEEL_OK);
	struct timer *gone = q.heap[slot];
	assert_true(timerq_remove(&q, gone));
	assert_false(timer_pending(gone));
	assert_int_equal(q.count, 30);
	expect_heap_ok(&q);
	for (unsigned i = 0; i < 31; i++)
		assert_true(timer_pending(&t[i]) == (&t[i] != gone));
	expect_drains_in_order(&q, 30);
}

/* Slot 0 is the root, 1-14 are in the middle, 15-30 are leaves; 30 is the last. */
static void remove_at_every_slot_keeps_heap_order(void **state)
{
	(void)state;
	for (unsigned slot = 0; slot < 31; slot++)
		remove_from_slot(slot);
}

static void remove_lets_the_last_timer_rise_when_it_is_earlier(void **state)
{
	(void)state;
	static const uint64_t deadlines[] = {0, 100, 1, 101, 102, 2, 3};
	struct timerq q;
	struct timer t[7];

	init_timers(t, 7);
	timerq_init(&q);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(timerq_insert(&q, &t[i], deadlines[i]), KEEL_OK);
	/* The heap is [0, 100, 1, 101, 102, 2, 3] and slot 3 (101) is a leaf under 100. */
	assert_ptr_equal(q.heap[3], &t[3]);
	assert_true(timerq_remove(&q, &t[3]));
	expect_heap_ok(&q); /* 3 took slot 3 and must have risen above 100 */
	assert_int_equal(t[6].index, 1);
	expect_drains_in_order(&q, 6);
}

static void double_insert_returns_busy_and_changes_nothing(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[2];

	init_timers(t, 2);
	timerq_init(&q);
	assert_int_equal(timerq_insert(&q, &t[0], 50), KEEL_OK);
	assert_int_equal(timerq_insert(&q, &t[1], 60), KEEL_OK);
	uint64_t seq = t[0].seq;
	assert_int_equal(timerq_insert(&q, &t[0], 70), KEEL_ERR_BUSY);
	assert_int_equal(timerq_insert(&q, &t[1], 10), KEEL_ERR_BUSY);
	assert_int_equal(q.count, 2);
	assert_int_equal(t[0].deadline_us, 50);
	assert_int_equal(t[0].seq, seq);
	assert_int_equal(t[1].deadline_us, 60);
	expect_heap_ok(&q);
	assert_ptr_equal(timerq_peek(&q), &t[0]);
}

static void full_queue_returns_no_memory_until_one_is_removed(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[TIMERQ_MAX + 2];
	unsigned perm[TIMERQ_MAX];

	init_timers(t, TIMERQ_MAX + 2);
	timerq_init(&q);
	shuffle(perm, TIMERQ_MAX, 0x66756c6cULL);
	for (unsigned k = 0; k < TIMERQ_MAX; k++)
		assert_int_equal(timerq_insert(&q, &t[perm[k]], perm[k]), KEEL_OK);
	expect_heap_ok(&q);
	struct timer *extra = &t[TIMERQ_MAX], *extra2 = &t[TIMERQ_MAX + 1];
	assert_int_equal(timerq_insert(&q, extra, 1000), KEEL_ERR_NO_MEMORY);
	assert_false(timer_pending(extra));
	assert_int_equal(q.count, TIMERQ_MAX);
	expect_heap_ok(&q);
	assert_true(timerq_remove(&q, &t[TIMERQ_MAX / 2]));
	assert_int_equal(timerq_insert(&q, extra, 1000), KEEL_OK);
	assert_int_equal(timerq_insert(&q, extra2, 0), KEEL_ERR_NO_MEMORY);
	expect_heap_ok(&q);
	assert_ptr_equal(timerq_pop_due(&q, 0), &t[0]);
	assert_int_equal(timerq_insert(&q, extra2, 0), KEEL_OK);
	expect_drains_in_order(&q, TIMERQ_MAX);
}

static void remove_of_a_timer_not_queued_returns_false(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[3];

	init_timers(t, 3);
	timerq_init(&q);
	assert_false(timerq_remove(&q, &t[0])); /* never queued */
	assert_int_equal(timerq_insert(&q, &t[0], 5), KEEL_OK);
	assert_int_equal(timerq_insert(&q, &t[1], 6), KEEL_OK);
	assert_false(timerq_remove(&q, &t[2]));
	assert_int_equal(q.count, 2);
	assert_true(timerq_remove(&q, &t[1]));
	assert_false(timerq_remove(&q, &t[1])); /* removed already */
	assert_ptr_equal(timerq_pop_due(&q, 5), &t[0]);
	assert_false(timerq_remove(&q, &t[0])); /* expired already */
	assert_int_equal(q.count, 0);
	assert_null(timerq_peek(&q));
}

static void pop_due_respects_now(void **state)
{
	(void)state;
	struct timerq q;
	struct timer t[2];

	init_timers(t, 2);
	timerq_init(&q);
	assert_int_equal(timerq_insert(&q, &t[1], 2000), KEEL_OK);
	assert_int_equal(timerq_insert(&q, &t[0], 1000), KEEL_OK);
	assert_null(timerq_pop_due(&q, 0));
	assert_null(timerq_pop_due(&q, 999)); /* one microsecond early */
	assert_true(timer_pending(&t[0]));
	assert_int_equal(q.count, 2);
	assert_ptr_equal(timerq_pop_due(&q, 1000), &t[0]); /* due exactly at its deadline */
	assert_null(timerq_pop_due(&q, 1999));
	assert_ptr_equal(timerq_peek(&q), &t[1]);
	assert_ptr_equal(timerq_pop_due(&q, 5000), &t[1]); /* late is still due */
	assert_null(timerq_pop_due(&q, UINT64_MAX));
}

static void deadlines_at_zero_and_uint64_max(void **state)
{
	(void)state;
	static const uint64_t deadlines[] = {UINT64_MAX, 0, UINT64_MAX - 1, 0, UINT64_MAX};
	struct timerq q;
	struct timer t[5];

	init_timers(t, 5);
	timerq_init(&q);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(timerq_insert(&q, &t[i], deadlines[i]), KEEL_OK);
	expect_heap_ok(&q);
	assert_ptr_equal(timerq_pop_due(&q, 0), &t[1]);
	assert_ptr_equal(timerq_pop_due(&q, 0), &t[3]);
	assert_null(timerq_pop_due(&q, 0));
	assert_null(timerq_pop_due(&q, UINT64_MAX - 2));
	assert_ptr_equal(timerq_pop_due(&q, UINT64_MAX - 1), &t[2]);
	assert_null(timerq_pop_due(&q, UINT64_MAX - 1));
	assert_ptr_equal(timerq_pop_due(&q, UINT64_MAX), &t[0]);
	assert_ptr_equal(timerq_pop_due(&q, UINT64_MAX), &t[4]);
	assert_null(timerq_peek(&q));
}

/* The reference model: which timers are queued, with their deadline and insertion order. */
struct model {
	bool queued[POOL];
	uint64_t deadline[POOL], seq[POOL], next_seq;
	unsigned count;
};

/* The earliest queued timer by (deadline, seq), scanning every one; -1 if none. */
static int model_first(const struct model *m)
{
	int best = -1;

	for (int i = 0; i < POOL; i++)
		if (m->queued[i] &&
		    (best < 0 || m->deadline[i] < m->deadline[best] ||
		     (m->deadline[i] == m->deadline[best] && m->seq[i] < m->seq[best])))
			best = i;
	return best;
}

/* NULL if the queue holds exactly the model's timers, with their deadlines, in heap order. */
static const char *model_error(const struct timerq *q, const struct timer *t, const struct model *m)
{
	const char *e = heap_error(q);
	int first = model_first(m);

	if (e)
		return e;
	if (q->count != m->count)
		return "count differs from the model";
	for (unsigned i = 0; i < POOL; i++) {
		if (timer_pending(&t[i]) != m->queued[i])
			return "a timer's pending state differs from the model";
		if (m->queued[i] && (t[i].index >= (int)q->count || q->heap[t[i].index] != &t[i] ||
		                     t[i].deadline_us != m->deadline[i]))
			return "a queued timer is not in its slot or has the wrong deadline";
	}
	if (timerq_peek(q) != (first < 0 ? NULL : &t[first]))
		return "peek differs from the model";
	return NULL;
}

/* What the random sequence met, so it can prove it tested the interesting cases. */
struct tally {
	unsigned busy, full, popped, not_due, empty;
};

/* A deadline near @p now, so many collide; now and then 0 or UINT64_MAX. */
static uint64_t random_deadline(uint64_t now, uint64_t r)
{
	if (r % 32 < 2)
		return r % 32 ? UINT64_MAX : 0;
	return now + (r >> 8) % 64;
}

static void random_insert(struct timerq *q, struct timer *t, struct model *m, unsigned i,
                          uint64_t deadline, struct tally *n)
{
	kstatus_t want = m->queued[i]             ? KEEL_ERR_BUSY
	                 : m->count == TIMERQ_MAX ? KEEL_ERR_NO_MEMORY
	                                          : KEEL_OK;

	assert_int_equal(timerq_insert(q, &t[i], deadline), want);
	n->busy += want == KEEL_ERR_BUSY;
	n->full += want == KEEL_ERR_NO_MEMORY;
	if (want == KEEL_OK) {
		m->queued[i] = true;
		m->deadline[i] = deadline;
		m->seq[i] = m->next_seq++;
		m->count++;
	}
}

static void random_pop(struct timerq *q, struct timer *t, struct model *m, uint64_t now,
                       struct tally *n)
{
	int first = model_first(m);
	bool due = first >= 0 && m->deadline[first] <= now;

	assert_ptr_equal(timerq_pop_due(q, now), due ? &t[first] : NULL);
	n->not_due += first >= 0 && !due;
	if (due) {
		m->queued[first] = false;
		m->count--;
		n->popped++;
	}
}

/* One operation; phase 0 is balanced, 1 mostly inserts, 2 mostly removes and expires. */
static void random_step(struct timerq *q, struct timer *t, struct model *m, uint64_t *now,
                        uint64_t r, unsigned phase, struct tally *n)
{
	static const unsigned inserts[] = {8, 14, 2}; /* out of 16 */
	unsigned op = r % 16, i = (r >> 8) % POOL;

	if (op < inserts[phase]) {
		random_insert(q, t, m, i, random_deadline(*now, r >> 20), n);
	} else if (op % 2) {
		assert_int_equal(timerq_remove(q, &t[i]), m->queued[i]);
		m->count -= m->queued[i];
		m->queued[i] = false;
	} else {
		*now += (r >> 40) % (phase == 2 ? 32 : 8);
		random_pop(q, t, m, *now, n);
	}
}

static void matches_model_on_random_operations(void **state)
{
	(void)state;
	static struct timer t[POOL];
	static struct model m;
	struct timerq q;
	struct tally n = {0};
	uint64_t seed = 0x6b65656c2d746d72ULL, now = 1000; /* "keel-tmr" */

	init_timers(t, POOL);
	memset(&m, 0, sizeof(m));
	timerq_init(&q);
	for (int step = 0; step < 20000; step++) {
		random_step(&q, t, &m, &now, next_random(&seed), (unsigned)(step / 500) % 3, &n);
		const char *e = model_error(&q, t, &m);
		if (e)
			fail_msg("step %d: %s", step, e);
		n.empty += m.count == 0;
	}
	/* The sequence must have met every case, or it tested less than it claims. */
	assert_true(n.busy > 100 && n.full > 100 && n.popped > 1000);
	assert_true(n.not_due > 100 && n.empty > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(timer_init_makes_a_timer_that_is_not_pending),
	    cmocka_unit_test(empty_queue_peeks_and_pops_null),
	    cmocka_unit_test(pops_in_deadline_order_after_random_inserts),
	    cmocka_unit_test(equal_deadlines_pop_in_insertion_order),
	    cmocka_unit_test(reinserted_timer_goes_after_equal_deadlines),
	    cmocka_unit_test(remove_at_every_slot_keeps_heap_order),
	    cmocka_unit_test(remove_lets_the_last_timer_rise_when_it_is_earlier),
	    cmocka_unit_test(double_insert_returns_busy_and_changes_nothing),
	    cmocka_unit_test(full_queue_returns_no_memory_until_one_is_removed),
	    cmocka_unit_test(remove_of_a_timer_not_queued_returns_false),
	    cmocka_unit_test(pop_due_respects_now),
	    cmocka_unit_test(deadlines_at_zero_and_uint64_max),
	    cmocka_unit_test(matches_model_on_random_operations),
	};

	return cmocka_run_group_tests_name("timerq", tests, NULL, NULL);
}
