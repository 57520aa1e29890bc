/*
 * monitor.c - the monitor commands slice 3 adds: tasks, kill N, bootfs.
 *
 * A sleeper task is alive while `tasks` lists it; `kill` with its id ends
 * it (its waiter sees KEEL_KILLED_STATUS), and every wrong argument is
 * refused: no number, a number too large, a task that has ended.
 */
#include <keel/fmt.h>
#include <keel/ktest.h>
#include <keel/monitor.h>
#include <keel/task.h>

#include "../monitor_try.h"

KTEST(user_monitor, tasks_kill_bootfs)
{
	struct task *t;
	char line[32];
	int status = 0;

	KT_EXPECT_EQ(monitor_try("bootfs"), 0);
	KT_EXPECT_EQ(monitor_try("tasks"), 0); /* none yet: an empty table */
	KT_ASSERT_EQ(task_spawn("t_sleeper", NULL, NULL, &t), KEEL_OK);
	KT_EXPECT_EQ(monitor_try("tasks"), 0);
	ksnprintf(line, sizeof(line), "kill %u", t->id);
	KT_EXPECT_EQ(monitor_try(line), 0);
	KT_EXPECT_EQ(task_wait(t, &status, 10000000), KEEL_OK);
	KT_EXPECT_EQ(status, KEEL_KILLED_STATUS);
	KT_EXPECT_EQ(monitor_try(line), -1); /* it has ended */
	KT_EXPECT_EQ(monitor_try("kill"), -1);
	KT_EXPECT_EQ(monitor_try("kill 1 2"), -1);
	KT_EXPECT_EQ(monitor_try("kill abc"), -1);
	KT_EXPECT_EQ(monitor_try("kill 99999999999"), -1); /* does not fit 32 bits */
	KT_EXPECT_EQ(monitor_try("tasks extra"), -1);
	KT_EXPECT_EQ(monitor_try("bootfs extra"), -1);
	KT_EXPECT_EQ(task_count(), 0);
}
