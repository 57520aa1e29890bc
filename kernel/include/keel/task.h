/**
 * @file task.h
 * @brief Tasks: an address space, its threads and its handle table.
 *
 * A task is what a user program runs in. It owns an address space (its
 * pages and page tables are charged to the task's own frame owner, so
 * they are counted and limited), up to its thread limit of user threads,
 * and a handle table through which it names every other object. Tasks
 * come from ELF images in the boot archive; the kernel starts the first,
 * the root task, and every other is spawned by a task that then holds a
 * handle to it.
 *
 * The life cycle (each change asserted against this list):
 *
 *     FREE -> LOADING     task_spawn() took the slot; the image is loading
 *     LOADING -> FREE     the image could not be loaded: all undone
 *     LOADING -> LIVE     loaded; its first thread is started next (a
 *                         spawn whose thread cannot start goes on to
 *                         DYING, ZOMBIE and FREE at once)
 *     LIVE -> DYING       task_exit(), task_kill(), a fault in ring 3, or
 *                         its last thread ended by itself
 *     DYING -> ZOMBIE     its last thread has left; memory given back
 *     ZOMBIE -> FREE      its parent collected the status (task_wait), or,
 *                         for an orphan, the next task_spawn() needed the slot
 *
 * A DYING task's threads leave as soon as they next return towards user
 * mode; one blocked in the kernel is woken with KEEL_ERR_INTERRUPTED. The
 * pool of tasks, like the thread pool, is fixed: TASK_MAX tasks, no
 * allocation to create one beyond its own pages and tables.
 *
 * Locking: a task's state, thread list, handle table and counters are
 * guarded by sched_lock. Loading an image and mapping memory are done
 * without it.
 */
#ifndef KEEL_TASK_H
#define KEEL_TASK_H

#include <keel/abi.h>
#include <keel/handle.h>
#include <keel/pmm.h>
#include <keel/status.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <keel/wait.h>
#include <stdint.h>

/** @brief The most tasks at once: one frame owner each. */
#define TASK_MAX (PMM_OWNERS - OWNER_FIRST_TASK)
/** @brief The most threads one task may have. */
#define TASK_THREADS_MAX 8
/** @brief Frames a task may hold unless its spawner says otherwise. */
#define TASK_FRAME_LIMIT_DEFAULT 256
/** @brief The most frames a spawner may let a task hold (16 MiB). */
#define TASK_FRAME_LIMIT_MAX 4096
/** @brief Threads a task may have unless its spawner says otherwise. */
#define TASK_THREAD_LIMIT_DEFAULT 4
/** @brief Longest task name, including its NUL. */
#define TASK_NAME_MAX 16
/** @brief Where a task's first thread's stack ends (its top), below the kernel. */
#define TASK_STACK_TOP 0xBFFF0000u
/** @brief Pages of each user thread's stack; a guard page lies below it. */
#define TASK_STACK_PAGES 4
/** @brief The priority of user threads unless they ask for another (lower). */
#define TASK_PRIO_DEFAULT 100

/** @brief Where a task is in its life cycle. */
enum task_state {
	TASK_FREE,    /**< The slot is unused. */
	TASK_LOADING, /**< Being created: not yet running. */
	TASK_LIVE,    /**< Running its program. */
	TASK_DYING,   /**< Ending: its threads are leaving. */
	TASK_ZOMBIE,  /**< Ended; its status waits for its parent. */
};

/** @brief One of a task's threads: where it starts in user mode. */
struct task_thread {
	bool used;         /**< The slot holds a thread, alive or not yet reaped. */
	bool left;         /**< The thread has left (no longer counted in threads). */
	tid_t tid;         /**< The kernel thread; 0 if the slot is unused. */
	uintptr_t entry;   /**< User pc of its first instruction. */
	uintptr_t stack;   /**< User stack pointer it starts with. */
	uintptr_t arg;     /**< Its argument (first argument register). */
	struct task *task; /**< Back to the task. */
};

/** @brief A task. Fields guarded by sched_lock unless said otherwise. */
struct task {
	uint32_t id;              /**< Slot in the low 8 bits, generation above; 0 never valid. */
	enum task_state state;    /**< Changed only by task_set_state(). */
	char name[TASK_NAME_MAX]; /**< Its program's name. */
	owner_t owner;            /**< Its frame owner: pages and page tables are charged here. */
	struct vm_space *space;   /**< Its address space (set once at spawn). */
	struct task *parent;      /**< Its spawner; NULL for the root task. */
	struct task_thread thread[TASK_THREADS_MAX]; /**< Its threads. */
	unsigned threads;                            /**< Threads alive (not yet exited). */
	unsigned thread_limit;                       /**< Most threads it may have at once. */
	uint32_t frame_limit;                        /**< Most frames it may hold. */
	int status;                                  /**< Exit status, valid once DYING. */
	struct waitq exit_wait;                      /**< Its parent waits here for it to end. */
	struct handle_table handles;                 /**< What it can name. */
	bool orphan;     /**< Its parent ended first: nobody will wait for it. */
	uint32_t faults; /**< Faults that killed it (0 or 1), for reports. */
};

/**
 * @brief What a later slice (IPC, slice 4) does as threads, tasks and
 * handles end, so that no object or wait of its outlives its holder.
 * Each is called with sched_lock held; a NULL member does nothing.
 */
struct task_hooks {
	/** A user thread of its task is leaving (it, or its task, ended). */
	void (*thread_leaving)(struct thread *t);
	/** @p t's last thread has left; its handles are about to be cleared. */
	void (*task_ending)(struct task *t);
	/** @p t is closing the handle in @p slot (HANDLE_CLOSE, or as it ends). */
	void (*handle_closing)(struct task *t, const struct handle_slot *slot);
	/** Slice 5: link @p copy, just made from @p from, as derived from it. */
	void (*handle_copied)(struct handle_slot *from, struct handle_slot *copy);
	/** Slice 5: delete up to @p budget of what was derived from @p s, in
	 *  every task; how many it deleted. */
	unsigned (*handle_revoke)(struct handle_slot *s, unsigned budget);
	/** Slice 5: may @p s leave @p t's table (a move in a message)?
	 *  KEEL_OK or the error the message gets. */
	kstatus_t (*may_move)(struct task *t, const struct handle_slot *s);
	/** Slice 5: @p s is about to move out of @p t's table (in a message). */
	void (*handle_moving)(struct task *t, struct handle_slot *s);
	/** Slice 5: give @p t, which the kernel spawns itself (the root task,
	 *  or a test program standing in for it), its initial capabilities. */
	void (*initial_caps)(struct task *t);
	/** Slice 5: may @p parent spawn with @p opts (NULL: defaults)? KEEL_OK
	 *  or the error the spawn gives. sched_lock held. */
	kstatus_t (*may_spawn)(struct task *parent, const struct keel_spawn *opts);
	/** Slice 6: a thread of @p t is about to run (the scheduler's switch,
	 *  interrupts off): load what is the task's besides its space. */
	void (*task_running)(struct task *t);
};

/** @brief The hooks; slice 3 leaves them NULL. Set at start-up only. */
extern struct task_hooks task_hooks;

/**
 * @brief Storage for a handle table of @p size slots (2 to
 * KEEL_HANDLES_MAX), or NULL (a size out of range, or no memory).
 * No lock held; task_handles_release() gives it back.
 */
struct handle_slot *task_handles_alloc(uint32_t size);
/** @brief Give back what task_handles_alloc() returned (NULL: nothing). */
void task_handles_release(struct handle_slot *storage);

/**
 * @brief Copy the capability in @p from into @p to: in its lowest free
 * slot (@p index < 0) or in slot @p index, with @p rights (the caller
 * checked they are no more than @p from's), the same badge, and (with
 * slice 5) as derived from @p from. sched_lock held.
 * @return KEEL_OK and *out; what handle_alloc() or handle_install()
 *         answers; KEEL_ERR_LIMIT if @p from is at HANDLE_DEPTH_MAX;
 *         KEEL_ERR_BUSY if a revocation of @p from is under way.
 */
kstatus_t task_handle_copy(const struct handle_slot *from, struct handle_table *to, int index,
                           unsigned rights, keel_handle_t *out);

/**
 * @brief Move the capability in @p t's slot @p s to @p to's lowest free
 * slot (handle_move()), telling the hooks first. sched_lock held.
 * @return KEEL_OK and *out; KEEL_ERR_LIMIT (no free slot in @p to).
 */
kstatus_t task_handle_move(struct task *t, struct handle_slot *s, struct handle_table *to,
                           keel_handle_t *out);

/** @brief Deletions a close makes under sched_lock between two chances to be preempted. */
#define TASK_CLOSE_STEP 16

/**
 * @brief Close @p t's handle @p h: delete what was derived from it (slice
 * 5), TASK_CLOSE_STEP at a time with a preemption point between, then
 * tell the hooks and free it. sched_lock not held.
 * @return KEEL_OK; what handle_get() says of @p h (also if another thread
 *         closed it meanwhile).
 */
kstatus_t task_handle_close(struct task *t, keel_handle_t h);

/** @brief Close every handle of @p t (it is ending). sched_lock not held. */
void task_handles_clear(struct task *t);

/**
 * @brief Spawn a task from the boot archive's program @p name as a child of
 * @p parent (NULL: the root task), with @p opts (NULL: defaults).
 * @param out receives the task on success.
 * @return KEEL_OK; KEEL_ERR_NOT_FOUND (no such program); KEEL_ERR_BAD_IMAGE
 *         (it is malformed: the reason is printed); KEEL_ERR_LIMIT (no task
 *         slot, or its image needs more frames than its limit);
 *         KEEL_ERR_NO_MEMORY; KEEL_ERR_INVALID (bad options); for
 *         opts->give, what handle_get() answers on @p parent's table
 *         for a handle with KEEL_RIGHT_GRANT, or KEEL_ERR_DENIED (rights
 *         beyond the handle's). On error nothing is left behind. Thread
 *         context.
 */
kstatus_t task_spawn(const char *name, struct task *parent, const struct keel_spawn *opts,
                     struct task **out);

/**
 * @brief Start a new user thread in @p t at @p entry with @p arg in its
 * first argument register, on user stack @p stack, or, if it is 0, on a
 * fresh stack of TASK_STACK_PAGES pages the task is charged for, with an
 * unmapped guard page below it. Exited threads of @p t are reaped first.
 * @return KEEL_OK and *tid; KEEL_ERR_LIMIT (thread limit, or no frames for
 *         its stack); KEEL_ERR_NO_MEMORY (no kernel thread);
 *         KEEL_ERR_INVALID (@p t not LIVE, or @p prio above the caller's).
 */
kstatus_t task_thread_start(struct task *t, uintptr_t entry, uintptr_t stack, uintptr_t arg,
                            unsigned prio, tid_t *tid);

/**
 * @brief End the calling thread's task with @p status: every thread of it
 * leaves. Thread context, in a user thread; never returns.
 */
__attribute__((noreturn)) void task_exit(int status);

/**
 * @brief End task @p t with KEEL_KILLED_STATUS (it need not be a child:
 * the caller's right to do it was checked on the handle).
 * @return KEEL_OK; KEEL_ERR_INVALID if it is the caller's own task (use
 *         task_exit) ; KEEL_ERR_NOT_FOUND if it has already ended.
 */
kstatus_t task_kill(struct task *t, int status);

/**
 * @brief Wait up to @p timeout_us for child @p child to end, then collect
 * its status and free it.
 * @return KEEL_OK and *status; KEEL_ERR_TIMED_OUT; KEEL_ERR_INTERRUPTED
 *         (the caller's own task is being killed); KEEL_ERR_DENIED (not
 *         the caller's child).
 */
kstatus_t task_wait(struct task *child, int *status, uint64_t timeout_us);

/**
 * @brief Called by a user thread when its own thread ends (its own exit,
 * or its task's). The last thread out ends the task. Never returns.
 */
__attribute__((noreturn)) void task_thread_exit(int code);

/** @brief The task of the calling thread, or NULL in a kernel thread. */
struct task *task_current(void);

/** @brief The task with id @p id if it is not FREE, else NULL. sched_lock held. */
struct task *task_lookup(uint32_t id);

/** @brief The task in pool slot @p slot (any state), or NULL past the pool. */
struct task *task_slot(unsigned slot);

/**
 * @brief On the way back to user mode: if the calling thread's task is
 * DYING, the thread leaves now. Called by the port with interrupts off.
 */
void task_user_return(void);

/**
 * @brief Kill the calling thread's task for a fault in ring 3: print a
 * report naming the task, the fault, the address and, where known, the
 * function; the parent sees KEEL_FAULT_STATUS | @p vector. Never returns.
 */
__attribute__((noreturn)) void task_fault(unsigned vector, const char *what, uintptr_t pc,
                                          uintptr_t addr);

/** @brief Frames the task holds now (pages and tables). */
uint32_t task_frames(const struct task *t);

/**
 * @brief Tasks not FREE, for reports and tests.
 * (Debug code: test images and the monitor only.)
 */
unsigned task_count(void);

/**
 * @brief Check every task's invariants (thread counts against the thread
 * pool, handle tables, frame counts within limits).
 * @return KEEL_OK or KEEL_ERR_CORRUPT (the first problem is printed).
 */
kstatus_t task_check_all(void);

/**
 * @brief A state's name ("LIVE").
 * (Debug code: test images and the monitor only.)
 */
const char *task_state_name(enum task_state s);

/** @brief Start the root task ("root" in the boot archive), if the archive has one. */
void task_start_root(void);

#endif
