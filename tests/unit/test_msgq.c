/*
 * test_msgq.c - host unit tests for kernel/ipc/msgq.c, a channel's message ring.
 *
 * A channel hands its messages to this ring and back, so a message lost,
 * reordered, cut short or padded with someone else's bytes is a message a
 * server acts on wrongly. The sizes are checked first (slot rounding, and the
 * refusal of a ring that does not fit in 32 bits), then every clause of the
 * contract: FIFO order, a full ring refused with nothing changed, a body too
 * long refused with nothing changed, an empty ring, the wrap of the ring's
 * index, bodies copied byte for byte and no byte more, and msgq_check()
 * catching each field overwritten. Last, a seeded random sequence of puts and
 * takes is compared at every step with a plain array queue of message
 * numbers, from which each message's words and body bytes are made again.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/msgq.h>

#define HEAD ((uint32_t)sizeof(struct msgq_head))

/* Room for every ring the tests make, aligned as msgq_init() asks. */
static uint32_t mem[4096];

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A head whose every field comes from @p n, and whose body is @p len bytes. */
static struct msgq_head head_for(uint32_t n, uint32_t len)
{
	struct msgq_head h = {.label = n * 3 + 1, .sender = n ^ 0x5a5a, .len = len};

	for (unsigned w = 0; w < MSGQ_WORDS; w++)
		h.word[w] = n * 7 + w;
	return h;
}

/* @p len body bytes that depend on @p n and on their position. */
static void fill_body(uint8_t *b, uint32_t n, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(n * 31 + i * 7 + 1);
}

/* Make a ring in mem, poisoned first so stale bytes cannot pass for a message. */
static void make(struct msgq *q, uint32_t depth, uint32_t max_len)
{
	assert_true(msgq_bytes(depth, max_len) <= sizeof(mem));
	memset(mem, 0xa5, sizeof(mem));
	memset(q, 0xa5, sizeof(*q));
	assert_int_equal(msgq_init(q, mem, depth, max_len), KEEL_OK);
	assert_int_equal(msgq_check(q), KEEL_OK);
}

/* Put message @p n with a body of @p len bytes. */
static kstatus_t put_n(struct msgq *q, uint32_t n, uint32_t len)
{
	struct msgq_head h = head_for(n, len);
	uint8_t body[512];

	assert_true(len <= sizeof(body));
	fill_body(body, n, len);
	return msgq_put(q, &h, body);
}

/* Take a message and check it is message @p n of @p len bytes, and no byte past them was written. */
static void expect_take(struct msgq *q, uint32_t n, uint32_t len)
{
	struct msgq_head h, want = head_for(n, len);
	uint8_t body[520], expect[512];

	memset(body, 0xee, sizeof(body));
	assert_int_equal(msgq_take(q, &h, body), KEEL_OK);
	assert_memory_equal(&h, &want, sizeof(h));
	fill_body(expect, n, len);
	assert_memory_equal(body, expect, len);
	for (uint32_t i = len; i < sizeof(body); i++)
		assert_int_equal(body[i], 0xee);
	assert_int_equal(msgq_check(q), KEEL_OK);
}

static void bytes_are_depth_slots_rounded_to_four(void **state)
{
	(void)state;
	assert_int_equal(HEAD % 4, 0);
	assert_int_equal(msgq_bytes(4, 100), 4 * (HEAD + 100));
	assert_int_equal(msgq_bytes(1, 0), HEAD);
	for (uint32_t len = 1; len <= 4; len++)
		assert_int_equal(msgq_bytes(3, len), 3 * (HEAD + 4));
	assert_int_equal(msgq_bytes(3, 5), 3 * (HEAD + 8));
	assert_int_equal(msgq_bytes(0, 100), 0);
}

static void bytes_refuse_a_ring_that_does_not_fit_in_32_bits(void **state)
{
	(void)state;
	uint32_t biggest = UINT32_MAX - 3 - HEAD; /* a slot of exactly 2^32 - 4 bytes */

	assert_int_equal(msgq_bytes(1, biggest), (size_t)UINT32_MAX - 3);
	assert_int_equal(msgq_bytes(1, biggest + 1), 0); /* rounds up to 2^32 */
	assert_int_equal(msgq_bytes(1, UINT32_MAX), 0);
	assert_int_equal(msgq_bytes(2, biggest), 0);
	assert_int_equal(msgq_bytes(UINT32_MAX, 0), 0);
	assert_int_equal(msgq_bytes(UINT32_MAX, UINT32_MAX), 0);
	/* The largest ring of 32-byte slots that fits, and one slot more. */
	assert_int_equal(msgq_bytes(UINT32_MAX / 32, 32 - HEAD), (size_t)(UINT32_MAX / 32) * 32);
	assert_int_equal(msgq_bytes(UINT32_MAX / 32 + 1, 32 - HEAD), 0);
}

static void init_refuses_bad_arguments(void **state)
{
	(void)state;
	struct msgq q;

	assert_int_equal(msgq_init(NULL, mem, 4, 16), KEEL_ERR_INVALID);
	assert_int_equal(msgq_init(&q, NULL, 4, 16), KEEL_ERR_INVALID);
	assert_int_equal(msgq_init(&q, mem, 0, 16), KEEL_ERR_INVALID);
	assert_int_equal(msgq_init(&q, mem, 1, UINT32_MAX), KEEL_ERR_INVALID);
	assert_int_equal(msgq_init(&q, mem, UINT32_MAX, 64), KEEL_ERR_INVALID);
}

static void max_len_is_what_a_rounded_slot_holds(void **state)
{
	(void)state;
	struct msgq q;

	for (uint32_t len = 0; len <= 12; len++) {
		make(&q, 2, len);
		assert_int_equal(msgq_max_len(&q), (len + 3) / 4 * 4);
		assert_int_equal(q.slot_size, HEAD + msgq_max_len(&q));
	}
}

static void empty_ring_takes_nothing_and_changes_nothing(void **state)
{
	(void)state;
	struct msgq q, before;
	struct msgq_head h;
	uint8_t body[64];

	make(&q, 4, 64);
	assert_int_equal(msgq_count(&q), 0);
	assert_false(msgq_full(&q));
	assert_null(msgq_peek(&q));
	memset(&h, 0x11, sizeof(h));
	memset(body, 0x22, sizeof(body));
	before = q;
	assert_int_equal(msgq_take(&q, &h, body), KEEL_ERR_NOT_FOUND);
	assert_memory_equal(&q, &before, sizeof(q));
	for (unsigned i = 0; i < sizeof(h); i++)
		assert_int_equal(((uint8_t *)&h)[i], 0x11);
	for (unsigned i = 0; i < sizeof(body); i++)
		assert_int_equal(body[i], 0x22);
}

static void messages_come_out_in_the_order_they_went_in(void **state)
{
	(void)state;
	struct msgq q;

	make(&q, 8, 40);
	for (uint32_t n = 0; n < 8; n++) {
		assert_int_equal(put_n(&q, n, n * 5), KEEL_OK);
		assert_int_equal(msgq_count(&q), n + 1);
		assert_int_equal(msgq_check(&q), KEEL_OK);
	}
	assert_int_equal(q.puts, 8);
	for (uint32_t n = 0; n < 8; n++) {
		const struct msgq_head *p = msgq_peek(&q);
		struct msgq_head want = head_for(n, n * 5);
		assert_non_null(p);
		assert_memory_equal(p, &want, sizeof(want));
		expect_take(&q, n, n * 5);
		assert_int_equal(msgq_count(&q), 7 - n);
	}
	assert_null(msgq_peek(&q));
}

static void full_ring_refuses_with_busy_and_changes_nothing(void **state)
{
	(void)state;
	struct msgq q, before;
	static uint8_t ring_before[sizeof(mem)];
	size_t bytes = msgq_bytes(3, 16);

	make(&q, 3, 16);
	for (uint32_t n = 0; n < 3; n++) {
		assert_false(msgq_full(&q));
		assert_int_equal(put_n(&q, n, 16), KEEL_OK);
	}
	assert_true(msgq_full(&q));
	before = q;
	memcpy(ring_before, mem, bytes);
	assert_int_equal(put_n(&q, 99, 0), KEEL_ERR_BUSY);
	assert_int_equal(put_n(&q, 99, 16), KEEL_ERR_BUSY);
	assert_memory_equal(&q, &before, sizeof(q));
	assert_memory_equal(mem, ring_before, bytes);
	expect_take(&q, 0, 16); /* one out, one in again */
	assert_int_equal(put_n(&q, 3, 1), KEEL_OK);
	assert_int_equal(put_n(&q, 4, 1), KEEL_ERR_BUSY);
	for (uint32_t n = 1; n < 3; n++)
		expect_take(&q, n, 16);
	expect_take(&q, 3, 1);
}

static void too_long_body_refuses_with_range_and_changes_nothing(void **state)
{
	(void)state;
	struct msgq q, before;
	static uint8_t ring_before[sizeof(mem)];
	size_t bytes = msgq_bytes(2, 20);

	make(&q, 2, 20);
	assert_int_equal(put_n(&q, 1, 20), KEEL_OK); /* exactly max_len fits */
	before = q;
	memcpy(ring_before, mem, bytes);
	assert_int_equal(put_n(&q, 2, 21), KEEL_ERR_RANGE);
	assert_int_equal(put_n(&q, 2, 500), KEEL_ERR_RANGE);
	struct msgq_head huge = head_for(2, UINT32_MAX);
	assert_int_equal(msgq_put(&q, &huge, NULL), KEEL_ERR_RANGE);
	assert_memory_equal(&q, &before, sizeof(q));
	assert_memory_equal(mem, ring_before, bytes);
	/* A body that can never fit says so even when the ring is also full. */
	assert_int_equal(put_n(&q, 3, 0), KEEL_OK);
	assert_int_equal(put_n(&q, 4, 21), KEEL_ERR_RANGE);
	assert_int_equal(put_n(&q, 4, 20), KEEL_ERR_BUSY);
	expect_take(&q, 1, 20);
	expect_take(&q, 3, 0);
}

static void empty_bodies_need_no_buffer(void **state)
{
	(void)state;
	struct msgq q;
	struct msgq_head h = head_for(5, 0), out;

	make(&q, 2, 0);
	assert_int_equal(msgq_max_len(&q), 0);
	assert_int_equal(msgq_put(&q, &h, NULL), KEEL_OK);
	assert_int_equal(msgq_take(&q, &out, NULL), KEEL_OK);
	assert_memory_equal(&out, &h, sizeof(h));
}

static void ring_wraps_round_many_times(void **state)
{
	(void)state;
	struct msgq q;
	uint32_t next_put = 0, next_take = 0;

	make(&q, 3, 24);
	for (unsigned round = 0; round < 50; round++) {
		/* 1 or 2 in, then 1 or 2 out, so the head visits every slot in turn. */
		unsigned in = 1 + round % 2, out = 1 + (round / 2) % 2;
		for (unsigned k = 0; k < in && !msgq_full(&q); k++, next_put++)
			assert_int_equal(put_n(&q, next_put, next_put % 25), KEEL_OK);
		for (unsigned k = 0; k < out && msgq_count(&q) > 0; k++, next_take++)
			expect_take(&q, next_take, next_take % 25);
		assert_true(q.head < 3);
		assert_int_equal(msgq_count(&q), next_put - next_take);
	}
	while (next_take < next_put) {
		expect_take(&q, next_take, next_take % 25);
		next_take++;
	}
	assert_true(next_put > 60);
	assert_int_equal(q.puts, next_put);
}

static void check_catches_each_field_overwritten(void **state)
{
	(void)state;
	struct msgq q, good;
	struct msgq_head *h;

	make(&q, 4, 16);
	assert_int_equal(put_n(&q, 1, 16), KEEL_OK);
	assert_int_equal(put_n(&q, 2, 3), KEEL_OK);
	good = q;
	q.count = 5;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.head = 4;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.depth = 0;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.slots = NULL;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.slot_size = HEAD - 4;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.slot_size = HEAD + 17; /* not a multiple of four: heads would be misaligned */
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	q.depth = UINT32_MAX; /* a ring larger than 32 bits */
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	q = good;
	assert_int_equal(msgq_check(&q), KEEL_OK);
	/* A queued message's len beyond the slot; a free slot's len is not looked at. */
	h = (struct msgq_head *)(void *)((uint8_t *)mem + q.slot_size);
	h->len = 17;
	assert_int_equal(msgq_check(&q), KEEL_ERR_CORRUPT);
	h->len = 3;
	h = (struct msgq_head *)(void *)((uint8_t *)mem + 3 * q.slot_size);
	h->len = UINT32_MAX;
	assert_int_equal(msgq_check(&q), KEEL_OK);
}

/* The model: message numbers and lengths in a plain array, oldest first. */
struct model {
	uint32_t n[16], len[16], count, depth;
};

/* What the random sequence met, so it can prove it tested the interesting cases. */
struct tally {
	unsigned full, empty, too_long, taken;
};

static void random_put(struct msgq *q, struct model *m, uint32_t n, uint32_t len, struct tally *t)
{
	kstatus_t want = len > msgq_max_len(q)  ? KEEL_ERR_RANGE
	                 : m->count == m->depth ? KEEL_ERR_BUSY
	                                        : KEEL_OK;

	assert_int_equal(put_n(q, n, len), want);
	t->too_long += want == KEEL_ERR_RANGE;
	t->full += want == KEEL_ERR_BUSY;
	if (want == KEEL_OK) {
		m->n[m->count] = n;
		m->len[m->count++] = len;
	}
}

static void random_take(struct msgq *q, struct model *m, struct tally *t)
{
	struct msgq_head h;
	uint8_t body[64];

	if (m->count == 0) {
		assert_int_equal(msgq_take(q, &h, body), KEEL_ERR_NOT_FOUND);
		t->empty++;
		return;
	}
	expect_take(q, m->n[0], m->len[0]);
	memmove(m->n, m->n + 1, --m->count * sizeof(m->n[0]));
	memmove(m->len, m->len + 1, m->count * sizeof(m->len[0]));
	t->taken++;
}

/* Every queued head, compared in place with the model's, oldest first. */
static void expect_matches(const struct msgq *q, const struct model *m)
{
	assert_int_equal(msgq_check(q), KEEL_OK);
	assert_int_equal(msgq_count(q), m->count);
	assert_int_equal(msgq_full(q), m->count == m->depth);
	for (uint32_t i = 0; i < m->count; i++) {
		uint32_t k = (q->head + i) % q->depth;
		struct msgq_head want = head_for(m->n[i], m->len[i]);
		assert_memory_equal(q->slots + (size_t)k * q->slot_size, &want, sizeof(want));
	}
}

static void matches_model_on_random_operations(void **state)
{
	(void)state;
	struct msgq q;
	struct model m = {.depth = 7};
	struct tally t = {0};
	uint64_t seed = 0x6b65656c2d6d7371ULL; /* "keel-msq" */

	make(&q, 7, 37); /* holds 40 bytes: lengths 38-40 fit, 41 does not */
	for (uint32_t step = 0; step < 20000; step++) {
		uint64_t r = next_random(&seed);
		/* Phases of mostly puts and mostly takes, so the ring fills and empties. */
		unsigned puts = (step / 300) % 2 ? 12 : 4; /* out of 16 */
		if (r % 16 < puts)
			random_put(&q, &m, step, (uint32_t)(r >> 8) % 44, &t);
		else
			random_take(&q, &m, &t);
		expect_matches(&q, &m);
	}
	assert_true(t.full > 500 && t.empty > 500 && t.too_long > 100 && t.taken > 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bytes_are_depth_slots_rounded_to_four),
	    cmocka_unit_test(bytes_refuse_a_ring_that_does_not_fit_in_32_bits),
	    cmocka_unit_test(init_refuses_bad_arguments),
	    cmocka_unit_test(max_len_is_what_a_rounded_slot_holds),
	    cmocka_unit_test(empty_ring_takes_nothing_and_changes_nothing),
	    cmocka_unit_test(messages_come_out_in_the_order_they_went_in),
	    cmocka_unit_test(full_ring_refuses_with_busy_and_changes_nothing),
	    cmocka_unit_test(too_long_body_refuses_with_range_and_changes_nothing),
	    cmocka_unit_test(empty_bodies_need_no_buffer),
	    cmocka_unit_test(ring_wraps_round_many_times),
	    cmocka_unit_test(check_catches_each_field_overwritten),
	    cmocka_unit_test(matches_model_on_random_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
