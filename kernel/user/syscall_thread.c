/*
 * syscall_thread.c - the calls about the caller's own thread and time:
 * NULL, DEBUG_WRITE, THREAD_CREATE/EXIT/YIELD/SLEEP, CLOCK_READ.
 *
 * Each handler treats its arguments as hostile: a pointer is only used
 * through copy_from_user()/copy_to_user(), a number is range-checked
 * before it is used, and nothing is changed until every check passed.
 */
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/kmalloc.h>
#include <keel/sched.h>
#include <keel/timer.h>
#include <keel/uaccess.h>

#include "syscall_calls.h"

/* The most DEBUG_WRITE prints in one call (more is KEEL_ERR_RANGE). */
#define DEBUG_WRITE_MAX 4096

int32_t sys_null(const uint32_t *a)
{
	(void)a;
	return KEEL_OK;
}

/* [sys_debug_write] */
int32_t sys_debug_write(const uint32_t *a)
{
	uint32_t len = a[1];

	if (len > DEBUG_WRITE_MAX)
		return KEEL_ERR_RANGE;
	if (len == 0)
		return 0;
	char *buf = kmalloc(len);
	if (buf == NULL)
		return KEEL_ERR_NO_MEMORY;
	/* All of it is copied before any of it is printed: a bad byte
	 * anywhere prints nothing, rather than half a line and an error. */
	kstatus_t s = copy_from_user(buf, a[0], len);
	if (s == KEEL_OK)
		console_write(buf, len);
	kfree(buf);
	return s == KEEL_OK ? (int32_t)len : s;
}
/* [sys_debug_write] */

int32_t sys_thread_create(const uint32_t *a)
{
	struct task *t = task_current();
	struct thread *self = thread_current();
	uint32_t entry = a[0], stack = a[1];
	keel_handle_t h;
	tid_t tid;

	if (!user_range_ok(entry, 1) || (stack != 0 && !user_range_ok(stack - 4, 4)))
		return KEEL_ERR_FAULT;
	if (a[3] > self->prio)
		return KEEL_ERR_INVALID; /* no thread may raise itself by proxy */
	kstatus_t s = syscall_handle_reserve(KEEL_OBJ_THREAD, &h);
	if (s != KEEL_OK)
		return s;
	s = task_thread_start(t, entry, stack, a[2], a[3], &tid);
	return syscall_handle_settle(h, s == KEEL_OK ? tid : 0, s);
}

int32_t sys_thread_exit(const uint32_t *a)
{
	task_thread_exit((int)a[0]);
}

int32_t sys_thread_yield(const uint32_t *a)
{
	(void)a;
	sched_yield();
	return KEEL_OK;
}

/* [sys_thread_sleep] */
int32_t sys_thread_sleep(const uint32_t *a)
{
	static struct waitq never = {{&never.waiters, &never.waiters}, NULL}; /* empty */
	kstatus_t s;

	if (a[0] != KEEL_TIMEOUT_NEVER) {
		s = thread_sleep_us(a[0]);
		return task_current()->state == TASK_DYING ? KEEL_ERR_INTERRUPTED : s;
	}
	/* For ever: a queue nobody wakes; only the task's end cancels it. */
	spinflags_t flags = spin_lock(&sched_lock);
	s = waitq_wait(&never, TIMEOUT_NEVER);
	spin_unlock(&sched_lock, flags);
	return s;
}
/* [sys_thread_sleep] */

int32_t sys_clock_read(const uint32_t *a)
{
	uint64_t us = arch_clock_us();

	return copy_to_user(a[0], &us, sizeof(us));
}
