/*
 * t_ipc_peer.c - the other side of the IPC tests that need two tasks.
 *
 * The IPC tests spawn this program to be a second task: a server, a
 * client, a sender that may be killed while it waits, the owner of an
 * endpoint that dies. What it works on comes as the handle its spawner
 * gave it (KEEL_SPAWN_GIVEN), so each test also proves that a handle
 * given at spawn works in the child with the rights it was given. Its
 * argument is a role and a parameter (ipc_test.h's PEER_ARG); its exit
 * status is the number of failed checks, or what the role reports.
 */
#include "ipc_test.h"

#define G KEEL_SPAWN_GIVEN

static uint8_t buf[KEEL_MSG_BUF_MAX];

/* Serve @n calls: echo label, words + 1, the bytes reversed. */
static void echo_server(uint32_t n)
{
	struct keel_msg m = {.buf = buf, .cap = sizeof(buf)};
	uint32_t len;

	CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), 0);
	for (uint32_t i = 0; i < n; i++) {
		CHECK(m.flags & KEEL_MSG_CALL);
		len = m.len < m.cap ? m.len : m.cap;
		for (uint32_t k = 0; k < len / 2; k++) {
			uint8_t t = buf[k];
			buf[k] = buf[len - 1 - k];
			buf[len - 1 - k] = t;
		}
		for (int w = 0; w < KEEL_MSG_WORDS; w++)
			m.word[w]++;
		m.flags = 0;
		m.len = len;
		m.nhandles = 0;
		m.cap = sizeof(buf);
		if (i + 1 == n)
			CHECK_EQ(keel_reply(&m), 0);
		else
			CHECK_EQ(keel_reply_recv(G, &m, IPC_WAIT_US), 0);
	}
}

/* Make @n calls and check the echoes (words + 1, bytes reversed). */
static void echo_client(uint32_t n)
{
	static uint8_t out[64];
	struct keel_msg m;

	for (uint32_t i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.label = LABEL_ECHO;
		m.word[0] = i;
		m.word[3] = 0xfffffff0u + i;
		ipc_fill(out, sizeof(out), i);
		m.buf = out;
		m.len = sizeof(out);
		m.cap = sizeof(out);
		CHECK_EQ(keel_call(G, &m, IPC_WAIT_US), 0);
		CHECK_EQ(m.word[0], i + 1);
		CHECK_EQ(m.word[3], 0xfffffff0u + i + 1);
		CHECK_EQ(m.len, sizeof(out));
		ipc_fill(buf, sizeof(out), i);
		CHECK_EQ(out[0], buf[sizeof(out) - 1]);
		CHECK_EQ(out[sizeof(out) - 1], buf[0]);
	}
}

/* t_ipc_many's client: word[0] = who, word[1] = seq, word[2] = checksum. */
static void seq_client(uint32_t n)
{
	uint32_t who = ipc_self_id() << 8;
	struct keel_msg m;

	for (uint32_t seq = 0; seq < n; seq++) {
		memset(&m, 0, sizeof(m));
		m.label = LABEL_SEQ;
		m.len = (seq * 13u) % KEEL_MSG_BUF_MAX;
		ipc_fill(buf, m.len, who ^ seq);
		m.buf = buf;
		m.word[0] = who;
		m.word[1] = seq;
		m.word[2] = ipc_sum(who, seq, buf, m.len);
		if (!CHECK_EQ(keel_call(G, &m, IPC_WAIT_US), 0))
			return;
		CHECK_EQ(m.word[0], seq + 1); /* the server counted each one once */
	}
}

/* Take one call, signal the notification it carries, then never reply. */
static void hold(void)
{
	struct keel_msg m = {0};

	CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), 0);
	CHECK(m.flags & KEEL_MSG_CALL);
	if (CHECK_EQ(m.nhandles, 1))
		CHECK_EQ(keel_notify_signal(m.handle[0], 1), 0);
	for (;;)
		keel_sleep_us(IPC_WAIT_US);
}

/* Create an endpoint, send it over GIVEN (same rights), then wait to be killed. */
static void owner(void)
{
	struct keel_msg m = {.nhandles = 1};
	int32_t x = keel_endpoint_create(NULL);

	CHECK(x > 0);
	m.handle[0] = x;
	CHECK_EQ(keel_send(G, &m, IPC_WAIT_US), 0);
	for (;;)
		keel_sleep_us(IPC_WAIT_US);
}

/* A new IPC object of any type: the pools are not all as deep as the table. */
static int32_t any_object(void)
{
	int32_t h = keel_endpoint_create(NULL);

	if (h == KEEL_ERR_NO_MEMORY)
		h = keel_notify_create();
	if (h == KEEL_ERR_NO_MEMORY)
		h = keel_channel_create(1, 0, NULL);
	return h;
}

/*
 * Fill the handle table to one free slot, then take messages on GIVEN:
 * the first carries two handles and must fail with LIMIT, the table
 * unchanged; after one slot more is freed, the second brings both.
 */
static void fill(void)
{
	struct keel_msg m = {0};
	int32_t last = 0, prev = 0, h;
	uint32_t before;

	while ((h = any_object()) > 0) {
		prev = last;
		last = h;
	}
	CHECK_EQ(h, KEEL_ERR_LIMIT);
	CHECK_EQ(keel_handle_close(last), 0);
	before = ipc_handles_now();
	CHECK_EQ(before, KEEL_HANDLES_DEFAULT - 1);
	CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), KEEL_ERR_LIMIT);
	CHECK_EQ(ipc_handles_now(), before);
	CHECK_EQ(keel_handle_close(prev), 0);
	memset(&m, 0, sizeof(m));
	CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), 0);
	CHECK_EQ(m.nhandles, 2);
	CHECK_EQ(ipc_handles_now(), KEEL_HANDLES_DEFAULT);
}

/* Create endpoints until refused; tell the count and the error by a call. */
static void ep_hog(void)
{
	struct keel_msg m = {0};
	uint32_t n = 0;
	int32_t r;

	while ((r = keel_endpoint_create(NULL)) > 0)
		n++;
	m.word[0] = n;
	m.word[1] = (uint32_t)r;
	CHECK_EQ(keel_call(G, &m, IPC_WAIT_US), 0);
}

/* Send @n channel messages: label i, word[0] = i, i bytes. */
static void chan_send(uint32_t n)
{
	struct keel_msg m;

	for (uint32_t i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.label = i;
		m.word[0] = i;
		m.len = i % 16;
		ipc_fill(buf, m.len, i);
		m.buf = buf;
		CHECK_EQ(keel_channel_send(G, &m, IPC_WAIT_US), 0);
	}
}

/* The exit status for PEER_QUERY: GIVEN's type << 8 | rights, or 0xff00 | -error. */
static int query_given(void)
{
	struct keel_handle_info hi;
	int32_t r = keel_handle_query(G, &hi);

	return r < 0 ? (int)(0xff00 | (uint32_t)-r) : (int)(hi.type << 8 | hi.rights);
}

static void peer_role(uint32_t role, uint32_t param)
{
	struct keel_msg m = {.word = {param}};

	switch (role) {
	case PEER_ECHO_SERVER:
		echo_server(param);
		break;
	case PEER_ECHO_CLIENT:
		echo_client(param);
		break;
	case PEER_SEQ_CLIENT:
		seq_client(param);
		break;
	case PEER_SENDER:
		CHECK_EQ(keel_send(G, &m, IPC_WAIT_US), 0);
		break;
	case PEER_HOLD:
		hold();
		break;
	case PEER_CALLER:
		keel_call(G, &m, KEEL_TIMEOUT_NEVER);
		break;
	case PEER_OWNER:
		owner();
		break;
	case PEER_FILL:
		fill();
		break;
	case PEER_EP_HOG:
		ep_hog();
		break;
	case PEER_SIGNAL:
		CHECK_EQ(keel_notify_signal(G, param), 0);
		break;
	case PEER_CHAN_SEND:
		chan_send(param);
		break;
	default:
		utest_fail(__FILE__, __LINE__, "no role %u", role);
	}
}

int main(uint32_t arg)
{
	uint32_t role = arg & 0xff, param = arg >> 8;

	if (role == PEER_QUERY)
		return query_given();
	if (role == PEER_LINKS)
		return ipc_links_child();
	peer_role(role, param);
	return utest_done();
}
