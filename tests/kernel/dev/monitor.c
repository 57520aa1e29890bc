/*
 * monitor.c - the monitor command slice 6 adds: irqs.
 *
 * With no driver, `irqs` shows every line free but the kernel's. Then
 * t_dev_peer (role DEVPEER_IRQ_SHOW) binds the clock's line 8 through
 * its root capabilities, takes one interrupt and waits for ever without
 * acknowledging it: `irqs` runs while the line is bound and masked. The
 * task is killed, and its line is free again. tests/e2e/test_gdb_dev.py
 * stops this case in cmd_irqs() to compare GDB's `keel irqs` with what
 * the monitor prints.
 */
#include <keel/dev.h>
#include <keel/ktest.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/task.h>
#include <keel/timer.h>

#include "../monitor_try.h"

#define SETTLE_TRIES 5000 /* 1 ms each */
#define SHOW_LINE    8
#define SHOW_ROLE    8 /* DEVPEER_IRQ_SHOW */

static bool line_waiting(unsigned line)
{
	struct dev_irq_info st;

	return dev_irq_state(line, &st) && st.waiting;
}

KTEST(dev_monitor, irqs)
{
	struct keel_spawn opts = {.arg = SHOW_ROLE};
	struct dev_irq_info st;
	struct task *t;
	unsigned tries = 0;
	int status = 0;

	KT_EXPECT_EQ(monitor_try("irqs"), 0); /* every line free */
	KT_EXPECT_EQ(monitor_try("irqs extra"), -1);
	KT_ASSERT_EQ(task_spawn("t_dev_peer", NULL, &opts, &t), KEEL_OK);
	while (!line_waiting(SHOW_LINE) && tries++ < SETTLE_TRIES)
		thread_sleep_us(1000);
	KT_EXPECT(tries < SETTLE_TRIES);
	KT_ASSERT(dev_irq_state(SHOW_LINE, &st));
	KT_EXPECT(st.bound && st.waiting && st.task == t->id && st.bits == 0x10);
	KT_EXPECT_EQ(monitor_try("irqs"), 0);
	KT_EXPECT_EQ(task_kill(t, KEEL_KILLED_STATUS), KEEL_OK);
	KT_EXPECT_EQ(task_wait(t, &status, 5000000), KEEL_OK);
	KT_EXPECT_EQ(status, KEEL_KILLED_STATUS);
	KT_ASSERT(dev_irq_state(SHOW_LINE, &st));
	KT_EXPECT(!st.bound && !st.waiting);
	KT_EXPECT_EQ(dev_irq_bound_count(), 0);
	KT_EXPECT_EQ(monitor_try("irqs"), 0);
}
