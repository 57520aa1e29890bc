/*
 * t_dev_client.c - a client of the console server, for slice 6's tests.
 *
 * CLIENT_STREAM writes its numbered lines, each of which must be taken
 * whole (console_write() waits out the rate limit); CLIENT_FLOOD writes
 * as fast as it can without waiting, and must be told OVER_RATE: the
 * server's limit is what keeps it from taking the line from the others.
 * The exit status is the number of failed checks.
 */
#include "srv_test.h"

static void stream(uint32_t client, uint32_t count)
{
	char line[16];

	for (uint32_t i = 0; i < count; i++) {
		int n = snprintf(line, sizeof(line), "c%02u %05u\n", client, i);
		if (!CHECK_EQ(console_write(KEEL_SPAWN_GIVEN, line, (uint32_t)n), n))
			return; /* the rest would fail the same way, each after a timeout */
	}
}

static void flood(uint32_t count)
{
	static char buf[KEEL_MSG_BUF_MAX];
	uint32_t refused = 0, taken = 0;

	memset(buf, 'F', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\n';
	for (uint32_t i = 0; i < count; i++) {
		struct keel_msg m = {.label = CON_WRITE, .buf = buf, .len = sizeof(buf)};
		if (!CHECK_EQ(keel_call(KEEL_SPAWN_GIVEN, &m, DM_WAIT_US), 0))
			return;
		if ((int32_t)m.word[0] == KEEL_ERR_OVER_RATE)
			refused++;
		else if (CHECK_EQ(m.word[0], sizeof(buf)))
			taken++;
	}
	printf("# t_dev_client: flood: %u taken, %u refused\n", taken, refused);
	CHECK(refused > 0);
}

int main(uint32_t arg)
{
	uint32_t role = arg & 0xff, client = (arg >> 8) & 0xff, count = (arg >> 16) & 0x7fff;

	if (!CHECK(arg & CONSOLE_ARG))
		return utest_done();
	if (role == CLIENT_STREAM)
		stream(client, count);
	else if (role == CLIENT_FLOOD)
		flood(count);
	else
		CHECK(false);
	return utest_done();
}
