/*
 * kstack_guard.c - kernel stacks with a guard page below each (slice 2).
 *
 * Slice 1 takes kernel stacks from a fixed array, one after another: a
 * thread that overflows its stack silently writes over its neighbour's.
 * Here each pool slot gets its own place in the stack area of the kernel
 * half, KSTACK_STRIDE bytes apart: the lower part is never mapped (the
 * guard), the upper THREAD_STACK_SIZE bytes are mapped to frames taken
 * when the thread is made. Stacks grow down, so an overflow runs into the
 * guard and faults at once, and fault.c can name the thread.
 *
 * Installed through slice 1's seam, kstack_set_source(): slice 1 does not
 * know this file exists.
 */
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/kstack.h>
#include <keel/kstack_guard.h>
#include <keel/thread.h>
#include <keel/vm.h>

#define GUARD_BYTES   8192u
#define KSTACK_STRIDE (GUARD_BYTES + THREAD_STACK_SIZE)
#define STACK_PAGES   (THREAD_STACK_SIZE / PAGE_BYTES)

_Static_assert(VM_KSTACK_BASE + THREAD_MAX * KSTACK_STRIDE <= VM_KSTACK_END,
               "every slot's stack fits in the stack area");

/* [kstack_layout] */
static uintptr_t stack_base(unsigned slot)
{
	return VM_KSTACK_BASE + slot * KSTACK_STRIDE + GUARD_BYTES;
}
/* [kstack_layout] */

/* Unmap the first @pages pages of @slot's stack and free their frames. */
static void release(unsigned slot, unsigned pages)
{
	for (unsigned i = 0; i < pages; i++) {
		uintptr_t va = stack_base(slot) + i * PAGE_BYTES;
		paddr_t pa;
		if (vm_query(&vm_kernel, va, &pa, 0) != KEEL_OK)
			continue;
		vm_unmap(&vm_kernel, va, PAGE_BYTES);
		frame_free(pa, OWNER_STACKS);
	}
}

/* [guarded_alloc] */
static void *guarded_alloc(unsigned slot)
{
	if (slot >= THREAD_MAX)
		return NULL;
	for (unsigned i = 0; i < STACK_PAGES; i++) {
		paddr_t pa;
		uintptr_t va = stack_base(slot) + i * PAGE_BYTES;
		if (frame_alloc(OWNER_STACKS, &pa) != KEEL_OK) {
			release(slot, i);
			return NULL;
		}
		if (vm_map(&vm_kernel, va, pa, PAGE_BYTES, VM_WRITE) != KEEL_OK) {
			frame_free(pa, OWNER_STACKS);
			release(slot, i);
			return NULL;
		}
	}
	return (void *)stack_base(slot);
}
/* [guarded_alloc] */

static void guarded_free(unsigned slot, void *base)
{
	if (slot < THREAD_MAX && base == (void *)stack_base(slot))
		release(slot, STACK_PAGES);
}

static const struct kstack_source guarded_source = {"guarded pages", guarded_alloc, guarded_free};

int kstack_guard_slot(uintptr_t addr)
{
	if (addr < VM_KSTACK_BASE || addr >= VM_KSTACK_BASE + THREAD_MAX * KSTACK_STRIDE)
		return -1;
	unsigned slot = (addr - VM_KSTACK_BASE) / KSTACK_STRIDE;
	return addr < stack_base(slot) ? (int)slot : -1;
}

/*
 * Use guarded stacks if a stack can be made now; otherwise (no frames, or a
 * lab tree whose vm_map is not written yet) keep slice 1's pool and say so.
 */
void kstack_guard_install(void)
{
	unsigned probe = THREAD_MAX - 1;
	void *stack = guarded_alloc(probe);

	if (stack == NULL) {
		kprintf("warning: guarded kernel stacks unavailable; using the %s\n",
		        kstack_source_name());
		return;
	}
	guarded_free(probe, stack);
	kstack_set_source(&guarded_source);
}
