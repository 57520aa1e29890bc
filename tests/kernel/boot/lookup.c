/*
 * lookup.c - in-kernel tests of sym_lookup() over the whole symbol table.
 *
 * symbols.c beside this file checks a few lookups by name; these cases
 * check every entry of the table and the edges of the code, where a
 * binary search most often goes wrong (the first function, the last one,
 * one byte either side). Lab 0's tests of sym_lookup() (labs/00-boot).
 */
#include <keel/ktest.h>
#include <keel/symbols.h>

static const char *entry_name(uint32_t i)
{
	return &ksym_names[ksym_table[i].name_off];
}

/* Look up @p addr; fail (and return false) unless it is @p want at @p want_off. */
static bool expect_lookup(uintptr_t addr, uint32_t want, uintptr_t want_off)
{
	uintptr_t off = ~(uintptr_t)0;
	const char *name = sym_lookup(addr, &off);

	if (ktest_streq(name, entry_name(want)) && off == want_off)
		return true;
	if (name == 0)
		ktest_fail(__FILE__, __LINE__, "sym_lookup(0x%lx): expected %s+0x%lx, got NULL",
		           (unsigned long)addr, entry_name(want), (unsigned long)want_off);
	else
		ktest_fail(__FILE__, __LINE__, "sym_lookup(0x%lx): expected %s+0x%lx, got %s+0x%lx",
		           (unsigned long)addr, entry_name(want), (unsigned long)want_off, name,
		           (unsigned long)off);
	return false;
}

KTEST(lookup, every_symbol)
{
	KT_ASSERT(ksym_count > 10);
	/* The first and the last byte of every function; stop at the first miss. */
	for (uint32_t i = 0; i + 1 < ksym_count; i++) {
		uintptr_t start = ksym_table[i].addr, end = ksym_table[i + 1].addr;
		if (!expect_lookup(start, i, 0) || !expect_lookup(end - 1, i, end - 1 - start))
			return;
	}
}

KTEST(lookup, edges_of_the_code)
{
	uintptr_t first = ksym_table[0].addr, last = ksym_table[ksym_count - 1].addr;

	KT_ASSERT(ksym_count > 10);
	KT_EXPECT(sym_lookup(first - 1, 0) == 0);
	KT_EXPECT_STREQ(sym_lookup(first, 0), entry_name(0));
	KT_EXPECT_STREQ(sym_lookup(last - 1, 0), entry_name(ksym_count - 2));
	/* The last entry marks the end of the code: it and beyond are no function. */
	KT_EXPECT(sym_lookup(last, 0) == 0);
	KT_EXPECT(sym_lookup(last + 0x1000, 0) == 0);
}
