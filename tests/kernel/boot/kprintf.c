/*
 * kprintf.c - in-kernel tests of the formatting engine, on the target.
 *
 * The host unit tests check the engine thoroughly; these check the same
 * code where it runs: 32-bit longs, 64-bit division through libgcc, and
 * the kernel's own string functions.
 */
#include <keel/kprintf.h>
#include <keel/ktest.h>
#include <stdint.h>

/* [ktest_example] */
static char out[64];

#define FMT(...) (ksnprintf(out, sizeof(out), __VA_ARGS__), out)

KTEST(kprintf, decimal)
{
	KT_EXPECT_STREQ(FMT("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
	KT_EXPECT_STREQ(FMT("%d", (int)0x80000000), "-2147483648");
}

KTEST(kprintf, hex_and_pointer)
{
	KT_EXPECT_STREQ(FMT("%x %X", 0xdeadbeefu, 0xcafeu), "deadbeef CAFE");
	KT_EXPECT_STREQ(FMT("%p", (void *)0xc0100000), "0xc0100000");
}

/* [ktest_example] */

KTEST(kprintf, width_and_padding)
{
	KT_EXPECT_STREQ(FMT("[%5d][%-5d][%05d]", 42, 42, -42), "[   42][42   ][-0042]");
	KT_EXPECT_STREQ(FMT("[%08x][%*s]", 0xbeefu, 4, "ab"), "[0000beef][  ab]");
}

KTEST(kprintf, long_long)
{
	KT_EXPECT_STREQ(FMT("%llu", 18446744073709551615ull), "18446744073709551615");
	KT_EXPECT_STREQ(FMT("%lld", (long long)INT64_MIN), "-9223372036854775808");
	KT_EXPECT_STREQ(FMT("%llx", 0x123456789abcdefull), "123456789abcdef");
}

KTEST(kprintf, truncation)
{
	char small[6];
	int n = ksnprintf(small, sizeof(small), "%s", "overflowing");
	KT_EXPECT_EQ(n, 11);
	KT_EXPECT_STREQ(small, "overf");
}

KTEST(kprintf, size_modifiers)
{
	/* On i386 size_t is 32 bits: %zd must still see -1 as negative. */
	KT_EXPECT_STREQ(FMT("%zd %zu", (ptrdiff_t)-1, (size_t)4000000000u), "-1 4000000000");
}

KTEST(kprintf, binary_digits)
{
	char buf[FMT_NUM_MAX];
	KT_EXPECT_EQ(fmt_number(buf, UINT64_MAX, 2, false), 64);
	KT_EXPECT_EQ(fmt_number(buf, 0, 10, false), 1);
	KT_EXPECT_STREQ(buf, "0");
}
