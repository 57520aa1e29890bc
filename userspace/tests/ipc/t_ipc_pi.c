/*
 * t_ipc_pi.c - priority inheritance through IPC calls.
 *
 * The classic inversion: a high-priority client (90) calls a server at
 * low priority (10) while a thread of middling priority (50) wants the
 * CPU. Without inheritance the server never runs until the spinner is
 * done, and the client waits on the spinner, a thread it has nothing to
 * do with. With it, the server runs at 90 while it holds the client's
 * reply right, and the client is answered first. The spinner spins until
 * the client is done or for a bounded time, so a kernel without
 * inheritance fails these cases instead of hanging.
 *
 * The cases: the inversion; the same through a chain (client -> A -> B,
 * both at 10); the priority dropping back after the reply and after the
 * caller's timeout (the server, back at 10, must not run while the
 * spinner at 50 can); and a chain of nested calls deeper than
 * INHERIT_CHAIN_MAX refused with LIMIT. One CPU, strict fixed
 * priorities; the main thread (100) blocks while the others run.
 *
 * Needs up to 7 threads: the in-kernel wrapper spawns it with a thread
 * limit of 8. The argument picks a case (1..N) or all of them (0); the
 * exit status is the number of failed checks.
 */
#include "ipc_test.h"

#define P_SERVER  10u
#define P_SPIN    50u
#define P_CLIENT  90u
#define SPIN_US   300000u /* the spinner's bound: far past a served call */
#define WATCH_US  20000u  /* how long the spinner watches the server's counter */
#define CHAIN_EPS 6       /* endpoints here: links 1..5 and the child's first */

static keel_handle_t ep[CHAIN_EPS];
static volatile uint32_t client_done, spinner_done, stop, spin_bound_hit;
static volatile uint32_t counter, counter_at_client, counter_at_spin, counter_after_spin;
static volatile int32_t client_r, server_r;

/* Spin until the client is done, or SPIN_US passed (then the case fails). */
static int spinner(uint32_t arg)
{
	uint64_t end = keel_now_us() + SPIN_US;

	(void)arg;
	while (!client_done && keel_now_us() < end)
		;
	spin_bound_hit = !client_done;
	spinner_done = 1;
	return 0;
}

/* Watch the server's counter for WATCH_US: it must not move. */
static int watcher(uint32_t arg)
{
	uint64_t end = keel_now_us() + WATCH_US;

	(void)arg;
	counter_at_spin = counter;
	while (keel_now_us() < end)
		;
	counter_after_spin = counter;
	stop = 1;
	spinner_done = 1;
	return 0;
}

/* Serve one call on ep[@i] at once. */
static int server(uint32_t i)
{
	struct keel_msg m = {0};

	if (CHECK_EQ(keel_recv(ep[i], &m, IPC_WAIT_US), 0)) {
		m.word[0]++;
		m.flags = 0;
		server_r = keel_reply(&m);
	}
	return 0;
}

/*
 * Take one call on ep[0]; reply at once (arg 0) or never in time (arg 1);
 * then count until told to stop (bounded), and reply if it did not.
 */
static int counting_server(uint32_t late)
{
	struct keel_msg m = {0};
	uint64_t end;

	if (!CHECK_EQ(keel_recv(ep[0], &m, IPC_WAIT_US), 0))
		return 0;
	m.flags = 0;
	if (!late)
		server_r = keel_reply(&m);
	end = keel_now_us() + SPIN_US;
	while (!stop && keel_now_us() < end)
		counter++;
	if (late)
		server_r = keel_reply(&m);
	return 0;
}

static int client(uint32_t timeout)
{
	struct keel_msg m = {.word = {1}};

	client_r = keel_call(ep[0], &m, timeout);
	counter_at_client = counter;
	client_done = 1;
	return 0;
}

static void reset(void)
{
	client_done = spinner_done = stop = spin_bound_hit = 0;
	counter = counter_at_client = counter_at_spin = counter_after_spin = 0;
	client_r = server_r = 1;
	for (int i = 0; i < CHAIN_EPS; i++)
		ep[i] = keel_endpoint_create(NULL);
}

static void finish(void)
{
	ipc_await_threads(1);
	for (int i = 0; i < CHAIN_EPS; i++)
		CHECK_EQ(keel_handle_close(ep[i]), 0);
}

/* Start a thread running @fn(@arg) at @prio. */
static void go(int (*fn)(uint32_t), uint32_t arg, uint32_t prio)
{
	static struct keel_thread_start st[8];
	static unsigned next;
	struct keel_thread_start *s = &st[next++ % 8];

	s->fn = fn;
	s->arg = arg;
	CHECK(ipc_thread(s, prio) > 0);
}

static void case_inversion(void)
{
	reset();
	go(server, 0, P_SERVER);
	ipc_settle(); /* it waits in its receive */
	go(spinner, 0, P_SPIN);
	go(client, IPC_WAIT_US, P_CLIENT);
	ipc_await_flag(&spinner_done); /* main blocks: the others run */
	CHECK_EQ(client_r, 0);
	CHECK_EQ(spin_bound_hit, 0); /* the client was served while the spinner could run */
	ipc_await_threads(1);        /* the server, back at 10, stores its result last */
	CHECK_EQ(server_r, 0);
	finish();
}

/* Link i of the chain here: takes a call on ep[i], calls ep[i + 1]. */
static struct ipc_link links[CHAIN_EPS - 1];

static void start_links(unsigned n, uint32_t prio)
{
	for (unsigned i = 0; i < n; i++) {
		links[i].in = ep[i];
		links[i].out = ep[i + 1];
		links[i].done = 0;
		go(ipc_link_run, (uint32_t)&links[i], prio);
	}
}

/* client -> A -> B, A and B at 10: B must inherit 90 through A. */
static void case_chain(void)
{
	reset();
	start_links(1, P_SERVER); /* A: ep[0] -> ep[1] */
	go(server, 1, P_SERVER);  /* B: ep[1] */
	ipc_settle();
	go(spinner, 0, P_SPIN);
	go(client, IPC_WAIT_US, P_CLIENT);
	ipc_await_flag(&spinner_done);
	CHECK_EQ(client_r, 0);
	CHECK_EQ(spin_bound_hit, 0);
	ipc_await_flag(&links[0].done);
	finish();
}

/*
 * After the reply (late 0) or the caller's timeout (late 1) the server
 * is back at 10: once the client is done, the spinner (here a watcher of
 * the server's counter) runs, and the server does not until it stops.
 */
static void restore(uint32_t late)
{
	reset();
	go(counting_server, late, P_SERVER);
	ipc_settle();
	go(watcher, 0, P_SPIN);
	go(client, late ? IPC_SHORT_US : IPC_WAIT_US, P_CLIENT);
	ipc_await_flag(&spinner_done);
	CHECK_EQ(client_r, late ? KEEL_ERR_TIMED_OUT : 0);
	CHECK_EQ(counter_at_spin, counter_at_client); /* it did not run in between */
	CHECK_EQ(counter_after_spin, counter_at_spin);
	ipc_await_threads(1);
	CHECK_EQ(server_r, late ? KEEL_ERR_GONE : 0);
	finish();
}

static void case_restore_after_reply(void)
{
	restore(0);
}

static void case_restore_after_timeout(void)
{
	restore(1);
}

/*
 * A chain of nested calls: the client (main) calls link 1 here; links
 * 1..5 are threads here, 6..8 threads of a child (t_ipc_peer's
 * PEER_LINKS). Link 8 already serves a chain of 8 below the client, so
 * its own call is one too deep: LIMIT, which comes back in the reply.
 */
static void case_chain_limit(void)
{
	struct keel_msg m = {.label = LABEL_CHAIN};
	int32_t child;

	reset();
	start_links(CHAIN_EPS - 1, KEEL_PRIO_USER);
	child = ipc_spawn("t_ipc_peer", PEER_LINKS, ep[CHAIN_EPS - 1], KEEL_RIGHT_RECV);
	CHECK(child > 0);
	CHECK_EQ(keel_call(ep[0], &m, IPC_WAIT_US), 0);
	CHECK_EQ((int32_t)m.word[0], KEEL_ERR_LIMIT);
	CHECK_EQ(m.word[1], 8); /* the link whose call was refused */
	CHECK_EQ(ipc_reap(child), 0);
	finish();
}

static const struct utest_case cases[] = {
    {"inversion", case_inversion},
    {"chain", case_chain},
    {"restore_after_reply", case_restore_after_reply},
    {"restore_after_timeout", case_restore_after_timeout},
    {"chain_limit", case_chain_limit},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_pi", cases, sizeof(cases) / sizeof(cases[0]), which);
}
