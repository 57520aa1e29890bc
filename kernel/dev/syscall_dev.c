/*
 * syscall_dev.c - slice 6's system calls: IRQ_BIND, IRQ_ACK,
 * IOPORT_ENABLE, DEVICE_MAP, DEVICE_UNMAP and TASK_NOTIFY.
 *
 * Each looks its handles up once, under sched_lock, for the type and
 * rights abi.h's KEEL_CALL_NEEDS gives the call; a second handle (the
 * notification of IRQ_BIND and TASK_NOTIFY) needs KEEL_RIGHT_SEND.
 */
#include <keel/arch_dev.h>
#include <keel/frame.h>
#include <keel/sched.h>
#include <keel/syscall.h>

#include "dev_internal.h"

/* The caller's slot @p h names, of @p type with @p rights. sched_lock held. */
static kstatus_t dev_arg(keel_handle_t h, unsigned type, unsigned rights, struct handle_slot **out)
{
	const struct handle_slot *s;
	kstatus_t st = handle_get(&task_current()->handles, h, type, rights, &s);

	*out = (struct handle_slot *)s;
	return st;
}

/* The id of the notification the caller's @p h names, with SEND. */
static kstatus_t note_arg(keel_handle_t h, uint32_t *id)
{
	struct handle_slot *s;
	kstatus_t st = dev_arg(h, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SEND, &s);

	if (st == KEEL_OK)
		*id = s->object;
	return st;
}

/* Look up a[0] for @p call (its KEEL_CALL_NEEDS entry) into slot s, under the lock. */
#define DEV_LOOKUP(call, s)                                                                        \
	dev_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_##call, KEEL_NEED_RIGHTS_##call, &(s))

static int32_t sys_irq_bind(const uint32_t *a)
{
	struct handle_slot *s;
	uint32_t note = 0;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = DEV_LOOKUP(IRQ_BIND, s);

	if (st == KEEL_OK)
		st = note_arg((keel_handle_t)a[1], &note);
	if (st == KEEL_OK)
		st = irq_cap_bind(s, note, a[2]);
	spin_unlock(&sched_lock, flags);
	return st;
}

static int32_t sys_irq_ack(const uint32_t *a)
{
	struct handle_slot *s;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = DEV_LOOKUP(IRQ_ACK, s);

	if (st == KEEL_OK)
		st = irq_cap_ack(s);
	spin_unlock(&sched_lock, flags);
	return st;
}

/* The bitmap is made first, without the lock (it allocates). */
static int32_t sys_ioport_enable(const uint32_t *a)
{
	struct handle_slot *s;
	kstatus_t st = arch_ioport_prepare(dev_task_slot(task_current()));

	if (st != KEEL_OK)
		return st;
	spinflags_t flags = spin_lock(&sched_lock);
	st = DEV_LOOKUP(IOPORT_ENABLE, s);
	if (st == KEEL_OK)
		st = ioport_enable(task_current(), s);
	spin_unlock(&sched_lock, flags);
	return st;
}

static int32_t sys_device_map(const uint32_t *a)
{
	struct handle_slot *s;

	if (a[1] & (PAGE_BYTES - 1))
		return KEEL_ERR_ALIGN;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = DEV_LOOKUP(DEVICE_MAP, s);
	if (st == KEEL_OK)
		st = device_map(task_current(), s, a[1], a[2]);
	spin_unlock(&sched_lock, flags);
	return st;
}

static int32_t sys_device_unmap(const uint32_t *a)
{
	struct handle_slot *s;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = DEV_LOOKUP(DEVICE_UNMAP, s);

	if (st == KEEL_OK)
		st = frames_unmap(s);
	spin_unlock(&sched_lock, flags);
	return st;
}

static int32_t sys_task_notify(const uint32_t *a)
{
	struct handle_slot *s;
	struct task *t = NULL;
	uint32_t note = 0;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = DEV_LOOKUP(TASK_NOTIFY, s);

	if (st == KEEL_OK && (t = task_lookup(s->object)) == NULL)
		st = KEEL_ERR_GONE; /* reaped already */
	if (st == KEEL_OK && a[2] != 0)
		st = note_arg((keel_handle_t)a[1], &note);
	if (st == KEEL_OK)
		st = watch_set(t, note, a[2]);
	spin_unlock(&sched_lock, flags);
	return st;
}

void dev_syscalls_install(void)
{
	syscall_install(KEEL_SYS_IRQ_BIND, sys_irq_bind);
	syscall_install(KEEL_SYS_IRQ_ACK, sys_irq_ack);
	syscall_install(KEEL_SYS_IOPORT_ENABLE, sys_ioport_enable);
	syscall_install(KEEL_SYS_DEVICE_MAP, sys_device_map);
	syscall_install(KEEL_SYS_DEVICE_UNMAP, sys_device_unmap);
	syscall_install(KEEL_SYS_TASK_NOTIFY, sys_task_notify);
}
