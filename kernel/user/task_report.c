/*
 * task_report.c - what the kernel says about tasks: the report of a user
 * fault and the accounting numbers. (The invariant check, which only
 * tests and the monitor call, is in task_check.c.)
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
