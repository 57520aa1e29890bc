/*
 * spinlock.c - the one lock type: interrupts off, a ticket, a rank.
 *
 * Taking a lock saves and clears the interrupt flag, then draws a ticket
 * and waits until the lock serves it. On one CPU the wait never happens:
 * with interrupts off nothing else runs, so the lock is free whenever a
 * CPU asks (a CPU asking for a lock it already holds would wait forever,
 * which the DEV profile turns into a panic that names the lock). The
 * ticket is for slice 7, where another CPU may hold it.
 *
 * Each CPU keeps the stack of the locks it holds in its struct cpu. It
 * answers spin_held(), and in the DEV profile it enforces the lock
 * order: a lock's rank must be above every held lock's, and locks are
 * released last-taken first. A lock held across a context switch (the
 * scheduler's) stays on the CPU's stack; the next thread pops it.
 */
#include <keel/arch.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

/* DEV: @p l may be taken by this CPU now (not held, ranked above the top). */
static void check_order(const struct cpu *c, const spinlock_t *l)
{
	for (unsigned i = 0; i < c->locks_held; i++)
		if (c->held[i] == l)
			panic("spin_lock: %s taken again by the CPU that holds it", l->name);
	if (c->locks_held > 0 && c->held[c->locks_held - 1]->rank >= l->rank)
		panic("spin_lock: %s (rank %u) taken while holding %s (rank %u): lock order",
		      l->name, l->rank, c->held[c->locks_held - 1]->name,
		      c->held[c->locks_held - 1]->rank);
	if (c->locks_held == SPINLOCK_DEPTH_MAX)
		panic("spin_lock: %s: more than %d locks held", l->name, SPINLOCK_DEPTH_MAX);
}

/* [spin_lock] */
spinflags_t spin_lock(spinlock_t *l)
{
	spinflags_t flags = arch_irq_save();
	struct cpu *c = cpu_self();

	if (KEEL_ASSERTS)
		check_order(c, l);
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	c->held[c->locks_held++] = l;
	return flags;
}
/* [spin_lock] */

/* Pop @p l off this CPU's stack and serve the next ticket. */
static void release(spinlock_t *l)
{
	struct cpu *c = cpu_self();

	if (KEEL_ASSERTS && (c->locks_held == 0 || c->held[c->locks_held - 1] != l))
		panic("spin_unlock: %s is not the lock this CPU took last", l->name);
	c->locks_held--;
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

void spin_unlock(spinlock_t *l, spinflags_t flags)
{
	release(l);
	arch_irq_restore(flags);
}

void spin_unlock_enable(spinlock_t *l)
{
	release(l);
	arch_irq_enable();
}

bool spin_held(const spinlock_t *l)
{
	const struct cpu *c = cpu_self();

	for (unsigned i = 0; i < c->locks_held; i++)
		if (c->held[i] == l)
			return true;
	return false;
}

unsigned spin_depth(void)
{
	return cpu_self()->locks_held;
}
