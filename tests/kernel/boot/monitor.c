/*
 * monitor.c - in-kernel tests of the monitor's command interpreter.
 *
 * monitor_execute() runs one line as if typed at the prompt. Commands
 * print to the console (the harness ignores lines that are not KTAP);
 * these tests check what they return, and that bad input is refused
 * without harm. Every test image has the monitor, whatever its profile.
 */
#include <keel/ktest.h>
#include <keel/monitor.h>

#include "../monitor_try.h"

KTEST(monitor, refuses_unknown_and_empty_lines)
{
	KT_EXPECT_EQ(monitor_try("frobnicate"), -1);
	KT_EXPECT_EQ(monitor_try(""), -1);
	KT_EXPECT_EQ(monitor_try("   \t "), -1);
	KT_EXPECT_EQ(monitor_try("HELP"), -1); /* names are case-sensitive */
}

KTEST(monitor, runs_the_harmless_commands)
{
	KT_EXPECT_EQ(monitor_try("help"), 0);
	KT_EXPECT_EQ(monitor_try("info"), 0);
	KT_EXPECT_EQ(monitor_try("backtrace"), 0);
	KT_EXPECT_EQ(monitor_try("  help  "), 0);
}

KTEST(monitor, sym_checks_its_argument)
{
	KT_EXPECT_EQ(monitor_try("sym kernel_main"), 0);
	KT_EXPECT_EQ(monitor_try("sym 0xc0101000"), 0);
	KT_EXPECT_EQ(monitor_try("sym C0101000"), 0);
	KT_EXPECT_EQ(monitor_try("sym"), -1);
	KT_EXPECT_EQ(monitor_try("sym a b"), -1);
	KT_EXPECT_EQ(monitor_try("sym no_such_function"), -1);
	KT_EXPECT_EQ(monitor_try("sym 0x"), -1);
	KT_EXPECT_EQ(monitor_try("sym 0x123456789"), -1); /* does not fit an address */
}

KTEST(monitor, too_many_words_are_cut_not_overflowed)
{
	/* More words than MONITOR_MAX_ARGS: the rest are ignored. */
	KT_EXPECT_EQ(monitor_try("help 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"), 0);
}
