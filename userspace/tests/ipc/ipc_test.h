/*
 * ipc_test.h - what the IPC test programs share: starting threads at a
 * priority, spawning a peer with a handle, waiting for threads to leave,
 * and a message's checksum.
 *
 * Each test program is one C file linked with the user library, so the
 * helpers are static functions of this header; a program uses some of
 * them, hence `inline` (no warning for the ones it does not).
 */
#ifndef IPC_TEST_H
#define IPC_TEST_H

#include <utest.h>

/* Bounds on waits that must end (a hang becomes a failure, not a stall). */
#define IPC_WAIT_US  5000000u
#define IPC_SHORT_US 2000u /* a timeout meant to expire */
#define IPC_POLL_US  1000u
#define IPC_POLLS    5000

/*
 * What a copy of an object's handle answers once the object is gone.
 * Through slice 4 the copy stays in its holder's table and answers GONE
 * until closed. With slice 5 the copy was derived from the object's
 * original and was deleted with it: its handle is stale, and closing it
 * is refused like any stale handle's (chapter 5).
 */
#if KEEL_SLICES >= 5
#define IPC_COPY_GONE       KEEL_ERR_BAD_HANDLE
#define IPC_COPY_GONE_CLOSE KEEL_ERR_BAD_HANDLE
#else
#define IPC_COPY_GONE       KEEL_ERR_GONE
#define IPC_COPY_GONE_CLOSE 0
#endif

/* The roles of t_ipc_peer (its argument: role | param << 8). */
enum ipc_peer_role {
	PEER_ECHO_SERVER = 1, /* serve param calls on GIVEN (echo), then exit */
	PEER_ECHO_CLIENT = 2, /* call GIVEN param times, check the echoes */
	PEER_SEQ_CLIENT = 3,  /* t_ipc_many's client: param calls with sequence numbers */
	PEER_SENDER = 4,      /* send word[0] = param on GIVEN, then exit */
	PEER_HOLD = 5,        /* take one call on GIVEN, signal its handle[0], never reply */
	PEER_CALLER = 6,      /* call GIVEN and wait for ever */
	PEER_OWNER = 7,       /* create an endpoint, send it over GIVEN, sleep for ever */
	PEER_QUERY = 8,       /* exit with GIVEN's type << 8 | rights */
	PEER_FILL = 9,        /* fill the table, take handles on GIVEN (t_ipc_bad) */
	PEER_EP_HOG = 10,     /* create endpoints until refused, report by a call */
	PEER_SIGNAL = 11,     /* signal GIVEN (a notification) with bits param */
	PEER_CHAN_SEND = 12,  /* send param messages on GIVEN (a channel) */
	PEER_LINKS = 13,      /* links 6..8 of t_ipc_pi's chain, the first on GIVEN */
};
#define PEER_ARG(role, param) ((uint32_t)(role) | (uint32_t)(param) << 8)

/* Labels the programs agree on. */
#define LABEL_QUIT  0x51u /* a server or sink stops */
#define LABEL_ECHO  0xEC0u
#define LABEL_SEQ   0x5E0u
#define LABEL_CHAIN 0xC4Au

/* Start @st as a thread at @prio on a fresh stack; its handle is closed at once. */
static inline int32_t ipc_thread(const struct keel_thread_start *st, uint32_t prio)
{
	int32_t h = keel_thread_create((uint32_t)keel_thread_entry, 0, (uint32_t)st, prio);

	if (h > 0)
		keel_handle_close(h);
	return h;
}

static inline uint32_t ipc_threads_now(void)
{
	struct keel_task_info ti;

	return keel_task_info(KEEL_SELF, &ti) < 0 ? 0 : ti.threads;
}

static inline uint32_t ipc_handles_now(void)
{
	struct keel_task_info ti;

	return keel_task_info(KEEL_SELF, &ti) < 0 ? 0 : ti.handles;
}

static inline uint32_t ipc_self_id(void)
{
	struct keel_task_info ti;

	return keel_task_info(KEEL_SELF, &ti) < 0 ? 0 : ti.id;
}

static inline uint32_t ipc_task_id(keel_handle_t task)
{
	struct keel_task_info ti;

	return keel_task_info(task, &ti) < 0 ? 0 : ti.id;
}

/* Wait (bounded) until the task has @n threads; a failure if it never does. */
static inline void ipc_await_threads(uint32_t n)
{
	for (int i = 0; i < IPC_POLLS && ipc_threads_now() != n; i++)
		keel_sleep_us(IPC_POLL_US);
	CHECK_EQ(ipc_threads_now(), n);
}

/* Wait (bounded) until *flag is non-zero. */
static inline bool ipc_await_flag(volatile uint32_t *flag)
{
	for (int i = 0; i < IPC_POLLS && !*flag; i++)
		keel_sleep_us(IPC_POLL_US);
	return CHECK(*flag != 0);
}

/* Set by ipc_settle()'s marker thread when it runs. */
static volatile uint32_t ipc_settled;

static inline int ipc_settle_marker(uint32_t arg)
{
	(void)arg;
	ipc_settled = 1;
	return 0;
}

/*
 * Wait until every other thread, of any task, has blocked, gone to sleep
 * or ended: a marker thread at priority 1 runs only then. A test uses it
 * where a peer must reach its wait (a receive, a full channel) before the
 * test goes on. Sleeping "long enough" instead is a race a loaded host
 * can lose, since the emulator's clock is the host's.
 */
static inline void ipc_settle(void)
{
	static struct keel_thread_start st = {ipc_settle_marker, 0};

	ipc_settled = 0;
	if (CHECK(ipc_thread(&st, 1) > 0))
		ipc_await_flag(&ipc_settled);
}

/* Spawn @name with @arg, giving it @give with @rights (give 0: nothing). */
static inline int32_t ipc_spawn(const char *name, uint32_t arg, keel_handle_t give, uint32_t rights)
{
	struct keel_spawn opts = {.arg = arg, .give = give, .give_rights = rights};

	return keel_task_spawn(name, strlen(name), &opts);
}

/* Wait for @task, close its handle; its status, or -1 if it did not end. */
static inline int ipc_reap(int32_t task)
{
	int status = -1;

	if (task <= 0)
		return -1;
	if (!CHECK_EQ(keel_task_wait(task, &status, IPC_WAIT_US), 0))
		keel_task_kill(task);
	keel_task_wait(task, &status, IPC_WAIT_US);
	keel_handle_close(task);
	return status;
}

/* Kill @task, collect and close it; its status. */
static inline int ipc_kill(int32_t task)
{
	int status = -1;

	if (task <= 0)
		return -1;
	CHECK_EQ(keel_task_kill(task), 0);
	CHECK_EQ(keel_task_wait(task, &status, IPC_WAIT_US), 0);
	keel_handle_close(task);
	return status;
}

/* A checksum of the head's numbers and the bytes, for messages checked end to end. */
static inline uint32_t ipc_sum(uint32_t a, uint32_t b, const uint8_t *buf, uint32_t len)
{
	uint32_t h = 2166136261u ^ a;

	h = (h ^ b) * 16777619u;
	for (uint32_t i = 0; i < len; i++)
		h = (h ^ buf[i]) * 16777619u;
	return h;
}

/* Fill @buf with @len bytes that depend on @seed. */
static inline void ipc_fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31u + i * 7u + (seed >> 8));
}

/*
 * A sink: a thread that takes messages on an endpoint until LABEL_QUIT
 * (or an error), keeping the count and the last one. Tests use it as the
 * receiver that must (or must not) see what they send, and to get a copy
 * of a handle with fewer rights (send it to the sink, take last.handle[0]).
 */
struct ipc_sink {
	keel_handle_t ep;
	volatile uint32_t count;   /* messages taken, LABEL_QUIT included */
	volatile int32_t last_err; /* what the failing receive gave, or 0 */
	volatile uint32_t done;
	struct keel_msg last;
	uint8_t buf[KEEL_MSG_BUF_MAX];
};

static inline int ipc_sink_run(uint32_t arg)
{
	struct ipc_sink *s = (struct ipc_sink *)arg;
	struct keel_msg m;
	int32_t r;

	for (;;) {
		memset(&m, 0, sizeof(m));
		m.buf = s->buf;
		m.cap = sizeof(s->buf);
		r = keel_recv(s->ep, &m, IPC_WAIT_US);
		if (r < 0) {
			s->last_err = r;
			break;
		}
		s->last = m;
		s->count++;
		if (m.label == LABEL_QUIT)
			break;
	}
	s->done = 1;
	return 0;
}

/* Start the sink @s (its ep set) with @st = {ipc_sink_run, (uint32_t)s}; wait till it waits. */
static inline bool ipc_sink_start(struct ipc_sink *s, const struct keel_thread_start *st)
{
	s->count = 0;
	s->last_err = 0;
	s->done = 0;
	if (!CHECK(ipc_thread(st, KEEL_PRIO_USER) > 0))
		return false;
	ipc_settle(); /* it runs, and blocks in its receive */
	return true;
}

/* Send @m to the sink's endpoint (it must be waiting). */
static inline int32_t ipc_sink_send(struct ipc_sink *s, struct keel_msg *m)
{
	return keel_send(s->ep, m, IPC_WAIT_US);
}

/* Stop the sink and wait for it to leave. */
static inline void ipc_sink_stop(struct ipc_sink *s)
{
	struct keel_msg m = {.label = LABEL_QUIT};

	if (!s->done)
		CHECK_EQ(keel_send(s->ep, &m, IPC_WAIT_US), 0);
	ipc_await_flag(&s->done);
}

/* A copy of @h through the sink, with @rights (0: the same as @h's); a handle or an error. */
static inline int32_t ipc_copy(struct ipc_sink *s, keel_handle_t h, uint32_t rights)
{
	struct keel_msg m = {.label = 1, .nhandles = 1};
	uint32_t before = s->count;
	int32_t r;

	m.handle[0] = h;
	m.rights[0] = rights;
	r = ipc_sink_send(s, &m);
	if (r < 0)
		return r;
	for (int i = 0; i < IPC_POLLS && s->count == before; i++)
		keel_sleep_us(IPC_POLL_US);
	if (!CHECK_EQ(s->last.nhandles, 1))
		return KEEL_ERR_INVALID;
	ipc_settle(); /* the sink is back in its receive */
	return s->last.handle[0];
}

/*
 * A link of a chain of nested calls (t_ipc_pi): take one call on @in,
 * whose word[1] is the links passed so far; call @out with word[1] one
 * more; reply with what came back, or with word[0] = the error of the
 * call out and word[1] = this link's place. The last link's @out has no
 * receiver: its call must be refused (LIMIT) when the chain is too deep.
 */
#define LINK_WAIT_US 1000000u
struct ipc_link {
	keel_handle_t in, out;
	volatile uint32_t done;
};

static inline int ipc_link_run(uint32_t arg)
{
	struct ipc_link *l = (struct ipc_link *)arg;
	struct keel_msg m = {0}, fwd = {.label = LABEL_CHAIN};
	int32_t r;

	if (CHECK_EQ(keel_recv(l->in, &m, IPC_WAIT_US), 0)) {
		fwd.word[1] = m.word[1] + 1;
		r = keel_call(l->out, &fwd, LINK_WAIT_US);
		m.word[0] = r == 0 ? fwd.word[0] : (uint32_t)r;
		m.word[1] = r == 0 ? fwd.word[1] : m.word[1] + 1;
		m.flags = 0;
		CHECK_EQ(keel_reply(&m), 0);
	}
	l->done = 1;
	return 0;
}

/* The links in a child task: links 6..8 of the chain, the first on GIVEN. */
static inline int ipc_links_child(void)
{
	static struct ipc_link links[3];
	static struct keel_thread_start st[2] = {{ipc_link_run, (uint32_t)&links[0]},
	                                         {ipc_link_run, (uint32_t)&links[1]}};

	links[0].in = KEEL_SPAWN_GIVEN;
	for (int i = 0; i < 3; i++) {
		links[i].out = keel_endpoint_create(NULL);
		CHECK(links[i].out > 0);
		if (i > 0)
			links[i].in = links[i - 1].out;
	}
	for (int i = 0; i < 2; i++)
		CHECK(ipc_thread(&st[i], KEEL_PRIO_USER) > 0);
	ipc_link_run((uint32_t)&links[2]);
	ipc_await_threads(1);
	return utest_done();
}

#endif
