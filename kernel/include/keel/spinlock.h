/**
 * @file spinlock.h
 * @brief The kernel's one lock type (kernel/sched/spinlock.c).
 *
 * Every critical section in the kernel is a spinlock_t held with
 * spin_lock() and spin_unlock(); nothing else turns interrupts off to
 * protect data. Taking a lock always saves and clears the interrupt flag
 * first, so an interrupt handler on the same CPU can never spin on a lock
 * the code it interrupted holds. On one CPU that is all a lock needs to
 * do; the ticket it also takes is what makes the same code correct on
 * several (slice 7): each taker draws the next ticket and waits until
 * the lock serves it, so waiters are served in order, none starves, and
 * the wait is bounded by the number of CPUs.
 *
 * Locks are ranked. A CPU may take a lock only when every lock it holds
 * has a lower rank, and releases them in the reverse order; so no two
 * CPUs can ever wait for each other. The DEV profile (KEEL_ASSERTS)
 * checks both rules, and that no CPU takes a lock it already holds,
 * against the stack of held locks in its struct cpu. The ranks, lowest
 * first, are those of enum lock_rank.
 *
 * The scheduler's lock is special in one way: it is held across a
 * context switch. The thread that switches away took it; the thread that
 * runs next releases it (sched.h says how).
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @brief Lock ranks: a CPU holding a lock may only take locks of a
 * higher rank. Nested acquisitions in the kernel today, outermost first:
 * the scheduler (thread_create allocates a stack: the VM, then frames),
 * the kernel heap (a slab grows by frames), the interrupt table.
 */
enum lock_rank {
	LOCK_RANK_SCHED = 10, /**< sched_lock: threads, run queue, wait queues, timers. */
	LOCK_RANK_IRQ = 20,   /**< The interrupt handler table (irq.c). */
	LOCK_RANK_VM = 30,    /**< Address spaces and their page tables (vm.c). */
	LOCK_RANK_HEAP = 40,  /**< Slab caches and kmalloc (slab.c, kmalloc.c). */
	LOCK_RANK_FRAME = 50, /**< The kernel's frame allocator and its cache (frame.c). */
};

/** @brief Locks one CPU may hold at once (the depth of the rank order). */
#define SPINLOCK_DEPTH_MAX 8

/** @brief A spinlock: a ticket pair, a name and a rank. */
typedef struct spinlock {
	volatile uint32_t next;    /**< The next ticket to hand out. */
	volatile uint32_t serving; /**< The ticket that may hold the lock. */
	const char *name;          /**< For assertion messages and reports. */
	uint8_t rank;              /**< Its place in the lock order (enum lock_rank). */
} spinlock_t;

/** @brief A static initialiser: `spinlock_t l = SPINLOCK_INIT("name", LOCK_RANK_X);` */
#define SPINLOCK_INIT(lname, lrank)                                                                \
	{                                                                                          \
		0, 0, (lname), (lrank)                                                             \
	}

/** @brief The interrupt state spin_lock() saved, for spin_unlock(). */
typedef unsigned long spinflags_t;

/**
 * @brief Save and clear the interrupt flag, then take @p l, waiting for
 * its turn. DEV asserts that this CPU does not hold @p l and holds no
 * lock of an equal or higher rank. Any context; never sleeps.
 * @return the interrupt state to hand to spin_unlock().
 */
spinflags_t spin_lock(spinlock_t *l);

/**
 * @brief Release @p l and restore the interrupt state @p flags. DEV
 * asserts that @p l is the lock this CPU took last.
 */
void spin_unlock(spinlock_t *l, spinflags_t flags);

/**
 * @brief Release @p l and turn interrupts on. Only for a new thread's
 * first moment (thread_entry()), which inherits the scheduler's lock from
 * the switch that started it and has no saved state to restore.
 */
void spin_unlock_enable(spinlock_t *l);

/** @brief True if this CPU holds @p l. For assertions. */
bool spin_held(const spinlock_t *l);

/** @brief How many locks this CPU holds now. For assertions and tests. */
unsigned spin_depth(void);

#endif
