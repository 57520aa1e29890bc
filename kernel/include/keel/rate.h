/**
 * @file rate.h
 * @brief A token bucket: at most @c rate events a second, in bursts of
 * at most @c burst.
 *
 * An endpoint or a channel created with a rate limit keeps one bucket.
 * Each message takes a token; tokens come back at @c rate a second, up
 * to @c burst; a sender finding the bucket empty is refused
 * (KEEL_ERR_OVER_RATE), never made to wait, so a flooding client costs
 * the server nothing. Time is passed in (microseconds), so the bucket is
 * pure logic and the host tests drive the clock. Tokens are kept in
 * millionths, so rates from 1 to a million a second are exact; no
 * division happens on the path that takes a token unless time moved.
 */
#ifndef KEEL_RATE_H
#define KEEL_RATE_H

#include <keel/status.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief The highest rate a bucket accepts, per second. */
#define RATE_MAX 1000000u
/** @brief The deepest burst a bucket accepts. */
#define RATE_BURST_MAX 1000000u

/** @brief A bucket. rate 0 means no limit: every take succeeds. */
struct rate {
	uint32_t rate;    /**< Tokens a second; 0: unlimited. */
	uint32_t burst;   /**< Most tokens held. */
	uint64_t micro;   /**< Tokens held, in millionths of a token. */
	uint64_t last_us; /**< When micro was last brought up to date. */
	uint64_t refused; /**< Takes refused so far, for reports. */
};

/**
 * @brief Make @p r a full bucket of @p burst tokens refilled at @p rate
 * a second, as of time @p now_us. rate 0: no limit (burst otherwise
 * ignored); burst 0 with a rate: 1.
 * @return KEEL_OK; KEEL_ERR_INVALID (rate above RATE_MAX, burst above
 *         RATE_BURST_MAX, even with rate 0).
 */
kstatus_t rate_init(struct rate *r, uint32_t rate, uint32_t burst, uint64_t now_us);

/**
 * @brief Take one token at time @p now_us (which never goes back: an
 * earlier time counts as no time passed).
 * @return true if there was one (or there is no limit); false, counted
 *         in refused, if the bucket is empty.
 */
bool rate_take(struct rate *r, uint64_t now_us);

/**
 * @brief Whole tokens the bucket holds at time @p now_us (no change);
 * UINT32_MAX when there is no limit.
 */
uint32_t rate_tokens(const struct rate *r, uint64_t now_us);

#endif
