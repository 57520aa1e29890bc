/*
 * task_check.c - task_check_all(): the invariants of every task (its
 * state, thread count, limits and handle table); and for reports, the
 * number of tasks and the names of their states. For tests and the
 * monitor, which alone call them, so it is in test images only.
 */
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/sched.h>
#include <keel/task.h>

/* Check one task; print and return false at its first broken invariant. */
static bool task_check(const struct task *t, unsigned slot)
{
	unsigned alive = 0;

	if (t->state == TASK_FREE) /* its owner id is the slot's, set or not */
		return frame_held((owner_t)(OWNER_FIRST_TASK + slot)) == 0 ||
		       (kprintf("task check: free slot %u holds frames\n", slot), false);
	for (unsigned i = 0; i < TASK_THREADS_MAX; i++) {
		const struct thread *th =
		    t->thread[i].used ? thread_lookup(t->thread[i].tid) : NULL;
		alive += th != NULL && !t->thread[i].left;
	}
	if (t->state == TASK_LIVE && alive != t->threads) {
		kprintf("task check: '%s' counts %u threads, %u alive\n", t->name, t->threads,
		        alive);
		return false;
	}
	if (t->threads > t->thread_limit || (t->frame_limit && task_frames(t) > t->frame_limit)) {
		kprintf("task check: '%s' is over a limit\n", t->name);
		return false;
	}
	if (handle_table_check(&t->handles) != KEEL_OK) {
		kprintf("task check: '%s' has a corrupt handle table\n", t->name);
		return false;
	}
	return true;
}

kstatus_t task_check_all(void)
{
	spinflags_t flags = spin_lock(&sched_lock);
	bool ok = true;

	for (unsigned i = 0; i < TASK_MAX && ok; i++)
		ok = task_check(task_slot(i), i);
	spin_unlock(&sched_lock, flags);
	return ok ? KEEL_OK : KEEL_ERR_CORRUPT;
}

const char *task_state_name(enum task_state s)
{
	static const char *const names[] = {"FREE", "LOADING", "LIVE", "DYING", "ZOMBIE"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

unsigned task_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TASK_MAX; i++)
		n += task_slot(i)->state != TASK_FREE;
	return n;
}
