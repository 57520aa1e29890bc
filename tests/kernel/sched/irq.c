/*
 * irq.c - in-kernel tests of interrupt registration and the interrupted registers.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/timer.h>

static void ignore(unsigned irq, void *ctx)
{
	(void)irq, (void)ctx;
}

KTEST(irq, register_rejects_bad_lines)
{
	KT_EXPECT_EQ(irq_register(IRQ_LINES, ignore, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(irq_register(3, 0, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(irq_unregister(IRQ_LINES), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(irq_unregister(5), KEEL_ERR_NOT_FOUND);
}

KTEST(irq, one_handler_per_line)
{
	/* Line 5 is free on QEMU's PC (no device raises it). */
	KT_ASSERT_EQ(irq_register(5, ignore, 0), KEEL_OK);
	KT_EXPECT_EQ(irq_register(5, ignore, 0), KEEL_ERR_BUSY);
	KT_EXPECT_EQ(irq_unregister(5), KEEL_OK);
	KT_EXPECT_EQ(irq_unregister(5), KEEL_ERR_NOT_FOUND);
}

KTEST(irq, ticks_preserve_the_interrupted_registers)
{
	uint64_t start = timer_ticks();
	uint32_t a = 1, b = 2, n = 0;

	/* Compute in registers until at least two ticks have cut in (if none
	 * ever comes, the harness reports a hang), then redo the same work
	 * with interrupts off: any register a trap failed to restore shows. */
	while (timer_ticks() < start + 3) {
		a = a * 1103515245u + 12345u;
		b ^= a >> 3;
		n++;
	}
	spinflags_t f = spin_lock(&sched_lock);
	uint32_t a2 = 1, b2 = 2;
	for (uint32_t i = 0; i < n; i++) {
		a2 = a2 * 1103515245u + 12345u;
		b2 ^= a2 >> 3;
	}
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(a, a2);
	KT_EXPECT_EQ(b, b2);
	KT_EXPECT(n > 0);
}
