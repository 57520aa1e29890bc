/*
 * timerq.c - pending timers in a binary min-heap ordered by deadline.
 *
 * The heap is an array in which the children of slot i are 2i+1 and
 * 2i+2, and no child expires before its parent, so slot 0 holds the next
 * deadline. Inserting puts a timer in the last slot and lets it rise;
 * removing moves the last timer into the hole and lets it rise or sink.
 * Each timer records its slot, so removing any timer (a cancelled sleep,
 * a wait that ended early) costs the same O(log n) as expiring one.
 */
#include <keel/timerq.h>
#include <stddef.h>

#define NO_SLOT (-1)

/* Does a expire before b? Ties go to the one inserted first. */
static bool earlier(const struct timer *a, const struct timer *b)
{
	if (a->deadline_us != b->deadline_us)
		return a->deadline_us < b->deadline_us;
	return a->seq < b->seq;
}

static void place(struct timerq *q, unsigned slot, struct timer *t)
{
	q->heap[slot] = t;
	t->index = (int)slot;
}

/* Move the timer in @p slot up while it expires before its parent. */
static void sift_up(struct timerq *q, unsigned slot)
{
	/* LAB 1: let the timer rise to its place */
	struct timer *t = q->heap[slot];

	while (slot > 0 && earlier(t, q->heap[(slot - 1) / 2])) {
		place(q, slot, q->heap[(slot - 1) / 2]);
		slot = (slot - 1) / 2;
	}
	place(q, slot, t);
	/* LAB 1 STUB
	(void)q;
	(void)slot;
	LAB 1 END */
}

/* Move the timer in @p slot down while a child expires before it. */
static void sift_down(struct timerq *q, unsigned slot)
{
	struct timer *t = q->heap[slot];

	for (;;) {
		unsigned child = 2 * slot + 1;
		if (child >= q->count)
			break;
		if (child + 1 < q->count && earlier(q->heap[child + 1], q->heap[child]))
			child++;
		if (!earlier(q->heap[child], t))
			break;
		place(q, slot, q->heap[child]);
		slot = child;
	}
	place(q, slot, t);
}

void timerq_init(struct timerq *q)
{
	q->count = 0;
	q->next_seq = 0;
}

void timer_init(struct timer *t, timer_fn_t fn, void *ctx)
{
	t->deadline_us = 0;
	t->seq = 0;
	t->fn = fn;
	t->ctx = ctx;
	t->index = NO_SLOT;
}

/* [timerq_insert] */
kstatus_t timerq_insert(struct timerq *q, struct timer *t, uint64_t deadline_us)
{
	/* LAB 1: queue a timer in the heap */
	if (timer_pending(t))
		return KEEL_ERR_BUSY;
	if (q->count == TIMERQ_MAX)
		return KEEL_ERR_NO_MEMORY;
	t->deadline_us = deadline_us;
	t->seq = q->next_seq++;
	place(q, q->count++, t);
	sift_up(q, (unsigned)t->index);
	return KEEL_OK;
	/* LAB 1 STUB
	(void)q;
	(void)t;
	(void)deadline_us;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 1 END */
}
/* [timerq_insert] */

bool timerq_remove(struct timerq *q, struct timer *t)
{
	if (!timer_pending(t))
		return false;
	unsigned slot = (unsigned)t->index;
	struct timer *last = q->heap[--q->count];

	t->index = NO_SLOT;
	if (last != t) {
		/* The last timer fills the hole; it may belong above or below it. */
		place(q, slot, last);
		sift_up(q, slot);
		sift_down(q, (unsigned)last->index);
	}
	return true;
}

struct timer *timerq_peek(const struct timerq *q)
{
	return q->count ? q->heap[0] : NULL;
}

struct timer *timerq_pop_due(struct timerq *q, uint64_t now_us)
{
	struct timer *t = timerq_peek(q);

	if (t == NULL || t->deadline_us > now_us)
		return NULL;
	timerq_remove(q, t);
	return t;
}
