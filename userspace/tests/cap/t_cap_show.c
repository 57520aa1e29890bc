/*
 * t_cap_show.c - a small capability graph across three tasks, held still
 * until killed, for the monitor's `caps`, `captree` and `capgraph`, GDB's
 * `keel caps` and `keel captree`, and `make capgraph`.
 *
 * The in-kernel test cap.cap_monitor.show spawns this program (argument
 * 0: main). Like every program the kernel spawns itself, main holds the
 * original memory capability, KEEL_ROOT_MEMORY (slot 2). It builds:
 *   slot 1  an endpoint (its original, every right);
 *   slot 3  a capability derived from it: send, grant, derive;
 *   slot 4  a run of 4 frames taken from memory (original), mapped
 *           writable at MAIN_VA;
 *   slot 5  pages 2-3 of the run derived from slot 4: read, write, grant, map;
 *   slot 6  the sender (this program, argument ROLE_SENDER), given slot 3
 *           with send and derive: it derives a send-only capability from
 *           that (its slot 2) and calls the endpoint through it; nobody
 *           receives, so it waits as a caller for ever;
 *   slot 7  the sharer (argument ROLE_SHARER), given slot 5 with read,
 *           write and map: it maps its pages 2-3 at SHARER_VA, writes
 *           SHOW_MAGIC there, then waits on a notification of its own
 *           (its slot 2) that nobody signals.
 * So the endpoint's tree is four deep across two tasks, and the frames
 * are shared memory: main sees the sharer's word at MAIN_VA + 2 pages,
 * and waits (yielding, never blocked) until it does. Then main waits for
 * the sender to end, and all three tasks are BLOCKED for ever. Killing
 * the two children (the test does) lets main collect both and end with
 * 0; any step that fails ends its task with the failures counted (utest).
 */
#include <utest.h>

#define ROLE_MAIN   0
#define ROLE_SENDER 1
#define ROLE_SHARER 2

#define RUN_PAGES  4
#define MAIN_VA    0x40000000u
#define SHARER_VA  0x48000000u
#define SHOW_MAGIC 0xCA9AB1E5u
#define POLLS      1000000

#define H(slot) ((int32_t)((slot) | 1 << KEEL_HANDLE_INDEX_BITS)) /* a fresh slot's handle */

static const char prog[] = "t_cap_show";

/* Spawn this program as @p role, given @p give with @p rights. */
static int32_t spawn_role(uint32_t role, int32_t give, uint32_t rights)
{
	struct keel_spawn opts = {.arg = role, .give = give, .give_rights = rights};

	return keel_task_spawn(prog, sizeof(prog) - 1, &opts);
}

static int sender(void)
{
	struct keel_msg m = {.label = 1};
	int32_t h = keel_cap_derive(KEEL_SPAWN_GIVEN, KEEL_RIGHT_SEND, 0);

	if (CHECK_EQ(h, H(2)))
		CHECK_EQ(keel_call(h, &m, KEEL_TIMEOUT_NEVER), 0); /* until killed */
	return utest_done();
}

static int sharer(void)
{
	uint32_t bits;
	int32_t n;

	if (!CHECK_EQ(keel_frames_map(KEEL_SPAWN_GIVEN, (void *)SHARER_VA, KEEL_PROT_WRITE), 0))
		return utest_done();
	*(volatile uint32_t *)SHARER_VA = SHOW_MAGIC;
	if (CHECK_EQ(n = keel_notify_create(), H(2)))
		CHECK_EQ(keel_notify_wait(n, &bits, KEEL_TIMEOUT_NEVER), 0); /* until killed */
	return utest_done();
}

/* Slots 1 to 5 of main, as the opening comment lists them. */
static bool build(void)
{
	const uint32_t half =
	    KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_GRANT | KEEL_RIGHT_MAP;

	return CHECK_EQ(keel_endpoint_create(NULL), H(1)) &&
	       CHECK_EQ(
	           keel_cap_derive(H(1), KEEL_RIGHT_SEND | KEEL_RIGHT_GRANT | KEEL_RIGHT_DERIVE, 0),
	           H(3)) &&
	       CHECK_EQ(keel_frames_alloc(KEEL_ROOT_MEMORY, RUN_PAGES), H(4)) &&
	       CHECK_EQ(keel_frames_map(H(4), (void *)MAIN_VA, KEEL_PROT_WRITE), 0) &&
	       CHECK_EQ(keel_cap_derive(H(4), half, KEEL_RANGE(2, 2)), H(5));
}

/* Wait (busy, so never BLOCKED meanwhile) for the sharer's word in page 2. */
static bool shared_word_seen(void)
{
	volatile uint32_t *word = (volatile uint32_t *)(MAIN_VA + 2 * KEEL_PAGE_SIZE);

	for (int i = 0; i < POLLS && *word != SHOW_MAGIC; i++)
		keel_yield();
	return CHECK_EQ(*word, SHOW_MAGIC);
}

static int show(void)
{
	int status = 0;

	if (!build() ||
	    !CHECK_EQ(spawn_role(ROLE_SENDER, H(3), KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE), H(6)) ||
	    !CHECK_EQ(
	        spawn_role(ROLE_SHARER, H(5), KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_MAP),
	        H(7)) ||
	    !shared_word_seen())
		return utest_done();
	/* Held still here until the test kills the children. */
	CHECK_EQ(keel_task_wait(H(6), &status, KEEL_TIMEOUT_NEVER), 0);
	CHECK_EQ(status, KEEL_KILLED_STATUS);
	CHECK_EQ(keel_task_wait(H(7), &status, KEEL_TIMEOUT_NEVER), 0);
	CHECK_EQ(status, KEEL_KILLED_STATUS);
	return utest_done();
}

int main(uint32_t arg)
{
	if (arg == ROLE_SENDER)
		return sender();
	if (arg == ROLE_SHARER)
		return sharer();
	CHECK_EQ(arg, ROLE_MAIN);
#if KEEL_SLICES >= 6
	/* The hardware capabilities of slice 6 are not what the pictures show. */
	CHECK_EQ(keel_handle_close(KEEL_ROOT_IRQ), 0);
	CHECK_EQ(keel_handle_close(KEEL_ROOT_IOPORT), 0);
	CHECK_EQ(keel_handle_close(KEEL_ROOT_DEVICE), 0);
#endif
	return show();
}
