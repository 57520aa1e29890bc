/*
 * sched.c - the scheduler: which thread runs, and the switch to it.
 *
 * The rule is short (see sched.h): the highest-priority READY thread
 * runs; equals take turns by time slice; a better thread preempts at
 * once. The run queue answers "who is best?" in O(1); this file keeps it
 * true as threads block, wake, exit and use up their slices, and does the
 * bookkeeping of each switch (states, CPU time, the need_resched flag).
 *
 * Everything here runs under sched_lock (which also keeps interrupts
 * off). A switch happens inside that critical section: the thread that
 * switches away took the lock, and the thread that runs next leaves the
 * critical section through its own spin_unlock().
 */
#include <keel/arch.h>
#include <keel/init.h>
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/kstack.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/timer.h>

/* Slice 7 turns this into one per CPU, found through a per-CPU register;
 * nothing but cpu_self() names it. */
static struct cpu cpu0;

spinlock_t sched_lock = SPINLOCK_INIT("sched", LOCK_RANK_SCHED);

struct cpu *cpu_self(void)
{
	return &cpu0;
}

struct thread *thread_current(void)
{
	return cpu_self()->current;
}

/* [sched_pick_next] */
struct thread *sched_pick_next(struct cpu *c)
{
	/* LAB 1: pick the best READY thread */
	struct runq_node *node = runq_peek(&c->rq);

	if (node != NULL) {
		runq_remove(&c->rq, node);
		return list_entry(node, struct thread, rq);
	}
	/* LAB 1 STUB
	LAB 1 END */
	return c->idle;
}
/* [sched_pick_next] */

/* Queue a READY thread: at the front if it was preempted with slice left. */
static void enqueue(struct cpu *c, struct thread *t, bool front)
{
	if (t == c->idle)
		return; /* idle runs only when the queue is empty */
	if (front)
		runq_push_front(&c->rq, &t->rq, t->prio);
	else
		runq_push(&c->rq, &t->rq, t->prio);
}

void sched_make_ready(struct thread *t)
{
	struct cpu *c = cpu_self();

	assert(spin_held(&sched_lock));
	thread_set_state(t, THREAD_READY);
	enqueue(c, t, false);
	if (c->current == c->idle || t->prio > c->current->prio)
		c->need_resched = true;
}

/* Charge the CPU time since the last switch to the thread leaving. */
static void account(struct cpu *c, struct thread *prev)
{
	uint64_t now = arch_clock_ticks();

	prev->cpu_ticks += now - c->switched_at;
	c->switched_at = now;
}

void (*sched_switch_hook)(struct thread *next);

/* Make @p next the running thread in place of @p prev (already requeued
 * or blocked), giving it a new slice if its last one was used up. */
static void switch_to(struct cpu *c, struct thread *prev, struct thread *next)
{
	c->need_resched = false;
	if (next->slice_left == 0) {
		next->slice_left = SCHED_SLICE_TICKS;
		next->slices++;
	}
	thread_set_state(next, THREAD_RUNNING);
	if (next == prev)
		return;
	account(c, prev);
	c->current = next;
	c->switches++;
	if (sched_switch_hook)
		sched_switch_hook(next);
	arch_context_switch(&prev->sp, next->sp);
}

/* [sched_switch] */
void sched_switch(void)
{
	struct cpu *c = cpu_self();
	struct thread *prev = c->current;

	assert(spin_held(&sched_lock));
	if (prev->state == THREAD_RUNNING) {
		/* Still runnable: back in the queue, at the front if its slice is not used up. */
		thread_set_state(prev, THREAD_READY);
		enqueue(c, prev, prev->slice_left > 0);
	}
	switch_to(c, prev, sched_pick_next(c));
}
/* [sched_switch] */

/* [sched_switch_to] */
void sched_switch_to(struct thread *next)
{
	struct cpu *c = cpu_self();
	struct thread *prev = c->current;

	assert(spin_held(&sched_lock));
	/* The conditions that make skipping the run queue the same choice
	 * the scheduler would make: the caller left RUNNING (it blocked),
	 * @p next is off every queue, and nothing READY beats it. */
	assert(prev->state != THREAD_RUNNING && prev->state != THREAD_READY);
	assert(next->state == THREAD_BLOCKED && !next->rq.queued && next->waiting_on == NULL);
	assert(runq_highest(&c->rq) <= (int)next->prio);
	thread_set_state(next, THREAD_READY);
	switch_to(c, prev, next);
}
/* [sched_switch_to] */

void sched_yield(void)
{
	spinflags_t flags = spin_lock(&sched_lock);
	struct thread *self = thread_current();

	self->slice_left = 0; /* go to the back of the level */
	sched_switch();
	spin_unlock(&sched_lock, flags);
}

void sched_tick(void)
{
	struct cpu *c = cpu_self();
	struct thread *t = c->current;

	if (t == c->idle || t->slice_left == 0 || --t->slice_left > 0)
		return;
	if (runq_highest(&c->rq) >= (int)t->prio) {
		c->need_resched = true; /* an equal (or better) waits: to the back of the level */
		return;
	}
	/* Alone at the top: a new slice in place, no switch to make. */
	t->slice_left = SCHED_SLICE_TICKS;
	t->slices++;
}

void sched_preempt(void)
{
	/* Every trap and system call passes here, and almost always there is
	 * nothing to do: look without the lock first. If a wake-up sets the
	 * flag just after this read, it came from an interrupt, whose own
	 * way out calls sched_preempt() again. */
	if (!cpu_self()->need_resched)
		return;
	spinflags_t flags = spin_lock(&sched_lock);

	if (cpu_self()->need_resched)
		sched_switch();
	spin_unlock(&sched_lock, flags);
}

void sched_set_priority_locked(struct thread *t, unsigned prio)
{
	struct cpu *c = cpu_self();

	assert(spin_held(&sched_lock) && prio <= PRIO_MAX);
	if (t->rq.queued) {
		runq_remove(&c->rq, &t->rq);
		t->prio = (uint8_t)prio;
		enqueue(c, t, false);
	} else {
		t->prio = (uint8_t)prio;
	}
	/* Someone may now beat the running thread, or it may have dropped below them. */
	if (runq_highest(&c->rq) > (int)c->current->prio || c->current == c->idle)
		c->need_resched = true;
}

kstatus_t sched_set_priority(struct thread *t, unsigned prio)
{
	if (t == NULL || prio > PRIO_MAX)
		return KEEL_ERR_INVALID;
	spinflags_t flags = spin_lock(&sched_lock);
	sched_set_priority_locked(t, prio);
	spin_unlock(&sched_lock, flags);
	sched_preempt();
	return KEEL_OK;
}

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		/* Invariant: the idle thread runs only while no thread is READY. */
		assert(cpu_self()->rq.count == 0);
		arch_wait_for_interrupt();
	}
}

/* For panic reports: which thread was running. */
static void describe_current_thread(void)
{
	struct thread *t = cpu_self()->current;

	if (t)
		kprintf("Thread: %s (tid %08x, priority %u)\n", t->name, t->tid, t->prio);
}

/* [sched_init] */
/* The boot flow becomes thread "main" in slot 0; slot 1 is the idle thread. */
static void sched_init(void)
{
	struct cpu *c = cpu_self();
	struct thread *main = thread_slot(0), *idle = thread_slot(1);

	runq_init(&c->rq);
	thread_setup(main, 0, "main", PRIO_MAIN);
	main->stack = arch_boot_stack();
	main->state = THREAD_RUNNING;
	main->slices = 1;
	main->slice_left = SCHED_SLICE_TICKS;
	thread_setup(idle, 1, "idle", 0);
	idle->stack = kstack_alloc(1);
	idle->fn = idle_loop;
	idle->sp = arch_context_init((char *)idle->stack + THREAD_STACK_SIZE, thread_entry);
	idle->state = THREAD_READY;
	c->current = main;
	c->idle = idle;
	panic_describe_context = describe_current_thread;
}
KEEL_INIT(INIT_SCHED, sched_init);
/* [sched_init] */
