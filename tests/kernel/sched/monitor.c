/*
 * monitor.c - the monitor commands slice 1 adds: threads and uptime.
 */
#include <keel/ktest.h>
#include <keel/monitor.h>
#include <keel/string.h>

static int run(const char *text)
{
	static char line[MONITOR_LINE_MAX];

	strlcpy(line, text, sizeof(line));
	return monitor_execute(line);
}

KTEST(sched_monitor, threads_and_uptime_run)
{
	int expected = KEEL_MONITOR ? 0 : -1; /* the stub refuses everything */

	KT_EXPECT_EQ(run("threads"), expected);
	KT_EXPECT_EQ(run("uptime"), expected);
	KT_EXPECT_EQ(run("threads extra words"), expected);
}
