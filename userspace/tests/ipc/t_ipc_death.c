/*
 * t_ipc_death.c - when one side of an IPC dies, the other is told.
 *
 * A thread waiting on a task that is gone must not wait for ever: the
 * kernel ends each such wait with KEEL_ERR_GONE. The cases kill a peer
 * (t_ipc_peer) in each role: a server holding a caller's reply right
 * (the caller gets GONE), a caller waiting for its reply (the server's
 * reply gets GONE, and IPC_REPLY_RECV goes on to receive), the owner of
 * an endpoint (its waiting receivers and queued senders get GONE, and
 * the handle gives GONE after, or with slice 5 is stale, deleted with the
 * original), and one sender of a queue (the others
 * are still served, in order). An endpoint also dies when its creator
 * closes the handle it was created with; closing a copy only frees the
 * slot.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define QUEUED 3

static keel_handle_t ep, victim;
static volatile int32_t thread_r;
static volatile uint32_t thread_done;

/* Wait on @n (the dying server's signal), then kill the victim. */
static int killer(uint32_t n)
{
	uint32_t bits = 0;

	CHECK_EQ(keel_notify_wait((keel_handle_t)n, &bits, IPC_WAIT_US), 0);
	CHECK_EQ(keel_task_kill(victim), 0);
	thread_done = 1;
	return 0;
}

static struct keel_thread_start killer_start = {killer, 0};

/* A server task killed while it holds my call: the call gives GONE. */
static void case_server_killed(void)
{
	int32_t n = keel_notify_create();
	struct keel_msg m = {.nhandles = 1, .handle = {n}, .rights = {KEEL_RIGHT_SEND}};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0) || !CHECK(n > 0))
		return;
	victim = ipc_spawn("t_ipc_peer", PEER_HOLD, ep, KEEL_RIGHT_RECV);
	thread_done = 0;
	killer_start.arg = (uint32_t)n;
	CHECK(ipc_thread(&killer_start, KEEL_PRIO_USER) > 0);
	CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), KEEL_ERR_GONE);
	ipc_await_flag(&thread_done);
	int status = -1;
	CHECK_EQ(keel_task_wait(victim, &status, IPC_WAIT_US), 0);
	CHECK_EQ(status, KEEL_KILLED_STATUS);
	keel_handle_close(victim);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A caller task killed while it waits for my reply: the reply gives GONE. */
static void case_caller_killed(void)
{
	struct keel_msg m = {0};
	int32_t child;

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	child = ipc_spawn("t_ipc_peer", PEER_CALLER, ep, KEEL_RIGHT_SEND);
	CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
	CHECK(m.flags & KEEL_MSG_CALL);
	CHECK_EQ(ipc_kill(child), KEEL_KILLED_STATUS);
	m.flags = 0;
	CHECK_EQ(keel_reply(&m), KEEL_ERR_GONE);
	CHECK_EQ(keel_reply(&m), KEEL_ERR_INVALID); /* the right was used up */

	/* IPC_REPLY_RECV ignores a caller that is gone and receives. */
	child = ipc_spawn("t_ipc_peer", PEER_CALLER, ep, KEEL_RIGHT_SEND);
	memset(&m, 0, sizeof(m));
	CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
	CHECK_EQ(ipc_kill(child), KEEL_KILLED_STATUS);
	m.flags = 0;
	CHECK_EQ(keel_reply_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_reply(&m), KEEL_ERR_INVALID);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A thread that waits on @x: receive (arg 0), send (1) or call (2). */
static int waiter(uint32_t how)
{
	struct keel_msg m = {0};
	keel_handle_t x = (keel_handle_t)(how >> 8);

	how &= 0xff;
	thread_r = how == 0   ? keel_recv(x, &m, IPC_WAIT_US)
	           : how == 1 ? keel_send(x, &m, IPC_WAIT_US)
	                      : keel_call(x, &m, IPC_WAIT_US);
	thread_done = 1;
	return 0;
}

static struct keel_thread_start waiter_start = {waiter, 0};

/* The owner of x dies while a thread here waits on it in @how. */
static void owner_dies(uint32_t how)
{
	struct keel_msg m = {0};
	struct keel_handle_info hi;
	int32_t owner, x;

	owner = ipc_spawn("t_ipc_peer", PEER_OWNER, ep, KEEL_RIGHT_SEND);
	CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
	if (!CHECK_EQ(m.nhandles, 1))
		return;
	x = m.handle[0];
	CHECK_EQ(keel_handle_query(x, &hi), 0);
	CHECK_EQ(hi.type, KEEL_OBJ_ENDPOINT);
	thread_done = 0;
	thread_r = 1;
	waiter_start.arg = how | (uint32_t)x << 8;
	CHECK(ipc_thread(&waiter_start, KEEL_PRIO_USER) > 0);
	ipc_settle(); /* it waits on x */
	CHECK_EQ(ipc_kill(owner), KEEL_KILLED_STATUS);
	ipc_await_flag(&thread_done);
	CHECK_EQ(thread_r, KEEL_ERR_GONE);
	CHECK_EQ(keel_send(x, &m, 0), IPC_COPY_GONE); /* and the handle, after */
	CHECK_EQ(keel_recv(x, &m, 0), IPC_COPY_GONE);
	CHECK_EQ(keel_call(x, &m, IPC_SHORT_US), IPC_COPY_GONE);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(x), IPC_COPY_GONE_CLOSE); /* the slot is free either way */
}

static void case_owner_dies(void)
{
	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	owner_dies(0);
	owner_dies(1);
	owner_dies(2);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* Closing the create handle destroys the endpoint; closing a copy does not. */
static void case_owner_closes(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	struct keel_msg m = {0};
	int32_t x = keel_endpoint_create(NULL), c1, c2;

	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(x > 0) || !ipc_sink_start(&sink, &st))
		return;
	c1 = ipc_copy(&sink, x, 0);
	c2 = ipc_copy(&sink, x, 0);
	ipc_sink_stop(&sink);
	CHECK_EQ(keel_handle_close(c1), 0); /* a copy: x lives on */
	CHECK_EQ(keel_send(x, &m, 0), KEEL_ERR_TIMED_OUT);
	thread_done = 0;
	waiter_start.arg = 0 | (uint32_t)c2 << 8;
	CHECK(ipc_thread(&waiter_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_handle_close(x), 0); /* the creator's: x dies */
	ipc_await_flag(&thread_done);
	CHECK_EQ(thread_r, KEEL_ERR_GONE);
	CHECK_EQ(keel_send(c2, &m, 0), IPC_COPY_GONE);
	CHECK_EQ(keel_handle_close(c2), IPC_COPY_GONE_CLOSE);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* Three senders queue in turn; the middle one is killed; the others are served in order. */
static void case_queued_killed(void)
{
	struct keel_msg m;
	int32_t child[QUEUED];

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	for (unsigned i = 0; i < QUEUED; i++) {
		child[i] =
		    ipc_spawn("t_ipc_peer", PEER_ARG(PEER_SENDER, 10 + i), ep, KEEL_RIGHT_SEND);
		CHECK(child[i] > 0);
		ipc_settle(); /* it reaches its send before the next */
	}
	CHECK_EQ(ipc_kill(child[1]), KEEL_KILLED_STATUS);
	for (unsigned i = 0; i < QUEUED; i += 2) {
		memset(&m, 0, sizeof(m));
		CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
		CHECK_EQ(m.word[0], 10 + i);
		CHECK_EQ(ipc_reap(child[i]), 0);
	}
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* the dead one left nothing */
	CHECK_EQ(keel_handle_close(ep), 0);
}

static const struct utest_case cases[] = {
    {"server_killed", case_server_killed}, {"caller_killed", case_caller_killed},
    {"owner_dies", case_owner_dies},       {"owner_closes", case_owner_closes},
    {"queued_killed", case_queued_killed},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_death", cases, sizeof(cases) / sizeof(cases[0]), which);
}
