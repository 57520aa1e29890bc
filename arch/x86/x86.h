/*
 * x86.h - definitions private to the x86 port: layout constants, control
 * register bits, port I/O and the pieces the port's files share.
 *
 * Assembly includes this file too, so the C parts are hidden from it.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#define KERNEL_VBASE    0xC0000000 /* where physical 0 appears once paging is on */
#define PAGE_SIZE       4096
#define BOOT_STACK_SIZE 16384
#define BOOT_MAP_LIMIT  0x01000000 /* the boot page tables map physical 0-16 MiB */

#define PTE_PRESENT 0x001
#define PTE_WRITE   0x002
#define PTE_LARGE   0x080 /* a 4 MiB page, in a page-directory entry */

#define CR0_WP  0x00010000
#define CR0_PG  0x80000000
#define CR4_PSE 0x00000010

/* Segment selectors: index * 8 + requested privilege level. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE (0x18 | 3)
#define SEL_UDATA (0x20 | 3)

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* Physical address below BOOT_MAP_LIMIT -> the kernel's virtual address. */
static inline void *phys_to_virt(uint32_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VBASE);
}

/* The registers a panic report shows. */
struct arch_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp;
	uint32_t eip, eflags;
	uint32_t cs, ds, es, ss;
	uint32_t cr0, cr2, cr3, cr4;
};

void gdt_init(void);
void serial_init(void);
void vga_init(void);
void multiboot_parse(uint32_t magic, uint32_t mbi_phys);

extern char boot_stack_bottom[], boot_stack_top[];
extern char _kernel_phys_start[], _kernel_phys_end[];
#endif

#endif
