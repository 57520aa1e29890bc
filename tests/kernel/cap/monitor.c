/*
 * monitor.c - the monitor commands slice 5 adds: caps, captree, capgraph.
 *
 * These tests check what the commands print, line for line. A console
 * sink of this file's, registered at start-up, keeps a copy of what is
 * printed while a command runs (run_captured()); the expected lines are
 * written out below, with the numbers a run decides (task and object
 * ids) filled in from the kernel's own tables.
 *
 * cap_monitor.show spawns t_cap_show (userspace/tests/cap/t_cap_show.c,
 * whose opening comment draws its graph: an endpoint derived four deep
 * across two tasks, a run of frames shared by two tasks, the memory
 * capability) and waits until its three tasks are BLOCKED. Then `caps`
 * of each task, `captree` of the endpoint's and the frames' trees, and
 * `capgraph` must print exactly what is below, and a bad handle is
 * refused. Killing the two children lets t_cap_show end with 0, and
 * nothing is left. tests/e2e/test_gdb_cap.py stops this case in the
 * commands to compare GDB's `keel caps` and `keel captree` with them, and
 * scripts/capgraph (`make capgraph`) boots it to draw the graph.
 */
#include <keel/console.h>
#include <keel/init.h>
#include <keel/kprintf.h>
#include <keel/ktest.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/task.h>
#include <keel/timer.h>

#include "../monitor_try.h"
#include "../user/run.h"

#define SETTLE_TRIES 5000 /* 1 ms each */
#define CAPTURE_MAX  8192
#define LINE_MAX     160

/* What the console printed while `capture.on`. */
static struct {
	char text[CAPTURE_MAX];
	size_t len;
	bool on, overflow;
	kstatus_t registered;
} capture = {.registered = KEEL_ERR_NOT_FOUND};

static void capture_putc(char c)
{
	if (!capture.on)
		return;
	if (capture.len + 1 < CAPTURE_MAX)
		capture.text[capture.len++] = c;
	else
		capture.overflow = true;
}

static const struct console_sink capture_sink = {"ktest-capture", capture_putc, NULL};

/* At boot, as console_register() wants. */
static void capture_init(void)
{
	capture.registered = console_register(&capture_sink);
}
KEEL_INIT(INIT_LATE, capture_init);

/* Run monitor command @p cmd, keeping what it prints; its result. */
static int run_captured(const char *cmd)
{
	capture.len = 0;
	capture.overflow = false;
	capture.on = true;
	int r = monitor_try(cmd);
	capture.on = false;
	capture.text[capture.len] = '\0';
	return r;
}

/* The numbers of one run: task ids (decimal), object ids (hex). */
struct ids {
	uint32_t a, b, c; /* main, the sender, the sharer */
	uint32_t e, f, n; /* the endpoint, the run of frames, the notification */
};

/* @p tmpl with {A} {B} {C} as decimal ids, {E} {F} {N} as hex, and
 * {A.3} as the PARENT column of `caps` writes A's slot 3: "TASK:SLOT"
 * padded to 10 (ids have as many digits as the run gives them). */
static void expand(const char *tmpl, const struct ids *ids, char *out, size_t size)
{
	const uint32_t v[] = {ids->a, ids->b, ids->c, ids->e, ids->f, ids->n};
	size_t o = 0;

	for (const char *p = tmpl; *p && o + 1 < size; p++) {
		const char *k = p[0] == '{' && p[1] ? strchr("ABCEFN", p[1]) : NULL;
		unsigned i = k ? (unsigned)(k - "ABCEFN") : 0;
		if (k != NULL && p[2] == '}') {
			o += (size_t)ksnprintf(out + o, size - o, i < 3 ? "%u" : "%x", v[i]);
			p += 2;
		} else if (k != NULL && i < 3 && p[2] == '.' && p[3] && p[4] == '}') {
			char at[24];
			ksnprintf(at, sizeof(at), "%u:%c", v[i], p[3]);
			o += (size_t)ksnprintf(out + o, size - o, "%-10s", at);
			p += 4;
		} else {
			out[o++] = *p;
		}
		o = o < size ? o : size - 1; /* ksnprintf() says what it would have written */
	}
	out[o] = '\0';
}

/* Expect the capture to be the @p n lines of @p tmpl, expanded. */
static void expect_lines(int line, const char *const *tmpl, unsigned n, const struct ids *ids)
{
	const char *p = capture.text;
	char want[LINE_MAX], got[LINE_MAX];

	if (capture.registered != KEEL_OK || capture.overflow)
		ktest_fail(__FILE__, line, "no capture: %s, overflow %d",
		           kstatus_name(capture.registered), capture.overflow);
	for (unsigned i = 0; i < n; i++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		strlcpy(got, p, len + 1 < sizeof(got) ? len + 1 : sizeof(got));
		expand(tmpl[i], ids, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			ktest_fail(__FILE__, line, "line %u: expected \"%s\", got \"%s\"", i + 1,
			           want, got);
			return;
		}
		p = end ? end + 1 : p + len;
	}
	if (*p != '\0')
		ktest_fail(__FILE__, line, "more than %u lines: \"%s\"", n, p);
}

#define EXPECT_OUTPUT(cmd, tmpl, ids)                                                              \
	do {                                                                                       \
		KT_EXPECT_EQ(run_captured(cmd), 0);                                                \
		expect_lines(__LINE__, (tmpl), sizeof(tmpl) / sizeof((tmpl)[0]), (ids));           \
	} while (0)

/* A refusal: result -1 and this one line. */
#define EXPECT_REFUSED(cmd, text, ids)                                                             \
	do {                                                                                       \
		static const char *const refused_[] = {text};                                      \
		KT_EXPECT_EQ(run_captured(cmd), -1);                                               \
		expect_lines(__LINE__, refused_, 1, (ids));                                        \
	} while (0)

static const char *const empty_graph[] = {
    "capgraph begin",
    "capgraph end: 0 tasks, 0 objects, 0 capabilities, 0 derivations",
};

KTEST(cap_monitor, empty_and_refused)
{
	static const struct ids none;

	KT_ASSERT_EQ(task_count(), 0);
	EXPECT_OUTPUT("capgraph", empty_graph, &none);
	EXPECT_REFUSED("capgraph now", "usage: capgraph", &none);
	EXPECT_REFUSED("caps", "usage: caps TASK", &none);
	EXPECT_REFUSED("caps 1 2", "usage: caps TASK", &none);
	EXPECT_REFUSED("caps abc", "caps: 'abc' is not a task id (see `tasks`)", &none);
	EXPECT_REFUSED("caps 0x", "caps: '0x' is not a task id (see `tasks`)", &none);
	EXPECT_REFUSED("caps 99999999999", "caps: '99999999999' is not a task id (see `tasks`)",
	               &none);
	EXPECT_REFUSED("caps 256", "caps: no task 256 (see `tasks`)", &none);
	EXPECT_REFUSED("caps 0", "caps: no task 0 (see `tasks`)", &none);
	EXPECT_REFUSED("captree 256", "usage: captree TASK HANDLE", &none);
	EXPECT_REFUSED("captree 256 0x1001", "captree: no task 256 (see `tasks`)", &none);
}

/* [cap_show_expected] */
static const char *const main_caps[] = {
    "capabilities of task {A} t_cap_show: 9 of 64 slots used",
    "SLOT HANDLE   TYPE         RIGHTS    DEPTH PARENT     DERIVED OBJECT",
    "   0 0x0      task         r--------     0 original         0 task {A} t_cap_show",
    "   1 0x1001   endpoint     rwWkSRGDM     0 original         3 endpoint 0x{E}",
    "   2 0x1002   memory       rwWkSRGDM     0 original         0 memory 0x1",
    "   3 0x1003   endpoint     ----S-GD-     1 {A.1}       2 endpoint 0x{E}",
    "   4 0x1004   frames       rwWkSRGDM     0 original         2 frames 0x{F} pages 0-3 of 4, "
    "mapped at 0x40000000",
    "   5 0x1005   frames       rw----G-M     1 {A.4}       1 frames 0x{F} pages 2-3 of 4, "
    "not mapped",
    "   6 0x1006   task         rwWkSRGDM     0 original         0 task {B} t_cap_show",
    "   7 0x1007   task         rwWkSRGDM     0 original         0 task {C} t_cap_show",
    "  63 0x103f   archive      rwWkSRGDM     0 original         0 archive 0x1",
};

static const char *const sender_caps[] = {
    "capabilities of task {B} t_cap_show: 3 of 64 slots used",
    "SLOT HANDLE   TYPE         RIGHTS    DEPTH PARENT     DERIVED OBJECT",
    "   0 0x0      task         r--------     0 original         0 task {B} t_cap_show",
    "   1 0x1001   endpoint     ----S--D-     2 {A.3}       1 endpoint 0x{E}",
    "   2 0x1002   endpoint     ----S----     3 {B.1}       0 endpoint 0x{E}",
};

static const char *const sharer_caps[] = {
    "capabilities of task {C} t_cap_show: 3 of 64 slots used",
    "SLOT HANDLE   TYPE         RIGHTS    DEPTH PARENT     DERIVED OBJECT",
    "   0 0x0      task         r--------     0 original         0 task {C} t_cap_show",
    "   1 0x1001   frames       rw------M     2 {A.5}       0 frames 0x{F} pages 2-3 of 4, "
    "mapped at 0x48000000",
    "   2 0x1002   notification rwWkSRGDM     0 original         0 notification 0x{N}",
};

static const char *const endpoint_tree[] = {
    "derivation tree of endpoint 0x{E}: 4 capabilities",
    "  {A}:1 t_cap_show rwWkSRGDM handle 0x1001",
    "    {A}:3 t_cap_show ----S-GD- handle 0x1003",
    "      {B}:1 t_cap_show ----S--D- handle 0x1001 <-",
    "        {B}:2 t_cap_show ----S---- handle 0x1002",
};

static const char *const frames_tree[] = {
    "derivation tree of frames 0x{F}: 3 capabilities",
    "  {A}:4 t_cap_show rwWkSRGDM handle 0x1004 pages 0-3, mapped at 0x40000000",
    "    {A}:5 t_cap_show rw----G-M handle 0x1005 pages 2-3, not mapped",
    "      {C}:1 t_cap_show rw------M handle 0x1001 pages 2-3, mapped at 0x48000000 <-",
};

static const char *const memory_tree[] = {
    "derivation tree of memory 0x1: 1 capability",
    "  {A}:2 t_cap_show rwWkSRGDM handle 0x1002 <-",
};

static const char *const show_graph[] = {
    "capgraph begin",
    "task {A} t_cap_show",
    "task {B} t_cap_show",
    "task {C} t_cap_show",
    "object task:{A}",
    "object endpoint:0x{E}",
    "object memory:0x1",
    "object frames:0x{F} pages 4",
    "object task:{B}",
    "object task:{C}",
    "object archive:0x1",
    "object notification:0x{N}",
    "cap {A}:0 task:{A} r-------- depth 0",
    "cap {A}:1 endpoint:0x{E} rwWkSRGDM depth 0",
    "cap {A}:2 memory:0x1 rwWkSRGDM depth 0",
    "cap {A}:3 endpoint:0x{E} ----S-GD- depth 1",
    "cap {A}:4 frames:0x{F} rwWkSRGDM depth 0 pages 0-3 mapped 0x40000000",
    "cap {A}:5 frames:0x{F} rw----G-M depth 1 pages 2-3 mapped -",
    "cap {A}:6 task:{B} rwWkSRGDM depth 0",
    "cap {A}:7 task:{C} rwWkSRGDM depth 0",
    "cap {A}:63 archive:0x1 rwWkSRGDM depth 0",
    "cap {B}:0 task:{B} r-------- depth 0",
    "cap {B}:1 endpoint:0x{E} ----S--D- depth 2",
    "cap {B}:2 endpoint:0x{E} ----S---- depth 3",
    "cap {C}:0 task:{C} r-------- depth 0",
    "cap {C}:1 frames:0x{F} rw------M depth 2 pages 2-3 mapped 0x48000000",
    "cap {C}:2 notification:0x{N} rwWkSRGDM depth 0",
    "derive {A}:1 {A}:3",
    "derive {A}:4 {A}:5",
    "derive {A}:3 {B}:1",
    "derive {B}:1 {B}:2",
    "derive {A}:5 {C}:1",
    "capgraph end: 3 tasks, 8 objects, 15 capabilities, 5 derivations",
};
/* [cap_show_expected] */

/* Are there three tasks, each with one thread, all BLOCKED? */
static bool show_settled(void)
{
	unsigned tasks = 0, threads = 0, blocked = 0;
	spinflags_t flags = spin_lock(&sched_lock);

	for (unsigned i = 0; i < TASK_MAX; i++) {
		struct task *t = task_slot(i);
		tasks += t->state != TASK_FREE;
		for (unsigned j = 0; t->state != TASK_FREE && j < TASK_THREADS_MAX; j++) {
			struct thread *th =
			    t->thread[j].used ? thread_lookup(t->thread[j].tid) : NULL;
			threads += th != NULL;
			blocked += th != NULL && th->state == THREAD_BLOCKED;
		}
	}
	spin_unlock(&sched_lock, flags);
	return tasks == 3 && threads == 3 && blocked == 3;
}

/* The object of slot @p slot of @p t. */
static uint32_t object_of(const struct task *t, unsigned slot)
{
	return t->handles.slot[slot].object;
}

/* The ids of t_cap_show's tasks and objects; false if a task is missing. */
static bool show_ids(struct task *main, struct ids *ids, struct task **b, struct task **c)
{
	spinflags_t flags = spin_lock(&sched_lock);

	*ids = (struct ids){.a = main->id, .b = object_of(main, 6), .c = object_of(main, 7)};
	*b = task_lookup(ids->b);
	*c = task_lookup(ids->c);
	ids->e = object_of(main, 1);
	ids->f = object_of(main, 4);
	ids->n = *c ? object_of(*c, 2) : 0;
	spin_unlock(&sched_lock, flags);
	return *b != NULL && *c != NULL;
}

/* Every command on t_cap_show's graph, and the refusals that need a task. */
static void expect_show(const struct ids *ids)
{
	char cmd[48];

#define RUN_WITH(fmt, id) (ksnprintf(cmd, sizeof(cmd), fmt, id), cmd)
	EXPECT_OUTPUT(RUN_WITH("caps %u", ids->a), main_caps, ids);
	EXPECT_OUTPUT(RUN_WITH("caps %u", ids->b), sender_caps, ids);
	EXPECT_OUTPUT(RUN_WITH("caps %u", ids->c), sharer_caps, ids);
	EXPECT_OUTPUT(RUN_WITH("captree %u 0x1001", ids->b), endpoint_tree, ids);
	EXPECT_OUTPUT(RUN_WITH("captree %u 4097", ids->c), frames_tree, ids);
	EXPECT_OUTPUT(RUN_WITH("captree %u 0x1002", ids->a), memory_tree, ids);
	EXPECT_OUTPUT("capgraph", show_graph, ids);
	EXPECT_REFUSED(RUN_WITH("captree %u 0x1008", ids->a),
	               "captree: task {A} has no capability 0x1008: the handle is out of range, "
	               "empty or stale",
	               ids);
	EXPECT_REFUSED(RUN_WITH("captree %u 0x2001", ids->a),
	               "captree: task {A} has no capability 0x2001: the handle is out of range, "
	               "empty or stale",
	               ids);
	EXPECT_REFUSED(RUN_WITH("captree %u 0x7fff", ids->a),
	               "captree: task {A} has no capability 0x7fff: the handle is out of range, "
	               "empty or stale",
	               ids);
	EXPECT_REFUSED(RUN_WITH("captree %u 0x80000000", ids->a),
	               "captree: '0x80000000' is not a handle (see `caps {A}`)", ids);
	EXPECT_REFUSED(RUN_WITH("captree %u zz", ids->a),
	               "captree: 'zz' is not a handle (see `caps {A}`)", ids);
#undef RUN_WITH
}

KTEST(cap_monitor, show)
{
	struct task *t, *b = NULL, *c = NULL;
	struct ids ids;
	int status = -1;
	unsigned tries = 0;

	KT_ASSERT_EQ(task_count(), 0); /* so t_cap_show's tasks take slots 0, 1, 2 in order */
	KT_ASSERT_EQ(task_spawn("t_cap_show", NULL, NULL, &t), KEEL_OK);
	while (!show_settled() && tries++ < SETTLE_TRIES)
		thread_sleep_us(1000);
	KT_EXPECT(tries < SETTLE_TRIES);
	if (tries < SETTLE_TRIES && show_ids(t, &ids, &b, &c)) {
		KT_EXPECT((ids.a & 0xff) < (ids.b & 0xff) && (ids.b & 0xff) < (ids.c & 0xff));
		expect_show(&ids);
	}
	if (b != NULL && c != NULL) {
		/* The children first: t_cap_show collects them, then ends by itself. */
		KT_EXPECT_EQ(task_kill(b, KEEL_KILLED_STATUS), KEEL_OK);
		KT_EXPECT_EQ(task_kill(c, KEEL_KILLED_STATUS), KEEL_OK);
	} else {
		task_kill(t, KEEL_KILLED_STATUS); /* not as expected: end it as it is */
	}
	KT_EXPECT_EQ(task_wait(t, &status, RUN_TIMEOUT_US), KEEL_OK);
	KT_EXPECT_EQ(status, 0);
	expect_no_task_left(__FILE__, __LINE__);
}
