/*
 * lapic.c - the local APIC: this CPU's own interrupt controller and timer.
 *
 * Every CPU since the Pentium Pro has a local APIC, a block of registers
 * at physical 0xFEE00000. Slice 1 uses two of its parts: the timer, a
 * down-counter that raises an interrupt when it reaches zero (reloading
 * itself in periodic mode), and the EOI register. Its rate is the bus
 * clock divided by a chosen factor, which nobody tells us, so it is
 * measured against the PIT. Slice 7 uses the APIC to start the other
 * CPUs and send interrupts between them.
 *
 * The boot page tables map only the first 16 MiB, so lapic_init() maps
 * the 4 MiB page around the APIC (0xFEC00000-0xFEFFFFFF, which also holds
 * the I/O APIC) at the same virtual address, uncached. Slice 2's PAE
 * tables map that window from the start; with them in use, the write
 * lands in the retired boot directory and changes nothing.
 */
#include <keel/arch.h>

#include "x86.h"

#define APIC_BASE_MSR     0x1b
#define APIC_BASE_ENABLE  (1u << 11)
#define APIC_WINDOW       0xfec00000u /* a 4 MiB page holding both APICs */
#define REG_EOI           0x0b0
#define REG_SVR           0x0f0 /* spurious vector; bit 8 enables the APIC */
#define REG_LVT_TIMER     0x320
#define REG_LVT_LINT0     0x350
#define REG_LVT_LINT1     0x360
#define REG_TIMER_INIT    0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3e0
#define LVT_MASKED        (1u << 16)
#define LVT_PERIODIC      (1u << 17)
#define LVT_EXTINT        0x700
#define LVT_NMI           0x400
#define DIVIDE_BY_16      0x3

static volatile uint32_t *apic;

static uint32_t apic_read(uint32_t reg)
{
	return apic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	apic[reg / 4] = v;
}

/* [lapic_init] */
bool lapic_init(void)
{
	uint32_t r[4];

	cpuid_leaf(1, r);
	if (!(r[3] & (1u << 9)))
		return false; /* no local APIC */
	uint32_t base = (uint32_t)rdmsr(APIC_BASE_MSR) & 0xfffff000u;
	if (base < APIC_WINDOW)
		return false; /* moved somewhere the window does not cover */
	boot_pgdir[APIC_WINDOW >> 22] =
	    APIC_WINDOW | PTE_PRESENT | PTE_WRITE | PTE_LARGE | PTE_PCD | PTE_PWT;
	__asm__ volatile("invlpg (%0)" : : "r"(APIC_WINDOW) : "memory");
	wrmsr(APIC_BASE_MSR, base | APIC_BASE_ENABLE);
	apic = (volatile uint32_t *)(uintptr_t)base;
	apic_write(REG_SVR, 0x100 | T_SPURIOUS);
	/* Virtual-wire mode: the PICs' interrupts still arrive, through LINT0. */
	apic_write(REG_LVT_LINT0, LVT_EXTINT);
	apic_write(REG_LVT_LINT1, LVT_NMI);
	apic_write(REG_LVT_TIMER, LVT_MASKED);
	return true;
}
/* [lapic_init] */

/* Start the timer counting down from the top, masked; returns the start count. */
uint32_t lapic_timer_calibrate_begin(void)
{
	apic_write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
	apic_write(REG_LVT_TIMER, LVT_MASKED);
	apic_write(REG_TIMER_INIT, 0xffffffffu);
	return 0xffffffffu;
}

uint32_t lapic_timer_read(void)
{
	return apic_read(REG_TIMER_CURRENT);
}

void lapic_timer_start(uint32_t counts, uint8_t vector)
{
	apic_write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
	apic_write(REG_LVT_TIMER, LVT_PERIODIC | vector);
	apic_write(REG_TIMER_INIT, counts);
}

void lapic_eoi(void)
{
	apic_write(REG_EOI, 0);
}
