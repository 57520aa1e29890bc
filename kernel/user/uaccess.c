/*
 * uaccess.c - every read and write of user memory goes through here.
 *
 * A system call's pointer comes from a program that may be wrong or
 * hostile: it may be NULL, point into the kernel, run off the end of the
 * address space, or name a page that is not mapped. The kernel would
 * happily follow any of them (it can reach every address), which would
 * make it the program's confused deputy. So each access is two checks:
 * the range must lie wholly in user space (here, by arithmetic that
 * cannot wrap), and the copy itself runs under the exception table
 * (arch_user_copy), so a page that is missing or read-only turns into
 * KEEL_ERR_FAULT instead of a kernel page fault.
 */
#include <keel/arch_user.h>
#include <keel/uaccess.h>
#include <keel/vm.h>

/* [user_range_ok] */
bool user_range_ok(uintptr_t addr, size_t size)
{
	/* LAB 3: check that [addr, addr + size) lies wholly in user space */
	if (addr < VM_USER_BASE || addr >= VM_USER_END)
		return false;
	/* addr < VM_USER_END, so VM_USER_END - addr cannot wrap: compare the
	 * size with the room left rather than computing addr + size. */
	return size <= VM_USER_END - addr;
	/* LAB 3 STUB
	(void)addr;
	(void)size;
	return false;
	LAB 3 END */
}
/* [user_range_ok] */

kstatus_t copy_from_user(void *dst, uintptr_t src, size_t size)
{
	if (!user_range_ok(src, size))
		return KEEL_ERR_FAULT;
	return arch_user_copy(dst, (const void *)src, size);
}

/* [copy_to_user] */
kstatus_t copy_to_user(uintptr_t dst, const void *src, size_t size)
{
	if (!user_range_ok(dst, size))
		return KEEL_ERR_FAULT;
	/* Touch every page first with a write that changes nothing: a page
	 * that is missing or read-only fails here, before any byte has
	 * changed, so a refused copy writes nothing. */
	for (uintptr_t p = dst; size > 0 && p - dst < size; p = (p | (PAGE_BYTES - 1)) + 1) {
		kstatus_t s = arch_user_probe_write((void *)p);
		if (s != KEEL_OK)
			return s;
	}
	return arch_user_copy((void *)dst, src, size);
}
/* [copy_to_user] */

long strncpy_from_user(char *dst, uintptr_t src, size_t max)
{
	if (max == 0 || !user_range_ok(src, 1))
		return max == 0 ? KEEL_ERR_RANGE : KEEL_ERR_FAULT;
	/* The string may end anywhere: copy no further than user space does. */
	size_t room = VM_USER_END - src;
	long n = arch_user_strncpy(dst, (const char *)src, max < room ? max : room);

	if (n == KEEL_ERR_RANGE && max > room)
		return KEEL_ERR_FAULT; /* it ran into the kernel's half */
	if (n < 0)
		dst[0] = '\0';
	return n;
}
