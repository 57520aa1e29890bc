/*
 * backtrace.c - in-kernel tests of the frame-pointer walk (x86).
 *
 * The walk runs during a panic, on a stack that may be corrupt, so it
 * must stop cleanly on any frame pointer it cannot trust instead of
 * faulting. These cases give it chains made by hand (including ones that
 * lead out of mapped memory) and the real chain of three nested calls,
 * and name return addresses without sym_lookup() so they grade the walk
 * alone. Lab 0's tests of arch_backtrace() (labs/00-boot), with the
 * backtrace cases in symbols.c.
 */
#include <keel/arch.h>
#include <keel/ktest.h>
#include <keel/string.h>
#include <keel/symbols.h>

#include "../../../arch/x86/x86.h"

/*
 * The first page above KERNEL_VBASE that cannot be read: the end of the boot
 * mapping in slice 0, of the direct map once slice 2 builds one.
 */
static uintptr_t mapped_end(void)
{
	uintptr_t va = KERNEL_VBASE;

	while (x86_kernel_readable(va))
		va += 4096;
	return va;
}

/* The function containing @p pc, by a plain scan of the table. */
static const char *containing_function(uintptr_t pc)
{
	for (uint32_t i = 0; i + 1 < ksym_count; i++)
		if (ksym_table[i].addr <= pc && pc < ksym_table[i + 1].addr)
			return &ksym_names[ksym_table[i].name_off];
	return 0;
}

KTEST(backtrace, fake_chain)
{
	/* Three frames, callers at higher addresses, the last ending the chain. */
	uintptr_t frames[6], pcs[8] = {0};

	frames[0] = (uintptr_t)&frames[2], frames[1] = 0x1111;
	frames[2] = (uintptr_t)&frames[4], frames[3] = 0x2222;
	frames[4] = 0, frames[5] = 0x3333;
	KT_ASSERT_EQ(arch_backtrace((uintptr_t)frames, pcs, 8), 3);
	KT_EXPECT_EQ(pcs[0], 0x1111);
	KT_EXPECT_EQ(pcs[1], 0x2222);
	KT_EXPECT_EQ(pcs[2], 0x3333);
	KT_EXPECT_EQ(pcs[3], 0);
}

KTEST(backtrace, unmapped_frames)
{
	uintptr_t frames[4], pcs[8];
	const uintptr_t end = mapped_end();

	/* Frames whose words are not all mapped are never read. */
	KT_EXPECT_EQ(arch_backtrace(end, pcs, 8), 0);
	KT_EXPECT_EQ(arch_backtrace(end - sizeof(uintptr_t), pcs, 8), 0);
	KT_EXPECT_EQ(arch_backtrace(UINTPTR_MAX - 3, pcs, 8), 0);
	/* A good frame whose caller's frame lies past the mapping. */
	frames[0] = (uintptr_t)&frames[2], frames[1] = 0x1111;
	frames[2] = end + 0x1000, frames[3] = 0x2222;
	KT_EXPECT_EQ(arch_backtrace((uintptr_t)frames, pcs, 8), 2);
}

/* Three nested calls, kept apart so each has its own frame. */
static __attribute__((noinline)) size_t walk_3(uintptr_t *pcs, size_t max)
{
	size_t n = arch_backtrace(arch_current_frame(), pcs, max);
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return n;
}

static __attribute__((noinline)) size_t walk_2(uintptr_t *pcs, size_t max)
{
	size_t n = walk_3(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

static __attribute__((noinline)) size_t walk_1(uintptr_t *pcs, size_t max)
{
	size_t n = walk_2(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

KTEST(backtrace, walks_callers)
{
	uintptr_t pcs[32];
	size_t n = walk_1(pcs, 32);

	/* Return addresses into walk_2, walk_1, this case, then its callers. */
	KT_ASSERT(n >= 4);
	KT_EXPECT_STREQ(containing_function(pcs[0]), "walk_2");
	KT_EXPECT_STREQ(containing_function(pcs[1]), "walk_1");
	KT_EXPECT_STREQ(containing_function(pcs[2]), "ktest_fn_backtrace_walks_callers");
	/* The chain ends at the first frame, long before the buffer does. */
	KT_EXPECT(n < 32);
	for (size_t i = 0; i < n; i++)
		if (containing_function(pcs[i]) == 0)
			ktest_fail(__FILE__, __LINE__, "frame %zu: 0x%lx is outside the code", i,
			           (unsigned long)pcs[i]);
}
