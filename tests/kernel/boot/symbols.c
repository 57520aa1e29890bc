/*
 * symbols.c - in-kernel tests of the symbol table and the backtrace walker.
 */
#include <keel/arch.h>
#include <keel/ktest.h>
#include <keel/string.h>
#include <keel/symbols.h>

KTEST(symbols, lookup_start_and_inside)
{
	uintptr_t off = 99;

	KT_EXPECT_STREQ(sym_lookup((uintptr_t)sym_lookup, &off), "sym_lookup");
	KT_EXPECT_EQ(off, 0);
	KT_EXPECT_STREQ(sym_lookup((uintptr_t)sym_lookup + 3, &off), "sym_lookup");
	KT_EXPECT_EQ(off, 3);
}

KTEST(symbols, outside_code_is_unknown)
{
	KT_EXPECT(sym_lookup(0, 0) == 0);
	KT_EXPECT(sym_lookup((uintptr_t)&ksym_count, 0) == 0);
	KT_EXPECT(sym_lookup(UINTPTR_MAX, 0) == 0);
}

KTEST(symbols, table_sorted)
{
	KT_ASSERT(ksym_count > 10);
	for (uint32_t i = 1; i < ksym_count; i++)
		if (ksym_table[i - 1].addr >= ksym_table[i].addr)
			ktest_fail(__FILE__, __LINE__, "entry %u (0x%lx) not above entry %u", i,
			           (unsigned long)ksym_table[i].addr, i - 1);
}

KTEST(symbols, address_of_name)
{
	uintptr_t addr = 0;

	KT_EXPECT(sym_address("ktest_run", &addr));
	KT_EXPECT_EQ(addr, (uintptr_t)ktest_run);
	KT_EXPECT(!sym_address("no_such_function", &addr));
}

KTEST(symbols, format)
{
	char buf[48];
	KT_EXPECT_STREQ(sym_format((uintptr_t)ktest_run + 0x10, buf, sizeof(buf)),
	                "ktest_run+0x10");
	KT_EXPECT_STREQ(sym_format(0x1234, buf, sizeof(buf)), "0x00001234");
}

/* Three nested calls, kept apart so each has its own frame. */
static __attribute__((noinline)) size_t bt_inner(uintptr_t *pcs, size_t max)
{
	size_t n = arch_backtrace(arch_current_frame(), pcs, max);
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return n;
}

static __attribute__((noinline)) size_t bt_middle(uintptr_t *pcs, size_t max)
{
	size_t n = bt_inner(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

static __attribute__((noinline)) size_t bt_outer(uintptr_t *pcs, size_t max)
{
	size_t n = bt_middle(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

KTEST(symbols, backtrace_names_callers)
{
	uintptr_t pcs[16];
	size_t n = bt_outer(pcs, 16);

	bool saw_kernel_main = false;

	/* Return addresses: into bt_middle, bt_outer, then this test... */
	KT_ASSERT(n >= 4);
	KT_EXPECT_STREQ(sym_lookup(pcs[0], 0), "bt_middle");
	KT_EXPECT_STREQ(sym_lookup(pcs[1], 0), "bt_outer");
	KT_EXPECT_STREQ(sym_lookup(pcs[2], 0), "ktest_fn_symbols_backtrace_names_callers");
	/* ...and on down to kernel_main; the chain ends before the buffer does. */
	for (size_t i = 0; i < n; i++)
		saw_kernel_main =
		    saw_kernel_main || ktest_streq(sym_lookup(pcs[i], 0), "kernel_main");
	KT_EXPECT(saw_kernel_main);
	KT_EXPECT(n < 16);
}

KTEST(symbols, backtrace_respects_max)
{
	uintptr_t pcs[2] = {0, 0};
	KT_EXPECT_EQ(bt_outer(pcs, 1), 1);
	KT_EXPECT_EQ(pcs[1], 0);
}

KTEST(symbols, backtrace_survives_bad_frames)
{
	uintptr_t pcs[8];
	uintptr_t loop[2];

	KT_EXPECT_EQ(arch_backtrace(0, pcs, 8), 0);
	KT_EXPECT_EQ(arch_backtrace(0x1000, pcs, 8), 0);                     /* user memory */
	KT_EXPECT_EQ(arch_backtrace((uintptr_t)&ksym_count + 1, pcs, 8), 0); /* misaligned */
	loop[0] = (uintptr_t)loop; /* a frame that points at itself */
	loop[1] = (uintptr_t)ktest_run;
	KT_EXPECT_EQ(arch_backtrace((uintptr_t)loop, pcs, 8), 1);
}
