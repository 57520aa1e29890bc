/*
 * monitor.c - the monitor commands slice 1 adds: threads and uptime.
 */
#include <keel/ktest.h>
#include <keel/monitor.h>

#include "../monitor_try.h"

KTEST(sched_monitor, threads_and_uptime_run)
{
	int expected = 0; /* every test image has the monitor */

	KT_EXPECT_EQ(monitor_try("threads"), expected);
	KT_EXPECT_EQ(monitor_try("uptime"), expected);
	KT_EXPECT_EQ(monitor_try("threads extra words"), -1); /* the usage, like `mem extra` */
	KT_EXPECT_EQ(monitor_try("uptime now"), -1);
}
