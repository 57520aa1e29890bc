/*
 * t_ipc_many.c - one server, many clients: nothing lost, nothing twice,
 * nothing out of order, nothing mixed up.
 *
 * The main thread is a server looping on IPC_REPLY_RECV; its clients are
 * threads of this task and child tasks (t_ipc_peer's PEER_SEQ_CLIENT),
 * all calling at once. Each client sends its name (task id and its own
 * number), a sequence number, bytes, and a checksum of all three; the
 * server checks each message's checksum, that each client's sequence
 * numbers arrive in order with none missing or repeated, and that the
 * sender id the kernel reports is the client's task, then replies with
 * how many it has taken from that client, which the client checks. At
 * the end, every client got every reply, and the server counted
 * exactly the calls made.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define CALLS      100 /* per client */
#define THREADS    3   /* client threads here (the task's limit is 4) */
#define CHILDREN   3   /* client tasks */
#define CLIENTS    (THREADS + CHILDREN)
#define CLIENT_MAX 8

static keel_handle_t ep;
static uint8_t tbuf[THREADS][KEEL_MSG_BUF_MAX];
static volatile uint32_t thread_ok[THREADS];

/* A client thread: the same protocol as PEER_SEQ_CLIENT, named (task id << 8) | 1 + i. */
static int client(uint32_t i)
{
	uint32_t who = ipc_self_id() << 8 | (1 + i);
	struct keel_msg m;
	uint32_t ok = 0;

	for (uint32_t seq = 0; seq < CALLS; seq++) {
		memset(&m, 0, sizeof(m));
		m.label = LABEL_SEQ;
		m.len = (seq * 29u + i) % KEEL_MSG_BUF_MAX;
		ipc_fill(tbuf[i], m.len, who ^ seq);
		m.buf = tbuf[i];
		m.word[0] = who;
		m.word[1] = seq;
		m.word[2] = ipc_sum(who, seq, tbuf[i], m.len);
		if (!CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), 0))
			break;
		if (CHECK_EQ(m.word[0], seq + 1))
			ok++;
		if (seq % 8 == i)
			keel_yield(); /* mix the order the calls arrive in */
	}
	thread_ok[i] = ok;
	return 0;
}

static const struct keel_thread_start starts[THREADS] = {{client, 0}, {client, 1}, {client, 2}};

/* What the server knows of each client. */
static struct {
	uint32_t who, next;
} seen[CLIENT_MAX];
static uint32_t nseen;

/* The client a message names; a new one is added (at most CLIENT_MAX). */
static uint32_t *next_of(uint32_t who)
{
	for (uint32_t i = 0; i < nseen; i++)
		if (seen[i].who == who)
			return &seen[i].next;
	if (!CHECK(nseen < CLIENT_MAX))
		return NULL;
	seen[nseen].who = who;
	seen[nseen].next = 0;
	return &seen[nseen++].next;
}

/* Check one request; its reply is the count taken from its client. */
static void take(struct keel_msg *m, uint8_t *buf)
{
	uint32_t who = m->word[0], seq = m->word[1], *next = next_of(who);

	CHECK(m->flags & KEEL_MSG_CALL);
	CHECK_EQ(m->label, LABEL_SEQ);
	CHECK_EQ(m->sender, who >> 8); /* the kernel names the same task */
	if (m->word[2] != ipc_sum(who, seq, buf, m->len))
		utest_fail(__FILE__, __LINE__, "client %#x seq %u: bad checksum", who, seq);
	if (next != NULL) {
		if (seq != *next)
			utest_fail(__FILE__, __LINE__, "client %#x: seq %u, expected %u", who, seq,
			           *next);
		*next = seq + 1;
	}
	memset(m, 0, sizeof(*m));
	m->word[0] = next ? *next : 0;
}

static void serve(uint32_t total)
{
	static uint8_t buf[KEEL_MSG_BUF_MAX];
	struct keel_msg m = {.buf = buf, .cap = sizeof(buf)};
	int32_t r = keel_recv(ep, &m, IPC_WAIT_US);

	for (uint32_t n = 0; r == 0; n++) {
		take(&m, buf);
		m.buf = buf;
		m.cap = sizeof(buf);
		if (n + 1 == total) {
			r = keel_reply(&m);
			break;
		}
		r = keel_reply_recv(ep, &m, IPC_WAIT_US);
	}
	CHECK_EQ(r, 0);
}

static void case_many(void)
{
	int32_t child[CHILDREN];
	uint32_t ended = 0;

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	nseen = 0;
	for (unsigned i = 0; i < CHILDREN; i++)
		child[i] =
		    ipc_spawn("t_ipc_peer", PEER_ARG(PEER_SEQ_CLIENT, CALLS), ep, KEEL_RIGHT_SEND);
	for (unsigned i = 0; i < THREADS; i++) {
		thread_ok[i] = 0;
		CHECK(ipc_thread(&starts[i], KEEL_PRIO_USER) > 0);
	}
	serve(CLIENTS * CALLS);
	for (unsigned i = 0; i < CHILDREN; i++)
		if (CHECK_EQ(ipc_reap(child[i]), 0))
			ended++;
	ipc_await_threads(1);
	CHECK_EQ(ended, CHILDREN);
	CHECK_EQ(nseen, CLIENTS);
	for (uint32_t i = 0; i < nseen; i++)
		CHECK_EQ(seen[i].next, CALLS);
	for (unsigned i = 0; i < THREADS; i++)
		CHECK_EQ(thread_ok[i], CALLS);
	CHECK_EQ(keel_recv(ep, &(struct keel_msg){0}, 0), KEEL_ERR_TIMED_OUT); /* none left */
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* The same with plain sends: no reply, each still arrives once and in order. */
static void case_many_sends(void)
{
	static uint8_t buf[KEEL_MSG_BUF_MAX];
	struct keel_msg m;
	int32_t child[CHILDREN];
	uint32_t got[CHILDREN] = {0};

	ep = keel_endpoint_create(NULL);
	if (!CHECK(ep > 0))
		return;
	for (unsigned i = 0; i < CHILDREN; i++)
		child[i] =
		    ipc_spawn("t_ipc_peer", PEER_ARG(PEER_SENDER, 100 + i), ep, KEEL_RIGHT_SEND);
	for (unsigned n = 0; n < CHILDREN; n++) {
		memset(&m, 0, sizeof(m));
		m.buf = buf;
		m.cap = sizeof(buf);
		if (!CHECK_EQ(keel_recv(ep, &m, IPC_WAIT_US), 0))
			break;
		CHECK_EQ(m.flags & KEEL_MSG_CALL, 0);
		if (CHECK(m.word[0] >= 100 && m.word[0] < 100 + CHILDREN)) {
			got[m.word[0] - 100]++;
			CHECK_EQ(m.sender, ipc_task_id(child[m.word[0] - 100]));
		}
	}
	for (unsigned i = 0; i < CHILDREN; i++) {
		CHECK_EQ(got[i], 1);
		CHECK_EQ(ipc_reap(child[i]), 0);
	}
	CHECK_EQ(keel_handle_close(ep), 0);
}

static const struct utest_case cases[] = {
    {"many_calls", case_many},
    {"many_sends", case_many_sends},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_many", cases, sizeof(cases) / sizeof(cases[0]), which);
}
