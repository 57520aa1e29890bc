/*
 * space.c - how slice 5 plugs capabilities into the tasks of slice 3 and
 * the messages of slice 4, and what the root task starts with.
 *
 * Slice 3 declared the seams (task_hooks in task.h): a handle copied into
 * another table is linked here as derived from its source; a handle that
 * is closed first has everything derived from it revoked; a capability
 * deleted or moved undoes what it mapped. Slice 4's own hook (closing an
 * object's original destroys the object) still runs, after ours.
 *
 * The initial capabilities. A task the kernel spawns itself (the root
 * task; in test images each test program, which stands in for it) gets,
 * besides KEEL_SELF (its own task, and with it its address space), the
 * originals of the capability to all free memory (KEEL_ROOT_MEMORY) and
 * of the one to the boot archive (KEEL_ROOT_ARCHIVE), which spawning
 * needs. Everything any other task holds, it was given by a task that
 * held it first.
 */
#include <keel/init.h>
#include <keel/kprintf.h>
#include <keel/list.h>
#include <keel/panic.h>
#include <keel/syscall.h>

#include "cap_internal.h"

uint32_t cap_range_types = 1u << KEEL_OBJ_FRAMES;

struct task *cap_holder(const struct handle_slot *s)
{
	return list_entry(s->table, struct task, handles);
}

/* Slice 4's closing hook, which ours calls on. */
static void (*closing_before)(struct task *t, const struct handle_slot *slot);

/* [cap_closing] */
static void cap_closing(struct task *t, const struct handle_slot *s)
{
	frames_deleting((struct handle_slot *)s);
	if (closing_before)
		closing_before(t, s);
}
/* [cap_closing] */

/* A capability a revocation deletes: what it mapped goes with it. */
static void cap_revoked_one(struct handle_slot *s)
{
	frames_deleting(s);
}

/* [cap_may_move] */
/* The originals of memory stay with their holder: a run of frames is
 * charged to the task that took it, which frees it when it ends, so its
 * original moving away would leave another task holding frames its
 * account gives back (copies derived from it move freely); the memory and
 * archive originals are the root task's authority itself. */
static kstatus_t cap_may_move(struct task *t, const struct handle_slot *s)
{
	(void)t;
	if (s->depth == 0 && (s->type == KEEL_OBJ_FRAMES || s->type == KEEL_OBJ_MEMORY ||
	                      s->type == KEEL_OBJ_ARCHIVE))
		return KEEL_ERR_DENIED;
	return KEEL_OK;
}
/* [cap_may_move] */

/* A capability moving to another task leaves its mapping behind: undone. */
static void cap_moving(struct task *t, struct handle_slot *s)
{
	(void)t;
	if (s->type == KEEL_OBJ_FRAMES)
		frames_unmap(s);
}

/* [initial_caps] */
static void initial_caps(struct task *t)
{
	keel_handle_t h, a;
	kstatus_t s = handle_install(&t->handles, handle_index_of(KEEL_ROOT_MEMORY),
	                             KEEL_OBJ_MEMORY, MEMORY_ID, KEEL_RIGHT_ALL, &h);

	if (s == KEEL_OK)
		s = handle_install(&t->handles, handle_index_of(KEEL_ROOT_ARCHIVE),
		                   KEEL_OBJ_ARCHIVE, ARCHIVE_ID, KEEL_RIGHT_ALL, &a);
	assert(s == KEEL_OK && h == KEEL_ROOT_MEMORY && a == KEEL_ROOT_ARCHIVE);
	(void)s;
}
/* [initial_caps] */

/* [may_spawn] */
/* Spawning finds a program in the boot archive, so it needs an archive
 * capability that can read: the one opts names, or KEEL_ROOT_ARCHIVE. */
static kstatus_t may_spawn(struct task *parent, const struct keel_spawn *opts)
{
	const struct handle_slot *s;
	keel_handle_t h = opts != NULL && opts->archive != 0 ? opts->archive : KEEL_ROOT_ARCHIVE;

	return handle_get(&parent->handles, h, KEEL_OBJ_ARCHIVE, KEEL_RIGHT_READ, &s);
}
/* [may_spawn] */

static void cap_init(void)
{
	cap_deleting = cap_revoked_one;
	task_hooks.handle_copied = cap_link_derived;
	task_hooks.handle_revoke = cap_revoke;
	task_hooks.may_move = cap_may_move;
	task_hooks.handle_moving = cap_moving;
	task_hooks.initial_caps = initial_caps;
	task_hooks.may_spawn = may_spawn;
	closing_before = task_hooks.handle_closing;
	task_hooks.handle_closing = cap_closing;
	cap_syscalls_install();
}
KEEL_INIT(INIT_LATE, cap_init);
