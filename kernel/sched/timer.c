/*
 * timer.c - the clock, the tick, pending timers and sleeping.
 *
 * The arch layer calibrates a clock (microseconds since boot) and calls
 * timer_tick() TIMER_HZ times a second. Each tick fires the timers that
 * are due, earliest first, then counts against the running thread's time
 * slice. Sleeping is a timer whose function makes the sleeper READY.
 */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/console.h>
#include <keel/init.h>
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/timer.h>

/* Pending timers and the tick count; guarded by sched_lock. */
static struct timerq pending;
static volatile uint64_t ticks;

uint64_t timer_read_us(void)
{
	return arch_clock_us();
}

uint64_t timer_ticks(void)
{
	spinflags_t flags = spin_lock(&sched_lock); /* a 64-bit read is two loads on i386 */
	uint64_t n = ticks;
	spin_unlock(&sched_lock, flags);
	return n;
}

uint64_t timer_deadline(uint64_t us)
{
	uint64_t now = timer_read_us();
	return us > UINT64_MAX - now ? UINT64_MAX : now + us;
}

kstatus_t timer_arm(struct timer *t, uint64_t deadline_us)
{
	assert(spin_held(&sched_lock));
	return timerq_insert(&pending, t, deadline_us);
}

bool timer_cancel(struct timer *t)
{
	assert(spin_held(&sched_lock));
	return timerq_remove(&pending, t);
}

/* [timer_tick] */
void timer_tick(void)
{
	uint64_t now = arch_clock_us();
	spinflags_t flags = spin_lock(&sched_lock);
	struct timer *t;

	ticks++;
	while ((t = timerq_pop_due(&pending, now)) != NULL)
		t->fn(t);
	sched_tick();
	spin_unlock(&sched_lock, flags);
}
/* [timer_tick] */

static void sleep_done(struct timer *timer)
{
	sched_make_ready(timer->ctx);
}

kstatus_t thread_sleep_us(uint64_t us)
{
	if (us == 0) {
		sched_yield();
		return KEEL_OK;
	}
	spinflags_t flags = spin_lock(&sched_lock);
	struct thread *self = thread_current();
	self->timer.fn = sleep_done;
	kstatus_t s = timer_arm(&self->timer, timer_deadline(us));
	if (s == KEEL_OK) {
		thread_set_state(self, THREAD_SLEEPING);
		sched_switch();
	}
	spin_unlock(&sched_lock, flags);
	return s;
}

/* The console polls for input; sleep between polls instead of spinning. */
static void console_poll_sleep(void)
{
	thread_sleep_us(2000);
}

static void timer_start(void)
{
	timerq_init(&pending);
	arch_time_init(TIMER_HZ);
	console_set_poll_wait(console_poll_sleep);
	arch_irq_enable();
	if (kconfig.loglevel >= 2)
		arch_time_describe();
}
KEEL_INIT(INIT_TIME, timer_start);
