/*
 * monitor.c - the monitor commands slice 2 adds: mem and vm ADDR.
 *
 * Their output is checked by tests/e2e/test_mem.py, which types them at
 * `make run`; here they run in every profile, wrong arguments included.
 */
#include <keel/ktest.h>
#include <keel/monitor.h>

#include "../monitor_try.h"

KTEST(mem_monitor, commands_and_their_errors)
{
	int ok = 0; /* every test image has the monitor */

	KT_EXPECT_EQ(monitor_try("mem"), ok);
	KT_EXPECT_EQ(monitor_try("vm c0100000"), ok);
	KT_EXPECT_EQ(monitor_try("vm 0x0"), ok);      /* not mapped: said, not an error */
	KT_EXPECT_EQ(monitor_try("vm e0000000"), ok); /* a guard page */
	KT_EXPECT_EQ(monitor_try("mem extra"), -1);
	KT_EXPECT_EQ(monitor_try("vm"), -1);
	KT_EXPECT_EQ(monitor_try("vm c0100000 extra"), -1);
	KT_EXPECT_EQ(monitor_try("vm nothex"), -1);
	KT_EXPECT_EQ(monitor_try("vm 123456789"), -1); /* does not fit 32 bits */
}
