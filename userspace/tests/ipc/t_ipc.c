/*
 * t_ipc.c - endpoints in their normal use: messages go through whole.
 *
 * A message carries a label, four words, up to 256 bytes and up to four
 * handles from one thread to another, in one task or across two, and a
 * call brings a reply back into the caller's own struct. The cases check
 * that each part arrives exactly as sent (and that the kernel names the
 * sending task), that a receiver with too small a buffer gets the first
 * bytes, the true length and KEEL_MSG_TRUNCATED, that a server loop on
 * IPC_REPLY_RECV serves calls in turn, and that handles passed in a
 * message, or given at spawn, arrive with the rights asked for.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define ROUNDS 50

static keel_handle_t ep;
static uint8_t sbuf[KEEL_MSG_BUF_MAX], rbuf[KEEL_MSG_BUF_MAX];
static volatile uint32_t served, server_done;

static void case_create_query(void)
{
	static const struct {
		uint32_t type;
		const char *what;
	} want[] = {{KEEL_OBJ_ENDPOINT, "endpoint"},
	            {KEEL_OBJ_NOTIFICATION, "notification"},
	            {KEEL_OBJ_CHANNEL, "channel"}};
	struct keel_ipc_limits lim = {.rate = 1000, .burst = 10};
	struct keel_handle_info hi;
	int32_t h[3];

	h[0] = keel_endpoint_create(NULL);
	h[1] = keel_notify_create();
	h[2] = keel_channel_create(4, 16, &lim);
	for (int i = 0; i < 3; i++) {
		if (!CHECK(h[i] > 0))
			continue;
		memset(&hi, 0xff, sizeof(hi));
		CHECK_EQ(keel_handle_query(h[i], &hi), 0);
		if (!CHECK_EQ(hi.type, want[i].type))
			printf("# t_ipc: %s has type %u\n", want[i].what, hi.type);
		CHECK_EQ(hi.rights, KEEL_RIGHT_ALL);
		CHECK_EQ(hi.reserved, 0);
		CHECK_EQ(keel_handle_close(h[i]), 0);
		CHECK_EQ(keel_handle_query(h[i], &hi), KEEL_ERR_BAD_HANDLE);
	}
	h[0] = keel_endpoint_create(&lim);
	CHECK(h[0] > 0);
	CHECK_EQ(keel_handle_close(h[0]), 0);
}

/*
 * The server of the ping-pong cases: IPC_RECV once, then IPC_REPLY_RECV,
 * each reply the request with every word + 1, label ^ 0x5a and the bytes
 * reversed, until a plain send with LABEL_QUIT.
 */
static void echo(struct keel_msg *m)
{
	uint32_t len = m->len;

	for (uint32_t k = 0; k < len; k++)
		sbuf[k] = rbuf[len - 1 - k];
	for (int w = 0; w < KEEL_MSG_WORDS; w++)
		m->word[w]++;
	m->label ^= 0x5a;
	m->flags = 0;
	m->nhandles = 0;
	m->buf = sbuf;
}

static int echo_server(uint32_t arg)
{
	struct keel_msg m = {.buf = rbuf, .cap = sizeof(rbuf)};
	int32_t r = keel_recv(ep, &m, IPC_WAIT_US);

	while (r == 0 && m.label != LABEL_QUIT) {
		CHECK(m.flags & KEEL_MSG_CALL);
		CHECK_EQ(m.sender, arg); /* the same task */
		CHECK_EQ(m.nhandles, 0);
		echo(&m);
		served++;
		m.cap = sizeof(rbuf);
		r = keel_reply_recv(ep, &m, IPC_WAIT_US);
		m.buf = rbuf; /* received into sbuf: copy over for echo() */
		memcpy(rbuf, sbuf, m.len < sizeof(rbuf) ? m.len : sizeof(rbuf));
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(m.flags & KEEL_MSG_CALL, 0); /* the quit was a send */
	server_done = 1;
	return 0;
}

static struct keel_thread_start server_start = {echo_server, 0};

/* One call of the ping-pong: request @i; check the echo. */
static void ping(uint32_t i)
{
	static uint8_t out[KEEL_MSG_BUF_MAX], back[KEEL_MSG_BUF_MAX];
	struct keel_msg m = {.label = 0x1000 + i, .buf = out, .cap = sizeof(back)};
	uint32_t len = (i * 37u) % (KEEL_MSG_BUF_MAX + 1);

	m.word[0] = i;
	m.word[1] = ~i;
	m.word[2] = 0x7fffffffu;
	m.word[3] = 0xffffffffu;
	m.len = len;
	ipc_fill(out, len, i);
	m.buf = out;
	CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), 0);
	/* The reply landed in the same struct, its bytes at buf (out). */
	CHECK_EQ(m.label, (0x1000 + i) ^ 0x5a);
	CHECK_EQ(m.word[0], i + 1);
	CHECK_EQ(m.word[1], ~i + 1);
	CHECK_EQ(m.word[2], 0x80000000u);
	CHECK_EQ(m.word[3], 0);
	CHECK_EQ(m.len, len);
	CHECK_EQ(m.nhandles, 0);
	CHECK_EQ(m.flags & (KEEL_MSG_TRUNCATED | KEEL_MSG_CALL | KEEL_MSG_NOTIFIED), 0);
	ipc_fill(back, len, i);
	for (uint32_t k = 0; k < len; k++)
		if (out[k] != back[len - 1 - k]) {
			utest_fail(__FILE__, __LINE__, "call %u: byte %u is %u", i, k, out[k]);
			break;
		}
}

static void case_pingpong_threads(void)
{
	struct keel_msg quit = {.label = LABEL_QUIT};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	served = server_done = 0;
	server_start.arg = ipc_self_id();
	CHECK(ipc_thread(&server_start, KEEL_PRIO_USER) > 0);
	for (uint32_t i = 0; i < ROUNDS; i++)
		ping(i);
	CHECK_EQ(keel_send(ep, &quit, IPC_WAIT_US), 0);
	ipc_await_flag(&server_done);
	CHECK_EQ(served, ROUNDS);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A plain send: no CALL flag, no reply right; the receiver can receive again. */
static void case_send_recv(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	struct keel_msg m = {.label = 7, .word = {1, 2, 3, 4}, .len = 5, .buf = "hello"};

	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(sink.ep > 0) || !ipc_sink_start(&sink, &st))
		return;
	CHECK_EQ(ipc_sink_send(&sink, &m), 0);
	CHECK_EQ(ipc_sink_send(&sink, &m), 0); /* a second: it did not hold a reply right */
	ipc_sink_stop(&sink);
	CHECK_EQ(sink.count, 3);
	CHECK_EQ(sink.last_err, 0);
	CHECK_EQ(sink.last.label, LABEL_QUIT);
	CHECK_EQ(sink.last.sender, ipc_self_id());
	CHECK_EQ(sink.last.flags, 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* The first of two messages the truncating receiver takes. */
static volatile int32_t trunc_r;
static struct keel_msg trunc_m;
static uint8_t trunc_buf[64];

static int trunc_receiver(uint32_t cap)
{
	trunc_m.buf = trunc_buf;
	trunc_m.cap = cap;
	trunc_r = keel_recv(ep, &trunc_m, IPC_WAIT_US);
	server_done = 1;
	return 0;
}

static const struct keel_thread_start trunc_start = {trunc_receiver, 50};

static void case_truncation(void)
{
	struct keel_msg m = {.label = 9, .len = 200, .buf = sbuf};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	server_done = 0;
	memset(trunc_buf, 0xcc, sizeof(trunc_buf));
	ipc_fill(sbuf, 200, 3);
	CHECK(ipc_thread(&trunc_start, KEEL_PRIO_USER) > 0);
	CHECK_EQ(keel_send(ep, &m, IPC_WAIT_US), 0); /* the send succeeded */
	ipc_await_flag(&server_done);
	CHECK_EQ(trunc_r, 0);
	CHECK_EQ(trunc_m.len, 200); /* what was sent */
	CHECK(trunc_m.flags & KEEL_MSG_TRUNCATED);
	CHECK_EQ(memcmp(trunc_buf, sbuf, 50), 0);
	CHECK_EQ(trunc_buf[50], 0xcc); /* not a byte past cap */
	CHECK_EQ(trunc_buf[63], 0xcc);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* Across tasks, both ways: the child serves, then the child calls. */
static void case_pingpong_tasks(void)
{
	const uint32_t rights = KEEL_RIGHT_SEND | KEEL_RIGHT_RECV;
	struct keel_msg m;
	int32_t child;

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	child = ipc_spawn("t_ipc_peer", PEER_ARG(PEER_ECHO_SERVER, ROUNDS), ep, rights);
	CHECK(child > 0);
	for (uint32_t i = 0; i < ROUNDS; i++) {
		memset(&m, 0, sizeof(m));
		m.word[0] = i;
		m.word[2] = 0xffffffffu;
		CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), 0);
		CHECK_EQ(m.word[0], i + 1);
		CHECK_EQ(m.word[2], 0);
		CHECK_EQ(m.sender, ipc_task_id(child)); /* a reply names its sender too */
	}
	CHECK_EQ(ipc_reap(child), 0);

	child = ipc_spawn("t_ipc_peer", PEER_ARG(PEER_ECHO_CLIENT, ROUNDS), ep, rights);
	CHECK(child > 0);
	memset(&m, 0, sizeof(m));
	m.buf = rbuf;
	m.cap = sizeof(rbuf);
	CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0);
	for (uint32_t i = 0; i < ROUNDS; i++) {
		CHECK_EQ(m.label, LABEL_ECHO);
		CHECK_EQ(m.word[0], i);
		CHECK_EQ(m.sender, ipc_task_id(child));
		CHECK(m.flags & KEEL_MSG_CALL);
		echo(&m);
		m.cap = sizeof(rbuf);
		m.buf = sbuf;
		if (i + 1 < ROUNDS) {
			CHECK_EQ(keel_reply_recv(ep, &m, IPC_WAIT_US), 0);
			memcpy(rbuf, sbuf, sizeof(rbuf));
		} else {
			CHECK_EQ(keel_reply(&m), 0);
		}
	}
	CHECK_EQ(ipc_reap(child), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* Handles in a message: copied with fewer rights, the same, or moved. */
static void case_handles(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	struct keel_handle_info hi;
	int32_t n = keel_notify_create(), c;

	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(sink.ep > 0) || !CHECK(n > 0) || !ipc_sink_start(&sink, &st))
		return;
	c = ipc_copy(&sink, n, KEEL_RIGHT_SEND);
	CHECK(c > 0 && c != n);
	CHECK_EQ(keel_handle_query(c, &hi), 0);
	CHECK_EQ(hi.type, KEEL_OBJ_NOTIFICATION);
	CHECK_EQ(hi.rights, KEEL_RIGHT_SEND);
	CHECK_EQ(sink.last.rights[0], KEEL_RIGHT_SEND);
	c = ipc_copy(&sink, n, 0); /* 0: the same rights as mine */
	CHECK_EQ(keel_handle_query(c, &hi), 0);
	CHECK_EQ(hi.rights, KEEL_RIGHT_ALL);
	/* A copy moved: the mover loses it, the receiver gains it. */
	struct keel_msg m = {.flags = KEEL_MSG_MOVE, .nhandles = 1, .handle = {c}};
	uint32_t before = ipc_handles_now();
	CHECK_EQ(ipc_sink_send(&sink, &m), 0);
	ipc_sink_stop(&sink);
	CHECK_EQ(sink.count, 4);
	CHECK_EQ(keel_handle_query(c, &hi), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(ipc_handles_now(), before); /* one out, one in: the same table */
	CHECK_EQ(keel_handle_close(n), 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* keel_spawn.give: the child finds the handle as KEEL_SPAWN_GIVEN, with give_rights. */
static void case_spawn_give(void)
{
	static const uint32_t rights[] = {KEEL_RIGHT_SEND, KEEL_RIGHT_RECV | KEEL_RIGHT_GRANT,
	                                  KEEL_RIGHT_ALL};
	int32_t n = keel_notify_create();

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0) || !CHECK(n > 0))
		return;
	for (unsigned i = 0; i < 3; i++) {
		int32_t child = ipc_spawn("t_ipc_peer", PEER_QUERY, ep, rights[i]);
		CHECK_EQ(ipc_reap(child), KEEL_OBJ_ENDPOINT << 8 | rights[i]);
	}
	CHECK_EQ(ipc_reap(ipc_spawn("t_ipc_peer", PEER_QUERY, n, KEEL_RIGHT_SEND)),
	         KEEL_OBJ_NOTIFICATION << 8 | KEEL_RIGHT_SEND);
	/* The given copy works: the child signals through it. */
	CHECK_EQ(ipc_reap(ipc_spawn("t_ipc_peer", PEER_ARG(PEER_SIGNAL, 0x24), n, KEEL_RIGHT_SEND)),
	         0);
	uint32_t bits = 0;
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, 0x24);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

static const struct utest_case cases[] = {
    {"create_query", case_create_query},     {"pingpong_threads", case_pingpong_threads},
    {"send_recv", case_send_recv},           {"truncation", case_truncation},
    {"pingpong_tasks", case_pingpong_tasks}, {"handles", case_handles},
    {"spawn_give", case_spawn_give},
};

int main(uint32_t which)
{
	return utest_run("t_ipc", cases, sizeof(cases) / sizeof(cases[0]), which);
}
