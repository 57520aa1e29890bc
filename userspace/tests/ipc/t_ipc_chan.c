/*
 * t_ipc_chan.c - channels: bounded queues of messages, first in first out.
 *
 * Where an endpoint makes the sender wait for a receiver, a channel keeps
 * up to `depth` messages (label, words, up to max_len bytes, never
 * handles) so a producer can run ahead of its consumer, and waits only
 * when it is full. The cases check FIFO order with every part of each
 * message intact and the sender named, a full channel refusing a poll,
 * a blocked sender woken by a receive and a blocked receiver by a send,
 * the sizes at their edges, a producer in another task, and a
 * channel's death while a thread waits on it.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define DEPTH   8
#define MAX_LEN 64

static keel_handle_t ch;
static uint8_t out[KEEL_MSG_BUF_MAX], in[KEEL_MSG_BUF_MAX], want[KEEL_MSG_BUF_MAX];
static volatile int32_t thread_r;
static volatile uint32_t done;

static int32_t send_one(uint32_t i, uint32_t len, uint32_t timeout)
{
	struct keel_msg m = {.label = 0x100 + i, .word = {i, ~i, i * 3, 0xabcd0000u | i}};

	ipc_fill(out, len, i);
	m.buf = out;
	m.len = len;
	return keel_channel_send(ch, &m, timeout);
}

/* Receive message @i (sent by send_one with @len bytes) and check it whole. */
static void expect_one(uint32_t i, uint32_t len)
{
	struct keel_msg m = {.buf = in, .cap = sizeof(in)};

	if (!CHECK_EQ(keel_channel_recv(ch, &m, IPC_WAIT_US), 0))
		return;
	CHECK_EQ(m.label, 0x100 + i);
	CHECK_EQ(m.word[0], i);
	CHECK_EQ(m.word[1], ~i);
	CHECK_EQ(m.word[2], i * 3);
	CHECK_EQ(m.word[3], 0xabcd0000u | i);
	CHECK_EQ(m.len, len);
	CHECK_EQ(m.nhandles, 0);
	CHECK_EQ(m.flags & KEEL_MSG_TRUNCATED, 0);
	CHECK_EQ(m.sender, ipc_self_id());
	ipc_fill(want, len, i);
	CHECK_EQ(memcmp(in, want, len), 0);
}

static void case_fifo(void)
{
	ch = keel_channel_create(DEPTH, MAX_LEN, NULL);
	if (!CHECK(ch > 0))
		return;
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < DEPTH; i++)
			CHECK_EQ(send_one(round * DEPTH + i, (i * 9) % (MAX_LEN + 1), 0), 0);
		CHECK_EQ(send_one(99, 0, 0), KEEL_ERR_TIMED_OUT); /* full */
		for (uint32_t i = 0; i < DEPTH; i++)
			expect_one(round * DEPTH + i, (i * 9) % (MAX_LEN + 1));
	}
	/* Interleaved: the ring wraps around. */
	for (uint32_t i = 0; i < 3 * DEPTH; i++) {
		CHECK_EQ(send_one(i, i % 8, 0), 0);
		CHECK_EQ(send_one(i + 1000, 1, 0), 0);
		expect_one(i, i % 8);
		expect_one(i + 1000, 1);
	}
	CHECK_EQ(keel_handle_close(ch), 0);
}

static int sender(uint32_t i)
{
	thread_r = send_one(i, 4, IPC_WAIT_US);
	done = 1;
	return 0;
}

static int receiver(uint32_t i)
{
	struct keel_msg m = {.buf = in, .cap = sizeof(in)};

	thread_r = keel_channel_recv(ch, &m, IPC_WAIT_US);
	if (thread_r == 0 && m.label != 0x100 + i)
		thread_r = -100;
	done = 1;
	return 0;
}

static const struct keel_thread_start sender_start = {sender, 2}, receiver_start = {receiver, 7};

/* A full channel's sender waits until a receive makes room; an empty one's receiver too. */
static void case_blocking(void)
{
	ch = keel_channel_create(1, MAX_LEN, NULL);
	if (!CHECK(ch > 0))
		return;
	CHECK_EQ(send_one(1, 4, 0), 0);
	done = 0;
	CHECK(ipc_thread(&sender_start, KEEL_PRIO_USER) > 0);
	ipc_settle(); /* it waits: the channel is full */
	CHECK_EQ(done, 0);
	expect_one(1, 4);
	ipc_await_flag(&done);
	CHECK_EQ(thread_r, 0);
	expect_one(2, 4);
	ipc_await_threads(1);

	done = 0;
	CHECK(ipc_thread(&receiver_start, KEEL_PRIO_USER) > 0);
	ipc_settle(); /* it waits: the channel is empty */
	CHECK_EQ(done, 0);
	CHECK_EQ(send_one(7, 4, 0), 0);
	ipc_await_flag(&done);
	CHECK_EQ(thread_r, 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ch), 0);
}

/* The edges: the deepest, longest channel; one of max_len 0; truncation. */
static void case_edges(void)
{
	struct keel_msg m = {0};

	ch = keel_channel_create(KEEL_CHANNEL_DEPTH_MAX, KEEL_MSG_BUF_MAX, NULL);
	if (!CHECK(ch > 0))
		return;
	for (uint32_t i = 0; i < KEEL_CHANNEL_DEPTH_MAX; i++)
		CHECK_EQ(send_one(i, KEEL_MSG_BUF_MAX, 0), 0);
	CHECK_EQ(send_one(0, 0, 0), KEEL_ERR_TIMED_OUT);
	for (uint32_t i = 0; i < KEEL_CHANNEL_DEPTH_MAX; i++)
		expect_one(i, KEEL_MSG_BUF_MAX);
	CHECK_EQ(send_one(5, 100, 0), 0);
	memset(in, 0xcc, sizeof(in));
	m.buf = in;
	m.cap = 10;
	CHECK_EQ(keel_channel_recv(ch, &m, 0), 0);
	CHECK_EQ(m.len, 100);
	CHECK(m.flags & KEEL_MSG_TRUNCATED);
	CHECK_EQ(in[10], 0xcc);
	CHECK_EQ(keel_handle_close(ch), 0);

	ch = keel_channel_create(2, 0, NULL);
	if (!CHECK(ch > 0))
		return;
	CHECK_EQ(send_one(3, 1, 0), KEEL_ERR_RANGE);
	CHECK_EQ(send_one(3, 0, 0), 0);
	expect_one(3, 0);
	CHECK_EQ(keel_handle_close(ch), 0);
}

/* A producer in another task: every message in order, its task named. */
static void case_across_tasks(void)
{
	struct keel_msg m;
	int32_t child;

	ch = keel_channel_create(4, 16, NULL);
	if (!CHECK(ch > 0))
		return;
	child = ipc_spawn("t_ipc_peer", PEER_ARG(PEER_CHAN_SEND, 20), ch, KEEL_RIGHT_SEND);
	CHECK(child > 0);
	for (uint32_t i = 0; i < 20; i++) {
		memset(&m, 0, sizeof(m));
		m.buf = in;
		m.cap = sizeof(in);
		if (!CHECK_EQ(keel_channel_recv(ch, &m, IPC_WAIT_US), 0))
			break;
		CHECK_EQ(m.label, i);
		CHECK_EQ(m.word[0], i);
		CHECK_EQ(m.len, i % 16);
		CHECK_EQ(m.sender, ipc_task_id(child));
		ipc_fill(want, m.len, i);
		CHECK_EQ(memcmp(in, want, m.len), 0);
	}
	CHECK_EQ(ipc_reap(child), 0);
	CHECK_EQ(keel_handle_close(ch), 0);
}

/* The channel dies with its creator's handle: a waiting receiver gets GONE. */
static void case_gone(void)
{
	ch = keel_channel_create(1, 8, NULL);
	if (!CHECK(ch > 0))
		return;
	done = 0;
	CHECK(ipc_thread(&receiver_start, KEEL_PRIO_USER) > 0);
	ipc_settle();
	CHECK_EQ(keel_handle_close(ch), 0);
	ipc_await_flag(&done);
	CHECK_EQ(thread_r, KEEL_ERR_GONE);
	ipc_await_threads(1);
}

static const struct utest_case cases[] = {
    {"fifo", case_fifo},   {"blocking", case_blocking},
    {"edges", case_edges}, {"across_tasks", case_across_tasks},
    {"gone", case_gone},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_chan", cases, sizeof(cases) / sizeof(cases[0]), which);
}
