/*
 * rate.c - a token bucket that refuses senders over their rate.
 *
 * The bucket holds up to burst tokens and gains rate tokens a second; a
 * message spends one. Tokens are counted in millionths, so a wait of
 * t microseconds is worth exactly t * rate millionths: the refill is one
 * multiplication, with no division and no rounding, and rates from 1 to
 * RATE_MAX a second come out exact over any length of time.
 *
 * The bucket is brought up to date lazily, when a take asks, from the
 * time passed in; nothing ticks. A long quiet spell must not overflow
 * the multiplication: a wait of burst million microseconds or more fills
 * the bucket even at the lowest rate, so such a wait is taken as full
 * before multiplying, and below it the product stays under 2^60.
 */
#include <keel/rate.h>

/* Millionths in one token. */
#define MICRO 1000000u

/* A full bucket, in millionths (at most 10^12). */
static uint64_t full_micro(const struct rate *r)
{
	return (uint64_t)r->burst * MICRO;
}

kstatus_t rate_init(struct rate *r, uint32_t rate, uint32_t burst, uint64_t now_us)
{
	/* burst is checked even with no limit, so a bad argument is bad on its own. */
	if (rate > RATE_MAX || burst > RATE_BURST_MAX)
		return KEEL_ERR_INVALID;
	if (rate == 0)
		burst = 0;
	else if (burst == 0)
		burst = 1;
	r->rate = rate;
	r->burst = burst;
	r->micro = full_micro(r);
	r->last_us = now_us;
	r->refused = 0;
	return KEEL_OK;
}

/* The millionths @p r holds at @p now_us; a clock that went back has not moved. */
static uint64_t micro_at(const struct rate *r, uint64_t now_us)
{
	uint64_t full = full_micro(r);

	if (now_us <= r->last_us)
		return r->micro;
	uint64_t elapsed = now_us - r->last_us;
	/* rate >= 1, so elapsed >= full means elapsed * rate >= full too. */
	if (elapsed >= full)
		return full;
	/* elapsed < 10^12 and rate <= 10^6: the product is below 2^60. */
	uint64_t micro = r->micro + elapsed * r->rate;
	return micro < full ? micro : full;
}

bool rate_take(struct rate *r, uint64_t now_us)
{
	if (r->rate == 0)
		return true;
	if (now_us > r->last_us) {
		r->micro = micro_at(r, now_us);
		r->last_us = now_us;
	}
	if (r->micro < MICRO) {
		r->refused++;
		return false;
	}
	r->micro -= MICRO;
	return true;
}

uint32_t rate_tokens(const struct rate *r, uint64_t now_us)
{
	if (r->rate == 0)
		return UINT32_MAX;
	/* For reports, not the take path: the one division in this file. */
	return (uint32_t)(micro_at(r, now_us) / MICRO);
}
