/**
 * @file msgq.h
 * @brief A bounded queue of fixed-size message slots: the store behind a
 * channel.
 *
 * The queue is a ring of @c depth slots, each @c slot_size bytes, in
 * memory the caller provides (a channel allocates it once, at creation).
 * Putting a message copies it into the next free slot and taking one
 * copies the oldest out, so after creation nothing is ever allocated:
 * sending never waits for memory, and a full queue is a plain answer, not
 * an accident. Messages come out in the order they went in.
 *
 * Each slot holds a struct msgq_head (what the message is, how long its
 * body is) followed by up to slot_size - sizeof(struct msgq_head) bytes
 * of body. Pure logic: no locks (the caller holds its own), no
 * allocation, every operation O(1) apart from the copy of the body.
 */
#ifndef KEEL_MSGQ_H
#define KEEL_MSGQ_H

#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Words a queued message keeps besides its body. */
#define MSGQ_WORDS 4

/** @brief What a queued message is, besides its body. */
struct msgq_head {
	uint32_t label;            /**< The sender's label. */
	uint32_t sender;           /**< The sending task's id. */
	uint32_t len;              /**< Bytes of body that follow the head. */
	uint32_t word[MSGQ_WORDS]; /**< The message's words. */
};

/** @brief Slots are a multiple of this, so each struct msgq_head is aligned. */
#define MSGQ_SLOT_ALIGN ((uint64_t) _Alignof(struct msgq_head))

/** @brief A queue. Its fields are the queue's own: use the functions. */
struct msgq {
	uint8_t *slots;     /**< depth * slot_size bytes. */
	uint32_t slot_size; /**< Bytes per slot, head included. */
	uint32_t depth;     /**< Slots. */
	uint32_t head;      /**< Index of the oldest message. */
	uint32_t count;     /**< Messages queued. */
	uint64_t puts;      /**< Messages ever put, for reports. */
};

/**
 * @brief The bytes of memory a queue of @p depth messages of up to
 * @p max_len body bytes needs: depth slots, each a head and the body
 * rounded up to a multiple of four bytes (so every head is aligned).
 * @return the size; 0 for depth 0 or a size that does not fit in 32 bits.
 */
size_t msgq_bytes(uint32_t depth, uint32_t max_len);

/**
 * @brief Make @p q an empty queue of @p depth messages of up to
 * @p max_len body bytes each, in @p mem (msgq_bytes() of them, aligned
 * for a uint32_t). msgq_max_len() may be up to 3 bytes more than
 * @p max_len, as the slot is rounded up.
 * @return KEEL_OK; KEEL_ERR_INVALID (NULL, depth 0, or a size that
 *         overflows: msgq_bytes() is 0).
 */
kstatus_t msgq_init(struct msgq *q, void *mem, uint32_t depth, uint32_t max_len);

/** @brief The longest body one slot holds. */
uint32_t msgq_max_len(const struct msgq *q);

/**
 * @brief Put a message at the tail: @p h, and h->len bytes of @p body.
 * @return KEEL_OK; KEEL_ERR_BUSY (full: nothing changed); KEEL_ERR_RANGE
 *         (h->len is longer than a slot holds: nothing changed). A body
 *         that can never fit is KEEL_ERR_RANGE even when the queue is full.
 */
kstatus_t msgq_put(struct msgq *q, const struct msgq_head *h, const void *body);

/**
 * @brief Take the oldest message: its head into *h and its body into
 * @p body (room for msgq_max_len() bytes).
 * @return KEEL_OK; KEEL_ERR_NOT_FOUND (empty: nothing changed).
 */
kstatus_t msgq_take(struct msgq *q, struct msgq_head *h, void *body);

/**
 * @brief The slot @p i places after the oldest message (@p i below the
 * depth; at @p i = count, the free slot at the tail). O(1).
 */
uint8_t *msgq_slot(const struct msgq *q, uint32_t i);

/**
 * @brief The oldest message's head without taking it, or NULL when empty.
 * (Debug code: test images and the monitor only.)
 */
const struct msgq_head *msgq_peek(const struct msgq *q);

/** @brief Messages queued. (Debug code: test images and the monitor only.) */
uint32_t msgq_count(const struct msgq *q);

/** @brief Is @p q full? (Debug code: test images and the monitor only.) */
bool msgq_full(const struct msgq *q);

/**
 * @brief Check @p q's invariants (count within depth, head within the
 * ring, every queued head's len within a slot).
 * @return KEEL_OK or KEEL_ERR_CORRUPT. (Debug code: test images and the
 *         monitor only.)
 */
kstatus_t msgq_check(const struct msgq *q);

#endif
