/*
 * entry.c - the x86 port's first C code: prepare the machine, then hand
 * over to the generic kernel.
 *
 * boot.S calls x86_entry() on the boot stack with paging on and the
 * kernel in the higher half. Order matters here: our own GDT first (the
 * loader's may be anywhere), then the serial console (so everything after
 * can report), the VGA console, and the boot information, which must be
 * copied out of loader memory before anything might reuse it.
 */
#include <keel/bootinfo.h>

#include "x86.h"

const char arch_name[] = "i386";

void x86_entry(uint32_t magic, uint32_t mbi_phys);

void x86_entry(uint32_t magic, uint32_t mbi_phys)
{
	gdt_init();
	serial_init();
	vga_init();
	multiboot_parse(magic, mbi_phys);
	kernel_main();
}
