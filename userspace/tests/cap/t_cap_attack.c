/*
 * t_cap_attack.c - a hostile program against its own capability space.
 *
 * "No ambient authority" is a claim about what a task cannot do, so each
 * case here is an attack, and each must get a clear error, change
 * nothing, and leave the kernel running: guessing handles (random values,
 * the slots next to a live one, older generations of a reused slot);
 * using a capability after it was revoked; deriving more rights than it
 * holds, or without the right to derive; passing a capability on without
 * the right to grant; reaching another task's objects by its handle
 * numbers; filling its capability space; and revoking a wide and deep
 * tree again and again while other threads use its leaves. Memory
 * attacks are in t_cap_mem.c.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "cap_test.h"

#define SEED 0x5eed5eedu

static uint32_t rnd_state = SEED;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Is @h one of the @n live handles in @live? */
static bool among(int32_t h, const int32_t *live, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (h == live[i])
			return true;
	return false;
}

/* Every capability call on @h is refused with BAD_HANDLE, and nothing changes. */
static void refused(int32_t h)
{
	struct keel_cap_info ci;
	uint32_t before = ipc_handles_now();

	CHECK_EQ(keel_cap_info(h, &ci), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_cap_derive(h, KEEL_RIGHT_READ, 0), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_cap_revoke(h), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_notify_signal(h, 1), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_frames_map(h, (void *)MAP_AT, 0), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_handle_close(h), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(ipc_handles_now(), before);
}

/* Random 32-bit values: none names anything but by one of our own handles. */
static void case_forge_random(void)
{
	int32_t live[4] = {KEEL_SELF, KEEL_ROOT_MEMORY, keel_notify_create(),
	                   keel_endpoint_create(NULL)};
	unsigned tried = 0;

	for (unsigned i = 0; i < 2000; i++) {
		int32_t h = (int32_t)rnd();
		if (h < 0 || among(h, live, 4))
			continue;
		struct keel_cap_info ci;
		if (!CHECK_EQ(keel_cap_info(h, &ci), KEEL_ERR_BAD_HANDLE))
			printf("# t_cap_attack: seed %#x, value %#x was taken\n", SEED,
			       (uint32_t)h);
		tried++;
	}
	CHECK(tried > 900); /* about half are negative */
	for (unsigned i = 0; i < 40; i++)
		refused((int32_t)(rnd() & 0x7fffffffu) | 1 << 20); /* some generation, some slot */
	CHECK_EQ(keel_handle_close(live[2]), 0);
	CHECK_EQ(keel_handle_close(live[3]), 0);
}

/* The slots beside a live handle, and its slot at every nearby generation. */
static void case_forge_neighbours(void)
{
	int32_t n = keel_notify_create();
	uint32_t slot = (uint32_t)n & (KEEL_HANDLES_MAX - 1);
	uint32_t gen = (uint32_t)n >> KEEL_HANDLE_INDEX_BITS;

	if (!CHECK(n > 0))
		return;
	for (uint32_t g = 0; g < gen + 4; g++)
		if (g != gen)
			refused((int32_t)(slot | g << KEEL_HANDLE_INDEX_BITS));
	for (uint32_t s = slot + 1; s < slot + 4; s++)
		if ((int32_t)(s | gen << KEEL_HANDLE_INDEX_BITS) != KEEL_ROOT_MEMORY) /* ours too */
			refused((int32_t)(s | gen << KEEL_HANDLE_INDEX_BITS));
	refused(
	    (int32_t)(KEEL_HANDLES_DEFAULT | gen << KEEL_HANDLE_INDEX_BITS)); /* past the table */
	CHECK_EQ(keel_handle_close(n), 0);
}

/* A reused slot: the old handle names nothing, never the slot's new object. */
static void case_stale_generation(void)
{
	int32_t old = keel_notify_create(), fresh;

	if (!CHECK(old > 0))
		return;
	CHECK_EQ(keel_handle_close(old), 0);
	fresh = keel_endpoint_create(NULL); /* the lowest free slot: the same one */
	if (!CHECK(fresh > 0))
		return;
	CHECK_EQ((uint32_t)fresh & (KEEL_HANDLES_MAX - 1), (uint32_t)old & (KEEL_HANDLES_MAX - 1));
	CHECK(fresh != old);
	refused(old);
	CHECK_EQ(cap_info(fresh).type, KEEL_OBJ_ENDPOINT);
	CHECK_EQ(keel_handle_close(fresh), 0);
}

/* Use after revoke, and rights that grow: every way refused. */
static void case_amplify(void)
{
	int32_t n = keel_notify_create(), d, weak;
	uint32_t bits;

	if (!CHECK(n > 0))
		return;
	d = keel_cap_derive(n, KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE, 0);
	weak = keel_cap_derive(d, KEEL_RIGHT_SEND, 0);
	CHECK_EQ(keel_cap_derive(d, KEEL_RIGHT_SEND | KEEL_RIGHT_RECV, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_cap_derive(d, KEEL_RIGHT_ALL, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_cap_derive(d, KEEL_RIGHT_ALL + 1, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_cap_derive(d, 1u << 31, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_cap_derive(weak, KEEL_RIGHT_SEND, 0), KEEL_ERR_DENIED); /* no DERIVE */
	CHECK_EQ(keel_cap_derive(weak, 0, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_cap_derive(d, KEEL_RIGHT_SEND, KEEL_RANGE(0, 1)), KEEL_ERR_INVALID);
	CHECK_EQ(keel_notify_wait(d, &bits, 0), KEEL_ERR_DENIED); /* it never had RECV */
	CHECK_EQ(cap_derived(n), 2);
	CHECK_EQ(keel_cap_revoke(n), 0);
	refused(d);
	refused(weak);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* Passing a capability on needs GRANT: in a message and at spawn. */
static void case_grant_needs_right(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL), n = keel_notify_create(), nog;

	if (!CHECK(ep > 0 && n > 0))
		return;
	nog = keel_cap_derive(n, KEEL_RIGHT_ALL & ~KEEL_RIGHT_GRANT, 0);
	m.nhandles = 1;
	m.handle[0] = nog;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_DENIED); /* refused before any wait */
	m.flags = KEEL_MSG_MOVE;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_DENIED);
	CHECK_EQ(ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_USE, 0), nog, KEEL_RIGHT_SEND),
	         KEEL_ERR_DENIED);
	/* Granted rights are no more than held, even with GRANT. */
	CHECK_EQ(ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_USE, 0),
	                   keel_cap_derive(n, KEEL_RIGHT_GRANT, 0), KEEL_RIGHT_SEND),
	         KEEL_ERR_DENIED);
	CHECK_EQ(cap_derived(n), 2); /* nog and the grant-only one; nothing passed */
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* Another task's handle numbers mean nothing here, and ours nothing there. */
static void case_other_tasks(void)
{
	/* The filler takes slot 1, so n is not in the slot the child's GIVEN has. */
	int32_t filler = keel_notify_create(), n = keel_notify_create(), child;
	int32_t peer_task;

	if (!CHECK(filler > 0 && n > 0))
		return;
	CHECK((n & (KEEL_HANDLES_MAX - 1)) != (KEEL_SPAWN_GIVEN & (KEEL_HANDLES_MAX - 1)));
	/* The child tries our handle's number, and others: none names anything. */
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_FORGE, (uint32_t)n), n, KEEL_RIGHT_READ);
	CHECK_EQ(ipc_reap(child), 0);
	/* A child given no memory capability cannot take frames. */
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_NO_MEMORY, 0), n, KEEL_RIGHT_READ);
	CHECK_EQ(ipc_reap(child), 0);
	/* A task handle with fewer rights: no kill, no wait. */
	peer_task = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_USE, 0), n, KEEL_RIGHT_SEND);
	int32_t ro = keel_cap_derive(peer_task, KEEL_RIGHT_READ, 0);
	int status;
	CHECK_EQ(keel_task_kill(ro), KEEL_ERR_DENIED);
	CHECK_EQ(keel_task_wait(ro, &status, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_cap_revoke(n), 0); /* its copy goes: it stops on its own */
	CHECK_EQ(ipc_reap(peer_task), -KEEL_ERR_BAD_HANDLE);
	CHECK(!cap_live(ro)); /* derived from the task handle ipc_reap closed */
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(filler), 0);
}

/* A full space refuses every new capability, and works again once one goes. */
static void case_fill_space(void)
{
	int32_t n = keel_notify_create(), h = 0, last = 0;
	uint32_t made = 0, before;

	if (!CHECK(n > 0))
		return;
	before = ipc_handles_now();
	while ((h = keel_cap_derive(n, KEEL_RIGHT_SEND, 0)) > 0) {
		last = h;
		made++;
	}
	CHECK_EQ(h, KEEL_ERR_LIMIT);
	CHECK_EQ(ipc_handles_now(), KEEL_HANDLES_DEFAULT);
	CHECK_EQ(made, KEEL_HANDLES_DEFAULT - before);
	CHECK_EQ(keel_notify_create(), KEEL_ERR_LIMIT);
	CHECK_EQ(keel_cap_revoke(n), 0);
	CHECK_EQ(ipc_handles_now(), before);
	refused(last);
	/* Spawn sizes out of range. */
	struct keel_spawn bad = {.slots = 1};
	CHECK_EQ(keel_task_spawn("t_cap_peer", 10, &bad), KEEL_ERR_INVALID);
	bad.slots = KEEL_HANDLES_MAX + 1;
	CHECK_EQ(keel_task_spawn("t_cap_peer", 10, &bad), KEEL_ERR_INVALID);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* Threads signal through leaves while the tree above them is revoked again and again. */
#define USERS  3
#define ROUNDS 30
static volatile int32_t leaf[USERS];
static volatile uint32_t users_stop, users_done, uses_ok, uses_refused, uses_wrong;

static int user_thread(uint32_t i)
{
	while (!users_stop) {
		int32_t r = keel_notify_signal(leaf[i], 1);
		if (r == 0)
			uses_ok++;
		else if (r == KEEL_ERR_BAD_HANDLE)
			uses_refused++;
		else
			uses_wrong++;
		keel_yield();
	}
	users_done++;
	return 0;
}

/* A tree under @n: a chain of 8, each link with 4 leaves; the leaves for the users. */
static void grow(int32_t n)
{
	int32_t from = n;

	for (unsigned d = 0; d < 8; d++) {
		for (unsigned w = 0; w < 4; w++) {
			int32_t l = keel_cap_derive(from, KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE, 0);
			if (d == 7 && w < USERS)
				leaf[w] = l;
		}
		from = keel_cap_derive(from, KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE, 0);
	}
}

static void case_revoke_in_use(void)
{
	static struct keel_thread_start st[USERS];
	int32_t n = keel_notify_create();
	uint32_t before = ipc_handles_now(), bits;

	if (!CHECK(n > 0))
		return;
	grow(n);
	CHECK_EQ(cap_derived(n), 40);
	for (uint32_t i = 0; i < USERS; i++) {
		st[i] = (struct keel_thread_start){user_thread, i};
		CHECK(ipc_thread(&st[i], KEEL_PRIO_USER) > 0);
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		keel_sleep_us(200);
		CHECK_EQ(keel_cap_revoke(n), 0);
		CHECK_EQ(cap_derived(n), 0);
		CHECK_EQ(ipc_handles_now(), before);
		keel_sleep_us(200); /* the users find their leaves gone */
		grow(n);
	}
	users_stop = 1;
	ipc_await_threads(1);
	CHECK_EQ(users_done, USERS);
	CHECK_EQ(uses_wrong, 0);
	CHECK(uses_ok > 0);
	CHECK(uses_refused > 0);
	printf("# t_cap_attack: %u uses went through, %u were refused\n", uses_ok, uses_refused);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(ipc_handles_now(), before - 1);
}

/* -- Each call refuses a handle without the rights abi.h says it needs. */

static const struct need {
	const char *name;
	uint32_t nr, nargs, type, rights;
} needs[] = {
#define CAP_TEST_NEED_(name, type, rights) {#name, KEEL_SYS_##name, 0, (type), (rights)},
    KEEL_CALL_NEEDS(CAP_TEST_NEED_)
#undef CAP_TEST_NEED_
};

static const uint8_t nargs_of[KEEL_SYS_COUNT] = {
#define CAP_TEST_NARGS_(name, nr, nargs) [nr] = (nargs),
    KEEL_SYSCALLS(CAP_TEST_NARGS_)
#undef CAP_TEST_NARGS_
};

/* A handle to a new object of @p type, every right (0 if the type takes none). */
static int32_t object_of(uint32_t type)
{
	switch (type) {
	case KEEL_OBJ_TASK:
		return keel_spawn("t_sleeper", 0);
	case KEEL_OBJ_ENDPOINT:
		return keel_endpoint_create(NULL);
	case KEEL_OBJ_NOTIFICATION:
		return keel_notify_create();
	case KEEL_OBJ_CHANNEL:
		return keel_channel_create(1, 16, NULL);
	case KEEL_OBJ_MEMORY:
		return keel_cap_derive(KEEL_ROOT_MEMORY, KEEL_RIGHT_ALL, 0);
	case KEEL_OBJ_FRAMES:
		return keel_frames_alloc(KEEL_ROOT_MEMORY, 1);
#if KEEL_SLICES >= 6
	case KEEL_OBJ_IRQ: /* line 5: no device on QEMU's PC raises it */
		return keel_cap_derive(KEEL_ROOT_IRQ, KEEL_RIGHT_ALL, KEEL_RANGE(5, 1));
	case KEEL_OBJ_IOPORT: /* the second serial port's, which nothing else uses */
		return keel_cap_derive(KEEL_ROOT_IOPORT, KEEL_RIGHT_ALL, KEEL_RANGE(0x2f8, 8));
	case KEEL_OBJ_DEVICE:
		return keel_cap_derive(KEEL_ROOT_DEVICE, KEEL_RIGHT_ALL, KEEL_RANGE(0x18, 1));
#endif
	default:
		return keel_notify_create(); /* any type does */
	}
}

/* A notification the calls that signal one are given (made by the case). */
static int32_t note;

/* Call @p n with handle @p h and arguments that are otherwise sound. */
static int32_t call_with(const struct need *n, int32_t h)
{
	static uint32_t room[64]; /* a message, an info struct, a status: zeroed, writable */
	uint32_t a1 = (uint32_t)room, a2 = n->nr == KEEL_SYS_IPC_CALL ? IPC_SHORT_US : 0;

	memset(room, 0, sizeof(room));
	if (n->nr == KEEL_SYS_FRAMES_ALLOC || n->nr == KEEL_SYS_NOTIFY_SIGNAL)
		a1 = 1;
	else if (n->nr == KEEL_SYS_FRAMES_MAP || n->nr == KEEL_SYS_DEVICE_MAP)
		a1 = MAP_AT;
	else if (n->nr == KEEL_SYS_IRQ_BIND || n->nr == KEEL_SYS_TASK_NOTIFY)
		a1 = (uint32_t)note, a2 = 1; /* a notification to signal, and a bit */
	else if (n->nr == KEEL_SYS_CAP_DERIVE)
		a1 = 0; /* no rights asked for */
	return keel_syscall(KEEL_CALL(n->nr, nargs_of[n->nr]), (uint32_t)h, a1, a2, 0);
}

/* The table in abi.h is what the kernel enforces: without the rights an
 * entry names, the call is DENIED; with a handle of another type,
 * WRONG_TYPE; with those rights alone, neither. */
static void case_each_call_needs(void)
{
	note = keel_notify_create();
	uint32_t before = ipc_handles_now();

	for (unsigned i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		const struct need *n = &needs[i];
		if (KEEL_SLICES < 6 && n->nr >= KEEL_SYS_IRQ_BIND)
			continue; /* slice 6's calls: not in this kernel */
		int32_t obj = object_of(n->type), other = keel_endpoint_create(NULL), r;
		if (!CHECK(obj > 0 && other > 0))
			continue;
		int32_t lacking = keel_cap_derive(obj, KEEL_RIGHT_ALL & ~n->rights, 0);
		int32_t exact = keel_cap_derive(obj, n->rights, 0);
		if (n->rights != 0 && (r = call_with(n, lacking)) != KEEL_ERR_DENIED)
			utest_fail(__FILE__, __LINE__, "%s without its rights gave %s", n->name,
			           keel_errname(r));
		if (n->type != KEEL_OBJ_NONE && n->type != KEEL_OBJ_ENDPOINT &&
		    (r = call_with(n, other)) != KEEL_ERR_WRONG_TYPE)
			utest_fail(__FILE__, __LINE__, "%s on an endpoint gave %s", n->name,
			           keel_errname(r));
		bool ends_it = n->nr == KEEL_SYS_TASK_KILL || n->nr == KEEL_SYS_TASK_WAIT ||
		               n->nr == KEEL_SYS_HANDLE_CLOSE;
		if (!ends_it && ((r = call_with(n, exact)) == KEEL_ERR_DENIED ||
		                 r == KEEL_ERR_WRONG_TYPE || r == KEEL_ERR_BAD_HANDLE))
			utest_fail(__FILE__, __LINE__, "%s with exactly its rights gave %s",
			           n->name, keel_errname(r));
		if (n->nr == KEEL_SYS_FRAMES_ALLOC && r > 0)
			CHECK_EQ(keel_handle_close(r), 0); /* a new run: an original of its own */
		if (n->type == KEEL_OBJ_TASK)
			ipc_kill(obj); /* and closes it, with what was derived from it */
		else
			CHECK_EQ(keel_handle_close(obj), 0);
		CHECK_EQ(keel_handle_close(other), 0);
		if (ipc_handles_now() != before)
			utest_fail(__FILE__, __LINE__, "%s left %u handles", n->name,
			           ipc_handles_now() - before);
	}
	CHECK_EQ(keel_handle_close(note), 0);
}

/* Spawning needs the archive: a child given none, a copy without READ,
 * or something else cannot spawn; one given a copy with READ can. */
static void case_spawn_needs_archive(void)
{
	int32_t n = keel_notify_create(), child;
	int32_t ro = keel_cap_derive(KEEL_ROOT_ARCHIVE, KEEL_RIGHT_READ | KEEL_RIGHT_GRANT, 0);
	int32_t blind = keel_cap_derive(KEEL_ROOT_ARCHIVE, KEEL_RIGHT_GRANT, 0);
	struct keel_spawn opts = {.archive = n};

	if (!CHECK(n > 0 && ro > 0 && blind > 0))
		return;
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_SPAWN, 0), ro, KEEL_RIGHT_READ);
	CHECK_EQ(ipc_reap(child), 0);
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_SPAWN, -KEEL_ERR_DENIED), blind,
	                  KEEL_RIGHT_GRANT);
	CHECK_EQ(ipc_reap(child), 0);
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_SPAWN, -KEEL_ERR_WRONG_TYPE), n,
	                  KEEL_RIGHT_SEND);
	CHECK_EQ(ipc_reap(child), 0);
	/* Here too: the archive named must be one, and readable. */
	CHECK_EQ(keel_task_spawn("hello", 5, &opts), KEEL_ERR_WRONG_TYPE);
	opts.archive = blind;
	CHECK_EQ(keel_task_spawn("hello", 5, &opts), KEEL_ERR_DENIED);
	opts.archive = -1;
	CHECK_EQ(keel_task_spawn("hello", 5, &opts), KEEL_ERR_INVALID);
	CHECK_EQ(cap_derived(KEEL_ROOT_ARCHIVE),
	         2); /* ro and blind; the children's went with them */
	CHECK_EQ(keel_cap_revoke(KEEL_ROOT_ARCHIVE), 0);
	CHECK(!cap_live(ro) && !cap_live(blind));
	CHECK_EQ(keel_handle_close(n), 0);
}

static const struct utest_case cases[] = {
    {"forge_random", case_forge_random},
    {"forge_neighbours", case_forge_neighbours},
    {"stale_generation", case_stale_generation},
    {"amplify", case_amplify},
    {"grant_needs_right", case_grant_needs_right},
    {"other_tasks", case_other_tasks},
    {"fill_space", case_fill_space},
    {"revoke_in_use", case_revoke_in_use},
    {"each_call_needs", case_each_call_needs},
    {"spawn_needs_archive", case_spawn_needs_archive},
};

int main(uint32_t which)
{
	return utest_run("t_cap_attack", cases, sizeof(cases) / sizeof(cases[0]), which);
}
