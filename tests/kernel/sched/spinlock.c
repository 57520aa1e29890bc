/*
 * spinlock.c - in-kernel tests of the one lock type.
 *
 * A held lock keeps interrupts off and is known to be held; locks nest
 * in rank order and unwind in reverse, each restoring the interrupt
 * state it found. The DEV profile's checks (a lock taken twice, out of
 * rank order, released out of order) end in a panic, so those cases are
 * explicit: tests/e2e/test_locks.py boots each one and reads the report.
 */
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

static spinlock_t low = SPINLOCK_INIT("test-low", LOCK_RANK_FRAME + 10);
static spinlock_t high = SPINLOCK_INIT("test-high", LOCK_RANK_FRAME + 20);

KTEST(spinlock, held_keeps_interrupts_off)
{
	unsigned depth = spin_depth();

	KT_ASSERT(irq_enabled());
	KT_EXPECT(!spin_held(&low));
	spinflags_t f = spin_lock(&low);
	KT_EXPECT(!irq_enabled());
	KT_EXPECT(spin_held(&low));
	KT_EXPECT_EQ(spin_depth(), depth + 1);
	spin_unlock(&low, f);
	KT_EXPECT(irq_enabled());
	KT_EXPECT(!spin_held(&low));
	KT_EXPECT_EQ(spin_depth(), depth);
}

KTEST(spinlock, nests_in_rank_order)
{
	spinflags_t outer = spin_lock(&sched_lock);
	spinflags_t inner = spin_lock(&low);
	spinflags_t innermost = spin_lock(&high);

	KT_EXPECT(spin_held(&sched_lock) && spin_held(&low) && spin_held(&high));
	spin_unlock(&high, innermost);
	spin_unlock(&low, inner);
	KT_EXPECT(!irq_enabled()); /* the inner unlocks restore "off" */
	KT_EXPECT(spin_held(&sched_lock) && !spin_held(&low));
	spin_unlock(&sched_lock, outer);
	KT_EXPECT(irq_enabled());
}

KTEST(spinlock, tickets_advance_once_per_hold)
{
	uint32_t next = low.next, serving = low.serving;

	for (int i = 0; i < 3; i++)
		spin_unlock(&low, spin_lock(&low));
	KT_EXPECT_EQ(low.next, next + 3);
	KT_EXPECT_EQ(low.serving, serving + 3);
	KT_EXPECT_EQ(low.next, low.serving); /* free: no ticket outstanding */
}

KTEST_EXPLICIT_CASE(spinlock, taken_twice_panics)
{
	spin_lock(&low);
	spin_lock(&low); /* DEV: a panic naming the lock, not a silent hang */
}

KTEST_EXPLICIT_CASE(spinlock, out_of_rank_order_panics)
{
	spin_lock(&high);
	spin_lock(&low);
}

KTEST_EXPLICIT_CASE(spinlock, unlock_out_of_order_panics)
{
	spinflags_t a = spin_lock(&low);
	spinflags_t b = spin_lock(&high);

	spin_unlock(&low, a);
	spin_unlock(&high, b);
}
