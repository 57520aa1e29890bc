/*
 * task_thread.c - a task's threads: starting one in ring 3, and leaving.
 *
 * A user thread is an ordinary kernel thread (thread.h) whose function
 * never returns: user_thread_main() attaches the thread to its task,
 * points the TSS at its kernel stack, loads the task's address space and
 * drops to ring 3 with arch_user_enter(). From then on it is in the
 * kernel only during a trap or a system call, on that same kernel stack.
 *
 * Each task has TASK_THREADS_MAX thread slots; slot i owns a fixed stack
 * area below TASK_STACK_TOP with an unmapped guard page beneath it, so a
 * runaway recursion faults instead of running into the next stack. A
 * thread that exits while its task lives on stays DEAD until the next
 * task_thread_start() reaps it (joins it and unmaps its stack), so the
 * task never waits for a reaper and never runs out of slots.
 */
#include <keel/arch.h>
#include <keel/arch_user.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/task.h>

#include "task_internal.h"

/* [user_thread_main] */
static void user_thread_main(void *arg)
{
	struct task_thread *tt = arg;
	struct thread *self = thread_current();
	spinflags_t flags = spin_lock(&sched_lock);

	self->task = tt->task; /* from now on, switches to us load its space */
	arch_user_set_kernel_stack((uintptr_t)self->stack + THREAD_STACK_SIZE);
	spin_unlock(&sched_lock, flags);
	vm_activate(tt->task->space);
	arch_irq_disable();
	task_user_return(); /* killed before it ever ran? */
	arch_user_enter(tt->entry, tt->stack, tt->arg);
}
/* [user_thread_main] */

/* Is thread slot @p tt's thread DEAD (exited, not yet joined)? sched_lock held. */
static bool slot_dead(const struct task_thread *tt)
{
	const struct thread *th = tt->tid ? thread_lookup(tt->tid) : NULL;

	return tt->used && th != NULL && th->state == THREAD_DEAD;
}

/* Join @p t's threads that have exited and free their slots. No lock held. */
static void reap_exited(struct task *t)
{
	for (unsigned i = 0; i < TASK_THREADS_MAX; i++) {
		spinflags_t flags = spin_lock(&sched_lock);
		bool dead = slot_dead(&t->thread[i]);
		spin_unlock(&sched_lock, flags);
		if (dead && thread_join(t->thread[i].tid, NULL, 0) == KEEL_OK) {
			task_stack_unmap(t, i);
			flags = spin_lock(&sched_lock);
			t->thread[i] = (struct task_thread){0};
			spin_unlock(&sched_lock, flags);
		}
	}
}

/* Take a thread slot of @p t within its limit; -1 and *s if there is none. */
static int take_slot(struct task *t, kstatus_t *s)
{
	spinflags_t flags = spin_lock(&sched_lock);
	int slot = -1;

	*s = KEEL_ERR_LIMIT;
	if (t->state != TASK_LIVE && t->state != TASK_LOADING)
		*s = KEEL_ERR_INVALID;
	else if (t->threads < t->thread_limit)
		for (unsigned i = 0; i < TASK_THREADS_MAX && slot < 0; i++)
			if (!t->thread[i].used)
				slot = (int)i;
	if (slot >= 0) {
		t->thread[slot] = (struct task_thread){.used = true, .task = t};
		t->threads++;
		*s = KEEL_OK;
	}
	spin_unlock(&sched_lock, flags);
	return slot;
}

static void give_slot_back(struct task *t, unsigned slot)
{
	spinflags_t flags = spin_lock(&sched_lock);

	t->thread[slot] = (struct task_thread){0};
	t->threads--;
	spin_unlock(&sched_lock, flags);
}

/* [task_thread_start] */
kstatus_t task_thread_start(struct task *t, uintptr_t entry, uintptr_t stack, uintptr_t arg,
                            unsigned prio, tid_t *tid)
{
	kstatus_t s;

	reap_exited(t);
	int slot = take_slot(t, &s);
	if (slot < 0)
		return s;
	struct task_thread *tt = &t->thread[slot];
	tt->entry = entry;
	tt->arg = arg;
	tt->stack = stack;
	if (stack == 0)
		s = task_stack_map(t, (unsigned)slot, &tt->stack);
	tid_t id = 0;
	if (s == KEEL_OK)
		s = thread_create(t->name, user_thread_main, tt, prio, &id);
	if (s != KEEL_OK) {
		if (stack == 0)
			task_stack_unmap(t, (unsigned)slot);
		give_slot_back(t, (unsigned)slot);
		return s;
	}
	spinflags_t flags = spin_lock(&sched_lock);
	tt->tid = id; /* it may have run already: it never needs its own tid */
	spin_unlock(&sched_lock, flags);
	if (tid)
		*tid = id;
	return KEEL_OK;
}
/* [task_thread_start] */

/* [task_thread_exit] */
void task_thread_exit(int code)
{
	struct thread *self = thread_current();
	struct task *t = self->task;
	spinflags_t flags = spin_lock(&sched_lock);

	assert(t != NULL && t->threads > 0);
	if (task_hooks.thread_leaving)
		task_hooks.thread_leaving(self);
	for (unsigned i = 0; i < TASK_THREADS_MAX; i++)
		if (t->thread[i].used && t->thread[i].tid == self->tid)
			t->thread[i].left = true;
	bool last = --t->threads == 0;
	if (last && t->state == TASK_LIVE) {
		t->status = code; /* it ended by itself: its last thread's code */
		task_set_state(t, TASK_DYING);
	}
	/* A kernel thread now, on its way out: switches to it must not load
	 * the task's space, which the last thread out destroys, perhaps
	 * while this one (preempted before it is DEAD) still waits to run. */
	self->task = NULL;
	spin_unlock(&sched_lock, flags);
	if (last)
		task_end(t);
	thread_exit(code);
}
/* [task_thread_exit] */

void task_user_return(void)
{
	struct task *t = task_current();

	if (t != NULL && t->state == TASK_DYING) {
		arch_irq_enable();
		task_thread_exit(t->status);
	}
}
