/*
 * t_ipc_notify.c - notifications: a word of bits, signalled without
 * blocking, taken whole by a wait, or delivered to a bound receiver.
 *
 * A notification is how an interrupt handler or a busy server tells
 * someone "something happened" without ever waiting itself: NOTIFY_SIGNAL
 * ORs bits in and returns, NOTIFY_WAIT takes every pending bit at once
 * and clears them. A thread that serves an endpoint can bind one, and
 * its receive then also ends when the notification is signalled (flags
 * KEEL_MSG_NOTIFIED, the bits in word[0]), so one loop serves both.
 * The cases check accumulation, that a signal never blocks, that it
 * wakes a waiter (in this task or from another), and binding.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define SIGNALS 1000

static keel_handle_t n, ep;
static volatile uint32_t got_bits, done;
static volatile int32_t got_r;
static struct keel_msg got;

static void case_accumulate(void)
{
	uint32_t bits = 0;

	n = keel_notify_create();
	if (!CHECK(n > 0))
		return;
	CHECK_EQ(keel_notify_signal(n, 1), 0);
	CHECK_EQ(keel_notify_signal(n, 4), 0);
	CHECK_EQ(keel_notify_signal(n, 1), 0);
	CHECK_EQ(keel_notify_signal(n, 0x80000000u), 0);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, 0x80000005u);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), KEEL_ERR_TIMED_OUT); /* taken and cleared */
	CHECK_EQ(keel_handle_close(n), 0);
}

/* With nobody waiting, a thousand signals all return at once. */
static void case_never_blocks(void)
{
	uint32_t bits = 0, want = 0;

	n = keel_notify_create();
	if (!CHECK(n > 0))
		return;
	for (uint32_t i = 0; i < SIGNALS; i++) {
		CHECK_EQ(keel_notify_signal(n, 1u << (i % 32)), 0);
		want |= 1u << (i % 32);
	}
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, want);
	CHECK_EQ(keel_handle_close(n), 0);
}

static int waiter(uint32_t arg)
{
	uint32_t bits = 0;

	(void)arg;
	got_r = keel_notify_wait(n, &bits, IPC_WAIT_US);
	got_bits = bits;
	done = 1;
	return 0;
}

static const struct keel_thread_start waiter_start = {waiter, 0};

/* A signal wakes a waiting thread, from this task and from another. */
static void case_wakes(void)
{
	n = keel_notify_create();
	if (!CHECK(n > 0))
		return;
	done = 0;
	CHECK(ipc_thread(&waiter_start, KEEL_PRIO_USER) > 0);
	ipc_settle(); /* it waits */
	CHECK_EQ(keel_notify_signal(n, 0x80), 0);
	ipc_await_flag(&done);
	CHECK_EQ(got_r, 0);
	CHECK_EQ(got_bits, 0x80);
	ipc_await_threads(1);

	done = 0;
	CHECK(ipc_thread(&waiter_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(
	    ipc_reap(ipc_spawn("t_ipc_peer", PEER_ARG(PEER_SIGNAL, 0x300), n, KEEL_RIGHT_SEND)), 0);
	ipc_await_flag(&done);
	CHECK_EQ(got_r, 0);
	CHECK_EQ(got_bits, 0x300);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* A bound receiver: two receives, the first ended by the notification. */
static int bound_receiver(uint32_t arg)
{
	struct keel_msg m = {0};

	(void)arg;
	got_r = keel_notify_bind(n);
	if (got_r == 0)
		got_r = keel_recv(ep, &m, IPC_WAIT_US);
	got = m;
	done = 1;
	memset(&m, 0, sizeof(m));
	if (got_r == 0)
		got_r = keel_recv(ep, &m, IPC_WAIT_US); /* then a message as usual */
	got_bits = m.word[0];
	done = 2;
	return 0;
}

static const struct keel_thread_start bound_start = {bound_receiver, 0};

static void case_bind_recv(void)
{
	struct keel_msg m = {.label = 3, .word = {0x1234}};

	n = keel_notify_create();
	ep = keel_endpoint_create(NULL);
	if (!CHECK(n > 0) || !CHECK(ep > 0))
		return;
	done = 0;
	memset(&got, 0xee, sizeof(got));
	CHECK(ipc_thread(&bound_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_notify_signal(n, 0x3), 0);
	ipc_await_flag(&done);
	CHECK_EQ(got_r, 0);
	CHECK_EQ(got.flags, KEEL_MSG_NOTIFIED);
	CHECK_EQ(got.word[0], 0x3);
	CHECK_EQ(got.label, 0);
	CHECK_EQ(got.len, 0);
	CHECK_EQ(got.nhandles, 0);
	ipc_settle();
	CHECK_EQ(keel_send(ep, &m, IPC_WAIT_US), 0);
	for (int i = 0; i < IPC_POLLS && done != 2; i++)
		keel_sleep_us(IPC_POLL_US);
	CHECK_EQ(got_r, 0);
	CHECK_EQ(got_bits, 0x1234);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* Bits pending before the receive: it returns at once; unbound, it does not. */
static void case_bind_pending(void)
{
	struct keel_msg m = {0};
	uint32_t bits = 0;

	n = keel_notify_create();
	ep = keel_endpoint_create(NULL);
	if (!CHECK(n > 0) || !CHECK(ep > 0))
		return;
	CHECK_EQ(keel_notify_bind(n), 0);
	CHECK_EQ(keel_notify_signal(n, 0x10), 0);
	CHECK_EQ(keel_reply_recv(ep, &m, 0), 0);
	CHECK_EQ(m.flags, KEEL_MSG_NOTIFIED);
	CHECK_EQ(m.word[0], 0x10);
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* taken */
	CHECK_EQ(keel_notify_bind(-1), 0);
	CHECK_EQ(keel_notify_signal(n, 0x20), 0);
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* unbound: not for recv */
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, 0x20);
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* The notification dies with its creator's handle: the waiter gets GONE. */
static void case_gone(void)
{
	n = keel_notify_create();
	if (!CHECK(n > 0))
		return;
	done = 0;
	CHECK(ipc_thread(&waiter_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_handle_close(n), 0);
	ipc_await_flag(&done);
	CHECK_EQ(got_r, KEEL_ERR_GONE);
	ipc_await_threads(1);
}

static const struct utest_case cases[] = {
    {"accumulate", case_accumulate}, {"never_blocks", case_never_blocks}, {"wakes", case_wakes},
    {"bind_recv", case_bind_recv},   {"bind_pending", case_bind_pending}, {"gone", case_gone},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_notify", cases, sizeof(cases) / sizeof(cases[0]), which);
}
