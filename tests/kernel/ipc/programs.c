/*
 * programs.c - in-kernel tests that run the IPC test programs in ring 3.
 *
 * IPC is only worth what two user tasks can do with it, so slice 4's
 * tests are user programs (userspace/tests/ipc/): each case here spawns
 * one program with one of its case numbers, waits for it and expects
 * status 0 (the program's count of failed checks). Every program case
 * has its own KTEST, so a failure names what broke. After each, the
 * kernel's books must balance: no task left, every task and handle
 * table sound, the frame allocator intact, and every IPC object and
 * wait gone with the tasks that held them.
 */
#include <keel/frame.h>
#include <keel/ipc.h>
#include <keel/ktest.h>
#include <keel/pmm.h>
#include <keel/task.h>

#include "../user/run.h"

/* Spawn @p name with case @p which and a thread limit (0: 8, room for
 * ipc_settle()'s marker thread); its status, or -1. */
#define run_limit(name_, which_, threads_)                                                         \
	run_program(                                                                               \
	    __FILE__, __LINE__, (name_),                                                           \
	    &(struct keel_spawn){.arg = (which_), .thread_limit = (threads_) ? (threads_) : 8})

/* Nothing of any task or IPC object is left, and the books balance. */
#define expect_clean()                                                                             \
	do {                                                                                       \
		expect_no_task_left(__FILE__, __LINE__);                                           \
		KT_EXPECT_EQ(ipc_check_all(), KEEL_OK);                                            \
		KT_EXPECT_EQ(ipc_object_count(), 0);                                               \
	} while (0)

/* Run case @p which of @p name (default limits) and expect a clean pass. */
#define PROGRAM_CASE(suite, name, prog, which, threads)                                            \
	KTEST(suite, name)                                                                         \
	{                                                                                          \
		KT_EXPECT_EQ(run_limit(prog, which, threads), 0);                                  \
		expect_clean();                                                                    \
	}

/* t_ipc: messages whole, in a task and across two. */
PROGRAM_CASE(endpoint, create_query, "t_ipc", 1, 0)
PROGRAM_CASE(endpoint, pingpong_threads, "t_ipc", 2, 0)
PROGRAM_CASE(endpoint, send_recv, "t_ipc", 3, 0)
PROGRAM_CASE(endpoint, truncation, "t_ipc", 4, 0)
PROGRAM_CASE(endpoint, pingpong_tasks, "t_ipc", 5, 0)
PROGRAM_CASE(endpoint, handles, "t_ipc", 6, 0)
PROGRAM_CASE(endpoint, spawn_give, "t_ipc", 7, 0)

/* t_ipc_timeout: every wait ends. */
PROGRAM_CASE(timeout, nobody, "t_ipc_timeout", 1, 0)
PROGRAM_CASE(timeout, poll_ready, "t_ipc_timeout", 2, 0)
PROGRAM_CASE(timeout, late_reply, "t_ipc_timeout", 3, 0)
PROGRAM_CASE(timeout, reply_recv, "t_ipc_timeout", 4, 0)
PROGRAM_CASE(timeout, notify, "t_ipc_timeout", 5, 0)
PROGRAM_CASE(timeout, channel, "t_ipc_timeout", 6, 0)
PROGRAM_CASE(timeout, call_poll, "t_ipc_timeout", 7, 0)

/* t_ipc_bad and t_ipc_refuse: every error, and nothing changed by it. */
PROGRAM_CASE(bad, handles, "t_ipc_bad", 1, 0)
PROGRAM_CASE(bad, create, "t_ipc_bad", 2, 0)
PROGRAM_CASE(bad, rights, "t_ipc_bad", 3, 0)
PROGRAM_CASE(bad, messages, "t_ipc_bad", 4, 0)
PROGRAM_CASE(bad, receive, "t_ipc_bad", 5, 0)
PROGRAM_CASE(bad, reply_right, "t_ipc_refuse", 1, 0)
PROGRAM_CASE(bad, transfer_limit, "t_ipc_refuse", 2, 0)
PROGRAM_CASE(bad, spawn_give, "t_ipc_refuse", 3, 0)
PROGRAM_CASE(bad, notify, "t_ipc_refuse", 4, 0)
PROGRAM_CASE(bad, channel, "t_ipc_refuse", 5, 0)
PROGRAM_CASE(bad, pool_exhaustion, "t_ipc_refuse", 6, 0)

/* t_ipc_many: one server, many clients. */
PROGRAM_CASE(many, calls, "t_ipc_many", 1, 0)
PROGRAM_CASE(many, sends, "t_ipc_many", 2, 0)

/* t_ipc_pi: priority inheritance (up to 7 threads: the most a task may have). */
PROGRAM_CASE(pi, inversion, "t_ipc_pi", 1, TASK_THREADS_MAX)
PROGRAM_CASE(pi, chain, "t_ipc_pi", 2, TASK_THREADS_MAX)
PROGRAM_CASE(pi, restore_after_reply, "t_ipc_pi", 3, TASK_THREADS_MAX)
PROGRAM_CASE(pi, restore_after_timeout, "t_ipc_pi", 4, TASK_THREADS_MAX)
PROGRAM_CASE(pi, chain_limit, "t_ipc_pi", 5, TASK_THREADS_MAX)

/* t_ipc_death: the other side dies. */
PROGRAM_CASE(death, server_killed, "t_ipc_death", 1, 0)
PROGRAM_CASE(death, caller_killed, "t_ipc_death", 2, 0)
PROGRAM_CASE(death, owner_dies, "t_ipc_death", 3, 0)
PROGRAM_CASE(death, owner_closes, "t_ipc_death", 4, 0)
PROGRAM_CASE(death, queued_killed, "t_ipc_death", 5, 0)

/* t_ipc_notify. */
PROGRAM_CASE(notify, accumulate, "t_ipc_notify", 1, 0)
PROGRAM_CASE(notify, never_blocks, "t_ipc_notify", 2, 0)
PROGRAM_CASE(notify, wakes, "t_ipc_notify", 3, 0)
PROGRAM_CASE(notify, bind_recv, "t_ipc_notify", 4, 0)
PROGRAM_CASE(notify, bind_pending, "t_ipc_notify", 5, 0)
PROGRAM_CASE(notify, gone, "t_ipc_notify", 6, 0)

/* t_ipc_chan. */
PROGRAM_CASE(channel, fifo, "t_ipc_chan", 1, 0)
PROGRAM_CASE(channel, blocking, "t_ipc_chan", 2, 0)
PROGRAM_CASE(channel, edges, "t_ipc_chan", 3, 0)
PROGRAM_CASE(channel, across_tasks, "t_ipc_chan", 4, 0)
PROGRAM_CASE(channel, gone, "t_ipc_chan", 5, 0)

/* t_ipc_rate. */
PROGRAM_CASE(rate, channel_burst, "t_ipc_rate", 1, 0)
PROGRAM_CASE(rate, endpoint_burst, "t_ipc_rate", 2, 0)
PROGRAM_CASE(rate, defaults, "t_ipc_rate", 3, 0)

/* Every program at once, all cases in one run: no case leaks into the next. */
KTEST(programs, all_cases_in_one_run)
{
	static const char *const progs[] = {"t_ipc",        "t_ipc_timeout", "t_ipc_bad",
	                                    "t_ipc_refuse", "t_ipc_many",    "t_ipc_death",
	                                    "t_ipc_notify", "t_ipc_chan",    "t_ipc_rate"};

	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int status = run_limit(progs[i], 0, 0);
		if (status != 0)
			ktest_fail(__FILE__, __LINE__, "%s: status %d", progs[i], status);
	}
	KT_EXPECT_EQ(run_limit("t_ipc_pi", 0, TASK_THREADS_MAX), 0);
	expect_clean();
}
