/*
 * programs.c - in-kernel tests that run slice 5's test programs in ring 3.
 *
 * Capabilities are a property of what user tasks can and cannot do, so
 * slice 5's tests are user programs (userspace/tests/cap/), most of them
 * attacks. Each case here spawns one with one of its case numbers, waits
 * for it and expects status 0 (its count of failed checks). After each,
 * the kernel's books must balance: no task left, every handle table
 * sound, no IPC object and no run of frames left, no frame charged to
 * a task that has gone (run.h's expect_no_task_left()).
 */
#include <keel/cap.h>
#include <keel/ipc.h>
#include <keel/ktest.h>
#include <keel/task.h>

#include "../user/run.h"

/* Spawn @p name with case @p which, room for threads; its status, or -1. */
#define run_case(name_, which_)                                                                    \
	run_program(__FILE__, __LINE__, (name_),                                                   \
	            &(struct keel_spawn){.arg = (which_), .thread_limit = 8})

/* Nothing of any task, IPC object or run of frames is left, and the books balance. */
#define expect_clean()                                                                             \
	do {                                                                                       \
		expect_no_task_left(__FILE__, __LINE__);                                           \
		KT_EXPECT_EQ(ipc_object_count(), 0);                                               \
		KT_EXPECT_EQ(cap_frames_count(), 0);                                               \
	} while (0)

#define PROGRAM_CASE(suite, name, prog, which)                                                     \
	KTEST(suite, name)                                                                         \
	{                                                                                          \
		KT_EXPECT_EQ(run_case(prog, which), 0);                                            \
		expect_clean();                                                                    \
	}

/* t_cap: derive, close, revoke, move. */
PROGRAM_CASE(tree, derive, "t_cap", 1)
PROGRAM_CASE(tree, close_subtree, "t_cap", 2)
PROGRAM_CASE(tree, revoke_keeps_itself, "t_cap", 3)
PROGRAM_CASE(tree, revoke_in_child, "t_cap", 4)
PROGRAM_CASE(tree, revoke_received, "t_cap", 5)
PROGRAM_CASE(tree, move_keeps_place, "t_cap", 6)
PROGRAM_CASE(tree, original_ends_object, "t_cap", 7)

/* t_cap_attack: a hostile task against its own space. */
PROGRAM_CASE(attack, forge_random, "t_cap_attack", 1)
PROGRAM_CASE(attack, forge_neighbours, "t_cap_attack", 2)
PROGRAM_CASE(attack, stale_generation, "t_cap_attack", 3)
PROGRAM_CASE(attack, amplify, "t_cap_attack", 4)
PROGRAM_CASE(attack, grant_needs_right, "t_cap_attack", 5)
PROGRAM_CASE(attack, other_tasks, "t_cap_attack", 6)
PROGRAM_CASE(attack, fill_space, "t_cap_attack", 7)
PROGRAM_CASE(attack, revoke_in_use, "t_cap_attack", 8)
PROGRAM_CASE(attack, each_call_needs, "t_cap_attack", 9)
PROGRAM_CASE(attack, spawn_needs_archive, "t_cap_attack", 10)

/* t_cap_mem: memory as capabilities. */
PROGRAM_CASE(memory, alloc_map, "t_cap_mem", 1)
PROGRAM_CASE(memory, bad_requests, "t_cap_mem", 2)
PROGRAM_CASE(memory, map_rights, "t_cap_mem", 3)
PROGRAM_CASE(memory, share, "t_cap_mem", 4)
PROGRAM_CASE(memory, revoke_unmaps, "t_cap_mem", 5)
PROGRAM_CASE(memory, end_gives_back, "t_cap_mem", 6)
PROGRAM_CASE(memory, originals_stay, "t_cap_mem", 7)

/* Every program, all cases in one run: no case leaks into the next. */
KTEST(together, all_cases_in_one_run)
{
	static const char *const progs[] = {"t_cap", "t_cap_attack", "t_cap_mem"};
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int status = run_case(progs[i], 0);
		if (status != 0)
			ktest_fail(__FILE__, __LINE__, "%s: status %d", progs[i], status);
	}
	expect_clean();
}
