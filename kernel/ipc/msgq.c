/*
 * msgq.c - a channel's messages in a ring of fixed-size slots.
 *
 * The ring is one block of memory cut into depth slots of slot_size
 * bytes; a slot holds a struct msgq_head and then the body. head names
 * the oldest message and count how many follow it, so the tail is
 * head + count, wrapping round. Putting copies into the tail slot and
 * taking copies out of the head slot: both are O(1) besides the copy,
 * and neither allocates, so a full ring is an answer (KEEL_ERR_BUSY)
 * the sender can act on, never a wait for memory.
 *
 * Slots are rounded up to a multiple of four bytes so that every head
 * is aligned and msgq_peek() can hand out a pointer into the ring. The
 * whole ring must fit in 32 bits, which the kernel's address space
 * needs anyway and which gives the same answer on the host and on i386.
 */
#include <keel/msgq.h>
#include <keel/string.h>

/* The size of a slot with room for @p max_len body bytes (64 bits: it cannot overflow). */
static uint64_t slot_bytes(uint32_t max_len)
{
	uint64_t n = sizeof(struct msgq_head) + (uint64_t)max_len;

	return (n + MSGQ_SLOT_ALIGN - 1) & ~(MSGQ_SLOT_ALIGN - 1);
}

size_t msgq_bytes(uint32_t depth, uint32_t max_len)
{
	/* Below 2^32 each, so the product stays below 2^64. */
	uint64_t total = (uint64_t)depth * slot_bytes(max_len);

	if (total > UINT32_MAX)
		return 0;
	return (size_t)total;
}

kstatus_t msgq_init(struct msgq *q, void *mem, uint32_t depth, uint32_t max_len)
{
	if (q == NULL || mem == NULL || depth == 0 || msgq_bytes(depth, max_len) == 0)
		return KEEL_ERR_INVALID;
	q->slots = mem;
	q->slot_size = (uint32_t)slot_bytes(max_len);
	q->depth = depth;
	q->head = 0;
	q->count = 0;
	q->puts = 0;
	return KEEL_OK;
}

uint32_t msgq_max_len(const struct msgq *q)
{
	return q->slot_size - (uint32_t)sizeof(struct msgq_head);
}

/* A subtraction, not a modulo, wraps the index: head and i are each below depth. */
uint8_t *msgq_slot(const struct msgq *q, uint32_t i)
{
	uint32_t k = q->head + i;

	if (k >= q->depth)
		k -= q->depth;
	return q->slots + (size_t)k * q->slot_size;
}

kstatus_t msgq_put(struct msgq *q, const struct msgq_head *h, const void *body)
{
	/* A body that can never fit is the sender's mistake: say so even when full. */
	if (h->len > msgq_max_len(q))
		return KEEL_ERR_RANGE;
	if (q->count == q->depth)
		return KEEL_ERR_BUSY;
	uint8_t *slot = msgq_slot(q, q->count);

	memcpy(slot, h, sizeof(*h));
	if (h->len)
		memcpy(slot + sizeof(*h), body, h->len);
	q->count++;
	q->puts++;
	return KEEL_OK;
}

kstatus_t msgq_take(struct msgq *q, struct msgq_head *h, void *body)
{
	if (q->count == 0)
		return KEEL_ERR_NOT_FOUND;
	const uint8_t *slot = msgq_slot(q, 0);

	/* The stored len was checked against the slot when it was put. */
	memcpy(h, slot, sizeof(*h));
	if (h->len)
		memcpy(body, slot + sizeof(*h), h->len);
	q->head = q->head + 1 == q->depth ? 0 : q->head + 1;
	q->count--;
	return KEEL_OK;
}
