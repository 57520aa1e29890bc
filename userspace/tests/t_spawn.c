/*
 * t_spawn.c - tasks: spawning, waiting, killing, and the limits on them.
 *
 * A task that spawns a child holds a handle to it and is the only one
 * who can collect its status (TASK_WAIT). The cases check each way a
 * child can end (it returns, it faults, it is killed), that a wait gives
 * up at its timeout, and that each limit a task lives under holds and
 * is given back: threads per task, frames per task, tasks in all,
 * handles per task. The
 * children are other programs of the archive: hello, t_fault, t_sleeper
 * (never ends by itself) and t_hog (maps pages until its limit).
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include <utest.h>

#define WAIT_US        10000000u /* for a child that ends on its own */
#define SHORT_US       1000u     /* for a child that does not */
#define POLLS          2000      /* bound on waiting for threads to leave */
#define HOG_FRAMES     64
#define SPAWN_MAX      100 /* more than any task table */
#define THREAD_DEFAULT 4   /* the kernel's default thread limit */

/* Spawn @name with @arg and collect its status (or a huge one on failure). */
static int run_child(const char *name, uint32_t arg)
{
	int status = -1;
	int32_t h = keel_spawn(name, arg);

	if (!CHECK(h > 0))
		return -1;
	CHECK_EQ(keel_task_wait(h, &status, WAIT_US), 0);
	CHECK_EQ(keel_handle_close(h), 0);
	return status;
}

static void case_children(void)
{
	CHECK_EQ(run_child("hello", 0), 0);
	CHECK_EQ(run_child("t_fault", 1), KEEL_FAULT_STATUS | 14);
	CHECK_EQ(run_child("t_fault", 3), KEEL_FAULT_STATUS | 0);
}

static void case_kill(void)
{
	int status = -1;
	int32_t h = keel_spawn("t_sleeper", 0);

	if (!CHECK(h > 0))
		return;
	CHECK_EQ(keel_task_wait(h, &status, 0), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(keel_task_wait(h, &status, SHORT_US), KEEL_ERR_TIMED_OUT);
	CHECK_EQ(status, -1); /* untouched by a wait that timed out */
	CHECK_EQ(keel_task_kill(h), 0);
	CHECK_EQ(keel_task_wait(h, &status, WAIT_US), 0);
	CHECK_EQ(status, KEEL_KILLED_STATUS);
	CHECK_EQ(keel_handle_close(h), 0);
}

/* Threads that sleep until their own flag lets them go. */
static volatile uint32_t release[THREAD_DEFAULT];
static uint8_t stacks[THREAD_DEFAULT][4096] __attribute__((aligned(16)));

static int held_thread(uint32_t i)
{
	while (!release[i])
		keel_sleep_us(1000);
	return 0;
}

static const struct keel_thread_start starts[THREAD_DEFAULT] = {
    {held_thread, 0}, {held_thread, 1}, {held_thread, 2}, {held_thread, 3}};

static uint32_t threads_now(void)
{
	struct keel_task_info ti;

	return keel_task_info(KEEL_SELF, &ti) < 0 ? 0 : ti.threads;
}

/* Wait (bounded) until the task has @n threads. */
static void await_threads(uint32_t n)
{
	for (int i = 0; i < POLLS && threads_now() != n; i++)
		keel_sleep_us(1000);
	CHECK_EQ(threads_now(), n);
}

static int32_t start_held(unsigned i)
{
	release[i] = 0;
	return keel_thread_start(&starts[i], stacks[i] + sizeof(stacks[i]));
}

static void case_thread_limit(void)
{
	int32_t h[THREAD_DEFAULT] = {0};
	struct keel_task_info ti;

	CHECK_EQ(keel_task_info(KEEL_SELF, &ti), 0);
	CHECK_EQ(ti.thread_limit, THREAD_DEFAULT);
	for (unsigned i = 1; i < THREAD_DEFAULT; i++)
		CHECK((h[i] = start_held(i)) > 0);
	CHECK_EQ(threads_now(), THREAD_DEFAULT);
	CHECK_EQ(start_held(0), KEEL_ERR_LIMIT); /* the main thread is the 4th */
	release[1] = 1;
	await_threads(THREAD_DEFAULT - 1);
	CHECK_EQ(keel_handle_close(h[1]), 0);
	CHECK((h[1] = start_held(1)) > 0); /* one left: room for one again */
	for (unsigned i = 1; i < THREAD_DEFAULT; i++)
		release[i] = 1;
	await_threads(1);
	for (unsigned i = 1; i < THREAD_DEFAULT; i++)
		if (h[i] > 0)
			CHECK_EQ(keel_handle_close(h[i]), 0);
}

static void case_frame_limit(void)
{
	struct keel_spawn opts = {.frame_limit = HOG_FRAMES};
	int status = -1;
	int32_t h = keel_task_spawn("t_hog", 5, &opts);

	if (!CHECK(h > 0))
		return;
	CHECK_EQ(keel_task_wait(h, &status, WAIT_US), 0);
	CHECK_EQ(keel_handle_close(h), 0);
	printf("# t_spawn: t_hog got %d pages under a limit of %d frames\n", status, HOG_FRAMES);
	CHECK(status > 0);
	CHECK(status < HOG_FRAMES); /* its image, stack and tables count too */
}

/* Kill, collect and close every child in @h[0..n). */
static void end_all(const int32_t *h, unsigned n)
{
	int status;

	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(keel_task_kill(h[i]), 0);
		status = -1;
		CHECK_EQ(keel_task_wait(h[i], &status, WAIT_US), 0);
		CHECK_EQ(status, KEEL_KILLED_STATUS);
		CHECK_EQ(keel_handle_close(h[i]), 0);
	}
}

static void case_task_limit(void)
{
	int32_t h[SPAWN_MAX], r = 0;
	unsigned n;

	for (n = 0; n < SPAWN_MAX; n++) {
		r = keel_spawn("t_sleeper", 0);
		if (r < 0)
			break;
		h[n] = r;
	}
	printf("# t_spawn: %u children before the limit\n", n);
	CHECK_EQ(r, KEEL_ERR_LIMIT);
	CHECK(n > 0);
	end_all(h, n);
	CHECK_EQ(run_child("hello", 0), 0); /* every slot came back */
}

/*
 * A full handle table: each collected child's handle is kept open until
 * the table has no free slot. Then a spawn must be refused with LIMIT
 * and leave nothing behind (no child the task could never name), and
 * closing one handle makes room again.
 */
static void case_handle_limit(void)
{
	int32_t h[KEEL_HANDLES_DEFAULT], r = 0;
	unsigned n;
	int status;
	struct keel_task_info info;

	/* Slot 0 is the task's own; from slice 5 the kernel's own spawns also
	 * start with a memory capability (KEEL_ROOT_MEMORY). */
	CHECK_EQ(keel_task_info(KEEL_SELF, &info), 0);
	const unsigned held = info.handles;
	CHECK_EQ(held, KEEL_SLICES >= 6 ? 6u : KEEL_SLICES >= 5 ? 3u : 1u);
	for (n = 0; n < KEEL_HANDLES_DEFAULT; n++) {
		r = keel_spawn("b_empty", 0);
		if (r < 0)
			break;
		h[n] = r;
		CHECK_EQ(keel_task_wait(r, &status, WAIT_US), 0);
	}
	printf("# t_spawn: %u handles held before the table was full\n", n);
	CHECK_EQ(r, KEEL_ERR_LIMIT);
	CHECK_EQ(n, KEEL_HANDLES_DEFAULT - held);
	CHECK_EQ(keel_task_info(KEEL_SELF, &info), 0);
	CHECK_EQ(info.handles, KEEL_HANDLES_DEFAULT);
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(keel_handle_close(h[i]), 0);
	CHECK_EQ(run_child("hello", 0), 0);
}

static const struct utest_case cases[] = {
    {"children", case_children},         {"kill", case_kill},
    {"thread_limit", case_thread_limit}, {"frame_limit", case_frame_limit},
    {"task_limit", case_task_limit},     {"handle_limit", case_handle_limit},
};

int main(uint32_t which)
{
	return utest_run("t_spawn", cases, sizeof(cases) / sizeof(cases[0]), which);
}
