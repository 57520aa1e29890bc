/*
 * channel.c - bounded channels: asynchronous messages in a queue of
 * fixed depth.
 *
 * When the sender must not wait for the receiver (a producer that runs
 * ahead, an event stream), a channel holds up to its depth of messages.
 * Its ring of slots (msgq.h) is allocated once, when it is created, so a
 * send never allocates: a full channel is a plain answer. The sender
 * says what it wants then with its timeout: 0 fails at once
 * (KEEL_ERR_TIMED_OUT), anything else waits for room that long.
 *
 * Hand-offs keep the queue in order without retries: a send that finds a
 * receiver waiting (so the queue is empty) gives it the message directly;
 * a receive that takes a message from a full queue moves the first
 * waiting sender's message into the freed slot and wakes that sender.
 * Messages from one sender therefore arrive in the order it sent them.
 *
 * Channel messages carry no handles: a handle in a queue would be in no
 * task's table, with nobody to give it back if the channel died. Handles
 * travel through endpoints, where both tables are at hand.
 */
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/string.h>

#include "ipc_internal.h"

/* The head of @m as a queued message. */
static struct msgq_head head_of(const struct ipc_msg *m)
{
	struct msgq_head h = {.label = m->label, .sender = m->sender, .len = m->len};

	for (unsigned i = 0; i < MSGQ_WORDS; i++)
		h.word[i] = m->word[i];
	return h;
}

/* Queued message @h back as a received message in @m. */
static void msg_of(struct ipc_msg *m, const struct msgq_head *h)
{
	m->label = h->label;
	m->flags = 0;
	m->len = h->len;
	m->nhandles = 0;
	m->sender = h->sender;
	for (unsigned i = 0; i < MSGQ_WORDS; i++)
		m->word[i] = h->word[i];
}

/* [channel_send] */
kstatus_t channel_send(struct channel *c, uint64_t timeout_us)
{
	struct ipc_thread *me = ipc_self();
	struct thread *rt = waitq_first(&c->receivers);

	if (!ipc_rate_ok(&c->obj))
		return KEEL_ERR_OVER_RATE;
	me->msg.sender = me->thread->task->id;
	if (rt != NULL) {
		struct ipc_thread *r = ipc_self_of(rt);
		/* The queue is empty: straight to the receiver, head and bytes. */
		memcpy(&r->msg, &me->msg, offsetof(struct ipc_msg, handle));
		memcpy(r->msg.buf, me->msg.buf, me->msg.len);
		r->msg.flags = 0;
		waitq_wake_thread(rt, KEEL_OK, false);
		ipc_stats.queued++;
		return KEEL_OK;
	}
	struct msgq_head h = head_of(&me->msg);
	if (msgq_put(&c->q, &h, me->msg.buf) == KEEL_OK) {
		ipc_stats.queued++;
		return KEEL_OK;
	}
	/* Full: wait for a receiver to move this message into a slot it freed. */
	return waitq_wait(&c->senders, timeout_us);
}
/* [channel_send] */

/* [channel_recv] */
kstatus_t channel_recv(struct channel *c, uint64_t timeout_us)
{
	struct ipc_thread *me = ipc_self();
	struct msgq_head h;

	if (msgq_take(&c->q, &h, me->msg.buf) != KEEL_OK)
		return waitq_wait(&c->receivers, timeout_us); /* a sender hands it over */
	msg_of(&me->msg, &h);
	struct thread *st = waitq_first(&c->senders);
	if (st != NULL) {
		struct ipc_thread *snd = ipc_self_of(st);
		struct msgq_head sh = head_of(&snd->msg);
		kstatus_t s = msgq_put(&c->q, &sh, snd->msg.buf);
		assert(s == KEEL_OK); /* a slot was just freed */
		(void)s;
		ipc_stats.queued++;
		waitq_wake_thread(st, KEEL_OK, false);
	}
	return KEEL_OK;
}
/* [channel_recv] */

/* Make new channel @c's ring in @mem. */
kstatus_t channel_setup(struct channel *c, void *mem, uint32_t depth, uint32_t max_len)
{
	kstatus_t s = msgq_init(&c->q, mem, depth, max_len);

	if (s == KEEL_OK) {
		c->mem = mem;
		c->max_len = max_len;
	}
	return s;
}

void channel_destroyed(struct channel *c)
{
	kfree(c->mem);
	c->mem = NULL;
}
