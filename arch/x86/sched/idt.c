/*
 * idt.c - the Interrupt Descriptor Table: where each vector's code is.
 *
 * Each of the 256 entries is a gate: the address of a stub in trap.S,
 * the code segment to run it in, and who may trigger it with `int`.
 * Keel uses interrupt gates only, so the CPU clears the interrupt flag
 * on entry and handlers never nest. Vectors 0-31 are the CPU's
 * exceptions, 32-47 the PIC's lines, 48 the local APIC timer, 255 the
 * APIC's spurious interrupt. The rest stay empty (not present).
 */
#include <keel/arch.h>
#include <keel/init.h>

#include "x86.h"

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr; /* present, DPL, gate type */
	uint16_t offset_high;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 8, "the CPU reads 8-byte gates");

#define GATE_INTERRUPT_32 0x8e /* present, DPL 0, 32-bit interrupt gate */

static struct idt_gate idt[256];
extern const uint32_t trap_stubs[T_STUBS];
extern char trap_stub_255[];

void idt_set_gate(unsigned vector, uintptr_t handler, unsigned dpl)
{
	idt[vector] =
	    (struct idt_gate){handler & 0xffff, SEL_KCODE, 0,
	                      GATE_INTERRUPT_32 | (uint8_t)((dpl & 3) << 5), handler >> 16};
}

#define GATE_TASK 0x85 /* present, DPL 0, task gate */

void idt_set_task_gate(unsigned vector, uint16_t tss_sel)
{
	idt[vector] = (struct idt_gate){0, tss_sel, 0, GATE_TASK, 0};
}

/* [arch_traps_init] */
void arch_traps_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};

	for (unsigned v = 0; v < T_STUBS; v++)
		idt_set_gate(v, trap_stubs[v], 0);
	idt_set_gate(T_SPURIOUS, (uintptr_t)trap_stub_255, 0);
	__asm__ volatile("lidt %0" : : "m"(ptr));
	pic_init();
}
/* [arch_traps_init] */
KEEL_INIT(INIT_TRAPS, arch_traps_init);
