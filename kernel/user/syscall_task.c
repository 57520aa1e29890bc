/*
 * syscall_task.c - the calls that name a task or a handle: TASK_SPAWN,
 * TASK_EXIT, TASK_WAIT, TASK_KILL, TASK_INFO, HANDLE_CLOSE, HANDLE_QUERY.
 *
 * A task is named only by a handle in the caller's own table, checked
 * for its type and for the right the call needs (wait, kill, read).
 * The handle holds the task's id, and the id its generation: a handle
 * to a task that has ended and been collected finds nothing
 * (KEEL_ERR_NOT_FOUND), never the slot's next task.
 */
#include <keel/bootfs.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/uaccess.h>

#include "syscall_calls.h"

/* The task a handle of the caller names, with @p rights; sched_lock not held. */
static kstatus_t syscall_task_arg(keel_handle_t h, unsigned rights, struct task **out)
{
	const struct handle_slot *slot;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = handle_get(&task_current()->handles, h, KEEL_OBJ_TASK, rights, &slot);

	if (s == KEEL_OK) {
		*out = task_lookup(slot->object);
		s = *out ? KEEL_OK : KEEL_ERR_NOT_FOUND;
	}
	spin_unlock(&sched_lock, flags);
	return s;
}

/* [handle_reserve] */
/*
 * A call that makes an object takes the handle first, so that an object is
 * never made that its maker could not name; the handle's object is filled
 * in once it exists, or the handle given back if it could not be made.
 */
kstatus_t syscall_handle_reserve(unsigned type, keel_handle_t *h)
{
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = handle_alloc(&task_current()->handles, type, 0, KEEL_RIGHT_ALL, h);

	spin_unlock(&sched_lock, flags);
	return s;
}

int32_t syscall_handle_settle(keel_handle_t h, uint32_t object, kstatus_t s)
{
	struct handle_table *t = &task_current()->handles;
	spinflags_t flags = spin_lock(&sched_lock);

	if (s == KEEL_OK)
		t->slot[handle_index_of(h)].object = object;
	else
		handle_free(t, h);
	spin_unlock(&sched_lock, flags);
	return s == KEEL_OK ? h : s;
}
/* [handle_reserve] */

/* [sys_task_spawn] */
int32_t sys_task_spawn(const uint32_t *a)
{
	char name[BOOTFS_NAME_MAX + 1];
	struct keel_spawn opts;
	struct task *self = task_current(), *child;
	keel_handle_t h;

	if (a[1] == 0 || a[1] > BOOTFS_NAME_MAX)
		return KEEL_ERR_INVALID;
	kstatus_t s = copy_from_user(name, a[0], a[1]);
	if (s == KEEL_OK && a[2] != 0)
		s = copy_from_user(&opts, a[2], sizeof(opts));
	if (s != KEEL_OK)
		return s;
	name[a[1]] = '\0';
	s = syscall_handle_reserve(KEEL_OBJ_TASK, &h);
	if (s != KEEL_OK)
		return s; /* no slot for the handle: spawn nothing it could not name */
	s = task_spawn(name, self, a[2] ? &opts : NULL, &child);
	return syscall_handle_settle(h, s == KEEL_OK ? child->id : 0, s);
}
/* [sys_task_spawn] */

int32_t sys_task_exit(const uint32_t *a)
{
	task_exit((int)a[0]);
}

/* [sys_task_wait] */
int32_t sys_task_wait(const uint32_t *a)
{
	struct task *child;
	int status = 0;
	kstatus_t s = syscall_task_arg((keel_handle_t)a[0], KEEL_NEED_RIGHTS_TASK_WAIT, &child);

	/* Prove the status can be stored before collecting it, so that it is
	 * never lost: write back what is there, leaving it as it was. */
	if (s == KEEL_OK && a[1] != 0)
		s = copy_from_user(&status, a[1], sizeof(status));
	if (s == KEEL_OK && a[1] != 0)
		s = copy_to_user(a[1], &status, sizeof(status));
	if (s != KEEL_OK)
		return s;
	uint64_t timeout = a[2] == KEEL_TIMEOUT_NEVER ? TIMEOUT_NEVER : a[2];
	s = task_wait(child, &status, timeout);
	if (s == KEEL_OK && a[1] != 0)
		s = copy_to_user(a[1], &status, sizeof(status));
	return s;
}
/* [sys_task_wait] */

int32_t sys_task_kill(const uint32_t *a)
{
	struct task *t;
	kstatus_t s = syscall_task_arg((keel_handle_t)a[0], KEEL_NEED_RIGHTS_TASK_KILL, &t);

	return s == KEEL_OK ? task_kill(t, KEEL_KILLED_STATUS) : s;
}

int32_t sys_task_info(const uint32_t *a)
{
	struct keel_task_info info;
	struct task *t;
	kstatus_t s = syscall_task_arg((keel_handle_t)a[0], KEEL_NEED_RIGHTS_TASK_INFO, &t);

	if (s != KEEL_OK)
		return s;
	memset(&info, 0, sizeof(info)); /* no stray kernel bytes go out */
	spinflags_t flags = spin_lock(&sched_lock);
	info.id = t->id;
	info.threads = t->threads;
	info.frames = task_frames(t);
	info.frame_limit = t->frame_limit;
	info.thread_limit = t->thread_limit;
	info.handles = t->handles.used;
	strlcpy(info.name, t->name, sizeof(info.name));
	spin_unlock(&sched_lock, flags);
	return copy_to_user(a[1], &info, sizeof(info));
}

int32_t sys_handle_close(const uint32_t *a)
{
	keel_handle_t h = (keel_handle_t)a[0];

	if (h == KEEL_SELF)
		return KEEL_ERR_DENIED; /* a task keeps its name for itself */
	return task_handle_close(task_current(), h);
}

int32_t sys_handle_query(const uint32_t *a)
{
	struct keel_handle_info info;
	const struct handle_slot *slot;

	memset(&info, 0, sizeof(info));
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = handle_get(&task_current()->handles, (keel_handle_t)a[0],
	                         KEEL_NEED_TYPE_HANDLE_QUERY, KEEL_NEED_RIGHTS_HANDLE_QUERY, &slot);
	if (s == KEEL_OK)
		info = (struct keel_handle_info){slot->type, slot->rights, slot->object, 0};
	spin_unlock(&sched_lock, flags);
	return s == KEEL_OK ? copy_to_user(a[1], &info, sizeof(info)) : s;
}
