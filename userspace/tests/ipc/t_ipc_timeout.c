/*
 * t_ipc_timeout.c - every wait of IPC ends at its timeout, and 0 polls.
 *
 * Real-time code must be able to bound every wait, so each blocking IPC
 * call takes a timeout: 0 succeeds only if the other side is already
 * there, and otherwise gives TIMED_OUT at once. The cases try each wait
 * with nobody on the other side (send, receive, call, a notification,
 * a full and an empty channel), the poll that succeeds because the
 * partner waits already, and a call whose server replies after the
 * caller gave up: the caller gets TIMED_OUT, the late reply GONE, and
 * the server is free to receive again. Timeouts are a few milliseconds;
 * no check is on a duration, only on outcomes.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define T_SHORT 2000u  /* a wait meant to expire */
#define T_LATE  20000u /* the late server's delay: well past T_SHORT */

static keel_handle_t ep;

/* Nobody on the other side: each wait ends, polled or not. */
static void case_nobody(void)
{
	static const uint32_t t[] = {0, 1, T_SHORT};
	struct keel_msg m;

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	for (unsigned i = 0; i < 3; i++) {
		memset(&m, 0, sizeof(m));
		CHECK_EQ(keel_send(ep, &m, t[i]), KEEL_ERR_TIMED_OUT);
		CHECK_EQ(keel_recv(ep, &m, t[i]), KEEL_ERR_TIMED_OUT);
		if (t[i] != 0) /* a call polled: case_call_poll */
			CHECK_EQ(keel_call(ep, &m, t[i]), KEEL_ERR_TIMED_OUT);
		CHECK_EQ(keel_reply_recv(ep, &m, t[i]), KEEL_ERR_TIMED_OUT);
	}
	CHECK_EQ(keel_handle_close(ep), 0);
}

/*
 * A call with timeout 0: abi.h says a call always waits for its reply,
 * so 0 is refused (KEEL_ERR_INVALID) whether or not a receiver waits,
 * and nothing is sent.
 */
static void case_call_poll(void)
{
	struct keel_msg m = {0};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	CHECK_EQ(keel_call(ep, &m, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* nothing was queued by it */
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A thread that waits on ep in one of the calls, with a long timeout. */
static volatile int32_t peer_r;
static volatile uint32_t peer_done;

static int peer(uint32_t which)
{
	struct keel_msg m = {.label = 42};

	peer_r = which == 0 ? keel_recv(ep, &m, IPC_WAIT_US) : keel_send(ep, &m, IPC_WAIT_US);
	peer_done = 1;
	return 0;
}

static const struct keel_thread_start peer_recv = {peer, 0}, peer_send = {peer, 1};

/* Poll 0 succeeds when the partner waits already: a receiver for a send, a sender for a recv. */
static void case_poll_ready(void)
{
	struct keel_msg m = {0};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	peer_done = 0;
	CHECK(ipc_thread(&peer_recv, KEEL_PRIO_USER) > 0);
	ipc_settle(); /* it runs and waits */
	CHECK_EQ(keel_send(ep, &m, 0), 0);
	ipc_await_flag(&peer_done);
	CHECK_EQ(peer_r, 0);

	peer_done = 0;
	CHECK(ipc_thread(&peer_send, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_recv(ep, &m, 0), 0);
	CHECK_EQ(m.label, 42);
	ipc_await_flag(&peer_done);
	CHECK_EQ(peer_r, 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* The late server: take a call, sleep past the caller's timeout, reply. */
static volatile int32_t late_reply_r, late_again_r;

static int late_server(uint32_t arg)
{
	struct keel_msg m = {0};

	(void)arg;
	if (CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0)) {
		keel_sleep_us(T_LATE);
		m.word[0] = 1;
		m.flags = 0; /* KEEL_MSG_CALL came in; a reply may carry MOVE alone */
		late_reply_r = keel_reply(&m);
		late_again_r = keel_recv(ep, &m, 0); /* the right is used up: not BUSY */
	}
	peer_done = 1;
	return 0;
}

static const struct keel_thread_start late_start = {late_server, 0};

static void case_late_reply(void)
{
	struct keel_msg m = {.word = {7}};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	peer_done = 0;
	late_reply_r = late_again_r = 1;
	CHECK(ipc_thread(&late_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_call(ep, &m, T_SHORT), KEEL_ERR_TIMED_OUT);
	ipc_await_flag(&peer_done);
	CHECK_EQ(late_reply_r, KEEL_ERR_GONE);
	CHECK_EQ(late_again_r, KEEL_ERR_TIMED_OUT);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A server that answers in time: the call's timeout does not cut a reply short. */
static int quick_server(uint32_t arg)
{
	struct keel_msg m = {0};

	(void)arg;
	if (CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0)) {
		m.word[0]++;
		m.flags = 0;
		/* Reply, then wait for a next message that never comes. */
		late_reply_r = keel_reply_recv(ep, &m, T_SHORT);
	}
	peer_done = 1;
	return 0;
}

static const struct keel_thread_start quick_start = {quick_server, 0};

static void case_reply_recv_timeout(void)
{
	struct keel_msg m = {.word = {7}};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	peer_done = 0;
	CHECK(ipc_thread(&quick_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), 0);
	CHECK_EQ(m.word[0], 8);
	ipc_await_flag(&peer_done);
	CHECK_EQ(late_reply_r, KEEL_ERR_TIMED_OUT); /* it replied, then timed out receiving */
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

static void case_notify(void)
{
	uint32_t bits = 0x5a5a;
	int32_t n = keel_notify_create();

	if (!CHECK(n > 0))
		return;
	CHECK_EQ(keel_notify_wait(n, &bits, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_notify_wait(n, &bits, T_SHORT), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_notify_signal(n, 2), 0);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, 2);
	CHECK_EQ(keel_notify_wait(n, &bits, 1), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* A full channel refuses a send at its timeout, an empty one a receive. */
static void case_channel(void)
{
	struct keel_msg m = {0};
	int32_t ch = keel_channel_create(2, 8, NULL);

	if (!CHECK(ch > 0))
		return;
	CHECK_EQ(keel_channel_recv(ch, &m, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_channel_recv(ch, &m, T_SHORT), KEEL_ERR_TIMED_OUT);
	for (uint32_t i = 0; i < 2; i++) {
		m.label = i;
		CHECK_EQ(keel_channel_send(ch, &m, 0), 0); /* room: no wait */
	}
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_channel_send(ch, &m, T_SHORT), KEEL_ERR_TIMED_OUT);
	for (uint32_t i = 0; i < 2; i++) {
		memset(&m, 0, sizeof(m));
		m.label = 99;
		CHECK_EQ(keel_channel_recv(ch, &m, 0), 0);
		CHECK_EQ(m.label, i); /* the refused sends left nothing */
	}
	CHECK_EQ(keel_channel_recv(ch, &m, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_handle_close(ch), 0);
}

static const struct utest_case cases[] = {
    {"nobody", case_nobody},         {"poll_ready", case_poll_ready},
    {"late_reply", case_late_reply}, {"reply_recv_timeout", case_reply_recv_timeout},
    {"notify", case_notify},         {"channel", case_channel},
    {"call_poll", case_call_poll},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_timeout", cases, sizeof(cases) / sizeof(cases[0]), which);
}
