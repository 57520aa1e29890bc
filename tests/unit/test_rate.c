/*
 * test_rate.c - host unit tests for kernel/ipc/rate.c, the token bucket.
 *
 * A rate-limited endpoint trusts the bucket to let exactly rate messages a
 * second through, after a first burst: one token too many lets a flood in,
 * one too few refuses an honest client. So the tests count: a burst and then
 * refusal, the refill to the microsecond (also at rates that do not divide a
 * million), exactly rate * 10 + burst tokens over ten simulated seconds at
 * several rates and polling steps, the cap at burst, time jumps up to the end
 * of the 64-bit clock (no overflow), a clock that goes back, bad arguments and
 * the refused counter. Last, a seeded random sequence of takes and time steps
 * is compared at every step with a model in exact 128-bit arithmetic that
 * needs no cap before multiplying.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/rate.h>

#define SECOND 1000000ull

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Take at @p now until refused; how many were taken. */
static uint32_t drain(struct rate *r, uint64_t now)
{
	uint32_t n = 0;

	while (rate_take(r, now))
		n++;
	return n;
}

static void init_refuses_rates_and_bursts_out_of_range(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, RATE_MAX + 1, 1, 0), KEEL_ERR_INVALID);
	assert_int_equal(rate_init(&r, UINT32_MAX, 1, 0), KEEL_ERR_INVALID);
	assert_int_equal(rate_init(&r, 1, RATE_BURST_MAX + 1, 0), KEEL_ERR_INVALID);
	assert_int_equal(rate_init(&r, 0, RATE_BURST_MAX + 1, 0), KEEL_ERR_INVALID);
	assert_int_equal(rate_init(&r, RATE_MAX, RATE_BURST_MAX, 0), KEEL_OK);
	assert_int_equal(rate_tokens(&r, 0), RATE_BURST_MAX);
	assert_int_equal(r.refused, 0);
}

static void rate_zero_never_refuses(void **state)
{
	(void)state;
	struct rate r;

	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(rate_init(&r, 0, 5, 1000), KEEL_OK);
	for (int i = 0; i < 10000; i++)
		assert_true(rate_take(&r, 1000));
	assert_true(rate_take(&r, 0)); /* a clock that went back */
	assert_true(rate_take(&r, UINT64_MAX));
	assert_int_equal(r.refused, 0);
	assert_int_equal(rate_tokens(&r, 1000), UINT32_MAX);
}

static void burst_then_refusal_counted(void **state)
{
	(void)state;
	struct rate r;

	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(rate_init(&r, 10, 5, 1000), KEEL_OK);
	assert_int_equal(r.refused, 0);
	assert_int_equal(rate_tokens(&r, 1000), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_true(rate_take(&r, 1000));
		assert_int_equal(rate_tokens(&r, 1000), 4 - i);
	}
	for (uint64_t i = 1; i <= 3; i++) {
		assert_false(rate_take(&r, 1000));
		assert_int_equal(r.refused, i);
	}
	assert_int_equal(rate_tokens(&r, 1000), 0);
}

static void burst_zero_with_a_rate_is_one(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, 100, 0, 0), KEEL_OK);
	assert_int_equal(r.burst, 1);
	assert_int_equal(drain(&r, 0), 1);
	assert_int_equal(drain(&r, 10 * SECOND), 1); /* never more than one held */
}

static void refill_is_exact_to_the_microsecond(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, 10, 1, 0), KEEL_OK); /* one token every 100000 us */
	assert_true(rate_take(&r, 0));
	assert_false(rate_take(&r, 99999));
	assert_int_equal(rate_tokens(&r, 99999), 0);
	assert_int_equal(rate_tokens(&r, 100000), 1);
	assert_true(rate_take(&r, 100000));
	assert_false(rate_take(&r, 100000));
	/* 3 a second: a token is 333333.33 us, so the third comes at exactly one second. */
	assert_int_equal(rate_init(&r, 3, 3, 0), KEEL_OK);
	assert_int_equal(drain(&r, 0), 3);
	assert_false(rate_take(&r, 333333));
	assert_true(rate_take(&r, 333334));
	assert_false(rate_take(&r, 666666));
	assert_true(rate_take(&r, 666667));
	assert_false(rate_take(&r, 999999));
	assert_true(rate_take(&r, SECOND));
	assert_int_equal(r.refused, 4); /* the drain at 0 ended with one */
}

static void tokens_look_without_changing(void **state)
{
	(void)state;
	struct rate r, before;

	assert_int_equal(rate_init(&r, 1000, 50, 0), KEEL_OK);
	assert_int_equal(drain(&r, 0), 50);
	before = r;
	assert_int_equal(rate_tokens(&r, 10000), 10);
	assert_int_equal(rate_tokens(&r, 10 * SECOND), 50);
	assert_int_equal(rate_tokens(&r, UINT64_MAX), 50);
	assert_memory_equal(&r, &before, sizeof(r));
	assert_int_equal(drain(&r, 10000), 10);
}

static void a_long_wait_fills_only_to_burst(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, 1000, 4, 0), KEEL_OK);
	assert_int_equal(drain(&r, 0), 4);
	assert_int_equal(rate_tokens(&r, 3600 * SECOND), 4);
	assert_int_equal(drain(&r, 3600 * SECOND), 4);
	assert_int_equal(drain(&r, 3600 * SECOND + 999), 0); /* and the fraction was dropped */
	assert_int_equal(drain(&r, 3600 * SECOND + 1000), 1);
}

static void time_jumps_to_the_end_of_the_clock_do_not_overflow(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, RATE_MAX, RATE_BURST_MAX, 0), KEEL_OK);
	assert_int_equal(drain(&r, 0), RATE_BURST_MAX);
	assert_int_equal(rate_tokens(&r, UINT64_MAX), RATE_BURST_MAX);
	assert_int_equal(rate_tokens(&r, UINT64_MAX / RATE_MAX + 1), RATE_BURST_MAX);
	assert_int_equal(rate_tokens(&r, 1ull << 44), RATE_BURST_MAX);
	assert_int_equal(drain(&r, UINT64_MAX), RATE_BURST_MAX);
	assert_false(rate_take(&r, UINT64_MAX));
	/* At the lowest rate the cap comes at burst million microseconds, and not before. */
	assert_int_equal(rate_init(&r, 1, RATE_BURST_MAX, 5), KEEL_OK);
	assert_int_equal(drain(&r, 5), RATE_BURST_MAX);
	uint64_t full = (uint64_t)RATE_BURST_MAX * SECOND;
	assert_int_equal(rate_tokens(&r, 5 + full - 1), RATE_BURST_MAX - 1);
	assert_int_equal(rate_tokens(&r, 5 + full), RATE_BURST_MAX);
	assert_int_equal(rate_tokens(&r, UINT64_MAX), RATE_BURST_MAX);
	/* Just under the cap at the highest rate: the largest product the code forms. */
	assert_int_equal(rate_init(&r, RATE_MAX, RATE_BURST_MAX, 0), KEEL_OK);
	assert_true(rate_take(&r, 0));
	assert_int_equal(rate_tokens(&r, full - 1), RATE_BURST_MAX);
	assert_int_equal(rate_tokens(&r, 0), RATE_BURST_MAX - 1);
}

static void a_clock_that_goes_back_adds_nothing(void **state)
{
	(void)state;
	struct rate r;

	assert_int_equal(rate_init(&r, 10, 2, 5 * SECOND), KEEL_OK);
	assert_int_equal(drain(&r, 5 * SECOND), 2);
	assert_false(rate_take(&r, 0));
	assert_int_equal(r.last_us, 5 * SECOND); /* time is still measured from the latest */
	assert_int_equal(rate_tokens(&r, SECOND), 0);
	assert_false(rate_take(&r, 5 * SECOND + 99999));
	assert_true(rate_take(&r, 5 * SECOND + 100000));
}

/*
 * Ten seconds at @p rate, polling at random steps of 1 to @p max_step us
 * and taking all there is: exactly burst + rate * 10 tokens. The steps are
 * short enough (max_step * rate <= a million, burst >= 2) that the bucket
 * never fills, so no token is lost to the cap.
 */
static void expect_exact_over_ten_seconds(uint32_t rate, uint32_t burst, uint32_t max_step,
                                          uint64_t seed)
{
	struct rate r;
	uint64_t start = 12345, now = start, end = start + 10 * SECOND, taken = 0, polls = 1;

	assert_true(burst >= 2 && (uint64_t)max_step * rate <= SECOND);
	assert_int_equal(rate_init(&r, rate, burst, start), KEEL_OK);
	taken += drain(&r, now);
	while (now < end) {
		uint64_t step = 1 + next_random(&seed) % max_step;
		now = now + step < end ? now + step : end;
		taken += drain(&r, now);
		polls++;
	}
	assert_int_equal(taken, (uint64_t)rate * 10 + burst);
	assert_int_equal(r.refused, polls); /* each drain ends with one refusal */
	assert_int_equal(rate_tokens(&r, end), 0);
}

static void exact_over_ten_seconds_at_many_rates(void **state)
{
	(void)state;
	expect_exact_over_ten_seconds(1, 2, 1000000, 1);
	expect_exact_over_ten_seconds(3, 2, 333333, 2);
	expect_exact_over_ten_seconds(7, 5, 142857, 3);
	expect_exact_over_ten_seconds(1000, 10, 1000, 4);
	expect_exact_over_ten_seconds(999983, 2, 1, 5); /* a prime: no step divides a token */
	expect_exact_over_ten_seconds(RATE_MAX, 3, 1, 6);
	expect_exact_over_ten_seconds(123457, 2, 8, 7);
}

/* The model: millionths held, in 128 bits, refilled with no cap before multiplying. */
struct model {
	uint32_t rate, burst;
	unsigned __int128 micro;
	uint64_t last, refused;
};

static void model_init(struct model *m, uint32_t rate, uint32_t burst, uint64_t now)
{
	m->rate = rate;
	m->burst = rate == 0 ? 0 : burst == 0 ? 1 : burst;
	m->micro = (unsigned __int128)m->burst * SECOND;
	m->last = now;
	m->refused = 0;
}

static unsigned __int128 model_micro(const struct model *m, uint64_t now)
{
	unsigned __int128 full = (unsigned __int128)m->burst * SECOND, micro = m->micro;

	if (now > m->last)
		micro += (unsigned __int128)(now - m->last) * m->rate;
	return micro < full ? micro : full;
}

static bool model_take(struct model *m, uint64_t now)
{
	if (m->rate == 0)
		return true;
	m->micro = model_micro(m, now);
	m->last = now > m->last ? now : m->last;
	if (m->micro < SECOND) {
		m->refused++;
		return false;
	}
	m->micro -= SECOND;
	return true;
}

/* A step of time: mostly short, sometimes none, back, long or to the clock's end. */
static uint64_t random_time(uint64_t now, uint64_t r)
{
	switch (r % 64) {
	case 0:
		return UINT64_MAX - (r >> 8) % 4;
	case 1:
		return now + (r >> 8) % (1ull << 42);
	case 2:
	case 3:
		return now - (now < 1000 ? now : (r >> 8) % 1000); /* back */
	default:
		return now + (r % 8 ? (r >> 8) % 2000 : 0);
	}
}

static void matches_model_on_random_operations(void **state)
{
	(void)state;
	static const uint32_t rates[] = {0, 1, 3, 1000, 4999, 77777, RATE_MAX};
	static const uint32_t bursts[] = {0, 1, 2, 7, 100, RATE_BURST_MAX};
	struct rate r;
	struct model m;
	uint64_t seed = 0x6b65656c2d726174ULL, now = 0, took = 0, refused = 0,
	         filled = 0; /* "keel-rat" */

	for (int step = 0; step < 200000; step++) {
		uint64_t x = next_random(&seed);
		if (step % 2000 == 0 || now > UINT64_MAX - 4) {
			uint32_t rate = rates[x % 7], burst = bursts[(x >> 8) % 6];
			now = (x >> 16) % 1000000;
			assert_int_equal(rate_init(&r, rate, burst, now), KEEL_OK);
			model_init(&m, rate, burst, now);
			continue;
		}
		uint64_t t = random_time(now, x >> 4);
		unsigned __int128 full = (unsigned __int128)m.burst * SECOND;
		filled += m.rate && m.micro < full && model_micro(&m, t) == full;
		bool want = model_take(&m, t);
		assert_int_equal(rate_take(&r, t), want);
		took += want && m.rate;
		refused += !want;
		now = m.last;
		assert_int_equal(r.refused, m.refused);
		assert_true(r.micro == m.micro || m.rate == 0);
		assert_int_equal(rate_tokens(&r, now + (x >> 50)),
		                 m.rate ? (uint32_t)(model_micro(&m, now + (x >> 50)) / SECOND)
		                        : UINT32_MAX);
	}
	/* The sequence must have met every case, or it tested less than it claims. */
	assert_true(took > 10000 && refused > 5000 && filled > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_refuses_rates_and_bursts_out_of_range),
	    cmocka_unit_test(rate_zero_never_refuses),
	    cmocka_unit_test(burst_then_refusal_counted),
	    cmocka_unit_test(burst_zero_with_a_rate_is_one),
	    cmocka_unit_test(refill_is_exact_to_the_microsecond),
	    cmocka_unit_test(tokens_look_without_changing),
	    cmocka_unit_test(a_long_wait_fills_only_to_burst),
	    cmocka_unit_test(time_jumps_to_the_end_of_the_clock_do_not_overflow),
	    cmocka_unit_test(a_clock_that_goes_back_adds_nothing),
	    cmocka_unit_test(exact_over_ten_seconds_at_many_rates),
	    cmocka_unit_test(matches_model_on_random_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
