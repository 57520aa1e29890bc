/*
 * task.c - tasks: the pool, the life cycle, and how a task ends.
 *
 * A task is a slot in a fixed pool, like a thread. Its id carries the
 * slot and a generation, so a handle to a task that has ended and whose
 * slot was reused is recognised as stale. Each task is one frame owner
 * (OWNER_FIRST_TASK + slot): every page and page table it uses is charged
 * there, which is how its limit is enforced and how its end gives back
 * exactly what it held.
 *
 * Ending is the delicate part. Any thread of a task may end it (exit, a
 * fault, or its last thread leaving), and so may another task (kill).
 * The task becomes DYING; its other threads notice on their way back to
 * user mode (task_user_return) or are woken from their waits with
 * KEEL_ERR_INTERRUPTED. The last thread to leave gives the memory back
 * and makes the task a ZOMBIE, and the parent's wait collects the status
 * and joins the dead threads. All of this is under sched_lock, which
 * already orders thread states, so no second lock is needed.
 */
#include <keel/arch.h>
#include <keel/arch_user.h>
#include <keel/config.h>
#include <keel/frame.h>
#include <keel/init.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/task.h>

#include "task_internal.h"

static struct task tasks[TASK_MAX];
static uint32_t generations[TASK_MAX];

/* [task_states] */
/* The life cycle of task.h: allowed[from] has bit `to` set. */
static const uint8_t allowed[] = {
    [TASK_FREE] = 1u << TASK_LOADING, [TASK_LOADING] = 1u << TASK_FREE | 1u << TASK_LIVE,
    [TASK_LIVE] = 1u << TASK_DYING,   [TASK_DYING] = 1u << TASK_ZOMBIE,
    [TASK_ZOMBIE] = 1u << TASK_FREE,
};

void task_set_state(struct task *t, enum task_state to)
{
	assert(spin_held(&sched_lock));
	assert(allowed[t->state] & (1u << to));
	t->state = to;
}
/* [task_states] */

struct task *task_slot(unsigned slot)
{
	return slot < TASK_MAX ? &tasks[slot] : NULL;
}

struct task *task_lookup(uint32_t id)
{
	struct task *t = task_slot(id & 0xff);

	return t && t->state != TASK_FREE && t->id == id ? t : NULL;
}

struct task *task_current(void)
{
	return thread_current()->task;
}

/* Make @p t's slot FREE and give back its handle table's storage. No lock held. */
static void task_free_slot(struct task *t)
{
	spinflags_t flags = spin_lock(&sched_lock);
	struct handle_slot *storage = t->handles.slot;

	task_set_state(t, TASK_FREE);
	t->handles = (struct handle_table){NULL, 0, 0};
	spin_unlock(&sched_lock, flags);
	task_handles_release(storage);
}

/* Join every thread of ZOMBIE @p t and free its slot. No lock held. */
static void task_reap(struct task *t)
{
	for (unsigned i = 0; i < TASK_THREADS_MAX; i++) {
		struct task_thread *tt = &t->thread[i];
		/* Dead, or a moment from it: the last thread is on its way out. */
		if (tt->used && tt->tid != 0)
			thread_join(tt->tid, NULL, TIMEOUT_NEVER);
		tt->used = false;
		tt->tid = 0;
	}
	task_free_slot(t);
}

/* An orphan that has ended, whose slot may be taken back; sched_lock held. */
static struct task *orphan_zombie(void)
{
	for (unsigned i = 0; i < TASK_MAX; i++)
		if (tasks[i].state == TASK_ZOMBIE && tasks[i].orphan)
			return &tasks[i];
	return NULL;
}

/* Take a FREE slot for a task named @p name: LOADING, everything reset,
 * its handle table in @p storage of @p size slots. */
static struct task *task_take_slot(const char *name, struct task *parent,
                                   struct handle_slot *storage, uint32_t size)
{
	spinflags_t flags = spin_lock(&sched_lock);
	struct task *t = NULL;

	for (unsigned i = 0; i < TASK_MAX && t == NULL; i++)
		if (tasks[i].state == TASK_FREE)
			t = &tasks[i];
	if (t != NULL) {
		unsigned slot = (unsigned)(t - tasks);
		memset(t, 0, sizeof(*t));
		t->id = slot | ++generations[slot] << 8;
		t->owner = (owner_t)(OWNER_FIRST_TASK + slot);
		t->parent = parent;
		strlcpy(t->name, name, sizeof(t->name));
		waitq_init(&t->exit_wait);
		handle_table_init(&t->handles, storage, size);
		keel_handle_t self;
		kstatus_t s = handle_install(&t->handles, KEEL_SELF, KEEL_OBJ_TASK, t->id,
		                             KEEL_RIGHT_READ, &self);
		assert(s == KEEL_OK && self == KEEL_SELF);
		(void)s;
		if (parent == NULL && task_hooks.initial_caps)
			task_hooks.initial_caps(t);
		task_set_state(t, TASK_LOADING);
	}
	spin_unlock(&sched_lock, flags);
	return t;
}

/* A slot for a new task: a free one, else one an ended orphan held; its
 * handle table the @p size slots at @p storage (given back if no slot). */
static struct task *task_alloc(const char *name, struct task *parent, struct handle_slot *storage,
                               uint32_t size)
{
	struct task *t = task_take_slot(name, parent, storage, size);

	while (t == NULL) {
		spinflags_t flags = spin_lock(&sched_lock);
		struct task *z = orphan_zombie();
		if (z != NULL)
			z->orphan = false; /* ours to reap now */
		spin_unlock(&sched_lock, flags);
		if (z == NULL)
			break;
		task_reap(z);
		t = task_take_slot(name, parent, storage, size);
	}
	if (t == NULL)
		task_handles_release(storage);
	return t;
}

/* Undo a spawn whose first thread could not start: the task is LIVE (or
 * DYING, if it was killed meanwhile) with no thread; end it and free it. */
static void task_abandon(struct task *t)
{
	spinflags_t flags = spin_lock(&sched_lock);
	if (t->state == TASK_LIVE)
		task_set_state(t, TASK_DYING);
	spin_unlock(&sched_lock, flags);
	task_handles_clear(t); /* first: what they mapped is in its space */
	flags = spin_lock(&sched_lock);
	task_set_state(t, TASK_ZOMBIE);
	spin_unlock(&sched_lock, flags);
	task_release_memory(t);
	task_free_slot(t);
}

/* Check spawn options; NULL takes the defaults. */
static kstatus_t spawn_options_ok(const struct keel_spawn *opts)
{
	if (opts == NULL)
		return KEEL_OK;
	if (opts->flags != 0 || opts->frame_limit > TASK_FRAME_LIMIT_MAX ||
	    opts->thread_limit > TASK_THREADS_MAX || opts->give < 0 ||
	    (opts->give_rights & ~(uint32_t)KEEL_RIGHT_ALL) != 0 || opts->slots == 1 ||
	    opts->slots > KEEL_HANDLES_MAX || opts->archive < 0)
		return KEEL_ERR_INVALID;
	return KEEL_OK;
}

/* [spawn_give] */
/* Copy the spawner's handle opts->give into new task @p t as
 * KEEL_SPAWN_GIVEN, with rights no more than the spawner's: how a child
 * is first told of something (an endpoint to call) without any global
 * name. The spawner needs the grant right on it. */
static kstatus_t spawn_give(struct task *t, struct task *parent, const struct keel_spawn *opts)
{
	const struct handle_slot *slot;
	keel_handle_t h;

	if (opts == NULL || opts->give == 0)
		return KEEL_OK;
	if (parent == NULL)
		return KEEL_ERR_INVALID;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s =
	    handle_get(&parent->handles, opts->give, KEEL_OBJ_NONE, KEEL_RIGHT_GRANT, &slot);
	if (s == KEEL_OK && (opts->give_rights & ~(uint32_t)slot->rights) != 0)
		s = KEEL_ERR_DENIED;
	if (s == KEEL_OK)
		s = task_handle_copy(slot, &t->handles, (int)handle_index_of(KEEL_SPAWN_GIVEN),
		                     opts->give_rights, &h);
	assert(s != KEEL_OK || h == KEEL_SPAWN_GIVEN);
	spin_unlock(&sched_lock, flags);
	return s;
}
/* [spawn_give] */

/* The slots of a new task's handle table: what its spawner asked for, or
 * the default. */
static uint32_t task_slots(const struct keel_spawn *opts)
{
	return opts != NULL && opts->slots != 0 ? opts->slots : KEEL_HANDLES_DEFAULT;
}

static void spawn_limits(const struct keel_spawn *opts, struct task *t)
{
	t->frame_limit = opts && opts->frame_limit ? opts->frame_limit : TASK_FRAME_LIMIT_DEFAULT;
	t->thread_limit =
	    opts && opts->thread_limit ? opts->thread_limit : TASK_THREAD_LIMIT_DEFAULT;
}

/* Undo a spawn that failed while LOADING: memory back, slot free. */
static void task_unload(struct task *t)
{
	task_handles_clear(t); /* first: what they mapped is in its space */
	task_release_memory(t);
	task_free_slot(t);
}

/* [task_spawn] */
kstatus_t task_spawn(const char *name, struct task *parent, const struct keel_spawn *opts,
                     struct task **out)
{
	struct elf_image img;
	const void *data;
	kstatus_t s = spawn_options_ok(opts);

	if (s == KEEL_OK && parent != NULL && task_hooks.may_spawn) {
		spinflags_t flags = spin_lock(&sched_lock);
		s = task_hooks.may_spawn(parent, opts);
		spin_unlock(&sched_lock, flags);
	}
	if (s == KEEL_OK)
		s = task_find_program(name, &img, &data);
	if (s != KEEL_OK)
		return s;
	uint32_t slots = task_slots(opts);
	struct handle_slot *storage = task_handles_alloc(slots);
	if (storage == NULL)
		return KEEL_ERR_NO_MEMORY; /* for its handle table */
	struct task *t = task_alloc(name, parent, storage, slots);
	if (t == NULL)
		return KEEL_ERR_LIMIT;
	spawn_limits(opts, t);
	s = spawn_give(t, parent, opts);
	if (s == KEEL_OK)
		s = task_load(t, &img, data);
	if (s != KEEL_OK) {
		task_unload(t);
		return s;
	}
	/* LIVE before its first thread exists: that thread may run, and even
	 * end the task, before this function returns. */
	spinflags_t flags = spin_lock(&sched_lock);
	task_set_state(t, TASK_LIVE);
	spin_unlock(&sched_lock, flags);
	s = task_thread_start(t, img.entry, 0, opts ? opts->arg : 0, TASK_PRIO_DEFAULT, NULL);
	if (s != KEEL_OK) {
		task_abandon(t);
		return s;
	}
	*out = t;
	return KEEL_OK;
}
/* [task_spawn] */

struct task_hooks task_hooks;

/* Make LIVE @p t DYING with @p status and end its threads' waits. sched_lock held. */
static void task_doom(struct task *t, int status)
{
	t->status = status;
	task_set_state(t, TASK_DYING);
	for (unsigned i = 0; i < TASK_THREADS_MAX; i++) {
		struct thread *th = t->thread[i].used ? thread_lookup(t->thread[i].tid) : NULL;
		if (th != NULL && th != thread_current())
			waitq_cancel(th, KEEL_ERR_INTERRUPTED);
	}
}

void task_exit(int status)
{
	struct task *t = task_current();
	spinflags_t flags = spin_lock(&sched_lock);

	assert(t != NULL);
	if (t->state == TASK_LIVE)
		task_doom(t, status);
	spin_unlock(&sched_lock, flags);
	task_thread_exit(status);
}

kstatus_t task_kill(struct task *t, int status)
{
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = KEEL_OK;

	if (t == task_current())
		s = KEEL_ERR_INVALID;
	else if (t->state != TASK_LIVE)
		s = KEEL_ERR_NOT_FOUND;
	else
		task_doom(t, status);
	spin_unlock(&sched_lock, flags);
	sched_preempt();
	return s;
}

/* [task_end] */
/* The last thread of @p t is leaving: give everything back, then ZOMBIE. */
void task_end(struct task *t)
{
	/* Its handles first: what they mapped lies in its space, and what
	 * they hold (runs of frames) is charged to it. */
	task_handles_clear(t);
	task_release_memory(t);
	spinflags_t flags = spin_lock(&sched_lock);
	for (unsigned i = 0; i < TASK_MAX; i++) {
		if (tasks[i].parent == t && tasks[i].state != TASK_FREE) {
			tasks[i].parent = NULL; /* nobody will wait for it now */
			tasks[i].orphan = true;
		}
	}
	if (task_hooks.task_ending)
		task_hooks.task_ending(t);
	task_set_state(t, TASK_ZOMBIE);
	waitq_wake_all(&t->exit_wait);
	spin_unlock(&sched_lock, flags);
}
/* [task_end] */

/* May the calling thread wait for @p child (id @p id)? sched_lock held. */
static kstatus_t wait_allowed(const struct task *child, uint32_t id)
{
	if (child->id != id || child->state == TASK_FREE)
		return KEEL_ERR_NOT_FOUND; /* collected by another waiter meanwhile */
	if (child->parent != task_current() || child->orphan)
		return KEEL_ERR_DENIED;
	return KEEL_OK;
}

/* [task_wait] */
kstatus_t task_wait(struct task *child, int *status, uint64_t timeout_us)
{
	spinflags_t flags = spin_lock(&sched_lock);
	uint32_t id = child->id;
	kstatus_t s = wait_allowed(child, id);

	while (s == KEEL_OK && child->state != TASK_ZOMBIE) {
		s = waitq_wait(&child->exit_wait, timeout_us);
		if (s == KEEL_OK)
			s = wait_allowed(child, id);
	}
	if (s == KEEL_OK) {
		if (status)
			*status = child->status;
		child->parent = NULL; /* no second waiter may collect it */
	}
	spin_unlock(&sched_lock, flags);
	if (s == KEEL_OK)
		task_reap(child);
	return s;
}
/* [task_wait] */

/* Called with sched_lock held on every switch: the CPU's user context. */
static void task_switch_hook(struct thread *next)
{
	struct task *t = next->task;

	if (t == NULL)
		return; /* kernel threads run in whatever space is active */
	arch_user_set_kernel_stack((uintptr_t)next->stack + THREAD_STACK_SIZE);
	if (vm_active() != t->space)
		vm_activate(t->space);
	if (task_hooks.task_running)
		task_hooks.task_running(t);
}

static void task_init(void)
{
	arch_user_init();
	sched_switch_hook = task_switch_hook;
	if (kconfig.loglevel >= 2)
		kprintf("user: %u tasks of up to %u threads, entries: %s\n", TASK_MAX,
		        TASK_THREADS_MAX, arch_user_entry_name());
}
KEEL_INIT(INIT_LATE, task_init);

/* [task_start_root] */
/*
 * The kernel's one spawn of its own: the root task, from the boot
 * archive's "root", with the argument KEEL_ROOT_ARG_BOOT (and
 * KEEL_ROOT_ARG_MONITOR when the monitor will read the console). It gets
 * the capabilities it may use (slice 5 on: every one the kernel hands
 * out) and starts everything else; from slice 6 on it stays, the root of
 * user space. Not in test or benchmark runs: those spawn their own
 * programs.
 */
static struct task *root_task;

static void task_wait_root(bool monitor)
{
	int status;

	if (monitor) {
		/* At the lowest priority, this thread runs again only once every
		 * user thread waits: the monitor's prompt comes after what user
		 * space prints as it starts, not in the middle of it. */
		sched_set_priority(thread_current(), 1);
		sched_yield();
		return;
	}
	kstatus_t s = task_wait(root_task, &status, TIMEOUT_NEVER);
	if (s != KEEL_OK)
		kprintf("user: the root task could not run: %s\n", kstatus_meaning(s));
	else if (status != 0)
		kprintf("user: the root task ended with status 0x%x\n", status);
}

void task_start_root(void)
{
	struct keel_spawn opts = {.slots = KEEL_HANDLES_MAX, .arg = KEEL_ROOT_ARG_BOOT};

	if (kconfig.test[0] != '\0' || kconfig.bench[0] != '\0')
		return;
	if (kconfig.monitor)
		opts.arg |= KEEL_ROOT_ARG_MONITOR;
	kstatus_t s = task_spawn("root", NULL, &opts, &root_task);
	if (s == KEEL_ERR_NOT_FOUND)
		kprintf("user: no boot archive with a 'root' program; no task started\n");
	else if (s != KEEL_OK)
		kprintf("user: the root task could not run: %s\n", kstatus_meaning(s));
	else
		kernel_running_hook = task_wait_root;
}
KEEL_INIT(INIT_LATE + 1, task_start_root);
/* [task_start_root] */
