/*
 * t_ipc_bad.c - every error of the IPC calls, and that an error changes
 * nothing.
 *
 * A microkernel's IPC is the one door between protection domains, so
 * each refusal must be exact and must leave no trace: a malformed
 * message is not half sent, a refused handle transfer moves and copies
 * nothing on either side, an exhausted pool comes back whole. The cases
 * try bad, stale and wrong-type handles, bad limits and sizes at
 * creation, missing rights (on handles made with fewer rights by passing
 * them through a message), and malformed messages and bad pointers
 * (NULL, kernel, unmapped, straddling the end, read-only). t_ipc_refuse.c
 * has the refusals that need a second thread or task.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define KERNEL_PTR   0xC0100000u
#define UNMAPPED_PTR 0x50000000u
#define EDGE_PTR     0xBFFFFFF8u /* straddles the end of user space */

static struct ipc_sink sink;
static const struct keel_msg ro_msg; /* in the read-only constants */
static const struct keel_thread_start sink_start = {ipc_sink_run, (uint32_t)&sink};

static bool sink_up(void)
{
	sink.ep = keel_endpoint_create(NULL);
	return CHECK(sink.ep > 0) && ipc_sink_start(&sink, &sink_start);
}

static void sink_down(void)
{
	ipc_sink_stop(&sink);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* Each IPC call on handle @h gives @want (notify and channel calls on their own types). */
static void each_call_gives(int32_t h, int32_t want, const char *what)
{
	struct keel_msg m = {0};
	uint32_t bits;
	int32_t r[6];

	r[0] = keel_send(h, &m, 0);
	r[1] = keel_recv(h, &m, 0);
	r[2] = keel_call(h, &m, IPC_SHORT_US); /* a call may not poll (t_ipc_timeout) */
	r[3] = keel_reply_recv(h, &m, 0);
	r[4] = keel_notify_signal(h, 1);
	r[5] = keel_notify_wait(h, &bits, 0);
	for (int i = 0; i < 6; i++)
		if (r[i] != want)
			utest_fail(__FILE__, __LINE__, "%s: call %d gave %s, not %s", what, i,
			           keel_errname(r[i]), keel_errname(want));
	CHECK_EQ(keel_channel_send(h, &m, 0), want);
	CHECK_EQ(keel_channel_recv(h, &m, 0), want);
	CHECK_EQ(keel_notify_bind(h), want);
}

static void case_bad_handles(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL), n = keel_notify_create();
	int32_t ch = keel_channel_create(1, 0, NULL);

	each_call_gives(-5, KEEL_ERR_BAD_HANDLE, "negative");
	each_call_gives(KEEL_HANDLES_DEFAULT - 1, KEEL_ERR_BAD_HANDLE, "empty slot");
	each_call_gives(KEEL_HANDLES_MAX - 1, KEEL_ERR_BAD_HANDLE, "beyond the table");
	each_call_gives(0x7fffffff, KEEL_ERR_BAD_HANDLE, "huge");
	each_call_gives(KEEL_SELF, KEEL_ERR_WRONG_TYPE, "KEEL_SELF");
	/* Each type refused by the others' calls. */
	CHECK_EQ(keel_notify_signal(ep, 1), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_channel_send(ep, &m, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_send(n, &m, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_channel_recv(n, &m, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_recv(ch, &m, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_notify_wait(ch, &m.label, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_notify_bind(ep), KEEL_ERR_WRONG_TYPE);
	/* Stale: closed, even once the slot is reused. */
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_BAD_HANDLE);
	int32_t again = keel_endpoint_create(NULL);
	CHECK_EQ(again & (KEEL_HANDLES_MAX - 1), ep & (KEEL_HANDLES_MAX - 1));
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_handle_close(again), 0);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ch), 0);
}

static void case_create_errors(void)
{
	struct keel_ipc_limits lim[] = {{.rate = 1, .reserved = 1},
	                                {.rate = 1000001},
	                                {.burst = 1000001},
	                                {1000001, 1000001, 0}};
	const uint32_t ptrs[] = {KERNEL_PTR, UNMAPPED_PTR, EDGE_PTR, 1};

	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(keel_endpoint_create(&lim[i]), KEEL_ERR_INVALID);
		CHECK_EQ(keel_channel_create(1, 0, &lim[i]), KEEL_ERR_INVALID);
		CHECK_EQ(keel_endpoint_create((void *)ptrs[i]), KEEL_ERR_FAULT);
		CHECK_EQ(keel_channel_create(1, 0, (void *)ptrs[i]), KEEL_ERR_FAULT);
	}
	CHECK_EQ(keel_channel_create(0, 0, NULL), KEEL_ERR_INVALID);
	CHECK_EQ(keel_channel_create(KEEL_CHANNEL_DEPTH_MAX + 1, 0, NULL), KEEL_ERR_INVALID);
	CHECK_EQ(keel_channel_create(0xffffffffu, 0, NULL), KEEL_ERR_INVALID);
	CHECK_EQ(keel_channel_create(1, KEEL_MSG_BUF_MAX + 1, NULL), KEEL_ERR_INVALID);
	CHECK_EQ(keel_channel_create(1, 0xffffffffu, NULL), KEEL_ERR_INVALID);
	/* The edges themselves are fine. */
	struct keel_ipc_limits max = {.rate = 1000000, .burst = 1000000};
	int32_t h[3] = {keel_endpoint_create(&max),
	                keel_channel_create(KEEL_CHANNEL_DEPTH_MAX, KEEL_MSG_BUF_MAX, &max),
	                keel_channel_create(1, 0, NULL)};
	for (int i = 0; i < 3; i++)
		if (CHECK(h[i] > 0))
			CHECK_EQ(keel_handle_close(h[i]), 0);
}

/* Every right each call needs: a handle without it is DENIED. */
static void case_rights(void)
{
	const uint32_t no_send = KEEL_RIGHT_ALL & ~KEEL_RIGHT_SEND;
	const uint32_t no_recv = KEEL_RIGHT_ALL & ~KEEL_RIGHT_RECV;
	struct keel_msg m = {0};
	uint32_t bits;
	int32_t ep = keel_endpoint_create(NULL), n = keel_notify_create();
	int32_t ch = keel_channel_create(1, 0, NULL);

	if (!sink_up())
		return;
	int32_t ep_ns = ipc_copy(&sink, ep, no_send), ep_nr = ipc_copy(&sink, ep, no_recv);
	int32_t n_ns = ipc_copy(&sink, n, no_send), n_nr = ipc_copy(&sink, n, no_recv);
	int32_t ch_ns = ipc_copy(&sink, ch, no_send), ch_nr = ipc_copy(&sink, ch, no_recv);
	int32_t ep_ng = ipc_copy(&sink, ep, KEEL_RIGHT_SEND | KEEL_RIGHT_RECV);
	CHECK_EQ(keel_send(ep_ns, &m, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_call(ep_ns, &m, IPC_SHORT_US), KEEL_ERR_DENIED);
	CHECK_EQ(keel_recv(ep_nr, &m, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_reply_recv(ep_nr, &m, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_notify_signal(n_ns, 1), KEEL_ERR_DENIED);
	CHECK_EQ(keel_notify_wait(n_nr, &bits, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_channel_send(ch_ns, &m, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_channel_recv(ch_nr, &m, 0), KEEL_ERR_DENIED);
	/* Passing on: GRANT needed, and no rights beyond the handle's. */
	CHECK_EQ(ipc_copy(&sink, ep_ng, KEEL_RIGHT_SEND), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_copy(&sink, ep_nr, KEEL_RIGHT_ALL), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_copy(&sink, KEEL_SELF, 0), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_copy(&sink, 0x3f, 0), KEEL_ERR_BAD_HANDLE);
	uint32_t count = sink.count;
	sink_down();
	CHECK_EQ(sink.count, count + 1); /* the refused ones never arrived */
	int32_t all[] = {ep_ns, ep_nr, n_ns, n_nr, ch_ns, ch_nr, ep_ng, ep, n, ch};
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK_EQ(keel_handle_close(all[i]), 0);
}

/* A malformed message: each refused with its error, and none arrives. */
static void case_bad_messages(void)
{
	static uint8_t big[KEEL_MSG_BUF_MAX + 1];
	struct keel_msg m;
	int32_t n = keel_notify_create();

	if (!sink_up())
		return;
#define TRY(field_setup, want)                                                                     \
	do {                                                                                       \
		memset(&m, 0, sizeof(m));                                                          \
		field_setup;                                                                       \
		CHECK_EQ(keel_send(sink.ep, &m, IPC_SHORT_US), want);                              \
		memset(&m, 0, sizeof(m));                                                          \
		field_setup;                                                                       \
		CHECK_EQ(keel_call(sink.ep, &m, IPC_SHORT_US), want);                              \
	} while (0)
	TRY((m.len = KEEL_MSG_BUF_MAX + 1, m.buf = big), KEEL_ERR_RANGE);
	TRY((m.len = 0xffffffffu, m.buf = big), KEEL_ERR_RANGE);
	TRY(m.nhandles = KEEL_MSG_HANDLES + 1, KEEL_ERR_RANGE);
	TRY(m.flags = 1u << 1, KEEL_ERR_INVALID);
	TRY(m.flags = 1u << 7, KEEL_ERR_INVALID);
	TRY(m.flags = (1u << 31) | KEEL_MSG_MOVE | KEEL_MSG_CALL, KEEL_ERR_INVALID);
	TRY((m.len = 16, m.buf = (void *)KERNEL_PTR), KEEL_ERR_FAULT);
	TRY((m.len = 16, m.buf = (void *)UNMAPPED_PTR), KEEL_ERR_FAULT);
	TRY((m.len = 16, m.buf = (void *)EDGE_PTR), KEEL_ERR_FAULT);
	TRY((m.len = 16, m.buf = NULL), KEEL_ERR_FAULT);
	TRY((m.nhandles = 1, m.handle[0] = 0x3f), KEEL_ERR_BAD_HANDLE);
	TRY((m.nhandles = 2, m.handle[0] = n, m.handle[1] = -1), KEEL_ERR_BAD_HANDLE);
	TRY((m.nhandles = 1, m.handle[0] = KEEL_SELF, m.flags = KEEL_MSG_MOVE), KEEL_ERR_DENIED);
	TRY((m.nhandles = 1, m.handle[0] = n, m.rights[0] = 1u << 9), KEEL_ERR_DENIED);
	/* The create handle may be copied, never moved. */
	TRY((m.nhandles = 1, m.handle[0] = n, m.flags = KEEL_MSG_MOVE), KEEL_ERR_DENIED);
#undef TRY
	static const uint32_t bad[] = {0, 1, KERNEL_PTR, UNMAPPED_PTR, EDGE_PTR, 0xFFFFFFF0u};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(keel_send(sink.ep, (void *)bad[i], IPC_SHORT_US), KEEL_ERR_FAULT);
		CHECK_EQ(keel_call(sink.ep, (void *)bad[i], IPC_SHORT_US), KEEL_ERR_FAULT);
	}
	/* A well-formed message in read-only memory cannot take a reply or a receive. */
	CHECK_EQ(keel_recv(sink.ep, (void *)&ro_msg, 0), KEEL_ERR_FAULT);
	CHECK_EQ(keel_call(sink.ep, (void *)&ro_msg, IPC_SHORT_US), KEEL_ERR_FAULT);
	sink_down();
	CHECK_EQ(sink.count, 1); /* the quit alone */
	CHECK_EQ(keel_handle_close(n), 0);
}

/* Receiving into a bad buffer: FAULT for the receiver, and it can receive again. */
static void case_bad_receive(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL);

	if (!CHECK(ep > 0))
		return;
	for (unsigned i = 0; i < 3; i++) {
		static const uint32_t bad[] = {0, KERNEL_PTR, UNMAPPED_PTR};
		CHECK_EQ(keel_recv(ep, (void *)bad[i], 0), KEEL_ERR_FAULT);
		CHECK_EQ(keel_reply_recv(ep, (void *)bad[i], 0), KEEL_ERR_FAULT);
	}
	CHECK_EQ(keel_recv(ep, &m, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_handle_close(ep), 0);
}

static const struct utest_case cases[] = {
    {"bad_handles", case_bad_handles}, {"create_errors", case_create_errors},
    {"rights", case_rights},           {"bad_messages", case_bad_messages},
    {"bad_receive", case_bad_receive},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_bad", cases, sizeof(cases) / sizeof(cases[0]), which);
}
