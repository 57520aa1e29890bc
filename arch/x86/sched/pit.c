/*
 * pit.c - the 8253/8254 programmable interval timer.
 *
 * The PIT counts down at a rate the PC's design fixes, 1,193,182 Hz, so
 * it is the one clock whose speed is known without measuring. Keel uses
 * channel 2 (whose output can be read back through port 0x61) to time a
 * fixed interval when it calibrates the TSC and the local APIC timer, and
 * channel 0 (wired to IRQ 0) as the tick when there is no local APIC.
 */
#include "x86.h"

#define PIT_CH0  0x40
#define PIT_CH2  0x42
#define PIT_MODE 0x43
#define PORT_B   0x61 /* bit 0: channel 2 gate; bit 1: speaker; bit 5: channel 2 output */

void pit_start_periodic(unsigned hz)
{
	uint32_t divisor = PIT_HZ / hz;

	outb(PIT_MODE, 0x34); /* channel 0, low then high byte, mode 2 (rate generator) */
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, (divisor >> 8) & 0xff);
}

/* [pit_oneshot] */
void pit_oneshot_start(uint16_t count)
{
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (uint8_t)((b & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(PIT_MODE, 0xb0);                        /* channel 2, low/high byte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8); /* counting starts now; output goes high at zero */
}

bool pit_oneshot_done(void)
{
	return inb(PORT_B) & 0x20;
}
/* [pit_oneshot] */
