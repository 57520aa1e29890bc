/*
 * run.h - what the in-kernel tests of slice 3 and later share to run a
 * user program from the boot archive and check what it left behind.
 */
#ifndef KEEL_TESTS_USER_RUN_H
#define KEEL_TESTS_USER_RUN_H

#include <keel/abi.h>
#include <stdint.h>

/* How long a test program may take before the test calls it hung. */
#define RUN_TIMEOUT_US (120ull * 1000 * 1000)

/*
 * Spawn @p name with @p opts (its argument, limits...), wait for it to
 * end, and return its exit status; a spawn or wait that fails is
 * recorded as a test failure at the caller's line and gives -1.
 */
int run_program(const char *file, int line, const char *name, const struct keel_spawn *opts);

/* Spawn @p name with argument @p arg and the default limits. */
#define RUN(name_, arg_)                                                                           \
	run_program(__FILE__, __LINE__, (name_), &(struct keel_spawn){.arg = (arg_)})

/* Nothing of any task is left, and the books balance (tasks, frames). */
void expect_no_task_left(const char *file, int line);

#endif
