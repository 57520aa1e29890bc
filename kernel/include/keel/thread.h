/**
 * @file thread.h
 * @brief Kernel threads: create, exit, join, and their life cycle.
 *
 * A thread is a slot in a fixed pool of THREAD_MAX, with a kernel stack
 * from a fixed pool of the same size: creating one never allocates, and
 * a full pool is an error, not a wait. A thread runs until its function
 * returns or it calls thread_exit(); it then stays DEAD, holding its exit
 * code, until thread_join() collects it and frees the slot.
 *
 * The life cycle (every change goes through thread_set_state(), which
 * asserts that it is one of these):
 *
 *     FREE -> READY                 thread_create()
 *     READY -> RUNNING              the scheduler picks it
 *     RUNNING -> READY              preempted, its slice ended, or yield
 *     RUNNING -> BLOCKED            waits on a wait queue (maybe with a timeout)
 *     RUNNING -> SLEEPING           thread_sleep_us()
 *     BLOCKED, SLEEPING -> READY    woken, or its timeout expired
 *     RUNNING -> DEAD               it exited
 *     DEAD -> FREE                  joined
 *
 * A thread id (tid_t) carries the slot and a generation that changes each
 * time the slot is reused, so a stale id is recognised, never confused
 * with the slot's next thread.
 */
#ifndef KEEL_THREAD_H
#define KEEL_THREAD_H

#include <keel/list.h>
#include <keel/runq.h>
#include <keel/status.h>
#include <keel/timerq.h>
#include <keel/wait.h>
#include <stdint.h>

struct task;

/** @brief The most threads that exist at once, the idle and boot threads included. */
#define THREAD_MAX 64
/** @brief Longest thread name, including its NUL. */
#define THREAD_NAME_MAX 16
/** @brief Size of each pooled kernel stack. */
#define THREAD_STACK_SIZE 8192
/** @brief The highest priority (most important); the lowest is 0. */
#define PRIO_MAX 255
/** @brief The priority of the boot thread that runs kernel_main(). */
#define PRIO_MAIN 128
/** @brief A timeout that never expires. */
#define TIMEOUT_NEVER UINT64_MAX

/** @brief A thread id: slot in the low 8 bits, generation above. 0 is never valid. */
typedef uint32_t tid_t;

/** @brief Where a thread is in its life cycle. */
enum thread_state {
	THREAD_FREE,     /**< The slot is unused. */
	THREAD_READY,    /**< Runnable, on a run queue. */
	THREAD_RUNNING,  /**< On a CPU now. */
	THREAD_BLOCKED,  /**< Waiting on a wait queue. */
	THREAD_SLEEPING, /**< Waiting for its timer only. */
	THREAD_DEAD,     /**< Exited; its exit code waits for thread_join(). */
};

/** @brief A kernel thread. Fields are guarded by disabling interrupts. */
struct thread {
	struct runq_node rq;        /**< Its place in a run queue, and its priority. */
	struct list wait_link;      /**< Its place in a wait queue while BLOCKED. */
	struct timer timer;         /**< Its sleep or timeout. */
	uintptr_t sp;               /**< Saved stack pointer while not RUNNING. */
	void *stack;                /**< Lowest address of its kernel stack. */
	enum thread_state state;    /**< Changed only by thread_set_state(). */
	uint8_t prio;               /**< Its priority, 0..PRIO_MAX. */
	tid_t tid;                  /**< Its id. */
	char name[THREAD_NAME_MAX]; /**< For reports. */
	void (*fn)(void *);         /**< What it runs. */
	void *arg;                  /**< fn's argument. */
	int exit_code;              /**< Valid when DEAD. */
	struct waitq *waiting_on;   /**< The queue it is BLOCKED on, or NULL. */
	kstatus_t wake_status;      /**< KEEL_OK if woken, KEEL_ERR_TIMED_OUT on timeout. */
	struct thread *joiner;      /**< The thread in thread_join() on it, if any. */
	struct waitq exit_wait;     /**< Where its joiner waits for it to exit. */
	uint32_t slice_left;        /**< Ticks left in its time slice. */
	uint64_t slices;            /**< Time slices it has started. */
	uint64_t cpu_ticks;         /**< CPU time used, in arch_clock_ticks() units. */
	struct task *task; /**< Slice 3: the task of a user thread; NULL for a kernel thread. */
};

/**
 * @brief Create a thread running fn(arg) at priority @p prio; it is READY.
 * @param name copied (cut to THREAD_NAME_MAX - 1); NULL gives "thread".
 * @param out receives its id; may be NULL.
 * @return KEEL_OK; KEEL_ERR_INVALID for a NULL @p fn or @p prio > PRIO_MAX;
 *         KEEL_ERR_NO_MEMORY when the pool is full. Thread context.
 *         If @p prio is above the caller's, the new thread runs at once.
 */
kstatus_t thread_create(const char *name, void (*fn)(void *), void *arg, unsigned prio, tid_t *out);

/** @brief End the calling thread with @p code. Thread context; never returns. */
__attribute__((noreturn)) void thread_exit(int code);

/**
 * @brief Wait until thread @p tid has exited, collect its code, free its slot.
 * @param code receives the exit code; may be NULL.
 * @param timeout_us give up after this long; TIMEOUT_NEVER to wait for ever.
 * @return KEEL_OK; KEEL_ERR_NOT_FOUND if no such thread exists (never
 *         existed, or already joined); KEEL_ERR_INVALID to join oneself or
 *         the idle or boot thread; KEEL_ERR_BUSY if another thread is
 *         already joining it; KEEL_ERR_TIMED_OUT. Thread context.
 */
kstatus_t thread_join(tid_t tid, int *code, uint64_t timeout_us);

/** @brief The thread with id @p tid, or NULL if there is none. */
struct thread *thread_lookup(tid_t tid);

/** @brief The thread in pool slot @p slot (any state), or NULL past the pool. */
struct thread *thread_slot(unsigned slot);

/**
 * @brief Move @p t to @p to, asserting the transition is in the life cycle.
 * sched_lock held. The scheduler and wait queues call this; nothing else should.
 */
void thread_set_state(struct thread *t, enum thread_state to);

/**
 * @brief Start slot @p slot's next life: a new id, name, priority, and
 * everything else reset. The caller sets the stack, sp and state. For the
 * scheduler, which adopts the boot flow and creates the idle thread.
 */
void thread_setup(struct thread *t, unsigned slot, const char *name, unsigned prio);

/**
 * @brief Where every thread starts: its first switch returns here with
 * sched_lock held and interrupts off (the switch that started it took
 * them). Releases the lock, enables interrupts, runs fn(arg), then
 * thread_exit(0).
 */
void thread_entry(void);

/**
 * @brief A state's name ("READY").
 * (Debug code: test images and the monitor only.)
 */
const char *thread_state_name(enum thread_state s);

/**
 * @brief Threads not FREE, for reports and tests.
 * (Debug code: test images and the monitor only.)
 */
unsigned thread_count(void);

#endif
