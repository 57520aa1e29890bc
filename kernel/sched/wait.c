/*
 * wait.c - wait queues: blocking until woken or until a timeout.
 *
 * A thread that waits joins the tail of the queue, marks itself BLOCKED
 * and arms its own timer if the wait has a timeout. Whichever comes first
 * wins: a wake-up cancels the timer, the timer takes the thread off the
 * queue. Either way the thread is made READY with a status saying which.
 * Both happen under sched_lock, so the two can never both happen.
 */
#include <keel/irq.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/timer.h>

void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
	wq->leave = NULL;
}

/* Take @p t off its queue and its timer, with @p status. */
static void detach(struct thread *t, kstatus_t status)
{
	list_remove(&t->wait_link);
	timer_cancel(&t->timer);
	t->waiting_on = NULL;
	t->wake_status = status;
}

/* Take @p t off its queue and its timer, make it READY with @p status. */
static void wake(struct thread *t, kstatus_t status)
{
	detach(t, status);
	sched_make_ready(t);
}

/* @p t leaves its queue without the owner's doing: tell the owner first. */
static void leave(struct thread *t, kstatus_t status)
{
	struct waitq *wq = t->waiting_on;

	if (wq->leave)
		wq->leave(wq, t, status);
	wake(t, status);
}

static void wait_timed_out(struct timer *timer)
{
	leave(timer->ctx, KEEL_ERR_TIMED_OUT);
}

/* Put the caller on @p wq, BLOCKED, with its timer armed. */
static void block_on(struct waitq *wq, struct thread *self, uint64_t timeout_us)
{
	list_push_tail(&wq->waiters, &self->wait_link);
	self->waiting_on = wq;
	self->wake_status = KEEL_OK;
	if (timeout_us != TIMEOUT_NEVER) {
		self->timer.fn = wait_timed_out;
		/* Cannot fail: one timer per thread, TIMERQ_MAX > THREAD_MAX. */
		kstatus_t armed = timer_arm(&self->timer, timer_deadline(timeout_us));
		assert(armed == KEEL_OK);
		(void)armed;
	}
	thread_set_state(self, THREAD_BLOCKED);
}

/* [waitq_wait] */
kstatus_t waitq_wait(struct waitq *wq, uint64_t timeout_us)
{
	struct thread *self = thread_current();

	assert(spin_held(&sched_lock));
	if (timeout_us == 0)
		return KEEL_ERR_TIMED_OUT; /* a poll: never block */
	block_on(wq, self, timeout_us);
	sched_switch();
	return self->wake_status;
}
/* [waitq_wait] */

kstatus_t waitq_wait_switch_to(struct waitq *wq, uint64_t timeout_us, struct thread *next)
{
	struct thread *self = thread_current();

	assert(spin_held(&sched_lock) && timeout_us != 0);
	block_on(wq, self, timeout_us);
	sched_switch_to(next);
	return self->wake_status;
}

void waitq_move(struct thread *t, struct waitq *to)
{
	assert(spin_held(&sched_lock) && t->state == THREAD_BLOCKED);
	list_remove(&t->wait_link);
	list_push_tail(&to->waiters, &t->wait_link);
	t->waiting_on = to;
}

struct thread *waitq_first(const struct waitq *wq)
{
	struct list *first = list_first(&wq->waiters);

	return first ? list_entry(first, struct thread, wait_link) : NULL;
}

unsigned waitq_wake_one(struct waitq *wq)
{
	struct thread *t = waitq_first(wq);

	assert(spin_held(&sched_lock));
	if (t == NULL)
		return 0;
	wake(t, KEEL_OK);
	return 1;
}

/* [waitq_cancel] */
bool waitq_cancel(struct thread *t, kstatus_t status)
{
	assert(spin_held(&sched_lock));
	if (t->state == THREAD_BLOCKED) {
		leave(t, status);
		return true;
	}
	if (t->state == THREAD_SLEEPING) {
		timer_cancel(&t->timer);
		t->wake_status = status;
		sched_make_ready(t);
		return true;
	}
	return false;
}
/* [waitq_cancel] */

void waitq_wake_thread(struct thread *t, kstatus_t status, bool run)
{
	assert(spin_held(&sched_lock) && t->state == THREAD_BLOCKED);
	if (run)
		detach(t, status);
	else
		wake(t, status);
}

unsigned waitq_wake_all(struct waitq *wq)
{
	unsigned n = 0;

	while (waitq_wake_one(wq))
		n++;
	return n;
}
