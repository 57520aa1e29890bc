/*
 * monitor.c - the monitor's view of IPC: `ipc`.
 *
 * `ipc` lists every live endpoint, notification and channel: its id, the
 * task that owns it, its rate limit if it has one, and the threads in each
 * of its queues, oldest first, with their priorities (a sender on an
 * endpoint says whether it is calling). A notification shows its pending
 * bits and the thread bound to it, a channel how full it is. Then every
 * reply right: the server holding it, the caller waiting for the reply,
 * and the server's own and inherited priorities.
 *
 * As `threads` does, the command copies what it shows into rows under
 * sched_lock, so the picture is one moment's, and prints after.
 * scripts/gdb/keel_ipc.py (`keel ipc`) shows the same from GDB.
 */
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/string.h>

#include "ipc_internal.h"

#define OBJECTS_MAX (IPC_ENDPOINTS_MAX + IPC_NOTIFICATIONS_MAX + IPC_CHANNELS_MAX)

struct thread_ref {
	tid_t tid;
	char name[THREAD_NAME_MAX];
};

/* A thread in one of an object's queues. */
struct waiter_row {
	struct thread_ref t;
	uint8_t prio;
	bool call;       /* a sender on an endpoint that is calling */
	const char *hdr; /* "sender", "receiver", "waiter" */
};

struct object_row {
	unsigned type; /* KEEL_OBJ_ENDPOINT... */
	uint32_t id, owner_id, rate, burst;
	char owner[TASK_NAME_MAX];
	uint64_t count; /* endpoint: messages; channel: queued now */
	uint32_t bits, depth, max_len;
	struct thread_ref bound;  /* tid 0: none */
	unsigned first, nwaiters; /* its rows in snap.waiters */
};

/* A reply right: @server holds @caller's (tid 0 if the caller left). */
struct reply_row {
	struct thread_ref server, caller;
	uint8_t base, prio;
};

static struct snapshot {
	struct object_row objects[OBJECTS_MAX];
	struct waiter_row waiters[THREAD_MAX];
	struct reply_row replies[THREAD_MAX];
	unsigned nobjects, nwaiters, nreplies;
} snap;

static struct thread_ref ref_of(const struct thread *t)
{
	struct thread_ref r = {t ? t->tid : 0, ""};

	if (t != NULL)
		memcpy(r.name, t->name, sizeof(r.name));
	return r;
}

/* Copy the threads on @wq into waiter rows headed @hdr. */
static void copy_queue(struct object_row *row, struct waitq *wq, const char *hdr, bool endpoint)
{
	for (struct list *l = wq->waiters.next; l != &wq->waiters; l = l->next) {
		struct thread *t = list_entry(l, struct thread, wait_link);
		if (snap.nwaiters == THREAD_MAX)
			return; /* cannot happen: a thread waits on one queue at a time */
		snap.waiters[snap.nwaiters++] = (struct waiter_row){
		    ref_of(t), t->prio, endpoint && ipc_self_of(t)->calling, hdr};
		row->nwaiters++;
	}
}

/* A new row for live object @o of @type, or NULL if @o is free. */
static struct object_row *object_row(unsigned type, const struct ipc_object *o)
{
	if (o->id == 0)
		return NULL;
	struct object_row *row = &snap.objects[snap.nobjects++];
	*row = (struct object_row){.type = type,
	                           .id = o->id,
	                           .owner_id = o->owner->id,
	                           .rate = o->rate.rate,
	                           .burst = o->rate.burst,
	                           .first = snap.nwaiters};
	memcpy(row->owner, o->owner->name, sizeof(row->owner));
	return row;
}

static void copy_objects(void)
{
	struct object_row *row;

	for (unsigned i = 0; i < IPC_ENDPOINTS_MAX; i++) {
		struct endpoint *ep = &ipc_endpoints[i];
		if ((row = object_row(KEEL_OBJ_ENDPOINT, &ep->obj)) == NULL)
			continue;
		row->count = ep->messages;
		copy_queue(row, &ep->senders, "sender", true);
		copy_queue(row, &ep->receivers, "receiver", false);
	}
	for (unsigned i = 0; i < IPC_NOTIFICATIONS_MAX; i++) {
		struct notification *n = &ipc_notifications[i];
		if ((row = object_row(KEEL_OBJ_NOTIFICATION, &n->obj)) == NULL)
			continue;
		row->bits = n->bits;
		row->bound = ref_of(n->bound);
		copy_queue(row, &n->waiters, "waiter", false);
	}
	for (unsigned i = 0; i < IPC_CHANNELS_MAX; i++) {
		struct channel *c = &ipc_channels[i];
		if ((row = object_row(KEEL_OBJ_CHANNEL, &c->obj)) == NULL)
			continue;
		row->count = msgq_count(&c->q);
		row->depth = c->q.depth;
		row->max_len = c->max_len;
		copy_queue(row, &c->senders, "sender", false);
		copy_queue(row, &c->receivers, "receiver", false);
	}
}

/* Every user thread holding a reply right, or whose caller left. */
static void copy_replies(void)
{
	for (unsigned i = 0; i < THREAD_MAX; i++) {
		struct thread *t = thread_slot(i);
		if (t->state == THREAD_FREE || t->state == THREAD_DEAD || t->task == NULL)
			continue;
		struct ipc_thread *it = ipc_self_of(t);
		if (it->pi.caller == NULL && !it->caller_gone)
			continue;
		struct thread *c = it->pi.caller ? ipc_of_node(it->pi.caller)->thread : NULL;
		snap.replies[snap.nreplies++] =
		    (struct reply_row){ref_of(t), ref_of(c), it->pi.base, it->pi.prio};
	}
}

static void take_snapshot(void)
{
	spinflags_t flags = spin_lock(&sched_lock);

	snap.nobjects = snap.nwaiters = snap.nreplies = 0;
	copy_objects();
	copy_replies();
	spin_unlock(&sched_lock, flags);
}

static const char *type_name(unsigned type)
{
	return type == KEEL_OBJ_ENDPOINT       ? "endpoint"
	       : type == KEEL_OBJ_NOTIFICATION ? "notification"
	                                       : "channel";
}

/* The part of an object's line after its owner. */
static void print_details(const struct object_row *o)
{
	if (o->type == KEEL_OBJ_ENDPOINT)
		kprintf(", %llu delivered", (unsigned long long)o->count);
	else if (o->type == KEEL_OBJ_NOTIFICATION && o->bound.tid != 0)
		kprintf(", bits 0x%x, bound to %08x %s", o->bits, o->bound.tid, o->bound.name);
	else if (o->type == KEEL_OBJ_NOTIFICATION)
		kprintf(", bits 0x%x, not bound", o->bits);
	else
		kprintf(", %llu of %u queued, max_len %u", (unsigned long long)o->count, o->depth,
		        o->max_len);
	if (o->rate != 0)
		kprintf(", rate %u/s burst %u", o->rate, o->burst);
	kprintf("\n");
}

static void print_object(const struct object_row *o)
{
	kprintf("%s 0x%x of task %u %s", type_name(o->type), o->id, o->owner_id, o->owner);
	print_details(o);
	for (unsigned i = o->first; i < o->first + o->nwaiters; i++) {
		const struct waiter_row *w = &snap.waiters[i];
		kprintf("    %-8s %08x %-15s prio %3u%s\n", w->hdr, w->t.tid, w->t.name, w->prio,
		        w->call ? "  call" : "");
	}
	if (o->nwaiters == 0)
		kprintf("    (no waiters)\n");
}

static void print_reply(const struct reply_row *r)
{
	kprintf("  %08x %-15s -> ", r->server.tid, r->server.name);
	if (r->caller.tid != 0)
		kprintf("%08x %-15s", r->caller.tid, r->caller.name);
	else
		kprintf("%-24s", "(caller left)");
	kprintf(" base %3u prio %3u\n", r->base, r->prio);
}

static int cmd_ipc(int argc, char **argv)
{
	unsigned count[3] = {0, 0, 0};

	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	take_snapshot();
	for (unsigned i = 0; i < snap.nobjects; i++) {
		print_object(&snap.objects[i]);
		count[snap.objects[i].type - KEEL_OBJ_ENDPOINT]++;
	}
	kprintf("reply rights (server -> caller waiting for its reply):\n");
	for (unsigned i = 0; i < snap.nreplies; i++)
		print_reply(&snap.replies[i]);
	if (snap.nreplies == 0)
		kprintf("  (none)\n");
	kprintf("%u of %u endpoints, %u of %u notifications, %u of %u channels; reply rights: %u\n",
	        count[0], IPC_ENDPOINTS_MAX, count[1], IPC_NOTIFICATIONS_MAX, count[2],
	        IPC_CHANNELS_MAX, snap.nreplies);
	return 0;
}
MONITOR_COMMAND("ipc", "", "IPC objects, their queues, and reply rights", cmd_ipc);
