/*
 * monitor.c - the monitor command slice 4 adds: ipc.
 *
 * With no IPC object alive, `ipc` prints empty lists. Then t_ipc_show
 * sets up objects in every state the command reports (its opening comment
 * lists them) and blocks all four of its threads; `ipc` runs while they
 * wait, the task is killed, and every object it owned is gone with it.
 * tests/e2e/test_gdb_ipc.py stops this case in cmd_ipc() to compare
 * GDB's `keel ipc` with what is in memory.
 */
#include <keel/ipc.h>
#include <keel/ktest.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/task.h>
#include <keel/timer.h>

#include "../monitor_try.h"

#define SETTLE_TRIES 2000 /* 1 ms each */

/* Are all @want threads of @t BLOCKED? */
static bool all_blocked(struct task *t, unsigned want)
{
	unsigned n = 0;
	spinflags_t flags = spin_lock(&sched_lock);

	for (unsigned i = 0; i < TASK_THREADS_MAX; i++) {
		struct thread *th = t->thread[i].used ? thread_lookup(t->thread[i].tid) : NULL;
		n += th != NULL && th->state == THREAD_BLOCKED;
	}
	spin_unlock(&sched_lock, flags);
	return n == want;
}

KTEST(ipc_monitor, objects)
{
	struct task *t;
	int status = 0;
	unsigned tries = 0;

	KT_EXPECT_EQ(monitor_try("ipc"), 0); /* nothing yet: empty lists */
	KT_EXPECT_EQ(monitor_try("ipc extra"), -1);
	KT_ASSERT_EQ(task_spawn("t_ipc_show", NULL, NULL, &t), KEEL_OK);
	while (!all_blocked(t, 4) && tries++ < SETTLE_TRIES)
		thread_sleep_us(1000);
	KT_EXPECT(tries < SETTLE_TRIES);
	KT_EXPECT_EQ(ipc_object_count(), 6);
	KT_EXPECT_EQ(monitor_try("ipc"), 0);
	KT_EXPECT_EQ(ipc_check_all(), KEEL_OK);
	KT_EXPECT_EQ(task_kill(t, KEEL_KILLED_STATUS), KEEL_OK);
	KT_EXPECT_EQ(task_wait(t, &status, 10000000), KEEL_OK);
	KT_EXPECT_EQ(status, KEEL_KILLED_STATUS);
	KT_EXPECT_EQ(ipc_object_count(), 0);
	KT_EXPECT_EQ(ipc_check_all(), KEEL_OK);
	KT_EXPECT_EQ(task_count(), 0);
}
