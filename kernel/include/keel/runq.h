/**
 * @file runq.h
 * @brief A run queue: 256 FIFO lists, one per priority, and a bitmap over them.
 *
 * Priority 255 is the most important. Bit p of the bitmap is set exactly
 * when list p is non-empty (the invariant every operation keeps), so the
 * highest runnable priority is found with two find-last-set instructions
 * (first over the summary word, then over one of eight 32-bit words),
 * never by a loop over threads or levels. Every operation is O(1).
 *
 * A run queue knows nothing about threads: it holds `struct runq_node`s
 * that the scheduler embeds in its threads. It takes no lock; the caller
 * keeps interrupts off (slice 7 adds a lock per CPU's queue). Pure code:
 * the host unit tests compile it alone.
 */
#ifndef KEEL_RUNQ_H
#define KEEL_RUNQ_H

#include <keel/list.h>
#include <stdint.h>

/** @brief Number of priority levels. */
#define RUNQ_LEVELS 256
/** @brief Words of 32 bits in the level bitmap. */
#define RUNQ_WORDS (RUNQ_LEVELS / 32)

/** @brief A set of priority levels: bit p set means level p is in the set. */
struct prio_bitmap {
	uint32_t summary;           /**< Bit w set iff words[w] != 0. */
	uint32_t words[RUNQ_WORDS]; /**< Bit (p % 32) of words[p / 32] is level p. */
};

/** @brief What a queued item embeds. */
struct runq_node {
	struct list link; /**< On the list of its level while queued. */
	uint8_t prio;     /**< The level it is queued at. */
	bool queued;      /**< True while on a run queue. */
};

/** @brief The run queue. Invariant: level p's list is non-empty iff bit p is set. */
struct runq {
	struct prio_bitmap ready;        /**< Levels with at least one node. */
	struct list levels[RUNQ_LEVELS]; /**< FIFO of nodes per level. */
	unsigned count;                  /**< Nodes queued in all. */
};

/** @brief Empty the bitmap. */
void prio_bitmap_init(struct prio_bitmap *b);
/** @brief Add level @p prio (0..255). O(1). */
void prio_bitmap_set(struct prio_bitmap *b, unsigned prio);
/** @brief Remove level @p prio (0..255). O(1). */
void prio_bitmap_clear(struct prio_bitmap *b, unsigned prio);
/** @brief The highest level in the set, or -1 if it is empty. O(1). */
int prio_bitmap_highest(const struct prio_bitmap *b);

/** @brief Make @p rq empty. O(levels), at boot only. */
void runq_init(struct runq *rq);

/**
 * @brief Queue @p node at the tail of level @p prio.
 * @p node must not be queued. O(1).
 */
void runq_push(struct runq *rq, struct runq_node *node, uint8_t prio);

/**
 * @brief Queue @p node at the head of level @p prio, to run before its
 * equals (a thread preempted before its slice ended). O(1).
 */
void runq_push_front(struct runq *rq, struct runq_node *node, uint8_t prio);

/** @brief Take @p node off the queue it is on (which must be @p rq). O(1). */
void runq_remove(struct runq *rq, struct runq_node *node);

/**
 * @brief The first node of the highest non-empty level, left queued.
 * @return NULL if the queue is empty. O(1).
 */
struct runq_node *runq_peek(const struct runq *rq);

/** @brief The highest non-empty level, or -1 if the queue is empty. O(1). */
int runq_highest(const struct runq *rq);

#endif
