/*
 * watch.c - a task's end as a notification (TASK_NOTIFY).
 *
 * A device manager restarts a driver that dies, so it must learn of the
 * death without a thread blocked in TASK_WAIT for each driver: it asks
 * for a notification to be signalled when the task ends, and waits for
 * that notification together with its requests. One watch a task, kept in
 * a table beside the task pool and checked as the task's last thread
 * leaves (slice 3's task_ending hook). Guarded by sched_lock; O(1).
 */
#include <keel/ipc.h>
#include <keel/sched.h>

#include "dev_internal.h"

struct watch watches[TASK_MAX];

/* [watch_set] */
kstatus_t watch_set(struct task *task, uint32_t note, uint32_t bits)
{
	struct watch *w = &watches[dev_task_slot(task)];

	if (bits == 0) {
		w->task = 0; /* no longer watched */
		return KEEL_OK;
	}
	if (task->state == TASK_ZOMBIE) {
		ipc_notify_id(note, bits); /* ended already: say so at once */
		return KEEL_OK;
	}
	*w = (struct watch){task->id, note, bits};
	return KEEL_OK;
}
/* [watch_set] */

void watch_task_ending(struct task *t)
{
	struct watch *w = &watches[dev_task_slot(t)];

	if (w->task != t->id)
		return;
	w->task = 0;
	ipc_notify_id(w->note, w->bits); /* GONE: the watcher went first */
}
