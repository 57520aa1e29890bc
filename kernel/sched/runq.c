/*
 * runq.c - the run queue: one FIFO per priority and a bitmap to find the top.
 *
 * Picking the next thread must not depend on how many threads there are.
 * A bitmap with one bit per priority level answers "which is the highest
 * level with anyone ready?" with two find-last-set operations: the
 * summary word says which of the eight 32-bit words has bits, that word
 * says which level. Queuing and unqueuing keep the bitmap true: a level's
 * bit is set exactly while its list is non-empty.
 */
#include <keel/runq.h>

/* Index of the most significant set bit of a non-zero word. */
static inline unsigned fls32(uint32_t w)
{
	return 31u - (unsigned)__builtin_clz(w);
}

void prio_bitmap_init(struct prio_bitmap *b)
{
	b->summary = 0;
	for (unsigned w = 0; w < RUNQ_WORDS; w++)
		b->words[w] = 0;
}

void prio_bitmap_set(struct prio_bitmap *b, unsigned prio)
{
	b->words[prio / 32] |= 1u << (prio % 32);
	b->summary |= 1u << (prio / 32);
}

void prio_bitmap_clear(struct prio_bitmap *b, unsigned prio)
{
	b->words[prio / 32] &= ~(1u << (prio % 32));
	if (b->words[prio / 32] == 0)
		b->summary &= ~(1u << (prio / 32));
}

/* [prio_bitmap_highest] */
int prio_bitmap_highest(const struct prio_bitmap *b)
{
	/* LAB 1: find the highest level in the bitmap */
	if (b->summary == 0)
		return -1;
	unsigned w = fls32(b->summary);
	return (int)(w * 32 + fls32(b->words[w]));
	/* LAB 1 STUB
	(void)b;
	return -1;
	LAB 1 END */
}
/* [prio_bitmap_highest] */

void runq_init(struct runq *rq)
{
	prio_bitmap_init(&rq->ready);
	for (unsigned p = 0; p < RUNQ_LEVELS; p++)
		list_init(&rq->levels[p]);
	rq->count = 0;
}

void runq_push(struct runq *rq, struct runq_node *node, uint8_t prio)
{
	node->prio = prio;
	node->queued = true;
	list_push_tail(&rq->levels[prio], &node->link);
	prio_bitmap_set(&rq->ready, prio);
	rq->count++;
}

void runq_push_front(struct runq *rq, struct runq_node *node, uint8_t prio)
{
	node->prio = prio;
	node->queued = true;
	list_push_head(&rq->levels[prio], &node->link);
	prio_bitmap_set(&rq->ready, prio);
	rq->count++;
}

void runq_remove(struct runq *rq, struct runq_node *node)
{
	list_remove(&node->link);
	node->queued = false;
	if (list_empty(&rq->levels[node->prio]))
		prio_bitmap_clear(&rq->ready, node->prio);
	rq->count--;
}

int runq_highest(const struct runq *rq)
{
	return prio_bitmap_highest(&rq->ready);
}

struct runq_node *runq_peek(const struct runq *rq)
{
	int prio = prio_bitmap_highest(&rq->ready);

	if (prio < 0)
		return NULL;
	return list_entry(list_first(&rq->levels[prio]), struct runq_node, link);
}
