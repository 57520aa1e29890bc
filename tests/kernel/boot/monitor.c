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

KTEST(monitor, sym_explains_addresses_in_no_function)
{
	KT_EXPECT_EQ(monitor_try("sym 0"), 0);           /* outside the image: said, not an error */
	KT_EXPECT_EQ(monitor_try("sym c0100000"), 0);    /* below .text */
	KT_EXPECT_EQ(monitor_try("sym ffffffff"), 0);    /* past everything */
	KT_EXPECT_EQ(monitor_try("sym _bss_start"), -1); /* not a function: no name */
}

KTEST(monitor, sym_suggests_near_names)
{
	KT_EXPECT_EQ(monitor_try("sym kmain"), -1);       /* kernel_main is suggested */
	KT_EXPECT_EQ(monitor_try("sym kernel_mian"), -1); /* two letters swapped */
	KT_EXPECT_EQ(monitor_try("sym k"), -1);           /* a short word: few suggestions */
	KT_EXPECT_EQ(monitor_try("sym "
	                         "a_name_much_longer_than_any_function_in_the_kernel_xxxxxxxxxx"),
	             -1);
}

KTEST(monitor, extra_words_get_the_usage)
{
	KT_EXPECT_EQ(monitor_try("help me"), -1);
	KT_EXPECT_EQ(monitor_try("info x"), -1);
	KT_EXPECT_EQ(monitor_try("backtrace 3"), -1);
	KT_EXPECT_EQ(monitor_try("reboot now"), -1); /* refused: the machine goes on */
	KT_EXPECT_EQ(monitor_try("halt now"), -1);
	KT_EXPECT_EQ(monitor_try("panic two words"), -1);
}

KTEST(monitor, too_many_words_are_cut_not_overflowed)
{
	/* More words than MONITOR_MAX_ARGS: the rest are not read; too many for help. */
	KT_EXPECT_EQ(monitor_try("help 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"), -1);
	KT_EXPECT_EQ(monitor_try("sym 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"), -1);
}
