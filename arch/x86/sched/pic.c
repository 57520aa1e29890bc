/*
 * pic.c - the two 8259 programmable interrupt controllers of the PC.
 *
 * Sixteen device lines arrive through two chained PICs: the slave's
 * output enters the master's line 2. At power-on the master delivers its
 * lines at vectors 8-15, where the CPU's own exceptions live, so the
 * first job is to move them ("remap") to 32-47. Every line starts masked;
 * irq_register() unmasks the ones that have a handler.
 *
 * A PIC that sees a line drop before the CPU acknowledges it still has
 * to deliver something: it reports its lowest-priority line, 7 (or 15 on
 * the slave). Such a spurious interrupt has no bit set in the PIC's
 * in-service register and must not be acknowledged.
 */
#include <keel/arch.h>

#include "x86.h"

#define PIC1_CMD       0x20
#define PIC1_DATA      0x21
#define PIC2_CMD       0xa0
#define PIC2_DATA      0xa1
#define ICW1_INIT_ICW4 0x11 /* initialise, edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW3_READ_ISR  0x0b
#define PIC_EOI        0x20
#define CASCADE_LINE   2

/* Masks as last written: bit set = line masked. */
static uint8_t mask1 = 0xff, mask2 = 0xff;

/* [pic_init] */
void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, T_IRQ0);            /* ICW2: master's vectors 32-39 */
	outb(PIC2_DATA, T_IRQ0 + 8);        /* ICW2: slave's vectors 40-47 */
	outb(PIC1_DATA, 1 << CASCADE_LINE); /* ICW3: a slave on line 2 */
	outb(PIC2_DATA, CASCADE_LINE);      /* ICW3: the slave's cascade identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, mask1);
	outb(PIC2_DATA, mask2);
}
/* [pic_init] */

static void pic_write_masks(void)
{
	/* The cascade line must be open whenever any slave line is. */
	if (mask2 != 0xff)
		mask1 &= (uint8_t) ~(1u << CASCADE_LINE);
	else
		mask1 |= 1u << CASCADE_LINE;
	outb(PIC1_DATA, mask1);
	outb(PIC2_DATA, mask2);
}

void pic_mask(unsigned irq)
{
	if (irq < 8)
		mask1 |= (uint8_t)(1u << irq);
	else
		mask2 |= (uint8_t)(1u << (irq - 8));
	pic_write_masks();
}

void pic_unmask(unsigned irq)
{
	if (irq < 8)
		mask1 &= (uint8_t) ~(1u << irq);
	else
		mask2 &= (uint8_t) ~(1u << (irq - 8));
	pic_write_masks();
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

bool pic_spurious(unsigned irq)
{
	uint16_t port = irq == 15 ? PIC2_CMD : PIC1_CMD;

	outb(port, OCW3_READ_ISR);
	if (inb(port) & 0x80)
		return false; /* line 7 (or 15) really is in service */
	if (irq == 15)
		outb(PIC1_CMD, PIC_EOI); /* the master did see the cascade line */
	return true;
}

void arch_irq_mask(unsigned irq)
{
	pic_mask(irq);
}

void arch_irq_unmask(unsigned irq)
{
	pic_unmask(irq);
}
