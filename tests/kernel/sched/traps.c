/*
 * traps.c - exceptions raised on purpose, for the harness to check the
 * reports (tests/e2e/test_traps.py). Each one panics the kernel, so they
 * are explicit cases: `test=all` never runs them.
 */
#include <keel/ktest.h>

KTEST_EXPLICIT_CASE(traps, divide_error)
{
	volatile int zero = 0;
	volatile int r = 100 / zero; /* not 1 / x: GCC computes that without dividing */
	(void)r;
}

KTEST_EXPLICIT_CASE(traps, invalid_opcode)
{
	__asm__ volatile("ud2");
}

KTEST_EXPLICIT_CASE(traps, general_protection)
{
	/* Load a selector past the end of the GDT. */
	__asm__ volatile("movw $0x1008, %%ax; movw %%ax, %%fs" : : : "eax");
}

KTEST_EXPLICIT_CASE(traps, breakpoint)
{
	__asm__ volatile("int3");
}

KTEST_EXPLICIT_CASE(traps, page_fault)
{
	/* The boot identity map is gone: low addresses are not present. */
	*(volatile int *)0x1000 = 1;
}
