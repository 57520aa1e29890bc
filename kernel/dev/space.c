/*
 * space.c - how slice 6 plugs hardware capabilities into the slices
 * before it, and what the root task starts with.
 *
 * The seams it uses: slice 5's revocation (cap_deleting) and slice 3's
 * task hooks (a handle closed or moved, a task ending), each chained so
 * the earlier slice's own work still runs; a task about to run
 * (task_running), to load its I/O-port permissions; and slice 5's ranged
 * types, so CAP_DERIVE can name a part of a range. A deleted or moved
 * hardware capability takes back what it gave: its line is masked and
 * freed, its ports forbidden, its device memory unmapped.
 *
 * The root task (and, in test images, each test program the kernel
 * spawns in its place) gets the originals: every interrupt line the
 * kernel leaves to drivers, every I/O port, and the legacy device hole.
 * The originals do not move, like slice 5's memory: they are the root's
 * authority itself.
 */
#include <keel/arch_dev.h>
#include <keel/init.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/thread.h>

#include "dev_internal.h"

static void (*deleting_before)(struct handle_slot *s);
static void (*closing_before)(struct task *t, const struct handle_slot *s);
static void (*moving_before)(struct task *t, struct handle_slot *s);
static kstatus_t (*may_move_before)(struct task *t, const struct handle_slot *s);
static void (*ending_before)(struct task *t);
static void (*initial_before)(struct task *t);

/* [dev_deleting] */
/* What a hardware capability gave, it takes back as it goes. */
static void dev_deleting(struct handle_slot *s)
{
	switch (s->type) {
	case KEEL_OBJ_IRQ:
		irq_cap_deleting(s);
		break;
	case KEEL_OBJ_IOPORT:
		ioport_deleting(s);
		break;
	case KEEL_OBJ_DEVICE:
		frames_unmap(s); /* if it mapped anything */
		break;
	default:
		break;
	}
}
/* [dev_deleting] */

static void dev_revoked_one(struct handle_slot *s)
{
	dev_deleting(s);
	if (deleting_before)
		deleting_before(s);
}

static void dev_closing(struct task *t, const struct handle_slot *s)
{
	dev_deleting((struct handle_slot *)s);
	if (closing_before)
		closing_before(t, s);
}

/* A moved capability leaves behind what it did in its old holder. */
static void dev_moving(struct task *t, struct handle_slot *s)
{
	dev_deleting(s);
	if (moving_before)
		moving_before(t, s);
}

static kstatus_t dev_may_move(struct task *t, const struct handle_slot *s)
{
	bool hardware =
	    s->type == KEEL_OBJ_IRQ || s->type == KEEL_OBJ_IOPORT || s->type == KEEL_OBJ_DEVICE;

	if (hardware && s->depth == 0)
		return KEEL_ERR_DENIED;
	return may_move_before ? may_move_before(t, s) : KEEL_OK;
}

static void dev_task_ending(struct task *t)
{
	watch_task_ending(t);
	if (ending_before)
		ending_before(t);
}

/* [dev_initial_caps] */
static void dev_initial_caps(struct task *t)
{
	static const struct {
		keel_handle_t h;
		unsigned type;
		uint32_t object, range;
	} root[] = {
	    {KEEL_ROOT_IRQ, KEEL_OBJ_IRQ, DEV_IRQ_ID, KEEL_RANGE(0, KEEL_IRQ_LINES)},
	    {KEEL_ROOT_IOPORT, KEEL_OBJ_IOPORT, DEV_IOPORT_ID, KEEL_RANGE(0, 0xffff)},
	    {KEEL_ROOT_DEVICE, KEEL_OBJ_DEVICE, DEV_DEVICE_ID, KEEL_RANGE(0, KEEL_DEVICE_PAGES)},
	};

	if (initial_before)
		initial_before(t);
	for (unsigned i = 0; i < sizeof root / sizeof root[0]; i++) {
		keel_handle_t h;
		unsigned index = handle_index_of(root[i].h);
		kstatus_t s = handle_install(&t->handles, index, root[i].type, root[i].object,
		                             KEEL_RIGHT_ALL, &h);
		assert(s == KEEL_OK && h == root[i].h);
		(void)s;
		t->handles.slot[index].badge = root[i].range;
	}
}
/* [dev_initial_caps] */

static void dev_init(void)
{
	deleting_before = cap_deleting;
	cap_deleting = dev_revoked_one;
	closing_before = task_hooks.handle_closing;
	task_hooks.handle_closing = dev_closing;
	moving_before = task_hooks.handle_moving;
	task_hooks.handle_moving = dev_moving;
	may_move_before = task_hooks.may_move;
	task_hooks.may_move = dev_may_move;
	ending_before = task_hooks.task_ending;
	task_hooks.task_ending = dev_task_ending;
	initial_before = task_hooks.initial_caps;
	task_hooks.initial_caps = dev_initial_caps;
	task_hooks.task_running = ioport_switch;
	cap_range_types |= 1u << KEEL_OBJ_IRQ | 1u << KEEL_OBJ_IOPORT | 1u << KEEL_OBJ_DEVICE;
	dev_syscalls_install();
}
KEEL_INIT(INIT_LATE, dev_init);
