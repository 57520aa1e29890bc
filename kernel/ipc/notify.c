/*
 * notify.c - notifications: a word of bits, signalled without waiting.
 *
 * NOTIFY_SIGNAL ORs bits into the word and returns at once: whoever
 * signals never blocks and never learns whether anyone listened, which is
 * what an interrupt handler or a server telling a client "something
 * changed" needs (slice 6 delivers interrupts this way). NOTIFY_WAIT takes
 * every bit that is set and clears them, or waits until one is. Bits
 * signalled while nobody waits accumulate: two signals of the same bit
 * before a wait are seen as one, by design.
 *
 * A thread can also bind one notification to itself (NOTIFY_BIND). Its
 * receives on any endpoint then also end when that notification is
 * signalled, so a server can wait for requests and for events at once,
 * with one thread and no polling.
 */
#include "ipc_internal.h"

/* [notify_signal] */
kstatus_t notify_signal(struct notification *n, uint32_t bits)
{
	struct thread *t = waitq_first(&n->waiters);

	n->bits |= bits;
	n->signals++;
	ipc_stats.signals++;
	if (t != NULL) {
		ipc_self_of(t)->msg.word[0] = n->bits;
		n->bits = 0;
		waitq_wake_thread(t, KEEL_OK, false);
	} else if (n->bound != NULL && ipc_waiting_to_receive(n->bound)) {
		ep_deliver_notification(n->bound, n->bits);
		n->bits = 0;
	}
	return KEEL_OK;
}
/* [notify_signal] */

kstatus_t ipc_notify_id(uint32_t id, uint32_t bits)
{
	unsigned slot = ID_SLOT(id);

	if (id == 0 || slot >= IPC_NOTIFICATIONS_MAX || ipc_notifications[slot].obj.id != id)
		return KEEL_ERR_GONE; /* destroyed since the capability was made */
	return notify_signal(&ipc_notifications[slot], bits);
}

kstatus_t notify_wait(struct notification *n, uint32_t *bits, uint64_t timeout_us)
{
	if (n->bits != 0) {
		*bits = n->bits;
		n->bits = 0;
		return KEEL_OK;
	}
	kstatus_t s = waitq_wait(&n->waiters, timeout_us);
	if (s == KEEL_OK)
		*bits = ipc_self()->msg.word[0];
	return s;
}

kstatus_t notify_bind(struct notification *n)
{
	struct ipc_thread *me = ipc_self();

	if (n == NULL) {
		if (me->bound == NULL)
			return KEEL_ERR_INVALID;
		me->bound->bound = NULL;
		me->bound = NULL;
		return KEEL_OK;
	}
	if (n->bound != NULL || me->bound != NULL)
		return n->bound == me->thread ? KEEL_OK : KEEL_ERR_BUSY;
	n->bound = me->thread;
	me->bound = n;
	return KEEL_OK;
}

void notify_destroyed(struct notification *n)
{
	if (n->bound != NULL)
		ipc_self_of(n->bound)->bound = NULL;
	n->bound = NULL;
	n->bits = 0;
}
