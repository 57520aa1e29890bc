/*
 * ipc_check.c - ipc_check_all(): the invariants of every IPC object and of
 * every thread's IPC state, checked by the tests after each program; and
 * ipc_object_count(), the number of live objects, for reports.
 */
#include <keel/kprintf.h>

#include "ipc_internal.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		kprintf("ipc_check: " __VA_ARGS__);                                                \
		return KEEL_ERR_CORRUPT;                                                           \
	} while (0)

/* Every thread on @wq is BLOCKED and knows it waits there. */
static kstatus_t queue_ok(struct waitq *wq, const char *what, uint32_t id)
{
	for (struct list *l = wq->waiters.next; l != &wq->waiters; l = l->next) {
		struct thread *t = list_entry(l, struct thread, wait_link);
		if (t->state != THREAD_BLOCKED || t->waiting_on != wq)
			FAIL("%s %x: thread %x is %s on its queue\n", what, id, t->tid,
			     thread_state_name(t->state));
	}
	return KEEL_OK;
}

/* A live object has a live owner; a free one has no waiters. */
static kstatus_t object_ok(const struct ipc_object *o, struct waitq *a, struct waitq *b,
                           const char *what)
{
	if (o->id == 0) {
		if (list_first(&a->waiters) || (b && list_first(&b->waiters)))
			FAIL("a free %s has waiters\n", what);
		return KEEL_OK;
	}
	if (o->owner == NULL || (o->owner->state != TASK_LIVE && o->owner->state != TASK_DYING))
		FAIL("%s %x outlived its owner\n", what, o->id);
	kstatus_t s = queue_ok(a, what, o->id);
	return s == KEEL_OK && b ? queue_ok(b, what, o->id) : s;
}

static kstatus_t objects_ok(void)
{
	kstatus_t s = KEEL_OK;

	for (unsigned i = 0; s == KEEL_OK && i < IPC_ENDPOINTS_MAX; i++)
		s = object_ok(&ipc_endpoints[i].obj, &ipc_endpoints[i].senders,
		              &ipc_endpoints[i].receivers, "endpoint");
	for (unsigned i = 0; s == KEEL_OK && i < IPC_NOTIFICATIONS_MAX; i++)
		s = object_ok(&ipc_notifications[i].obj, &ipc_notifications[i].waiters, NULL,
		              "notification");
	for (unsigned i = 0; s == KEEL_OK && i < IPC_CHANNELS_MAX; i++) {
		struct channel *c = &ipc_channels[i];
		s = object_ok(&c->obj, &c->senders, &c->receivers, "channel");
		if (s == KEEL_OK && c->obj.id != 0 && msgq_check(&c->q) != KEEL_OK)
			FAIL("channel %x: its ring is corrupt\n", c->obj.id);
	}
	return s;
}

/* [ipc_check_threads] */
/* Each live thread's links agree at both ends, its priority is what it
 * inherits, and a caller with a server waits on its reply queue. */
static kstatus_t threads_ok(void)
{
	for (unsigned i = 0; i < THREAD_MAX; i++) {
		struct thread *t = thread_slot(i);
		if (t->state == THREAD_FREE || t->state == THREAD_DEAD || t->task == NULL)
			continue;
		struct ipc_thread *it = ipc_self_of(t);
		if (!inherit_check(&it->pi))
			FAIL("thread %x: inheritance links or priority broken\n", t->tid);
		if (it->pi.caller != NULL && t->prio != it->pi.prio)
			FAIL("thread %x runs at %u, inherits %u\n", t->tid, t->prio, it->pi.prio);
		if (it->pi.server != NULL && t->waiting_on != &it->reply_wait)
			FAIL("thread %x has a server but does not wait for a reply\n", t->tid);
	}
	return KEEL_OK;
}
/* [ipc_check_threads] */

kstatus_t ipc_check_all(void)
{
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = objects_ok();

	if (s == KEEL_OK)
		s = threads_ok();
	spin_unlock(&sched_lock, flags);
	return s;
}

unsigned ipc_object_count(void)
{
	unsigned n = 0;

	for (unsigned type = KEEL_OBJ_ENDPOINT; type <= KEEL_OBJ_CHANNEL; type++) {
		struct ipc_object *o;
		for (unsigned i = 0; (o = ipc_pool_at(type, i)) != NULL; i++)
			n += o->id != 0;
	}
	return n;
}
