/**
 * @file sched.h
 * @brief The fixed-priority, preemptive, O(1) scheduler and wait queues.
 *
 * The policy, in full: the CPU runs the highest-priority READY thread.
 * Threads of equal priority share the CPU round-robin, each running for
 * a slice of SCHED_SLICE_TICKS timer ticks before it goes to the back of
 * its level. A thread that becomes READY with a higher priority than the
 * running one preempts it at once (at the end of the interrupt, or when
 * the waking thread leaves the kernel call). A thread preempted that way
 * keeps the rest of its slice and the front of its level. With nothing
 * READY the CPU runs its idle thread, which halts until an interrupt.
 *
 * Every scheduling operation is O(1): the run queue (runq.h) finds the
 * top level with a bitmap, and the lists are intrusive.
 *
 * All per-CPU state is in struct cpu. Slice 1 has one CPU; slice 7 gives
 * every CPU its own struct cpu, so nothing here assumes there is only one.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/list.h>
#include <keel/runq.h>
#include <keel/spinlock.h>
#include <keel/thread.h>
#include <keel/wait.h>
#include <stdbool.h>

/** @brief Timer ticks in one round-robin time slice. */
#define SCHED_SLICE_TICKS 4

/**
 * @brief Everything one CPU owns, reached only through cpu_self().
 * The scheduler's fields are guarded by sched_lock; the lock stack is
 * the CPU's own (only its code touches it, with interrupts off).
 */
struct cpu {
	struct runq rq;         /**< READY threads of this CPU. */
	struct thread *current; /**< The RUNNING thread. */
	struct thread *idle;    /**< Runs when rq is empty; never queued. */
	bool
	    need_resched; /**< Set when a better thread is READY; checked on the way out of interrupts. */
	uint64_t switches; /**< Context switches so far. */
	uint64_t
	    switched_at; /**< arch_clock_ticks() at the last switch, for CPU-time accounting. */
	unsigned id;     /**< CPU number. */
	const spinlock_t *held[SPINLOCK_DEPTH_MAX]; /**< Locks this CPU holds, first taken first. */
	unsigned locks_held;                        /**< How many entries of held[] are in use. */
};

/**
 * @brief The scheduler's lock: it guards every thread's state and queue
 * links, each CPU's run queue and need_resched, the wait queues and the
 * timer queue. Held across every context switch: the thread that calls
 * sched_switch() took it, the thread that runs next releases it (a new
 * thread in thread_entry()). Rank LOCK_RANK_SCHED, the lowest.
 */
extern spinlock_t sched_lock;

/**
 * @brief This CPU's struct cpu: the only way to reach per-CPU data. Call
 * with interrupts off (a lock held), or the thread may move to another
 * CPU under you (slice 7).
 */
struct cpu *cpu_self(void);

/**
 * @brief The thread to run next on @p c: the first of its highest READY
 * level, taken off the queue, or the idle thread. O(1). sched_lock held.
 */
struct thread *sched_pick_next(struct cpu *c);

/**
 * @brief Give the CPU to the best READY thread. The caller has already
 * set the current thread's state (RUNNING to stay runnable, BLOCKED,
 * SLEEPING or DEAD to leave). sched_lock held; returns when this thread
 * runs again (never if DEAD).
 */
void sched_switch(void);

/**
 * @brief Switch straight to @p next without consulting the run queue: the
 * IPC fast path's hand-off. The caller has blocked itself (its state is
 * BLOCKED or SLEEPING, or DEAD), and @p next was taken off its wait queue
 * with waitq_wake_thread(next, status, true); nothing READY may beat
 * @p next's priority, so this is the choice sched_switch() would make,
 * made in O(1) without a queue operation. Each condition is asserted.
 * sched_lock held; returns when the caller runs again.
 */
void sched_switch_to(struct thread *next);
/** @brief Let other threads of the same priority run. Thread context. */
void sched_yield(void);

/**
 * @brief Make @p t READY and queue it; ask for a switch if it beats the
 * running thread. sched_lock held. Used by wake-ups and thread_create().
 */
void sched_make_ready(struct thread *t);

/**
 * @brief Count one timer tick against the running thread's slice. When
 * the slice ends, ask for a switch if a thread of equal or higher priority
 * is READY; a thread alone at the top starts a new slice without one.
 * Interrupt context.
 */
void sched_tick(void);

/** @brief Switch now if a switch was asked for. Called on the way out of an interrupt. */
void sched_preempt(void);

/**
 * @brief Change @p t's priority to @p prio, requeueing it if READY.
 * @return KEEL_OK; KEEL_ERR_INVALID if @p prio > PRIO_MAX or @p t is NULL.
 */
kstatus_t sched_set_priority(struct thread *t, unsigned prio);

/**
 * @brief sched_set_priority() for a caller that holds sched_lock (priority
 * inheritance): the change takes effect at the next preemption point.
 * @p t non-NULL, @p prio <= PRIO_MAX (asserted).
 */
void sched_set_priority_locked(struct thread *t, unsigned prio);
/**
 * @brief Called, when set, as the CPU switches to @p next, before its
 * registers are loaded; sched_lock held, interrupts off. Slice 3 sets it
 * to load @p next's address space and the kernel stack ring 3 traps to.
 * NULL before slice 3. Must be short: it is on every switch's path.
 */
extern void (*sched_switch_hook)(struct thread *next);

/** @brief The calling thread. Any context once the scheduler runs. */
struct thread *thread_current(void);

#endif
