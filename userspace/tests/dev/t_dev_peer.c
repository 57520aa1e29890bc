/*
 * t_dev_peer.c - the other task of slice 6's tests: it does one thing
 * with the capability it was given (KEEL_SPAWN_GIVEN), most often one
 * that must end it with a fault, so the test can see that a driver's
 * mistake ends the driver and nothing else. Its argument is
 * DEV_PEER(role, param) (dev_test.h); it returns 0 when its role ends as
 * it should without a fault, or the number of failed checks.
 */
#include "dev_test.h"

#define G KEEL_SPAWN_GIVEN

/* The spawner turns the clock's interrupts on once this task waits. */
static int irq_hold(void)
{
	int32_t note = keel_notify_create();
	uint32_t bits = 0;

	CHECK_EQ(keel_irq_bind(G, note, 1), 0);
	CHECK_EQ(keel_notify_wait(note, &bits, IPC_WAIT_US), 0);
	CHECK_EQ(bits, 1);
	return utest_done(); /* ends with the line masked and bound */
}

int main(uint32_t arg)
{
	volatile uint8_t *p = (volatile uint8_t *)MAP_AT;

	switch (arg & 0xff) {
	case DEVPEER_PORT_NONE:
		return keel_inb(RTC_DATA); /* never returns */
	case DEVPEER_PORT_OUTSIDE:
		CHECK_EQ(keel_ioport_enable(G), 0);
		return keel_inb(0x60);
	case DEVPEER_PORT_CLOSED:
		CHECK_EQ(keel_ioport_enable(G), 0);
		CHECK_EQ(keel_handle_close(G), 0);
		return keel_inb(RTC_DATA);
	case DEVPEER_PORT_LOOP:
		CHECK_EQ(keel_ioport_enable(G), 0);
		for (;;) {
			keel_inb(RTC_DATA);
			keel_sleep_us(1000);
		}
	case DEVPEER_WRITE_RO:
		CHECK_EQ(keel_device_map(G, (void *)MAP_AT, 0), 0);
		(void)p[0];
		p[0] = 'x';
		return utest_done();
	case DEVPEER_IRQ_HOLD:
		return irq_hold();
	case DEVPEER_EXIT:
		return (int)(arg >> 8);
	default:
		return 100;
	}
}
