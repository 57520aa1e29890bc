/*
 * device.c - device memory as capabilities: the VGA text buffer today,
 * a PCI device's registers later.
 *
 * Device memory is physical address space that is not RAM: the frame
 * allocator never hands it out and no account pays for it, so it is an
 * object of its own (KEEL_OBJ_DEVICE), not a run of frames. The kernel
 * gives the root task one capability to the legacy hole below 1 MiB
 * (KEEL_DEVICE_BASE, KEEL_DEVICE_PAGES); a device manager derives a
 * capability to each device's pages from it. DEVICE_MAP maps one
 * capability once, uncached (a device register must see every access, in
 * order), with the rights frames follow (frames_map_flags(): MAP, and
 * WRITE for a writable mapping) and never executable. The pages are kept
 * (VM_KEPT): only DEVICE_UNMAP, or the capability's deletion, unmaps them,
 * through slice 5's frames_unmap(), which undoes any capability's mapping.
 */
#include <keel/frame.h>
#include <keel/vm.h>

#include "dev_internal.h"

/* [device_map] */
kstatus_t device_map(struct task *t, struct handle_slot *s, uintptr_t va, uint32_t prot)
{
	unsigned flags = 0;

	if (prot & KEEL_PROT_EXEC)
		return KEEL_ERR_DENIED; /* registers are not code */
	kstatus_t st = frames_map_flags(s, prot, &flags);
	if (st != KEEL_OK)
		return st;
	if (s->mapped != 0)
		return KEEL_ERR_BUSY; /* one mapping a capability */
	paddr_t pa = KEEL_DEVICE_BASE + (paddr_t)range_first(s) * PAGE_BYTES;
	st = vm_map(t->space, va, pa, range_pages(s) * PAGE_BYTES, flags | VM_NOCACHE);
	if (st == KEEL_OK)
		s->mapped = (uint32_t)va;
	return st;
}
/* [device_map] */
