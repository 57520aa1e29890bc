/*
 * lab.c - in-kernel tests of what lab 4 cuts: the rendezvous of a send
 * with a waiting receiver and the wait when there is none (ep_send), the
 * reply (ep_reply), and the inheritance rule (inherit_link and
 * inherit_unlink), each graded on its own, then all of them together.
 *
 * IPC is between threads: each side's state is found from
 * thread_current(). These tests run the two sides as kernel threads of
 * their own ("actors", below the runner's priority) on a private
 * endpoint, with the kernel's functions called directly under sched_lock
 * as the system calls do, and a task of the test's own that the messages
 * come from. Every wait has a bounded timeout, so a lost wake-up (a
 * receiver or a caller that nobody wakes) shows as a wait that TIMED_OUT,
 * not as a hang. The priority tests read each server's struct thread
 * prio while it holds a call and after the call ended every way it can:
 * a reply, the caller's timeout, the caller's death, a caller above it
 * in a chain leaving. Suite inherit drives the rule on nodes of its own
 * against a model, with no thread at all.
 */
#include <keel/arch.h>
#include <keel/ktest.h>
#include <keel/string.h>
#include <keel/timer.h>
#include <keel/vm.h>

#include "../../../kernel/ipc/ipc_internal.h"

#define MS          1000u
#define WAIT_LONG   (1000 * MS) /* a wait a working kernel ends long before */
#define JOIN_LIMIT  (3000 * MS)
#define REPLY_DELTA 0x1000u /* a reply's label: the call's plus this */
#define LAB_TASK_ID 0x4c4234u
#define ACTORS_MAX  4
#define REPORTS_MAX 8

/* One side of the IPC: what it does, and what came of it. */
struct actor {
	struct endpoint *ep, *ep2; /* where it works; ep2: where a relay calls */
	uint32_t label, count;     /* what it sends, how many times */
	uint64_t timeout;
	bool hold;             /* a server keeps each call until released */
	volatile bool release; /* set by the runner */
	volatile bool done;
	volatile uint32_t received; /* calls or messages taken so far */
	kstatus_t status, reply_status;
	uint32_t got_label, got_flags, got_word, got_sender, wrong;
	unsigned prio_serving, prio_after;
	struct inherit_node *caller; /* the reply right it held after receiving */
	struct actor *peer;          /* the caller a replier answers */
	kstatus_t poll_status, call_status, recv_status;
	unsigned elapsed_ms;
	tid_t tid;
};

static struct task lab_task;
static struct endpoint lab_ep, lab_ep2;
static struct actor actors[ACTORS_MAX];
static unsigned started;

static void ep_setup(struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	waitq_init(&ep->senders);
	waitq_init(&ep->receivers);
}

static void lab_setup(void)
{
	memset(&lab_task, 0, sizeof(lab_task));
	lab_task.id = LAB_TASK_ID;
	lab_task.space = &vm_kernel;
	ep_setup(&lab_ep);
	ep_setup(&lab_ep2);
	memset(actors, 0, sizeof(actors));
	started = 0;
}

/* ---- the actors */

static struct ipc_thread *begin(void)
{
	thread_current()->task = &lab_task; /* its messages come from this task */
	return ipc_self();
}

static void end(struct actor *a)
{
	thread_current()->task = NULL;
	a->done = true;
}

static void msg_set(struct ipc_thread *me, uint32_t label)
{
	memset(&me->msg, 0, sizeof(me->msg));
	me->msg.label = label;
	for (unsigned i = 0; i < KEEL_MSG_WORDS; i++)
		me->msg.word[i] = label + i;
}

static void msg_record(struct actor *a, const struct ipc_msg *m)
{
	a->got_label = m->label;
	a->got_flags = m->flags;
	a->got_word = m->word[KEEL_MSG_WORDS - 1];
	a->got_sender = m->sender;
}

/* Receive a->count messages. */
static void recv_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	for (uint32_t i = 0; i < a->count; i++) {
		a->status = LOCKED(ep_recv(a->ep, a->timeout));
		if (a->status != KEEL_OK)
			break;
		msg_record(a, &me->msg);
		a->wrong += a->got_label != a->label + i || a->got_word != a->got_label + 3;
		a->received++;
	}
	end(a);
}

/* Send a->count messages, labels a->label, a->label + 1... */
static void send_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	for (uint32_t i = 0; i < a->count; i++) {
		msg_set(me, a->label + i);
		a->status = LOCKED(ep_send(a->ep, false, a->timeout));
		if (a->status != KEEL_OK)
			break;
	}
	end(a);
}

/* Call a->count times; each reply must carry the call's label + REPLY_DELTA. */
static void call_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	for (uint32_t i = 0; i < a->count; i++) {
		msg_set(me, a->label + i);
		a->status = LOCKED(ep_send(a->ep, true, a->timeout));
		if (a->status != KEEL_OK)
			break;
		msg_record(a, &me->msg);
		a->wrong += a->got_label != a->label + i + REPLY_DELTA;
	}
	end(a);
}

/* Wait (bounded) for the runner to release @a. */
static void hold(struct actor *a)
{
	for (unsigned i = 0; a->hold && !a->release && i < 1500; i++)
		thread_sleep_us(2 * MS);
}

/* Take a->count calls; answer each (after the runner's release, if a->hold). */
static void serve_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	for (uint32_t i = 0; i < a->count; i++) {
		a->status = LOCKED(ep_recv(a->ep, a->timeout));
		if (a->status != KEEL_OK)
			break;
		msg_record(a, &me->msg);
		a->caller = me->pi.caller;
		a->prio_serving = thread_current()->prio;
		a->received++;
		if (a->ep2 != NULL) { /* a relay: call on, with what it got */
			msg_set(me, a->got_label);
			kstatus_t s = LOCKED(ep_send(a->ep2, true, a->timeout));
			a->wrong += s != KEEL_OK;
		}
		hold(a);
		msg_set(me, a->got_label + REPLY_DELTA);
		a->reply_status = LOCKED(ep_reply());
		a->prio_after = thread_current()->prio;
		a->wrong += a->prio_after != me->pi.base || me->pi.caller != NULL;
	}
	end(a);
}

/* ---- the runner's side */

static tid_t start(struct actor *a, void (*fn)(void *), unsigned prio)
{
	a->tid = 0;
	KT_EXPECT_EQ(thread_create("lab4", fn, a, prio, &a->tid), KEEL_OK);
	started++;
	return a->tid;
}

/* Join every actor started; each ends within its timeouts. */
static void finish_all(void)
{
	for (unsigned i = 0; i < started; i++) {
		actors[i].release = true;
		if (actors[i].tid != 0)
			KT_EXPECT_EQ(thread_join(actors[i].tid, NULL, JOIN_LIMIT), KEEL_OK);
	}
	started = 0;
}

static struct thread *locked_lookup(tid_t tid)
{
	spinflags_t f = spin_lock(&sched_lock);
	struct thread *t = thread_lookup(tid);
	spin_unlock(&sched_lock, f);
	return t;
}

/* Is actor @a's thread BLOCKED on @wq, within a second? */
static bool blocked_on(struct actor *a, struct waitq *wq)
{
	for (unsigned i = 0; i < 500; i++) {
		spinflags_t f = spin_lock(&sched_lock);
		struct thread *t = thread_lookup(a->tid);
		bool yes = t != NULL && t->state == THREAD_BLOCKED && t->waiting_on == wq;
		spin_unlock(&sched_lock, f);
		if (yes)
			return true;
		if (a->done)
			return false;
		thread_sleep_us(2 * MS);
	}
	return false;
}

/* Has @a taken @n messages (or ended), within a second? */
static bool received(struct actor *a, uint32_t n)
{
	for (unsigned i = 0; i < 500 && a->received < n && !a->done; i++)
		thread_sleep_us(2 * MS);
	return a->received >= n;
}

/* Has @a ended, within a second? */
static bool ended(struct actor *a)
{
	for (unsigned i = 0; i < 500 && !a->done; i++)
		thread_sleep_us(2 * MS);
	return a->done;
}

static struct ipc_thread *ipc_of_actor(struct actor *a)
{
	return ipc_self_of(locked_lookup(a->tid));
}

/* The priority of @a's thread now (it must be alive). */
static unsigned prio_of(struct actor *a)
{
	struct thread *t = locked_lookup(a->tid);

	return t != NULL ? t->prio : 0;
}

/* End @a's wait as a kill does. */
static void kill_wait(struct actor *a)
{
	spinflags_t f = spin_lock(&sched_lock);
	waitq_cancel(thread_lookup(a->tid), KEEL_ERR_INTERRUPTED);
	spin_unlock(&sched_lock, f);
}

#define KT_EXPECT_BLOCKED(a, wq, why)                                                              \
	((blocked_on(a, wq))                                                                       \
	     ? (void)0                                                                             \
	     : ktest_fail(__FILE__, __LINE__, "%s is not blocked on %s: %s", #a, #wq, why))

/* Did @a get message @label from the lab's task? */
static void expect_msg(const struct actor *a, uint32_t label, uint32_t flags)
{
	KT_EXPECT_EQ(a->got_label, label);
	KT_EXPECT_EQ(a->got_word, label + 3);
	KT_EXPECT_EQ(a->got_flags, flags);
	KT_EXPECT_EQ(a->got_sender, LAB_TASK_ID);
}

/* ---- ep_send: the rendezvous, and the wait when nobody receives */

KTEST(send, wakes_the_waiting_receiver)
{
	struct actor *r = &actors[0], *s = &actors[1];

	lab_setup();
	*r = (struct actor){.ep = &lab_ep, .label = 0x5e4d, .count = 1, .timeout = WAIT_LONG};
	*s = (struct actor){.ep = &lab_ep, .label = 0x5e4d, .count = 1, .timeout = 0};
	start(r, recv_actor, 30);
	KT_EXPECT_BLOCKED(r, &lab_ep.receivers, "ep_recv should wait");
	start(s, send_actor, 20);
	finish_all();
	/* A poll (timeout 0) finds the receiver there: no wait is needed. */
	KT_EXPECT_EQ(s->status, KEEL_OK);
	/* TIMED_OUT: the receiver got nothing or was never woken (a lost wake-up). */
	KT_EXPECT_EQ(r->status, KEEL_OK);
	expect_msg(r, 0x5e4d, 0);
	KT_EXPECT(list_empty(&lab_ep.receivers.waiters));
	KT_EXPECT(list_empty(&lab_ep.senders.waiters));
}

KTEST(send, one_message_per_receiver)
{
	struct actor *r1 = &actors[0], *r2 = &actors[1], *s = &actors[2];

	lab_setup();
	*r1 = (struct actor){.ep = &lab_ep, .label = 100, .count = 1, .timeout = WAIT_LONG};
	*r2 = (struct actor){.ep = &lab_ep, .label = 101, .count = 1, .timeout = WAIT_LONG};
	*s = (struct actor){.ep = &lab_ep, .label = 100, .count = 2, .timeout = 0};
	start(r1, recv_actor, 30);
	KT_EXPECT_BLOCKED(r1, &lab_ep.receivers, "ep_recv should wait");
	start(r2, recv_actor, 30);
	KT_EXPECT_BLOCKED(r2, &lab_ep.receivers, "ep_recv should wait");
	start(s, send_actor, 20);
	finish_all();
	/* First come, first served: each receiver gets one message of its own. */
	KT_EXPECT_EQ(s->status, KEEL_OK);
	KT_EXPECT_EQ(r1->status, KEEL_OK);
	KT_EXPECT_EQ(r2->status, KEEL_OK);
	expect_msg(r1, 100, 0);
	expect_msg(r2, 101, 0);
}

KTEST(send, blocks_until_a_receiver_comes)
{
	struct actor *s = &actors[0], *r = &actors[1];

	lab_setup();
	*s = (struct actor){.ep = &lab_ep, .label = 0xb10c, .count = 1, .timeout = WAIT_LONG};
	*r = (struct actor){.ep = &lab_ep, .label = 0xb10c, .count = 1, .timeout = 0};
	start(s, send_actor, 30);
	KT_EXPECT_BLOCKED(s, &lab_ep.senders, "with no receiver, ep_send should wait in line");
	start(r, recv_actor, 20); /* a poll: the sender is there */
	finish_all();
	KT_EXPECT_EQ(r->status, KEEL_OK);
	expect_msg(r, 0xb10c, 0);
	KT_EXPECT_EQ(s->status, KEEL_OK); /* the receiver took it, and woke it */
}

/* No receiver ever comes: polls, timeouts, and nothing left behind. */
static void lonely_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	msg_set(me, 1);
	a->poll_status = LOCKED(ep_send(a->ep, false, 0));
	uint64_t t0 = arch_clock_us();
	a->status = LOCKED(ep_send(a->ep, false, 20 * MS));
	a->elapsed_ms = (unsigned)((arch_clock_us() - t0) / MS);
	a->call_status = LOCKED(ep_send(a->ep, true, 20 * MS));
	a->wrong = me->pi.server != NULL;           /* a call that timed out holds no link */
	a->recv_status = LOCKED(ep_recv(a->ep, 0)); /* nothing was left behind to take */
	end(a);
}

KTEST(send, timeout_and_poll)
{
	struct actor *a = &actors[0];

	lab_setup();
	*a = (struct actor){.ep = &lab_ep};
	start(a, lonely_actor, 20);
	finish_all();
	KT_EXPECT_EQ(a->poll_status, KEEL_ERR_TIMED_OUT); /* timeout 0: a poll, no wait */
	KT_EXPECT_EQ(a->status, KEEL_ERR_TIMED_OUT);      /* 20 ms, and nobody came */
	KT_EXPECT(a->elapsed_ms >= 10);                   /* it did wait */
	KT_EXPECT_EQ(a->call_status, KEEL_ERR_TIMED_OUT);
	KT_EXPECT_EQ(a->wrong, 0);
	KT_EXPECT_EQ(a->recv_status, KEEL_ERR_TIMED_OUT);
	KT_EXPECT(list_empty(&lab_ep.senders.waiters));
}

KTEST(send, call_waits_for_its_reply)
{
	struct actor *srv = &actors[0], *c = &actors[1];

	lab_setup();
	*srv = (struct actor){.ep = &lab_ep, .count = 1, .timeout = WAIT_LONG, .hold = true};
	*c = (struct actor){.ep = &lab_ep, .label = 0xca11, .count = 1, .timeout = WAIT_LONG};
	start(srv, serve_actor, 30);
	KT_EXPECT_BLOCKED(srv, &lab_ep.receivers, "ep_recv should wait");
	start(c, call_actor, 20);
	KT_EXPECT(received(srv, 1));
	/* The call was taken: it waits for its reply, linked to the server. */
	KT_EXPECT_BLOCKED(c, &ipc_of_actor(c)->reply_wait, "a call waits for its reply");
	KT_EXPECT(srv->caller == &ipc_of_actor(c)->pi);
	kill_wait(c);
	finish_all();
	KT_EXPECT_EQ(c->status, KEEL_ERR_INTERRUPTED);
	expect_msg(srv, 0xca11, KEEL_MSG_CALL);
	KT_EXPECT_EQ(srv->reply_status, KEEL_ERR_GONE);
}

KTEST(send, many_messages)
{
	struct actor *s = &actors[0], *r = &actors[1];

	lab_setup();
	*s = (struct actor){.ep = &lab_ep, .label = 1000, .count = 200, .timeout = WAIT_LONG};
	*r = (struct actor){.ep = &lab_ep, .label = 1000, .count = 200, .timeout = WAIT_LONG};
	start(s, send_actor, 40); /* they meet both ways: either may come first */
	start(r, recv_actor, 40);
	finish_all();
	KT_EXPECT_EQ(s->status, KEEL_OK);
	KT_EXPECT_EQ(r->status, KEEL_OK);
	KT_EXPECT_EQ(r->received, 200);
	KT_EXPECT_EQ(r->wrong, 0);
}

/* ---- ep_reply, on a call linked by hand (no ep_send) */

/* Wait for a reply as a caller whose call was taken. */
static void reply_wait_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();

	me->calling = true;
	a->status = LOCKED(waitq_wait(&me->reply_wait, a->timeout));
	if (a->status == KEEL_OK)
		msg_record(a, &me->msg);
	end(a);
}

/* Take a->peer's call as if it had been received, and answer it. */
static void replier_actor(void *arg)
{
	struct actor *a = arg;
	struct ipc_thread *me = begin();
	struct ipc_thread *c = ipc_of_actor(a->peer);
	spinflags_t f = spin_lock(&sched_lock);

	ep_link(me, c);
	spin_unlock(&sched_lock, f);
	msg_set(me, a->label);
	a->reply_status = LOCKED(ep_reply());
	a->caller = me->pi.caller;
	a->wrong = c->pi.server != NULL;
	a->status = LOCKED(ep_reply()); /* the right is used up */
	end(a);
}

KTEST(reply, delivers_and_wakes_the_caller)
{
	struct actor *c = &actors[0], *srv = &actors[1];

	lab_setup();
	*c = (struct actor){.timeout = WAIT_LONG};
	*srv = (struct actor){.label = 0xbeef, .peer = c};
	start(c, reply_wait_actor, 20);
	KT_EXPECT_BLOCKED(c, &ipc_of_actor(c)->reply_wait, "the caller waits for its reply");
	start(srv, replier_actor, 30);
	finish_all();
	KT_EXPECT_EQ(srv->reply_status, KEEL_OK);
	/* TIMED_OUT: the caller was never woken (a lost wake-up). */
	KT_EXPECT_EQ(c->status, KEEL_OK);
	expect_msg(c, 0xbeef, 0);
}

KTEST(reply, uses_up_the_right_and_wakes_only_its_caller)
{
	struct actor *c = &actors[0], *other = &actors[1], *srv = &actors[2];

	lab_setup();
	*c = (struct actor){.timeout = WAIT_LONG};
	*other = (struct actor){.timeout = WAIT_LONG};
	*srv = (struct actor){.label = 0xbeef, .peer = c};
	start(other, reply_wait_actor, 20);
	KT_EXPECT_BLOCKED(other, &ipc_of_actor(other)->reply_wait, "a bystander waits");
	start(c, reply_wait_actor, 20);
	KT_EXPECT_BLOCKED(c, &ipc_of_actor(c)->reply_wait, "the caller waits for its reply");
	start(srv, replier_actor, 30);
	KT_EXPECT(ended(srv));
	KT_EXPECT_EQ(srv->reply_status, KEEL_OK);
	KT_EXPECT(srv->caller == NULL); /* the reply right is used up... */
	KT_EXPECT_EQ(srv->wrong, 0);    /* ...at both ends */
	KT_EXPECT_EQ(srv->status, KEEL_ERR_INVALID);
	KT_EXPECT_BLOCKED(other, &ipc_of_actor(other)->reply_wait, "it was not called");
	kill_wait(other);
	finish_all();
	KT_EXPECT_EQ(c->status, KEEL_OK);
	KT_EXPECT_EQ(other->status, KEEL_ERR_INTERRUPTED);
}

/* ---- the inheritance rule, on nodes of the test's own */

#define NODES (INHERIT_CHAIN_MAX + 1) /* a client and the most servers a chain may have */

static struct inherit_node node[NODES];
static uint8_t applied[NODES]; /* each node's "thread priority": what apply() last gave it */

static void apply_mirror(struct inherit_node *n, void *ctx)
{
	(void)ctx;
	applied[n - node] = n->prio;
}

static void nodes_init(const uint8_t *base, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		inherit_init(&node[i], base[i]);
		applied[i] = base[i];
	}
}

/* Node @i against the model: its prio, depth, what its thread was given. */
static unsigned node_wrong(unsigned i, uint8_t prio, uint8_t depth)
{
	const struct inherit_node *n = &node[i];

	if (n->prio == prio && n->depth == depth && applied[i] == prio && inherit_check(n))
		return 0;
	ktest_fail(__FILE__, __LINE__,
	           "node %u (base %u): prio %u (its thread %u), depth %u; expected prio %u, "
	           "depth %u",
	           i, n->base, n->prio, applied[i], n->depth, prio, depth);
	return 1;
}

KTEST(inherit, link_raises_unlink_restores)
{
	/* A server below its caller, above it, equal; then a caller that inherits. */
	const uint8_t pairs[][2] = {{50, 10}, {10, 50}, {40, 40}, {255, 0}};

	for (unsigned k = 0; k < 4; k++) {
		uint8_t hi = pairs[k][0] > pairs[k][1] ? pairs[k][0] : pairs[k][1];
		nodes_init(pairs[k], 2);
		inherit_link(&node[1], &node[0], apply_mirror, NULL);
		KT_EXPECT(node[0].server == &node[1] && node[1].caller == &node[0]);
		node_wrong(1, hi, 1);
		inherit_unlink(&node[1], apply_mirror, NULL);
		node_wrong(1, pairs[k][1], 0);
		node_wrong(0, pairs[k][0], 0);
	}
	/* client 90 -> A 10 -> B 20: B inherits what A has, not A's base. */
	const uint8_t base[] = {90, 10, 20};
	nodes_init(base, 3);
	inherit_link(&node[1], &node[0], apply_mirror, NULL);
	inherit_link(&node[2], &node[1], apply_mirror, NULL);
	node_wrong(1, 90, 1);
	node_wrong(2, 90, 2);
	inherit_unlink(&node[2], apply_mirror, NULL);
	node_wrong(2, 20, 0);
	node_wrong(1, 90, 1);
	inherit_unlink(&node[1], apply_mirror, NULL);
	node_wrong(1, 10, 0);
}

/* Node @i's prio in a chain 0..@len-1 cut above @cut (0: not cut). */
static uint8_t model_prio(const uint8_t *base, unsigned i, unsigned cut)
{
	uint8_t p = base[i];

	while (i > 0 && i != cut) {
		i--;
		if (base[i] > p)
			p = base[i];
	}
	return p;
}

/* Build chains of every length, cut each at every link: compare with the model. */
KTEST(inherit, chains_against_a_model)
{
	uint8_t base[NODES];
	uint32_t seed = 0x1a4b;
	unsigned reports = 0;

	for (unsigned len = 2; len <= NODES && reports < REPORTS_MAX; len++) {
		for (unsigned cut = 1; cut < len && reports < REPORTS_MAX; cut++) {
			for (unsigned i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				base[i] = (uint8_t)(seed >> 16);
			}
			nodes_init(base, len);
			for (unsigned i = 1; i < len; i++)
				inherit_link(&node[i], &node[i - 1], apply_mirror, NULL);
			for (unsigned i = 0; i < len; i++)
				reports += node_wrong(i, model_prio(base, i, 0), (uint8_t)i);
			inherit_unlink(&node[cut], apply_mirror, NULL);
			for (unsigned i = 0; i < len; i++)
				reports += node_wrong(i, model_prio(base, i, cut),
				                      (uint8_t)(i < cut ? i : i - cut));
		}
	}
	KT_EXPECT_EQ(reports, 0);
}

KTEST(inherit, depth_bounds_the_chain)
{
	uint8_t base[NODES];

	for (unsigned i = 0; i < NODES; i++)
		base[i] = (uint8_t)(10 + i);
	nodes_init(base, NODES);
	for (unsigned i = 1; i < NODES; i++) {
		KT_EXPECT(inherit_can_call(&node[i - 1]));
		inherit_link(&node[i], &node[i - 1], apply_mirror, NULL);
	}
	/* INHERIT_CHAIN_MAX servers below the client: the last may not call. */
	KT_EXPECT_EQ(node[NODES - 1].depth, INHERIT_CHAIN_MAX);
	KT_EXPECT(!inherit_can_call(&node[NODES - 1]));
	inherit_unlink(&node[1], apply_mirror, NULL); /* the client leaves: room again */
	KT_EXPECT_EQ(node[NODES - 1].depth, INHERIT_CHAIN_MAX - 1);
	KT_EXPECT(inherit_can_call(&node[NODES - 1]));
}

/* ---- all together: threads' priorities through call and reply */

enum { BASE_CLIENT = 50, BASE_SERVER = 20, BASE_BACKEND = 10 };

/* A server holding a call from a client of priority BASE_CLIENT. */
static void call_held(struct actor *srv, struct actor *c, uint64_t call_timeout)
{
	lab_setup();
	*srv = (struct actor){.ep = &lab_ep, .count = 1, .timeout = WAIT_LONG, .hold = true};
	*c = (struct actor){.ep = &lab_ep, .label = 7, .count = 1, .timeout = call_timeout};
	start(srv, serve_actor, BASE_SERVER);
	KT_EXPECT_BLOCKED(srv, &lab_ep.receivers, "the server waits for a call");
	start(c, call_actor, BASE_CLIENT);
	KT_EXPECT(received(srv, 1));
}

KTEST(pi, server_runs_at_the_callers_priority)
{
	struct actor *srv = &actors[0], *c = &actors[1];

	call_held(srv, c, WAIT_LONG);
	KT_EXPECT_EQ(srv->prio_serving, BASE_CLIENT);
	KT_EXPECT_EQ(prio_of(srv), BASE_CLIENT);
	finish_all(); /* released: it replies */
	KT_EXPECT_EQ(srv->reply_status, KEEL_OK);
	KT_EXPECT_EQ(c->status, KEEL_OK);
	KT_EXPECT_EQ(c->wrong, 0);
	KT_EXPECT_EQ(srv->prio_after, BASE_SERVER); /* its own priority again */
	KT_EXPECT_EQ(srv->wrong, 0);
}

KTEST(pi, restored_when_the_caller_times_out)
{
	struct actor *srv = &actors[0], *c = &actors[1];

	call_held(srv, c, 50 * MS);
	KT_EXPECT(ended(c));
	KT_EXPECT_EQ(c->status, KEEL_ERR_TIMED_OUT);
	KT_EXPECT_EQ(prio_of(srv), BASE_SERVER); /* at once, while it still holds on */
	KT_EXPECT(ipc_of_actor(srv)->pi.caller == NULL);
	finish_all();
	KT_EXPECT_EQ(srv->prio_serving, BASE_CLIENT);
	KT_EXPECT_EQ(srv->reply_status, KEEL_ERR_GONE);
	KT_EXPECT_EQ(srv->prio_after, BASE_SERVER);
}

KTEST(pi, restored_when_the_caller_dies)
{
	struct actor *srv = &actors[0], *c = &actors[1];

	call_held(srv, c, WAIT_LONG);
	KT_EXPECT_EQ(prio_of(srv), BASE_CLIENT);
	kill_wait(c);
	KT_EXPECT_EQ(prio_of(srv), BASE_SERVER);
	finish_all();
	KT_EXPECT_EQ(c->status, KEEL_ERR_INTERRUPTED);
	KT_EXPECT_EQ(srv->reply_status, KEEL_ERR_GONE);
	KT_EXPECT_EQ(srv->prio_after, BASE_SERVER);
}

/* client -> relay -> backend; the client dies: both fall back, each to the rule. */
KTEST(pi, chain_falls_back_when_the_client_dies)
{
	struct actor *back = &actors[0], *relay = &actors[1], *c = &actors[2];

	lab_setup();
	*back = (struct actor){.ep = &lab_ep2, .count = 1, .timeout = WAIT_LONG, .hold = true};
	*relay = (struct actor){.ep = &lab_ep, .ep2 = &lab_ep2, .count = 1, .timeout = WAIT_LONG};
	*c = (struct actor){.ep = &lab_ep, .label = 9, .count = 1, .timeout = WAIT_LONG};
	start(back, serve_actor, BASE_BACKEND);
	KT_EXPECT_BLOCKED(back, &lab_ep2.receivers, "the backend waits for a call");
	start(relay, serve_actor, BASE_SERVER);
	KT_EXPECT_BLOCKED(relay, &lab_ep.receivers, "the relay waits for a call");
	start(c, call_actor, BASE_CLIENT);
	KT_EXPECT(received(back, 1));
	KT_EXPECT_EQ(prio_of(relay), BASE_CLIENT);
	KT_EXPECT_EQ(prio_of(back), BASE_CLIENT);
	kill_wait(c);
	KT_EXPECT_EQ(prio_of(relay), BASE_SERVER);
	KT_EXPECT_EQ(prio_of(back), BASE_SERVER); /* it still serves the relay */
	finish_all();
	KT_EXPECT_EQ(back->reply_status, KEEL_OK);
	KT_EXPECT_EQ(back->prio_after, BASE_BACKEND);
	KT_EXPECT_EQ(relay->reply_status, KEEL_ERR_GONE);
	KT_EXPECT_EQ(relay->prio_after, BASE_SERVER);
	KT_EXPECT_EQ(relay->wrong, 0);
}

KTEST(pi, many_round_trips)
{
	struct actor *srv = &actors[0], *c = &actors[1];

	lab_setup();
	*srv = (struct actor){.ep = &lab_ep, .count = 100, .timeout = WAIT_LONG};
	*c = (struct actor){.ep = &lab_ep, .label = 500, .count = 100, .timeout = WAIT_LONG};
	start(srv, serve_actor, BASE_SERVER);
	start(c, call_actor, BASE_CLIENT);
	finish_all();
	KT_EXPECT_EQ(c->status, KEEL_OK);
	KT_EXPECT_EQ(srv->status, KEEL_OK);
	KT_EXPECT_EQ(srv->received, 100);
	KT_EXPECT_EQ(c->wrong, 0);   /* each call got its own reply */
	KT_EXPECT_EQ(srv->wrong, 0); /* each reply brought the server back to its base */
	KT_EXPECT(list_empty(&lab_ep.senders.waiters) && list_empty(&lab_ep.receivers.waiters));
}
