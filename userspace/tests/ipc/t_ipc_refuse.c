/*
 * t_ipc_refuse.c - the IPC refusals that need a partner: the reply
 * right's misuse, handle transfers a full table refuses, spawn's give,
 * notification binding, channel messages, and the endpoint pool used up.
 *
 * Each refusal must leave everything as it was: after a transfer the
 * receiver's table had no room for, neither side has gained or lost a
 * handle (counted with TASK_INFO, each handle checked with HANDLE_QUERY);
 * after the pool of endpoints ran dry and its holder ended, every
 * endpoint can be made again. t_ipc_bad.c has the refusals a thread
 * alone can provoke.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define POOL_EPS 64u /* the kernel's pool of endpoints */
#define HELD_EPS 40u

static keel_handle_t ep;
static volatile int32_t caller_r;
static volatile uint32_t caller_word, caller_done;

static int caller(uint32_t arg)
{
	struct keel_msg m = {.word = {arg}};

	caller_r = keel_call(ep, &m, IPC_WAIT_US);
	caller_word = m.word[0];
	caller_done = 1;
	return 0;
}

static const struct keel_thread_start caller_start = {caller, 5};

/* The reply right: none → INVALID; held → a receive is BUSY; used once. */
static void case_reply_right(void)
{
	struct keel_msg m = {0};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	CHECK_EQ(keel_reply(&m), KEEL_ERR_INVALID);
	caller_done = 0;
	CHECK(ipc_thread(&caller_start, KEEL_PRIO_USER) > 0);
	CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
	CHECK(m.flags & KEEL_MSG_CALL);
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_BUSY);
	CHECK_EQ(keel_recv(ep, &m, IPC_SHORT_US), KEEL_ERR_BUSY);
	m.word[0] = 77;
	m.flags = 0;
	CHECK_EQ(keel_reply(&m), 0);
	CHECK_EQ(keel_reply(&m), KEEL_ERR_INVALID); /* used up */
	ipc_await_flag(&caller_done);
	CHECK_EQ(caller_r, 0);
	CHECK_EQ(caller_word, 77);
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* not BUSY any more */
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

static void expect_handle(int32_t h, uint32_t type)
{
	struct keel_handle_info hi;

	if (CHECK_EQ(keel_handle_query(h, &hi), 0))
		CHECK_EQ(hi.type, type);
}

/*
 * A receiver whose table has one free slot is sent two handles, moved:
 * LIMIT on both sides, nothing moved (t_ipc_peer's PEER_FILL checks its
 * side); with a second slot free, the same send brings both.
 */
static void case_transfer_limit(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	int32_t n = keel_notify_create(), child, c[2];
	struct keel_msg m = {.flags = KEEL_MSG_MOVE, .nhandles = 2};
	uint32_t before;

	ep = keel_endpoint_create(NULL);
	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0) || !CHECK(n > 0) || !ipc_sink_start(&sink, &st))
		return;
	c[0] = m.handle[0] = ipc_copy(&sink, n, KEEL_RIGHT_SEND | KEEL_RIGHT_GRANT);
	c[1] = m.handle[1] = ipc_copy(&sink, ep, KEEL_RIGHT_SEND | KEEL_RIGHT_GRANT);
	ipc_sink_stop(&sink);
	child = ipc_spawn("t_ipc_peer", PEER_FILL, ep, KEEL_RIGHT_RECV);
	CHECK(child > 0);
	before = ipc_handles_now();
	CHECK_EQ(keel_send(ep, &m, IPC_WAIT_US), KEEL_ERR_LIMIT);
	CHECK_EQ(ipc_handles_now(), before);
	expect_handle(c[0], KEEL_OBJ_NOTIFICATION);
	expect_handle(c[1], KEEL_OBJ_ENDPOINT);
	CHECK_EQ(keel_send(ep, &m, IPC_WAIT_US), 0);
	CHECK_EQ(ipc_handles_now(), before - 2);
	CHECK_EQ(ipc_reap(child), 0);
	ipc_await_threads(1);
	int32_t all[] = {n, ep, sink.ep};
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(keel_handle_close(all[i]), 0);
}

/* spawn's give: GRANT needed, rights a subset, a real handle; nothing left behind. */
static void case_spawn_give(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	uint32_t before;
	int32_t no_grant;

	ep = keel_endpoint_create(NULL);
	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0) || !ipc_sink_start(&sink, &st))
		return;
	no_grant = ipc_copy(&sink, ep, KEEL_RIGHT_SEND | KEEL_RIGHT_RECV);
	ipc_sink_stop(&sink);
	before = ipc_handles_now();
	CHECK_EQ(ipc_spawn("t_ipc_peer", PEER_QUERY, no_grant, KEEL_RIGHT_SEND), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_spawn("t_ipc_peer", PEER_QUERY, no_grant, 0), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_spawn("t_ipc_peer", PEER_QUERY, 0x3f, KEEL_RIGHT_SEND), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_handle_close(no_grant), 0);
	CHECK_EQ(ipc_spawn("t_ipc_peer", PEER_QUERY, no_grant, KEEL_RIGHT_SEND),
	         KEEL_ERR_BAD_HANDLE); /* stale */
	CHECK_EQ(ipc_handles_now(), before - 1);
	/* A mask of no rights at all is a subset too. */
	CHECK_EQ(ipc_reap(ipc_spawn("t_ipc_peer", PEER_QUERY, ep, 0)), KEEL_OBJ_ENDPOINT << 8);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* Binding: one thread per notification, one notification per thread. */
static volatile int32_t bind_r[2];

static int binder(uint32_t n)
{
	bind_r[0] = keel_notify_bind((keel_handle_t)(n & 0xffff));
	bind_r[1] = keel_notify_bind((keel_handle_t)(n >> 16));
	caller_done = 1;
	return 0;
}

static struct keel_thread_start binder_start = {binder, 0};

static void case_notify(void)
{
	int32_t n = keel_notify_create(), n2 = keel_notify_create();
	uint32_t bits;

	if (!CHECK(n > 0) || !CHECK(n2 > 0))
		return;
	CHECK_EQ(keel_notify_signal(n, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_notify_wait(n, (uint32_t *)0xC0100000u, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_notify_signal(n, 1), 0);
	CHECK_EQ(keel_notify_wait(n, (uint32_t *)0x50000000u, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_notify_wait(n, (uint32_t *)main, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0); /* the faults took nothing */
	CHECK_EQ(bits, 1);
	CHECK_EQ(keel_notify_bind(-1), KEEL_ERR_INVALID);
	CHECK_EQ(keel_notify_bind(n), 0);
	CHECK_EQ(keel_notify_bind(n2), KEEL_ERR_BUSY);
	/* Another thread: n is taken; n2 is free. */
	caller_done = 0;
	binder_start.arg = (uint32_t)n | (uint32_t)n2 << 16;
	CHECK(ipc_thread(&binder_start, KEEL_PRIO_USER) > 0);
	ipc_await_flag(&caller_done);
	CHECK_EQ(bind_r[0], KEEL_ERR_BUSY);
	CHECK_EQ(bind_r[1], 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_notify_bind(-1), 0);
	CHECK_EQ(keel_notify_bind(-1), KEEL_ERR_INVALID);
	CHECK_EQ(keel_notify_bind(n2), 0); /* its binder ended: free again */
	CHECK_EQ(keel_notify_bind(-1), 0);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(n2), 0);
}

static void case_channel(void)
{
	static uint8_t big[KEEL_MSG_BUF_MAX + 1];
	struct keel_msg m = {0};
	int32_t ch = keel_channel_create(4, 8, NULL), n = keel_notify_create();

	if (!CHECK(ch > 0))
		return;
	m.nhandles = 1;
	m.handle[0] = n;
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_INVALID);
	memset(&m, 0, sizeof(m));
	m.buf = big;
	m.len = 9;
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_RANGE);
	m.len = KEEL_MSG_BUF_MAX + 1;
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_RANGE);
	m.len = 8;
	m.buf = (void *)0xC0100000u;
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_channel_send(ch, (void *)0x50000000u, 0), KEEL_ERR_FAULT);
	m.buf = big;
	m.flags = 1u << 3;
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_channel_recv(ch, &m, 0), KEEL_ERR_TIMED_OUT); /* nothing got in */
	m.flags = 0;
	CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	CHECK_EQ(keel_channel_recv(ch, (void *)main, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_channel_recv(ch, &m, 0), 0); /* still there after the fault */
	CHECK_EQ(m.len, 8);
	CHECK_EQ(keel_handle_close(ch), 0);
	CHECK_EQ(keel_handle_close(n), 0);
}

/*
 * The pool: this task holds HELD_EPS endpoints, a child makes more until
 * refused (NO_MEMORY, the pool empty, not its table full), and tells by
 * a call; then this task is refused too. When the child has ended, its
 * endpoints are back, and all can be closed and made again.
 */
static void case_pool(void)
{
	static int32_t held[HELD_EPS];
	uint32_t before = ipc_handles_now();
	struct keel_msg m = {0};
	int32_t child, h;

	for (unsigned i = 0; i < HELD_EPS; i++)
		CHECK((held[i] = keel_endpoint_create(NULL)) > 0);
	child = ipc_spawn("t_ipc_peer", PEER_EP_HOG, held[0], KEEL_RIGHT_SEND);
	CHECK(child > 0);
	CHECK_EQ(keel_recv(held[0], &m, IPC_WAIT_US), 0);
	CHECK_EQ((int32_t)m.word[1], KEEL_ERR_NO_MEMORY);
	CHECK_EQ(m.word[0] + HELD_EPS, POOL_EPS);
	CHECK_EQ(keel_endpoint_create(NULL), KEEL_ERR_NO_MEMORY);
	m.flags = 0;
	CHECK_EQ(keel_reply(&m), 0);
	CHECK_EQ(ipc_reap(child), 0);
	CHECK((h = keel_endpoint_create(NULL)) > 0);
	CHECK_EQ(keel_handle_close(h), 0);
	for (unsigned i = 0; i < HELD_EPS; i++)
		CHECK_EQ(keel_handle_close(held[i]), 0);
	CHECK_EQ(ipc_handles_now(), before);
	for (unsigned i = 0; i < HELD_EPS; i++)
		CHECK((held[i] = keel_endpoint_create(NULL)) > 0);
	for (unsigned i = 0; i < HELD_EPS; i++)
		CHECK_EQ(keel_handle_close(held[i]), 0);
}

static const struct utest_case cases[] = {
    {"reply_right", case_reply_right}, {"transfer_limit", case_transfer_limit},
    {"spawn_give", case_spawn_give},   {"notify", case_notify},
    {"channel", case_channel},         {"pool", case_pool},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_refuse", cases, sizeof(cases) / sizeof(cases[0]), which);
}
