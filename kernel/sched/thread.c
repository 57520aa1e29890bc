/*
 * thread.c - the thread pool: creating, exiting and joining kernel threads.
 *
 * Threads come from a fixed array of THREAD_MAX slots and their stacks
 * from a kstack_source, one stack per slot, so creating a thread is a
 * search for a FREE slot and never allocates memory. Slot 0 is the boot
 * thread (the flow that ran kernel_main(), on the boot stack) and slot 1
 * the idle thread; neither can be joined.
 *
 * A thread's id changes every time its slot is reused (the generation in
 * the id's upper bits), so thread_lookup() of an old id finds nothing
 * instead of the slot's new occupant.
 */
#include <keel/arch.h>
#include <keel/kstack.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/thread.h>
#include <keel/timer.h>

static struct thread threads[THREAD_MAX];
static uint32_t generations[THREAD_MAX];

#define TID_SLOT(tid)       ((tid)&0xffu)
#define TID_MAKE(slot, gen) (((gen) << 8) | (slot))

_Static_assert(THREAD_MAX <= 256, "a tid keeps the slot in 8 bits");

/* [thread_transitions] */
/* allowed[from] has bit `to` set for every legal transition from -> to. */
#define BIT(s) (1u << (s))
static const uint8_t allowed[] = {
    [THREAD_FREE] = BIT(THREAD_READY),
    [THREAD_READY] = BIT(THREAD_RUNNING),
    [THREAD_RUNNING] =
        BIT(THREAD_READY) | BIT(THREAD_BLOCKED) | BIT(THREAD_SLEEPING) | BIT(THREAD_DEAD),
    [THREAD_BLOCKED] = BIT(THREAD_READY),
    [THREAD_SLEEPING] = BIT(THREAD_READY),
    [THREAD_DEAD] = BIT(THREAD_FREE),
};

void thread_set_state(struct thread *t, enum thread_state to)
{
	assert(spin_held(&sched_lock));
	assert(allowed[t->state] & BIT(to));
	t->state = to;
}
/* [thread_transitions] */

struct thread *thread_slot(unsigned slot)
{
	return slot < THREAD_MAX ? &threads[slot] : NULL;
}

struct thread *thread_lookup(tid_t tid)
{
	struct thread *t = thread_slot(TID_SLOT(tid));

	if (t == NULL || tid == 0 || t->tid != tid || t->state == THREAD_FREE)
		return NULL;
	return t;
}

/* Fill slot @p slot's thread for a new life; the caller sets sp and state. */
void thread_setup(struct thread *t, unsigned slot, const char *name, unsigned prio)
{
	uint32_t gen = ++generations[slot] & 0xffffffu;

	if (gen == 0) /* tid 0 is never valid */
		gen = ++generations[slot];
	t->tid = TID_MAKE(slot, gen);
	strlcpy(t->name, name ? name : "thread", sizeof(t->name));
	t->prio = (uint8_t)prio;
	t->rq.queued = false;
	list_init(&t->wait_link);
	timer_init(&t->timer, 0, t);
	t->waiting_on = NULL;
	t->joiner = NULL;
	waitq_init(&t->exit_wait);
	t->exit_code = 0;
	t->slice_left = 0; /* its first run starts (and counts) a slice */
	t->slices = 0;
	t->cpu_ticks = 0;
	t->task = NULL;
}

void thread_entry(void)
{
	struct thread *self = thread_current();

	spin_unlock_enable(&sched_lock); /* taken by the switch that started us */
	self->fn(self->arg);
	thread_exit(0);
}

static int find_free_slot(void)
{
	for (unsigned i = 0; i < THREAD_MAX; i++)
		if (threads[i].state == THREAD_FREE)
			return (int)i;
	return -1;
}

/* [thread_create] */
kstatus_t thread_create(const char *name, void (*fn)(void *), void *arg, unsigned prio, tid_t *out)
{
	if (fn == NULL || prio > PRIO_MAX)
		return KEEL_ERR_INVALID;
	spinflags_t flags = spin_lock(&sched_lock);
	int slot = find_free_slot();
	void *stack = slot < 0 ? NULL : kstack_alloc((unsigned)slot);
	if (stack == NULL) {
		spin_unlock(&sched_lock, flags);
		return KEEL_ERR_NO_MEMORY;
	}
	struct thread *t = &threads[slot];
	thread_setup(t, (unsigned)slot, name, prio);
	t->fn = fn;
	t->arg = arg;
	t->stack = stack;
	t->sp = arch_context_init((char *)stack + THREAD_STACK_SIZE, thread_entry);
	if (out)
		*out = t->tid;
	sched_make_ready(t); /* FREE -> READY; may ask to preempt us */
	spin_unlock(&sched_lock, flags);
	sched_preempt();
	return KEEL_OK;
}
/* [thread_create] */

void thread_exit(int code)
{
	struct thread *self = thread_current();

	spin_lock(&sched_lock);          /* never released here: the next thread does */
	assert(TID_SLOT(self->tid) > 1); /* the boot and idle threads never exit */
	self->exit_code = code;
	thread_set_state(self, THREAD_DEAD);
	waitq_wake_all(&self->exit_wait);
	sched_switch();
	panic("thread_exit: a dead thread ran again");
}

/* Free a DEAD thread's slot and stack. sched_lock held. */
static void thread_reap(struct thread *t)
{
	kstack_free(TID_SLOT(t->tid), t->stack);
	t->stack = NULL;
	t->joiner = NULL;
	thread_set_state(t, THREAD_FREE);
}

/* Check that @p t may be joined by the caller; KEEL_OK if so. */
static kstatus_t join_allowed(struct thread *t)
{
	if (t == NULL)
		return KEEL_ERR_NOT_FOUND;
	if (t == thread_current() || TID_SLOT(t->tid) <= 1)
		return KEEL_ERR_INVALID;
	if (t->joiner != NULL)
		return KEEL_ERR_BUSY;
	return KEEL_OK;
}

kstatus_t thread_join(tid_t tid, int *code, uint64_t timeout_us)
{
	spinflags_t flags = spin_lock(&sched_lock);
	struct thread *t = thread_lookup(tid);
	kstatus_t s = join_allowed(t);

	if (s == KEEL_OK && t->state != THREAD_DEAD) {
		t->joiner = thread_current();
		s = waitq_wait(&t->exit_wait, timeout_us); /* only exit wakes it */
		t->joiner = NULL;
	}
	if (s == KEEL_OK) {
		if (code)
			*code = t->exit_code;
		thread_reap(t);
	}
	spin_unlock(&sched_lock, flags);
	return s;
}
