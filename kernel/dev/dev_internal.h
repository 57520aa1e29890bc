/*
 * dev_internal.h - what the files of kernel/dev/ share: each kind of
 * hardware capability's calls and what happens when one is deleted.
 * Everything here runs with sched_lock held unless it says otherwise.
 */
#ifndef KEEL_DEV_INTERNAL_H
#define KEEL_DEV_INTERNAL_H

#include <keel/cap.h>
#include <keel/dev.h>
#include <keel/task.h>

/* The pool slot of task @p t: where its port permissions are kept. */
static inline unsigned dev_task_slot(const struct task *t)
{
	return t->id & 0xffu;
}

/* interrupt.c: an interrupt line. Guarded by sched_lock.
 * Invariant: waiting implies slot != NULL and the line masked. */
struct irq_line {
	struct handle_slot *slot; /* the capability it is bound through, or NULL */
	uint32_t task;            /* that capability's holder (reports) */
	uint32_t note;            /* the notification's id */
	uint32_t bits;            /* what it is signalled with */
	bool waiting;             /* delivered, masked, not yet acknowledged */
	unsigned long delivered;  /* interrupts delivered to drivers */
};

extern struct irq_line irq_lines[KEEL_IRQ_LINES];

/* watch.c: the watch of a task slot, for the task whose id it holds.
 * Guarded by sched_lock. */
struct watch {
	uint32_t task; /* the watched task's id, or 0 */
	uint32_t note; /* the notification's id */
	uint32_t bits;
};

extern struct watch watches[TASK_MAX];

/* interrupt.c: bind the line the capability in @p s names to the
 * notification @p note (its id) with @p bits; acknowledge it; unbind it
 * as the capability is deleted. */
kstatus_t irq_cap_bind(struct handle_slot *s, uint32_t note, uint32_t bits);
kstatus_t irq_cap_ack(const struct handle_slot *s);
void irq_cap_deleting(struct handle_slot *s);

/* ioport.c: let @p t use the ports of @p s (arch_ioport_prepare() done);
 * take them back when @p s is deleted or moved. */
kstatus_t ioport_enable(struct task *t, struct handle_slot *s);
void ioport_deleting(struct handle_slot *s);
/* Task slots allowed some port now, a bit a slot. */
extern uint32_t ioport_users;
/* Task @p next is about to run: its port permissions (interrupts off). */
void ioport_switch(struct task *next);

/* device.c: map the device memory @p s names at @p va of @p t's space. */
kstatus_t device_map(struct task *t, struct handle_slot *s, uintptr_t va, uint32_t prot);

/* watch.c: signal notification @p note with @p bits when @p task ends
 * (bits 0: stop watching it); a task ending signals its watcher. */
kstatus_t watch_set(struct task *task, uint32_t note, uint32_t bits);
void watch_task_ending(struct task *t);

/* syscall_dev.c: route slice 6's call numbers (start-up). */
void dev_syscalls_install(void);

#endif
