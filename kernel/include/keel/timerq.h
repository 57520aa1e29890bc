/**
 * @file timerq.h
 * @brief A timer queue: pending deadlines in a fixed-size binary min-heap.
 *
 * The earliest deadline is always at the root, so the next one to expire
 * is known in O(1). Inserting and removing any timer cost O(log n), at
 * most TIMERQ_DEPTH levels of sifting, because every timer remembers its
 * position in the heap. The heap is an array of TIMERQ_MAX pointers: no
 * allocation, and a full queue is an error (KEEL_ERR_NO_MEMORY), never a
 * slow path. Equal deadlines expire in the order they were inserted (a
 * sequence number breaks ties), so timers are deterministic.
 *
 * Pure code: no locks (the caller keeps interrupts off), no clock; the
 * host unit tests compile it alone.
 */
#ifndef KEEL_TIMERQ_H
#define KEEL_TIMERQ_H

#include <keel/status.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief The most timers pending at once: one per thread and a few spare. */
#define TIMERQ_MAX 128
/** @brief The most steps one sift takes: log2(TIMERQ_MAX). */
#define TIMERQ_DEPTH 7

struct timer;
/** @brief What happens when a timer expires; called with interrupts off. */
typedef void (*timer_fn_t)(struct timer *t);

/** @brief A one-shot timer. The owner embeds it; the queue only points at it. */
struct timer {
	uint64_t deadline_us; /**< Expires when the clock reaches this. */
	uint64_t seq;         /**< Insertion order, to break ties. */
	timer_fn_t fn;        /**< Called on expiry. */
	void *ctx;            /**< For fn's use. */
	int index;            /**< Position in the heap, -1 when not queued. */
};

/** @brief The queue. Invariant: every node's deadline <= its children's. */
struct timerq {
	struct timer *heap[TIMERQ_MAX]; /**< heap[0] is the earliest. */
	unsigned count;                 /**< Timers queued. */
	uint64_t next_seq;              /**< Sequence number of the next insert. */
};

/** @brief Make @p q empty. */
void timerq_init(struct timerq *q);

/** @brief Make @p t a timer that is not queued. */
void timer_init(struct timer *t, timer_fn_t fn, void *ctx);

/** @brief True while @p t is queued. */
static inline bool timer_pending(const struct timer *t)
{
	return t->index >= 0;
}

/**
 * @brief Queue @p t to expire at @p deadline_us.
 * @return KEEL_OK; KEEL_ERR_BUSY if @p t is already queued;
 *         KEEL_ERR_NO_MEMORY if TIMERQ_MAX timers are queued. O(log n).
 */
kstatus_t timerq_insert(struct timerq *q, struct timer *t, uint64_t deadline_us);

/**
 * @brief Take @p t off the queue.
 * @return true if it was queued (and is not any more). O(log n).
 */
bool timerq_remove(struct timerq *q, struct timer *t);

/** @brief The earliest timer, left queued; NULL if none. O(1). */
struct timer *timerq_peek(const struct timerq *q);

/**
 * @brief Take the earliest timer off the queue if it is due at @p now_us.
 * @return the timer, or NULL if none is due. O(log n).
 */
struct timer *timerq_pop_due(struct timerq *q, uint64_t now_us);

#endif
