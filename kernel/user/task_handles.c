/*
 * task_handles.c - a task's handle table as the rest of the kernel uses
 * it: where its slots live, how one is copied into another task, how one
 * is closed, and how all are cleared when the task ends.
 *
 * The slots of a task's table are allocated when it is spawned, as many
 * as its spawner asks for (keel_spawn.slots, up to KEEL_HANDLES_MAX), and
 * given back when its slot in the task pool is freed.
 *
 * Copying and closing go through here so that slice 5 (capabilities) can
 * keep its derivation tree: a copy is linked as derived from what it was
 * copied from (task_hooks.handle_copied), and closing a handle first
 * deletes everything derived from it (task_hooks.handle_revoke). Slice 3
 * makes every handle an original with nothing derived from it, so both
 * hooks are NULL here and a close is just a free.
 *
 * Copying and moving run with sched_lock held. Closing takes it itself,
 * a step at a time: closing a capability deletes everything derived from
 * it, which may be many (every task's), so it deletes at most
 * TASK_CLOSE_STEP of them under the lock, then lets a better thread that
 * became ready run (sched_preempt()), and goes on. No path here holds the
 * lock for more than one step, whatever the tree's size.
 */
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/task.h>

#include "task_internal.h"

struct handle_slot *task_handles_alloc(uint32_t size)
{
	if (size < 2 || size > KEEL_HANDLES_MAX)
		return NULL;
	return kmalloc(size * sizeof(struct handle_slot));
}

void task_handles_release(struct handle_slot *storage)
{
	kfree(storage);
}

/* [task_handle_copy] */
kstatus_t task_handle_copy(const struct handle_slot *from, struct handle_table *to, int index,
                           unsigned rights, keel_handle_t *out)
{
	kstatus_t s = handle_may_derive(from);

	assert(spin_held(&sched_lock));
	if (s != KEEL_OK)
		return s;
	if (index < 0)
		s = handle_alloc(to, from->type, from->object, rights, out);
	else
		s = handle_install(to, (unsigned)index, from->type, from->object, rights, out);
	if (s == KEEL_OK) {
		struct handle_slot *copy = &to->slot[handle_index_of(*out)];
		copy->badge = from->badge;
		if (task_hooks.handle_copied)
			task_hooks.handle_copied((struct handle_slot *)from, copy);
	}
	return s;
}
/* [task_handle_copy] */

kstatus_t task_handle_move(struct task *t, struct handle_slot *s, struct handle_table *to,
                           keel_handle_t *out)
{
	assert(spin_held(&sched_lock) && s->table == &t->handles);
	if (to->used == to->size)
		return KEEL_ERR_LIMIT;
	if (task_hooks.handle_moving)
		task_hooks.handle_moving(t, s);
	return handle_move(s, to, out);
}

/* One step of closing @p t's handle @p h (sched_lock held): at most
 * TASK_CLOSE_STEP of what was derived from it deleted, or, once nothing
 * is left, the hooks told and the slot freed. True if more steps remain. */
static bool close_step(struct task *t, keel_handle_t h, kstatus_t *status)
{
	const struct handle_slot *slot;
	struct handle_slot *s;

	*status = handle_get(&t->handles, h, KEEL_OBJ_NONE, 0, &slot);
	if (*status != KEEL_OK)
		return false;
	s = (struct handle_slot *)slot;
	if (handle_has_derived(s)) {
		assert(task_hooks.handle_revoke != NULL); /* only slice 5 derives */
		task_hooks.handle_revoke(s, TASK_CLOSE_STEP);
		return true;
	}
	if (task_hooks.handle_closing)
		task_hooks.handle_closing(t, s);
	handle_free_slot(s);
	return false;
}

/* [task_handle_close] */
kstatus_t task_handle_close(struct task *t, keel_handle_t h)
{
	kstatus_t status;
	bool more;

	do {
		spinflags_t flags = spin_lock(&sched_lock);
		more = close_step(t, h, &status);
		spin_unlock(&sched_lock, flags);
		if (more)
			sched_preempt(); /* a better thread that became ready runs now */
	} while (more);
	return status;
}
/* [task_handle_close] */

void task_handles_clear(struct task *t)
{
	for (unsigned i = 0; i < t->handles.size; i++)
		if (t->handles.slot[i].type != KEEL_OBJ_NONE)
			task_handle_close(t, handle_of(&t->handles, i));
	assert(t->handles.used == 0);
}
