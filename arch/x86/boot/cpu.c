/*
 * cpu.c - the x86 answers to <keel/arch.h>: stopping, resetting and
 * leaving the machine, describing the CPU, and capturing registers.
 */
#include <keel/arch.h>
#include <keel/kprintf.h>
#include <keel/symbols.h>

#include "x86.h"

/* QEMU's isa-debug-exit device: writing v exits QEMU with status 2v+1. */
#define DEBUG_EXIT_PORT 0xf4
#define KBC_STATUS      0x64
#define KBC_RESET       0xfe

void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

void arch_debug_break(void)
{
	/* Bochs stops here when magic_break is enabled; other CPUs ignore it. */
	__asm__ volatile("xchgw %bx, %bx");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* [arch_reboot] */
void arch_reboot(void)
{
	/* Ask the keyboard controller to pulse the CPU's reset line. */
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & 0x02); i++)
		arch_cpu_relax();
	outb(KBC_STATUS, KBC_RESET);
	/* The reset takes a moment to arrive; give it time before forcing one. */
	for (int i = 0; i < 10000000; i++)
		arch_cpu_relax();
	/* Still here: force a triple fault with an empty interrupt table. */
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) no_idt = {0, 0};
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	arch_halt();
}
/* [arch_reboot] */

void arch_machine_exit(int code)
{
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	/* No exit device (real hardware, Bochs): stop instead. */
	arch_halt();
}
