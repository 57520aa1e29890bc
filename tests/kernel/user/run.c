/*
 * run.c - running a user program from an in-kernel test (run.h).
 */
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/pmm.h>
#include <keel/task.h>

#include "run.h"

int run_program(const char *file, int line, const char *name, const struct keel_spawn *opts)
{
	struct task *t;
	int status = -1;

	kstatus_t s = task_spawn(name, NULL, opts, &t);
	if (s != KEEL_OK) {
		ktest_fail(file, line, "spawn %s: %s", name, kstatus_name(s));
		return -1;
	}
	s = task_wait(t, &status, RUN_TIMEOUT_US);
	if (s != KEEL_OK)
		ktest_fail(file, line, "wait %s: %s", name, kstatus_name(s));
	return status;
}

void expect_no_task_left(const char *file, int line)
{
	if (task_count() != 0)
		ktest_fail(file, line, "%u tasks left", task_count());
	if (task_check_all() != KEEL_OK)
		ktest_fail(file, line, "task_check_all() failed");
	if (!pmm_check(&pmm_kernel))
		ktest_fail(file, line, "pmm_check() failed");
}
