/*
 * msgq_check.c - looking at a message ring without changing it: the
 * oldest head, the count, whether it is full, and its invariant check.
 *
 * Channels put and take; only the monitor, the IPC invariant check
 * (ipc_check.c) and the tests look. So this is debug code, linked into
 * test images only (see the Makefile). Pure like msgq.c: the host unit
 * tests compile the two together.
 */
#include <keel/msgq.h>
#include <keel/string.h>

const struct msgq_head *msgq_peek(const struct msgq *q)
{
	if (q->count == 0)
		return NULL;
	return (const struct msgq_head *)(const void *)msgq_slot(q, 0);
}

uint32_t msgq_count(const struct msgq *q)
{
	return q->count;
}

bool msgq_full(const struct msgq *q)
{
	return q->count == q->depth;
}

/* Do the ring's shape fields describe a ring msgq_init() could have made? */
static bool shape_ok(const struct msgq *q)
{
	if (q->slots == NULL || q->depth == 0 || q->slot_size < sizeof(struct msgq_head))
		return false;
	if (q->slot_size % MSGQ_SLOT_ALIGN != 0)
		return false;
	return (uint64_t)q->depth * q->slot_size <= UINT32_MAX;
}

kstatus_t msgq_check(const struct msgq *q)
{
	/* The shape first: the walk below trusts it to stay inside the ring. */
	if (!shape_ok(q) || q->head >= q->depth || q->count > q->depth)
		return KEEL_ERR_CORRUPT;
	for (uint32_t i = 0; i < q->count; i++) {
		struct msgq_head h;

		memcpy(&h, msgq_slot(q, i), sizeof(h));
		if (h.len > msgq_max_len(q))
			return KEEL_ERR_CORRUPT;
	}
	return KEEL_OK;
}
