/*
 * task_internal.h - what the files of kernel/user/ share about tasks and
 * nobody else needs: the pieces task.c, task_thread.c and task_mem.c
 * call in one another.
 */
#ifndef KEEL_USER_TASK_INTERNAL_H
#define KEEL_USER_TASK_INTERNAL_H

#include <keel/elf.h>
#include <keel/task.h>

/* Move @t to @to, asserting the life cycle of task.h; sched_lock held. */
void task_set_state(struct task *t, enum task_state to);

/* The last thread of @t is leaving: memory back, children orphaned, ZOMBIE. */
void task_end(struct task *t);

/* Find program @name in the boot archive and check it (the reason for a
 * refusal is printed). KEEL_OK, *img and *data; KEEL_ERR_NOT_FOUND;
 * KEEL_ERR_BAD_IMAGE; KEEL_ERR_INVALID for a name too long. */
kstatus_t task_find_program(const char *name, struct elf_image *img, const void **data);

/* Make @t's address space and map @img's segments in it (task_mem.c). */
kstatus_t task_load(struct task *t, const struct elf_image *img, const void *data);

/* Map and unmap the stack of thread slot @i of @t (below its guard page). */
kstatus_t task_stack_map(struct task *t, unsigned i, uintptr_t *top);
void task_stack_unmap(struct task *t, unsigned i);

/* Give back everything @t holds in memory: its space, its frames. */
void task_release_memory(struct task *t);

/* The caller's memory calls (MEM_MAP, MEM_UNMAP, MEM_PROTECT): arguments
 * already checked for alignment, range and W^X. */
kstatus_t task_mem_map(struct task *t, uintptr_t va, size_t size, unsigned flags);
kstatus_t task_mem_unmap(struct task *t, uintptr_t va, size_t size);
kstatus_t task_mem_protect(struct task *t, uintptr_t va, size_t size, unsigned flags);

#endif
