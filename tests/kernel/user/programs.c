/*
 * programs.c - in-kernel tests that run user programs from the boot
 * archive in ring 3 and check how they end.
 *
 * Each case spawns a program (userspace/tests/) with a case number as its
 * argument and waits for it. A test program counts its own failed checks
 * and exits with that count, printing "# FAIL ..." for each, so status 0
 * means every check in ring 3 passed; a program the kernel must kill
 * (a fault) ends with KEEL_FAULT_STATUS | vector instead. After each run,
 * the kernel's invariants must hold: no task left, every task owner
 * holding no frame, every handle table sound.
 */
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/pmm.h>
#include <keel/syscall.h>
#include <keel/task.h>

#include "run.h"

/* Spawn @p name with @p arg, wait for it; its status, or -1 (a failure is recorded). */
#define run(name_, arg_) RUN(name_, arg_)

/* Nothing of any task is left, and the books balance. */
#define expect_clean() expect_no_task_left(__FILE__, __LINE__)

KTEST(task, hello)
{
	KT_EXPECT_EQ(run("hello", 0), 0);
	expect_clean();
}

KTEST(task, root_runs_hello)
{
	KT_EXPECT_EQ(run("root", 0), 0);
	expect_clean();
}

KTEST(task, spawn_refusals)
{
	struct task *t;
	struct keel_spawn bad_flags = {.flags = 1}, big = {.frame_limit = TASK_FRAME_LIMIT_MAX + 1};

	KT_EXPECT_EQ(task_spawn("no_such_program", NULL, NULL, &t), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(task_spawn("", NULL, NULL, &t), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(task_spawn("a_name_far_longer_than_any_in_the_archive", NULL, NULL, &t),
	             KEEL_ERR_INVALID);
	KT_EXPECT_EQ(task_spawn("hello", NULL, &bad_flags, &t), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(task_spawn("hello", NULL, &big, &t), KEEL_ERR_INVALID);
	expect_clean();
}

/* Every malformed image in the archive is refused, and leaves nothing behind. */
KTEST(task, malformed_images)
{
	static const char *const bad[] = {"bad_magic",    "bad_class", "bad_machine",
	                                  "bad_overlap",  "bad_wx",    "bad_kernel",
	                                  "bad_toolarge", "bad_entry", "bad_truncated"};
	uint32_t free_before = frame_free_count();
	struct task *t;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kstatus_t s = task_spawn(bad[i], NULL, NULL, &t);
		if (s != KEEL_ERR_BAD_IMAGE)
			ktest_fail(__FILE__, __LINE__, "%s: got %s", bad[i], kstatus_name(s));
	}
	KT_EXPECT_EQ(frame_free_count(), free_before);
	expect_clean();
}

KTEST(syscall, each_call)
{
	KT_EXPECT_EQ(run("t_syscall", 0), 0);
	expect_clean();
}

KTEST(syscall, bad_arguments)
{
	KT_EXPECT_EQ(run("t_badcall", 0), 0);
	expect_clean();
}

KTEST(task, children_limits_and_kill)
{
	KT_EXPECT_EQ(run("t_spawn", 0), 0);
	expect_clean();
}

/* [fault_cases] */
/* Each fault kills its task only: case, and the vector the parent sees. */
static const struct {
	uint32_t which, vector;
	const char *what;
} faults[] = {
    {1, 14, "NULL read"},
    {2, 14, "write to text"},
    {3, 0, "divide by zero"},
    {4, 6, "invalid opcode"},
    {5, 13, "privileged instruction"},
    {6, 14, "execute data (NX)"},
    {7, 14, "read kernel"},
    {8, 14, "stack overflow into the guard page"},
};
/* [fault_cases] */

KTEST(fault, each_kind_kills_only_its_task)
{
	for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		int status = run("t_fault", faults[i].which);
		if (status != (int)(KEEL_FAULT_STATUS | faults[i].vector))
			ktest_fail(__FILE__, __LINE__, "%s: status 0x%x, expected 0x%x",
			           faults[i].what, status, KEEL_FAULT_STATUS | faults[i].vector);
	}
	expect_clean();
	KT_EXPECT_EQ(run("hello", 0), 0); /* and the kernel goes on */
}

/* [syscall_fuzz] */
KTEST(syscall, fuzz_then_invariants)
{
	uint64_t calls = syscall_count;

	KT_EXPECT_EQ(run("t_fuzz", 0x4b45454c), 0); /* the seed is printed by the program */
	KT_EXPECT(syscall_count - calls >= 100000);
	expect_clean();
	KT_EXPECT_EQ(run("hello", 0), 0); /* a normal program still runs */
}
/* [syscall_fuzz] */
