/*
 * dev_case.h - what slice 6's in-kernel tests share: run one case of a
 * ring-3 test program, and check that nothing it did is left behind.
 *
 * After each case: no task (run.h's expect_no_task_left()), no IPC
 * object, no run of frames, no interrupt line bound, no task allowed a
 * port, no task watched.
 */
#ifndef KEEL_TESTS_DEV_CASE_H
#define KEEL_TESTS_DEV_CASE_H

#include <keel/cap.h>
#include <keel/dev.h>
#include <keel/ipc.h>
#include <keel/ktest.h>
#include <keel/task.h>

#include "../user/run.h"

/* Spawn @p name with case @p which and room for threads; its status, or -1. */
#define run_case(name_, which_)                                                                    \
	run_program(__FILE__, __LINE__, (name_),                                                   \
	            &(struct keel_spawn){.arg = (which_), .thread_limit = 8})

#define expect_clean()                                                                             \
	do {                                                                                       \
		expect_no_task_left(__FILE__, __LINE__);                                           \
		KT_EXPECT_EQ(ipc_object_count(), 0);                                               \
		KT_EXPECT_EQ(cap_frames_count(), 0);                                               \
		KT_EXPECT_EQ(dev_irq_bound_count(), 0);                                            \
		KT_EXPECT_EQ(dev_ioport_tasks(), 0);                                               \
		KT_EXPECT_EQ(dev_watch_count(), 0);                                                \
	} while (0)

/* A case that runs case @p which of @p prog and expects status 0, then nothing left. */
#define PROGRAM_CASE(suite, name, prog, which)                                                     \
	KTEST(suite, name)                                                                         \
	{                                                                                          \
		KT_EXPECT_EQ(run_case(prog, which), 0);                                            \
		expect_clean();                                                                    \
	}

#endif
