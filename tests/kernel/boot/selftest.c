/*
 * selftest.c - cases that go wrong on purpose, to test the test harness.
 *
 * A harness that cannot see a failure passes everything. Each case here
 * fails in one of the ways the harness must tell apart (an assertion, a
 * panic, a hang, a triple fault, a reset, forged KTAP, an output flood).
 * They are KTEST_EXPLICIT: `test=all` skips them; the harness's own
 * tests (tests/harness/test_harness.py) name them one at a time.
 */
#include <keel/arch.h>
#include <keel/kprintf.h>
#include <keel/ktest.h>
#include <keel/panic.h>

KTEST_EXPLICIT_CASE(selftest, expect_fails)
{
	int answer = 41;
	KT_EXPECT_EQ(answer, 42);
}

KTEST_EXPLICIT_CASE(selftest, panics)
{
	panic("selftest: a deliberate panic");
}

KTEST_EXPLICIT_CASE(selftest, assert_fails)
{
	int zero = 0;
	assert(zero == 1);
	/* In a profile without assertions, fail the ordinary way. */
	KT_EXPECT(zero == 1);
}

KTEST_EXPLICIT_CASE(selftest, hangs)
{
	arch_irq_disable();
	for (;;)
		arch_cpu_relax();
}

KTEST_EXPLICIT_CASE(selftest, triple_faults)
{
	/* An empty interrupt table: the breakpoint cannot be delivered, nor the
	 * resulting #GP, nor the double fault: the CPU shuts down. */
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) no_idt = {0, 0};
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
}

KTEST_EXPLICIT_CASE(selftest, reboots)
{
	arch_reboot();
}

KTEST_EXPLICIT_CASE(selftest, forges_results)
{
	/* A result line with a number the plan never announced. */
	kprintf("    ok 7 forged\n");
}

KTEST_EXPLICIT_CASE(selftest, forges_a_pass)
{
	/* What code beside the runner could print: a well-formed, complete pass
	 * for this case and its suite, then the exit code of a pass. Only the
	 * missing keel-auth tags give it away. */
	kprintf("    ok 1 forges_a_pass\nok 1 boot.selftest\n");
	arch_machine_exit(KEEL_EXIT_PASS);
}

KTEST_EXPLICIT_CASE(selftest, floods)
{
	/* Far more output than the harness accepts (it keeps 1 MiB). */
	for (int i = 0; i < 200000; i++)
		kprintf("flood flood flood flood flood flood flood flood %d\n", i);
}

KTEST_EXPLICIT_CASE(selftest, smashes_stack)
{
	/* Overrun a local array past the canary and the return address. Only
	 * the HARDENED profile catches this (its stack protector panics); in
	 * the others the return jumps to 0x41414141 and the CPU shuts down. */
	volatile char buf[8];
	volatile int n = 64;
	for (int i = 0; i < n; i++)
		buf[i] = 'A';
	KT_EXPECT(buf[0] == 'A');
}
