/**
 * @file wait.h
 * @brief Wait queues: where threads block until something happens.
 *
 * A wait queue is a FIFO of BLOCKED threads. The code that makes the
 * awaited thing happen (data arrives, a thread exits) wakes one or all of
 * them. Every wait takes a timeout. Blocking and waking are O(1).
 */
#ifndef KEEL_WAIT_H
#define KEEL_WAIT_H

#include <keel/list.h>
#include <keel/status.h>
#include <stdbool.h>
#include <stdint.h>

struct thread;

struct waitq;

/**
 * @brief Called when a thread leaves @p wq without its owner waking it:
 * its timeout expired (@p why KEEL_ERR_TIMED_OUT) or waitq_cancel() ended
 * the wait. sched_lock held, interrupts off, @p t still on the queue; it
 * is woken right after. Slice 4 uses it to undo what a blocked IPC had
 * set up (a reply right, an inherited priority) at the moment the wait
 * ends, not later when the thread runs. Must be short and bounded.
 */
typedef void (*waitq_leave_fn)(struct waitq *wq, struct thread *t, kstatus_t why);

/** @brief A queue of BLOCKED threads, woken first come first served. */
struct waitq {
	struct list waiters;  /**< BLOCKED threads, by wait_link, oldest first. */
	waitq_leave_fn leave; /**< Called as a waiter times out or is cancelled; NULL: nothing. */
};

/** @brief Make @p wq an empty queue with no leave function. */
void waitq_init(struct waitq *wq);

/**
 * @brief Block the calling thread on @p wq until woken or @p timeout_us passes.
 *
 * Hold sched_lock: check the condition you wait for and call this
 * without releasing it in between, so a wake-up cannot slip between the
 * check and the sleep. The lock is held again when this returns.
 * @param timeout_us TIMEOUT_NEVER to wait for ever; 0 returns at once.
 * @return KEEL_OK when woken; KEEL_ERR_TIMED_OUT when the timeout expired.
 */
kstatus_t waitq_wait(struct waitq *wq, uint64_t timeout_us);

/**
 * @brief waitq_wait(), handing the CPU straight to @p next (taken off its
 * own queue with waitq_wake_thread(next, status, true)) instead of asking
 * the scheduler: the IPC fast path (sched_switch_to() lists the
 * conditions). @p timeout_us is not 0. sched_lock held.
 */
kstatus_t waitq_wait_switch_to(struct waitq *wq, uint64_t timeout_us, struct thread *next);

/**
 * @brief Move BLOCKED @p t from its queue to the tail of @p to, still
 * BLOCKED and with its timeout still running: a call whose message was
 * taken goes on to wait for its reply. sched_lock held.
 */
void waitq_move(struct thread *t, struct waitq *to);

/** @brief The longest-waiting thread on @p wq (left on it), or NULL. sched_lock held. */
struct thread *waitq_first(const struct waitq *wq);

/**
 * @brief Wake the longest-waiting thread. sched_lock held.
 *
 * A woken thread of higher priority than the caller is only marked to
 * run (need_resched): from thread context, call sched_preempt() after
 * releasing sched_lock to switch to it at once; from an interrupt, the
 * way out of the interrupt does it.
 * @return 1 if a thread was woken, else 0.
 */
unsigned waitq_wake_one(struct waitq *wq);

/**
 * @brief End @p t's wait (BLOCKED) or sleep (SLEEPING) now: it becomes
 * READY and its wait returns @p status. Slice 3 uses it to end the waits
 * of a task's threads when the task is killed. sched_lock held.
 * @return true if @p t was waiting or sleeping; false otherwise (no change).
 */
bool waitq_cancel(struct thread *t, kstatus_t status);

/**
 * @brief End BLOCKED @p t's wait with @p status, as the queue's owner:
 * off its queue and its timer, no leave function called. With @p run
 * false it becomes READY (queued, as a wake-up); with @p run true it is
 * left off the run queue for the caller to switch to at once with
 * sched_switch_to(). sched_lock held.
 */
void waitq_wake_thread(struct thread *t, kstatus_t status, bool run);

/** @brief Wake every waiting thread. @return how many. sched_lock held. */
unsigned waitq_wake_all(struct waitq *wq);

#endif
