/*
 * task_report.c - what the kernel says about tasks: the report of a user
 * fault, the invariant check, and the accounting numbers.
 *
 * A fault in ring 3 is the program's bug, not the kernel's, so it is
 * reported like a crash in user space is on any Unix: which task, which
 * thread, what happened, at which instruction, touching which address,
 * and the function if the program's symbols are in its image. Then the
 * task ends with KEEL_FAULT_STATUS | vector, and its parent reads that
 * as its exit status. The kernel goes on.
 */
#include <keel/arch.h>
#include <keel/bootfs.h>
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/task.h>

#include "task_internal.h"

/* The function of program @p t at @p pc, from its image's symbols, if any. */
static void print_function(const struct task *t, uintptr_t pc)
{
	struct bootfs_file f;
	const char *name;
	uint32_t off;

	if (bootfs_lookup(t->name, strnlen(t->name, TASK_NAME_MAX), &f) == KEEL_OK &&
	    elf_symbol(f.data, f.size, pc, &name, &off) == KEEL_OK)
		kprintf("  in %s+0x%x (%s)\n", name, off, t->name);
}

/* [task_fault] */
void task_fault(unsigned vector, const char *what, uintptr_t pc, uintptr_t addr)
{
	struct task *t = task_current();

	arch_irq_enable();
	kprintf("\nUSER FAULT: task %u '%s', thread %08x: %s at pc 0x%08lx\n", t->id, t->name,
	        thread_current()->tid, what, (unsigned long)pc);
	kprintf("  address 0x%08lx%s\n", (unsigned long)addr,
	        addr >= VM_USER_END   ? " (kernel space)"
	        : addr < VM_USER_BASE ? " (NULL page)"
	                              : "");
	print_function(t, pc);
	kprintf("  the task is ended; its parent sees status 0x%x\n", KEEL_FAULT_STATUS | vector);
	t->faults++;
	task_exit((int)(KEEL_FAULT_STATUS | vector));
}
/* [task_fault] */

uint32_t task_frames(const struct task *t)
{
	return frame_held(t->owner);
}

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
