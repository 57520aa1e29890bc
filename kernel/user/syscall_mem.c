/*
 * syscall_mem.c - MEM_MAP, MEM_UNMAP and MEM_PROTECT: anonymous memory in
 * the caller's own space.
 *
 * The checks come first and in a fixed order, so the same bad argument
 * always gives the same error: unknown rights bits, then write with
 * execute (W^X: refused outright, never quietly downgraded), then
 * alignment, then the range. Only then is anything mapped, and a map
 * that runs out of frames half-way unmaps what it did.
 */
#include <keel/uaccess.h>
#include <keel/vm.h>

#include "syscall_calls.h"
#include "task_internal.h"

#define PROT_KNOWN (KEEL_PROT_WRITE | KEEL_PROT_EXEC)

/* [mem_args] */
/* Check a memory call's range and rights; on KEEL_OK, *flags is enum vm_flags. */
static kstatus_t mem_args(uint32_t va, uint32_t size, uint32_t prot, unsigned *flags)
{
	if (prot & ~PROT_KNOWN)
		return KEEL_ERR_INVALID;
	if ((prot & KEEL_PROT_WRITE) && (prot & KEEL_PROT_EXEC))
		return KEEL_ERR_DENIED;
	if (va % PAGE_BYTES != 0 || size % PAGE_BYTES != 0)
		return KEEL_ERR_ALIGN;
	if (size == 0)
		return KEEL_ERR_INVALID;
	if (!user_range_ok(va, size))
		return KEEL_ERR_RANGE;
	*flags = (prot & KEEL_PROT_WRITE ? VM_WRITE : 0) | (prot & KEEL_PROT_EXEC ? VM_EXEC : 0);
	return KEEL_OK;
}
/* [mem_args] */

int32_t sys_mem_map(const uint32_t *a)
{
	unsigned flags;
	kstatus_t s = mem_args(a[0], a[1], a[2], &flags);

	return s == KEEL_OK ? task_mem_map(task_current(), a[0], a[1], flags) : s;
}

int32_t sys_mem_unmap(const uint32_t *a)
{
	unsigned flags;
	kstatus_t s = mem_args(a[0], a[1], 0, &flags);

	return s == KEEL_OK ? task_mem_unmap(task_current(), a[0], a[1]) : s;
}

int32_t sys_mem_protect(const uint32_t *a)
{
	unsigned flags;
	kstatus_t s = mem_args(a[0], a[1], a[2], &flags);

	return s == KEEL_OK ? task_mem_protect(task_current(), a[0], a[1], flags) : s;
}
