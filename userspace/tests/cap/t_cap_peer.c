/*
 * t_cap_peer.c - the other task of slice 5's tests.
 *
 * Capabilities are only worth what they deny another task, so most
 * attacks need a second one: a holder of a copy that is revoked while it
 * uses it, a task that maps a shared run of frames, one that tries to
 * write through a read-only mapping, one that guesses handles. What it
 * works on comes as KEEL_SPAWN_GIVEN. Its argument is PEER_ARG(role,
 * param) (cap_test.h); its exit status is the number of failed checks,
 * or what the role reports.
 */
#include "cap_test.h"

#define G KEEL_SPAWN_GIVEN

/* Signal @h until it is refused; the error, as a positive status. */
static int use_until_refused(keel_handle_t h)
{
	int32_t r;

	while ((r = keel_notify_signal(h, 1)) == 0)
		keel_yield();
	return -r;
}

/* Map GIVEN read-only at MAP_AT and check its first @pages pages hold the pattern. */
static volatile uint32_t *map_checked(uint32_t pages)
{
	volatile uint32_t *p = (volatile uint32_t *)MAP_AT;

	if (!CHECK_EQ(keel_frames_map(G, (void *)MAP_AT, 0), 0))
		return NULL;
	for (uint32_t i = 0; i < pages * 1024; i += 1024)
		CHECK_EQ(p[i], PATTERN(i));
	return p;
}

/* Every call that takes a handle refuses @p h, which is not one of ours. */
static void forge_one(uint32_t h)
{
	struct keel_msg m = {0};
	struct keel_cap_info ci;
	uint32_t bits;

	if (h == (uint32_t)G || h == KEEL_SELF)
		return;
	CHECK(keel_cap_info((int32_t)h, &ci) < 0);
	CHECK(keel_send((int32_t)h, &m, 0) < 0);
	CHECK(keel_notify_wait((int32_t)h, &bits, 0) < 0);
	CHECK(keel_cap_derive((int32_t)h, KEEL_RIGHT_READ, 0) < 0);
	CHECK(keel_cap_revoke((int32_t)h) < 0);
	CHECK(keel_frames_map((int32_t)h, (void *)MAP_AT, 0) < 0);
	CHECK(keel_frames_alloc((int32_t)h, 1) < 0);
	CHECK(keel_task_kill((int32_t)h) < 0);
	CHECK(keel_handle_close((int32_t)h) < 0);
}

/* The spawner's handle @p theirs and its neighbours, and every small number. */
static void forge(uint32_t theirs)
{
	forge_one(theirs);
	forge_one(theirs + 1);
	forge_one(theirs - 1);
	for (uint32_t h = 1; h < 2 * KEEL_HANDLES_DEFAULT; h++)
		forge_one(h);
}

/* Take a notification over GIVEN (an endpoint), then use it until refused. */
static int recv_use(void)
{
	struct keel_msg m = {0};

	if (!CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), 0) || !CHECK_EQ(m.nhandles, 1))
		return 100;
	return use_until_refused(m.handle[0]);
}

/* Take a call on GIVEN (an endpoint) bringing a frames capability, map it
 * read-only, reply, then read it until a fault (its revocation) ends us. */
static void read_loop(void)
{
	struct keel_msg m = {0};
	volatile uint32_t *p = (volatile uint32_t *)MAP_AT;

	if (!CHECK_EQ(keel_recv(G, &m, IPC_WAIT_US), 0) || !CHECK_EQ(m.nhandles, 1))
		return;
	CHECK_EQ(keel_frames_map(m.handle[0], (void *)MAP_AT, 0), 0);
	CHECK_EQ(p[0], PATTERN(0));
	memset(&m, 0, sizeof(m));
	CHECK_EQ(keel_reply(&m), 0);
	for (;;)
		(void)p[0]; /* until the mapping is revoked under it */
}

/* Spawn hello through the archive capability GIVEN, expecting @p want;
 * without naming one (KEEL_ROOT_ARCHIVE, which no spawned task holds),
 * the spawn is refused whatever GIVEN is. */
static void spawn_through(int32_t want)
{
	struct keel_spawn opts = {.archive = G};
	int status = -1;
	int32_t r = keel_task_spawn("hello", 5, &opts);

	CHECK_EQ(r > 0 ? 0 : r, want);
	if (r > 0) {
		CHECK_EQ(keel_task_wait(r, &status, IPC_WAIT_US), 0);
		CHECK_EQ(status, 0);
		keel_handle_close(r);
	}
	CHECK_EQ(keel_task_spawn("hello", 5, NULL), KEEL_ERR_BAD_HANDLE);
}

int main(uint32_t arg)
{
	uint32_t param = arg >> 8;
	volatile uint32_t *p;

	switch (arg & 0xff) {
	case CAPPEER_USE:
		return use_until_refused(G);
	case CAPPEER_MAP_READ:
		map_checked(param);
		break;
	case CAPPEER_WRITE_RO:
		if ((p = map_checked(1)) != NULL)
			p[0] = 1; /* the mapping is read-only: this faults */
		return 200;
	case CAPPEER_READ_LOOP:
		read_loop();
		break;
	case CAPPEER_FORGE:
		forge(param);
		break;
	case CAPPEER_RECV_USE:
		return recv_use();
	case CAPPEER_SPAWN:
		spawn_through(-(int32_t)param);
		break;
	case CAPPEER_NO_MEMORY:
		CHECK_EQ(keel_frames_alloc(KEEL_ROOT_MEMORY, 1), KEEL_ERR_BAD_HANDLE);
		CHECK_EQ(keel_frames_alloc(KEEL_SELF, 1), KEEL_ERR_WRONG_TYPE);
		CHECK_EQ(keel_frames_alloc(G, 1), KEEL_ERR_WRONG_TYPE);
		break;
	default:
		return 255;
	}
	return utest_done();
}
