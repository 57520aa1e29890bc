/*
 * t_ipc_rate.c - rate limits on endpoints and channels.
 *
 * An endpoint or channel made with limits {rate, burst} lets at most
 * `burst` messages through at once and `rate` a second after that: each
 * send or call takes a token, and with none left it is refused at once
 * with OVER_RATE and nothing is sent. This is how a server protects
 * itself from a flooding client without trusting it. The cases spend a
 * burst, check the refusal and that nothing got through, then sleep long
 * enough for a token to come back. The rates are low (tens a second) so
 * that a burst sent back to back never earns a token in between, and
 * the sleeps long enough that one surely has.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "ipc_test.h"

#define RATE     20u     /* a token every 50 ms */
#define REFILL   120000u /* more than one token's time */
#define BURST    3u
#define UNLIMITS 50u

static void case_channel_burst(void)
{
	struct keel_ipc_limits lim = {.rate = RATE, .burst = BURST};
	struct keel_msg m = {0};
	int32_t ch = keel_channel_create(16, 0, &lim);

	if (!CHECK(ch > 0))
		return;
	for (uint32_t i = 0; i < BURST; i++) {
		m.label = i;
		CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	}
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_OVER_RATE);
	CHECK_EQ(keel_channel_send(ch, &m, IPC_WAIT_US), KEEL_ERR_OVER_RATE); /* at once */
	for (uint32_t i = 0; i < BURST; i++) {
		CHECK_EQ(keel_channel_recv(ch, &m, 0), 0);
		CHECK_EQ(m.label, i);
	}
	CHECK_EQ(keel_channel_recv(ch, &m, 0), KEEL_ERR_TIMED_OUT); /* the refused left nothing */
	keel_sleep_us(REFILL);
	m.label = 9;
	CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	CHECK_EQ(keel_channel_recv(ch, &m, 0), 0);
	CHECK_EQ(m.label, 9);
	CHECK_EQ(keel_handle_close(ch), 0);
}

/* Sends and calls on a limited endpoint take tokens; a sink counts what arrives. */
static void case_endpoint_burst(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	struct keel_ipc_limits lim = {.rate = RATE, .burst = BURST};
	struct keel_msg m = {0};

	sink.ep = keel_endpoint_create(&lim);
	if (!CHECK(sink.ep > 0) || !ipc_sink_start(&sink, &st))
		return;
	for (uint32_t i = 0; i < BURST; i++) {
		m.label = i + 1;
		CHECK_EQ(ipc_sink_send(&sink, &m), 0);
	}
	CHECK_EQ(ipc_sink_send(&sink, &m), KEEL_ERR_OVER_RATE);
	CHECK_EQ(keel_call(sink.ep, &m, IPC_WAIT_US), KEEL_ERR_OVER_RATE);
	keel_sleep_us(REFILL);
	CHECK_EQ(sink.count, BURST); /* the refused ones never arrived */
	ipc_sink_stop(&sink);        /* the quit takes the token that came back */
	CHECK_EQ(sink.count, BURST + 1);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* A rate with burst 0 is a burst of 1; rate 0 is no limit at all. */
static void case_defaults(void)
{
	struct keel_ipc_limits one = {.rate = RATE}, none = {.burst = 5};
	struct keel_msg m = {0};
	int32_t ch = keel_channel_create(KEEL_CHANNEL_DEPTH_MAX, 0, &one);

	if (!CHECK(ch > 0))
		return;
	CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	CHECK_EQ(keel_channel_send(ch, &m, 0), KEEL_ERR_OVER_RATE);
	CHECK_EQ(keel_handle_close(ch), 0);

	ch = keel_channel_create(KEEL_CHANNEL_DEPTH_MAX, 0, &none);
	if (!CHECK(ch > 0))
		return;
	for (uint32_t i = 0; i < UNLIMITS; i++)
		CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	CHECK_EQ(keel_handle_close(ch), 0);
	ch = keel_channel_create(KEEL_CHANNEL_DEPTH_MAX, 0, NULL);
	for (uint32_t i = 0; i < UNLIMITS; i++)
		CHECK_EQ(keel_channel_send(ch, &m, 0), 0);
	CHECK_EQ(keel_handle_close(ch), 0);
}

static const struct utest_case cases[] = {
    {"channel_burst", case_channel_burst},
    {"endpoint_burst", case_endpoint_burst},
    {"defaults", case_defaults},
};

int main(uint32_t which)
{
	return utest_run("t_ipc_rate", cases, sizeof(cases) / sizeof(cases[0]), which);
}
