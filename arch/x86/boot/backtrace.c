/*
 * backtrace.c - walk the chain of stack frames on x86.
 *
 * Keel is compiled with frame pointers, so every function starts with
 *     push %ebp; mov %esp, %ebp
 * and its frame looks like this:
 *     [ebp + 4]  the return address into the caller
 *     [ebp + 0]  the caller's ebp
 * Following saved ebp values from frame to frame visits every caller.
 * boot.S sets ebp to 0 before the first call, so the chain ends there.
 * The walk trusts nothing: a corrupt stack must not fault during a panic,
 * so it reads a word only where x86_kernel_readable() says it may. Slice 0
 * answers from the boot mapping; slice 2, whose kernel stacks live above
 * the direct map with unmapped guard pages between them, walks the page
 * tables instead.
 */
#include <keel/arch.h>

#include "x86.h"

static bool boot_mapped(uintptr_t va)
{
	return va >= KERNEL_VBASE && va < KERNEL_VBASE + BOOT_MAP_LIMIT;
}

bool (*x86_kernel_readable)(uintptr_t va) = boot_mapped;

/* [arch_backtrace] */
size_t arch_backtrace(uintptr_t fp, uintptr_t *pcs, size_t max)
{
	/* LAB 0: walk the frame-pointer chain */
	size_t n = 0;

	while (n < max && fp != 0) {
		/* Only follow aligned frames whose two words can be read. */
		if (fp % sizeof(uintptr_t) != 0 || !x86_kernel_readable(fp) ||
		    !x86_kernel_readable(fp + sizeof(uintptr_t)))
			break;
		const uintptr_t *frame = (const uintptr_t *)fp;
		uintptr_t next = frame[0], ret = frame[1];
		if (ret == 0)
			break;
		pcs[n++] = ret;
		/* Stacks grow down, so callers' frames are at higher addresses. */
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
	/* LAB 0 STUB
	(void)fp;
	(void)pcs;
	(void)max;
	return 0;
	LAB 0 END */
}
/* [arch_backtrace] */
