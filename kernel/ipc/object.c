/*
 * object.c - the IPC objects' pools, their names and their ends.
 *
 * Endpoints, notifications and channels come from fixed pools, like
 * threads and tasks: creating one takes a free slot (a channel also
 * allocates its ring, once), and nothing on a send or receive path ever
 * allocates. An object's id is its slot and a generation, the same
 * scheme as tasks, so a handle to an object that was destroyed (its slot
 * perhaps reused) is recognised: using it gives KEEL_ERR_GONE.
 *
 * Who ends an object. Each belongs to the task that created it, and dies
 * with that task, or when the task closes the handle the create call gave
 * it. There are no reference counts: an object can never outlive the one
 * task that is answerable for it, so a pool slot cannot leak, and other
 * holders find out at once that it is gone. Slice 5's capabilities
 * revisit this with revocation.
 *
 * Each thread's IPC state lives here too, in a table beside the thread
 * pool (same slot), reset lazily when the slot's thread changes.
 */
#include <keel/arch.h>
#include <keel/init.h>
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/string.h>

#include "ipc_internal.h"

struct endpoint ipc_endpoints[IPC_ENDPOINTS_MAX];
struct notification ipc_notifications[IPC_NOTIFICATIONS_MAX];
struct channel ipc_channels[IPC_CHANNELS_MAX];
struct ipc_stats ipc_stats;

static struct ipc_thread ipc_threads[THREAD_MAX];

/* [ipc_self_of] */
struct ipc_thread *ipc_self_of(struct thread *t)
{
	unsigned slot = t->tid & 0xffu;

	assert(slot < THREAD_MAX);
	struct ipc_thread *it = &ipc_threads[slot];
	if (it->tid != t->tid) {
		it->thread = t;
		it->tid = t->tid;
		inherit_init(&it->pi, t->prio);
		it->calling = false;
		it->caller_gone = false;
		it->bound = NULL;
		waitq_init(&it->reply_wait);
		it->reply_wait.leave = ep_reply_wait_left;
	}
	return it;
}
/* [ipc_self_of] */

struct ipc_thread *ipc_self(void)
{
	return ipc_self_of(thread_current());
}

struct ipc_thread *ipc_of_node(struct inherit_node *n)
{
	return list_entry(n, struct ipc_thread, pi);
}

void ipc_apply_prio(struct inherit_node *n, void *ctx)
{
	(void)ctx;
	sched_set_priority_locked(ipc_of_node(n)->thread, n->prio);
}

struct ipc_object *ipc_pool_at(unsigned type, unsigned slot)
{
	switch (type) {
	case KEEL_OBJ_ENDPOINT:
		return slot < IPC_ENDPOINTS_MAX ? &ipc_endpoints[slot].obj : NULL;
	case KEEL_OBJ_NOTIFICATION:
		return slot < IPC_NOTIFICATIONS_MAX ? &ipc_notifications[slot].obj : NULL;
	case KEEL_OBJ_CHANNEL:
		return slot < IPC_CHANNELS_MAX ? &ipc_channels[slot].obj : NULL;
	default:
		return NULL;
	}
}

static bool ipc_type(unsigned type)
{
	return type == KEEL_OBJ_ENDPOINT || type == KEEL_OBJ_NOTIFICATION ||
	       type == KEEL_OBJ_CHANNEL;
}

/* [ipc_lookup] */
kstatus_t ipc_lookup(keel_handle_t h, unsigned type, unsigned rights, void **out)
{
	const struct handle_slot *slot;
	kstatus_t s = handle_get(&task_current()->handles, h, type, rights, &slot);

	if (s != KEEL_OK)
		return s;
	struct ipc_object *o = ipc_pool_at(type, ID_SLOT(slot->object));
	if (o == NULL || o->id != slot->object)
		return KEEL_ERR_GONE; /* destroyed since the handle was made */
	*out = o;
	return KEEL_OK;
}
/* [ipc_lookup] */

kstatus_t ipc_object_new(unsigned type, const struct keel_ipc_limits *limits,
                         struct ipc_object **out)
{
	struct keel_ipc_limits none = {0, 0, 0};

	if (limits == NULL)
		limits = &none;
	if (limits->reserved != 0 || limits->rate > RATE_MAX || limits->burst > RATE_BURST_MAX)
		return KEEL_ERR_INVALID;
	for (unsigned i = 0;; i++) {
		struct ipc_object *o = ipc_pool_at(type, i);
		if (o == NULL)
			return KEEL_ERR_NO_MEMORY;
		if (o->id != 0)
			continue;
		o->gen = (o->gen + 1) & 0xffffffu;
		o->gen += o->gen == 0; /* an id is never 0 */
		o->id = i | o->gen << 8;
		o->owner = task_current();
		o->owner_handle = -1;
		kstatus_t s = rate_init(&o->rate, limits->rate, limits->burst, arch_clock_us());
		assert(s == KEEL_OK);
		(void)s;
		*out = o;
		return KEEL_OK;
	}
}

int32_t ipc_publish(unsigned type, struct ipc_object *o)
{
	keel_handle_t h;
	kstatus_t s = handle_alloc(&o->owner->handles, type, o->id, KEEL_RIGHT_ALL, &h);

	if (s != KEEL_OK) {
		ipc_object_destroy(type, o);
		return s;
	}
	o->owner_handle = h;
	return h;
}

/* Wake every thread on @wq with KEEL_ERR_GONE. */
static void wake_all_gone(struct waitq *wq)
{
	struct thread *t;

	while ((t = waitq_first(wq)) != NULL)
		waitq_wake_thread(t, KEEL_ERR_GONE, false);
}

/* [ipc_object_destroy] */
void ipc_object_destroy(unsigned type, struct ipc_object *o)
{
	if (type == KEEL_OBJ_ENDPOINT) {
		struct endpoint *ep = (struct endpoint *)o;
		wake_all_gone(&ep->senders);
		wake_all_gone(&ep->receivers);
	} else if (type == KEEL_OBJ_NOTIFICATION) {
		struct notification *n = (struct notification *)o;
		wake_all_gone(&n->waiters);
		notify_destroyed(n);
	} else {
		struct channel *c = (struct channel *)o;
		wake_all_gone(&c->senders);
		wake_all_gone(&c->receivers);
		channel_destroyed(c);
	}
	o->id = 0;
	o->owner = NULL;
}
/* [ipc_object_destroy] */

bool ipc_rate_ok(struct ipc_object *o)
{
	if (o->rate.rate == 0 || rate_take(&o->rate, arch_clock_us()))
		return true;
	ipc_stats.refused++;
	return false;
}

/* Destroy every object @t owns: it is ending. */
static void task_ending(struct task *t)
{
	for (unsigned type = KEEL_OBJ_ENDPOINT; type <= KEEL_OBJ_CHANNEL; type++) {
		struct ipc_object *o;
		for (unsigned i = 0; (o = ipc_pool_at(type, i)) != NULL; i++)
			if (o->id != 0 && o->owner == t)
				ipc_object_destroy(type, o);
	}
}

bool ipc_owner_handle(struct task *t, keel_handle_t h, const struct handle_slot *slot)
{
	if (!ipc_type(slot->type))
		return false;
	struct ipc_object *o = ipc_pool_at(slot->type, ID_SLOT(slot->object));
	return o != NULL && o->id == slot->object && o->owner == t && o->owner_handle == h;
}

/* Closing the handle an object was created with destroys it. */
static void handle_closing(struct task *t, const struct handle_slot *slot)
{
	keel_handle_t h = handle_of(&t->handles, (unsigned)(slot - t->handles.slot));

	if (ipc_owner_handle(t, h, slot))
		ipc_object_destroy(slot->type, ipc_pool_at(slot->type, ID_SLOT(slot->object)));
}

static void ipc_init(void)
{
	for (unsigned i = 0; i < IPC_ENDPOINTS_MAX; i++) {
		waitq_init(&ipc_endpoints[i].senders);
		waitq_init(&ipc_endpoints[i].receivers);
	}
	for (unsigned i = 0; i < IPC_NOTIFICATIONS_MAX; i++)
		waitq_init(&ipc_notifications[i].waiters);
	for (unsigned i = 0; i < IPC_CHANNELS_MAX; i++) {
		waitq_init(&ipc_channels[i].senders);
		waitq_init(&ipc_channels[i].receivers);
	}
	task_hooks.thread_leaving = ep_thread_leaving;
	task_hooks.task_ending = task_ending;
	task_hooks.handle_closing = handle_closing;
	ipc_syscalls_install();
}
KEEL_INIT(INIT_LATE, ipc_init);
