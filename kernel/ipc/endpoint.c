/*
 * endpoint.c - synchronous IPC: send, receive, call and reply.
 *
 * An endpoint is a meeting place, not a mailbox. Whoever comes first
 * waits in one of its two queues; whoever comes second finds the first
 * waiting, moves the message across (msg_transfer) and wakes it. So the
 * kernel holds no message that no thread is waiting to hand over, and a
 * send cannot fail for want of buffer space.
 *
 * A call is a send that then waits for a reply. The receiver of a call
 * holds the caller's reply right, in its own IPC state: one per thread,
 * used up by IPC_REPLY (or IPC_REPLY_RECV), and until then the two are
 * linked for priority inheritance (inherit.h): the server runs at least
 * at the caller's priority. Every way the link can end goes through
 * inherit_unlink(): the reply; the caller's timeout or its being killed
 * (the leave function of its reply queue, ep_reply_wait_left(), run the
 * moment its wait ends); the server's thread ending (ep_thread_leaving()).
 *
 * The caller's timeout covers the whole call: its timer is armed once
 * and keeps running when the caller moves from the endpoint's queue to
 * its own reply queue (waitq_move()).
 *
 * Everything here runs under sched_lock.
 */
#include <keel/panic.h>

#include "ipc_internal.h"

/* [ep_link] */
void ep_link(struct ipc_thread *s, struct ipc_thread *c)
{
	assert(s->pi.caller == NULL && c->pi.server == NULL);
	inherit_link(&s->pi, &c->pi, ipc_apply_prio, NULL);
	s->caller_gone = false;
}
/* [ep_link] */

/* [ep_reply_wait_left] */
void ep_reply_wait_left(struct waitq *wq, struct thread *t, kstatus_t why)
{
	struct ipc_thread *c = ipc_self_of(t);

	(void)wq;
	(void)why;
	if (c->pi.server != NULL) {
		struct ipc_thread *s = ipc_of_node(c->pi.server);
		inherit_unlink(&s->pi, ipc_apply_prio, NULL);
		s->caller_gone = true; /* its reply will get KEEL_ERR_GONE */
	}
}
/* [ep_reply_wait_left] */

/* Hand the caller's message to waiting receiver @rt. */
static kstatus_t hand_to_receiver(struct endpoint *ep, struct ipc_thread *me, struct thread *rt)
{
	struct ipc_thread *r = ipc_self_of(rt);
	/* LAB 4: move the message, link a call, wake the receiver */
	kstatus_t s = msg_transfer(&r->msg, rt->task, &me->msg, me->thread->task);

	if (s == KEEL_ERR_LIMIT)
		waitq_wake_thread(rt, KEEL_ERR_LIMIT, false); /* it has no room: it is told too */
	if (s != KEEL_OK)
		return s;
	ep->messages++;
	ipc_stats.messages++;
	if (me->calling) {
		r->msg.flags = KEEL_MSG_CALL;
		ep_link(r, me);
	}
	waitq_wake_thread(rt, KEEL_OK, false);
	return KEEL_OK;
	/* LAB 4 STUB
	(void)ep;
	(void)me;
	(void)r;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 4 END */
}

/* [ep_send] */
kstatus_t ep_send(struct endpoint *ep, bool call, uint64_t timeout_us)
{
	struct ipc_thread *me = ipc_self();
	struct thread *rt = waitq_first(&ep->receivers);

	if (call && !inherit_can_call(&me->pi))
		return KEEL_ERR_LIMIT; /* the chain of nested calls is as long as it may be */
	if (!ipc_rate_ok(&ep->obj))
		return KEEL_ERR_OVER_RATE;
	me->calling = call;
	/* LAB 4: hand the message to a waiting receiver, or wait in line */
	if (rt != NULL) {
		kstatus_t s = hand_to_receiver(ep, me, rt);
		if (s != KEEL_OK || !call)
			return s;
		return waitq_wait(&me->reply_wait, timeout_us);
	}
	/* Nobody is receiving: wait in line. A receiver that takes the
	 * message wakes a send; a call goes on waiting, for its reply. */
	return waitq_wait(&ep->senders, timeout_us);
	/* LAB 4 STUB
	(void)hand_to_receiver;
	(void)rt;
	(void)timeout_us;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 4 END */
}
/* [ep_send] */

/* Take the message of queued sender @st into the caller's state. */
static kstatus_t take_from_sender(struct endpoint *ep, struct ipc_thread *me, struct thread *st)
{
	struct ipc_thread *snd = ipc_self_of(st);
	kstatus_t s = msg_transfer(&me->msg, me->thread->task, &snd->msg, st->task);

	if (s != KEEL_OK) {
		waitq_wake_thread(st, s, false); /* its handles could not go: it is told why */
		return s;
	}
	ep->messages++;
	ipc_stats.messages++;
	if (snd->calling) {
		me->msg.flags = KEEL_MSG_CALL;
		ep_link(me, snd);
		waitq_move(st, &snd->reply_wait); /* still blocked, now for its reply */
	} else {
		waitq_wake_thread(st, KEEL_OK, false);
	}
	return KEEL_OK;
}

/* Put a notification's @bits in @it's message. */
static void notification_msg(struct ipc_thread *it, uint32_t bits)
{
	struct ipc_msg *m = &it->msg;

	m->label = m->len = m->nhandles = m->sender = 0;
	m->flags = KEEL_MSG_NOTIFIED;
	m->word[0] = bits;
	for (unsigned i = 1; i < KEEL_MSG_WORDS; i++)
		m->word[i] = 0;
}

/* [ep_recv] */
kstatus_t ep_recv(struct endpoint *ep, uint64_t timeout_us)
{
	struct ipc_thread *me = ipc_self();
	struct thread *st;

	if (me->pi.caller != NULL)
		return KEEL_ERR_BUSY; /* it must answer the call it holds first */
	if (me->bound != NULL && me->bound->bits != 0) {
		notification_msg(me, me->bound->bits);
		me->bound->bits = 0;
		return KEEL_OK;
	}
	while ((st = waitq_first(&ep->senders)) != NULL) {
		kstatus_t s = take_from_sender(ep, me, st);
		if (s == KEEL_OK || s == KEEL_ERR_LIMIT)
			return s; /* with no room here, the receiver fails too */
		                  /* That sender's handles were bad: it was told; try the next. */
	}
	return waitq_wait(&ep->receivers, timeout_us);
}
/* [ep_recv] */

kstatus_t ep_call(struct endpoint *ep, uint64_t timeout_us)
{
	kstatus_t s;

	return fastpath_call(ep, timeout_us, &s) ? s : ep_send(ep, true, timeout_us);
}

/* [ep_reply_then_recv] */
kstatus_t ep_reply_then_recv(struct endpoint *ep, bool reply, uint64_t timeout_us)
{
	struct ipc_thread *me = ipc_self();
	kstatus_t s;

	if (!reply)
		return ep_recv(ep, timeout_us);
	if (fastpath_reply_recv(ep, timeout_us, &s))
		return s;
	if (me->pi.caller != NULL || me->caller_gone) {
		s = ep_reply();
		if (s != KEEL_OK && s != KEEL_ERR_GONE)
			return s; /* the reply could not go: the right is kept, nothing received */
	}
	return ep_recv(ep, timeout_us);
}
/* [ep_reply_then_recv] */

bool ipc_waiting_to_receive(const struct thread *t)
{
	uintptr_t off = (uintptr_t)t->waiting_on - (uintptr_t)ipc_endpoints;

	return t->state == THREAD_BLOCKED && off < sizeof(ipc_endpoints) &&
	       off % sizeof(struct endpoint) == offsetof(struct endpoint, receivers);
}

void ep_deliver_notification(struct thread *t, uint32_t bits)
{
	notification_msg(ipc_self_of(t), bits);
	waitq_wake_thread(t, KEEL_OK, false);
}

/* [ep_reply] */
kstatus_t ep_reply(void)
{
	struct ipc_thread *me = ipc_self();

	if (me->pi.caller == NULL) {
		bool gone = me->caller_gone;
		me->caller_gone = false;
		return gone ? KEEL_ERR_GONE : KEEL_ERR_INVALID;
	}
	struct ipc_thread *c = ipc_of_node(me->pi.caller);
	/* LAB 4: deliver the reply, end the link, wake the caller */
	kstatus_t s = msg_transfer(&c->msg, c->thread->task, &me->msg, me->thread->task);
	if (s != KEEL_OK)
		return s; /* the reply right is kept: it can answer again */
	inherit_unlink(&me->pi, ipc_apply_prio, NULL);
	waitq_wake_thread(c->thread, KEEL_OK, false);
	/* LAB 4 STUB
	(void)c;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 4 END */
	ipc_stats.replies++;
	return KEEL_OK;
}
/* [ep_reply] */

/* [ep_thread_leaving] */
void ep_thread_leaving(struct thread *t)
{
	struct ipc_thread *it = ipc_self_of(t);

	assert(it->pi.server == NULL); /* a thread leaves only once its waits have ended */
	if (it->pi.caller != NULL) {
		struct ipc_thread *c = ipc_of_node(it->pi.caller);
		inherit_unlink(&it->pi, ipc_apply_prio, NULL);
		waitq_wake_thread(c->thread, KEEL_ERR_GONE, false);
	}
	if (it->bound != NULL)
		it->bound->bound = NULL;
	it->bound = NULL;
	it->tid = 0; /* the slot's next thread starts afresh */
}
/* [ep_thread_leaving] */
