/**
 * @file timer.h
 * @brief Time: a monotonic microsecond clock, the tick, timers and sleep.
 *
 * The clock is the CPU's time-stamp counter, calibrated at boot against
 * the PIT (whose rate, 1,193,182 Hz, is fixed by the PC's design). The
 * tick is a periodic interrupt at TIMER_HZ from the local APIC timer when
 * the CPU has one (calibrated the same way), else from the PIT. On every
 * tick, expired timers fire and the running thread's slice is counted.
 *
 * Pending timers live in a timer queue (timerq.h): arming or cancelling
 * costs O(log n) with n <= TIMERQ_MAX, at most TIMERQ_DEPTH steps;
 * finding the next deadline costs O(1). A tick that finds k timers due
 * does k such removals. A timer fires on the first tick at or after its
 * deadline: never early, and late by at most one tick period plus the
 * time to run the timers before it.
 */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/status.h>
#include <keel/timerq.h>
#include <stdint.h>

/** @brief Tick rate: interrupts per second. */
#define TIMER_HZ 1000

/** @brief Microseconds since the clock was calibrated at boot. Monotonic. Any context. */
uint64_t timer_read_us(void);

/** @brief Ticks since the tick started. Any context. */
uint64_t timer_ticks(void);

/**
 * @brief Arm @p t to call its function at @p deadline_us (timer_read_us time).
 * A deadline in the past fires on the next tick.
 * @return KEEL_OK; KEEL_ERR_BUSY if @p t is pending; KEEL_ERR_NO_MEMORY if
 *         TIMERQ_MAX timers are pending. sched_lock held.
 */
kstatus_t timer_arm(struct timer *t, uint64_t deadline_us);

/** @brief Disarm @p t. @return true if it was pending. sched_lock held. */
bool timer_cancel(struct timer *t);

/** @brief The deadline @p us from now, saturating instead of wrapping. */
uint64_t timer_deadline(uint64_t us);

/**
 * @brief Sleep for at least @p us microseconds. 0 just yields.
 * @return KEEL_OK; KEEL_ERR_NO_MEMORY if TIMERQ_MAX timers are pending
 *         (then it returns at once, without sleeping). Thread context.
 */
kstatus_t thread_sleep_us(uint64_t us);

/** @brief Called by the arch layer on every tick. Interrupt context. */
void timer_tick(void);

#endif
