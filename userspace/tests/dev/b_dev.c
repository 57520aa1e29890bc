/*
 * b_dev.c - times slice 6's interrupt path from ring 3 for `make bench`.
 *
 * The device is the PS/2 controller (i8042): its command 0xD2 makes the
 * next byte written to its data port appear as if the keyboard had sent
 * it, and it raises line 1 at once. So a program can make an interrupt at
 * an instant it knows, with a timestamp just before. This program holds
 * the root task's hardware capabilities (the kernel spawns it), derives
 * the controller's two ports and line 1, and times, by its argument:
 *   1  irq_latency: from the write that makes the interrupt to the first
 *      instruction of a driver thread that was blocked on the line's
 *      notification (the main thread; the one that writes is a thread of
 *      this task at a lower priority): the interrupt, the kernel's
 *      delivery, the wake and the switch. The driver then reads the byte
 *      and acknowledges, untimed.
 *   2  irq_round: one thread does the whole round: make the interrupt,
 *      take it from the notification, read the byte, acknowledge.
 * Samples are printed in the runner's "# bench samples" lines, net of
 * the timestamp pair's own cost.
 */
#include <keel_io.h>
#include <ubench.h>

#include "../ipc/ipc_test.h"

#define KBC_DATA      0x60
#define KBC_CMD       0x64 /* write: a command; read: the status */
#define KBC_OUT_FULL  0x01
#define KBC_IN_FULL   0x02
#define KBC_READ_CCB  0x20 /* read the controller's command byte */
#define KBC_WRITE_CCB 0x60
#define KBC_WRITE_OUT 0xd2 /* the next data byte comes back as the keyboard's */
#define KBC_IRQ1_ON   0x01 /* command byte: interrupt on line 1 */
#define KBC_LINE      1
#define SPINS         1000000

static int32_t note, irq;
static volatile uint64_t woke;
static volatile uint32_t served;

static void kbc_ready(void)
{
	for (int i = 0; i < SPINS && (keel_inb(KBC_CMD) & KBC_IN_FULL); i++)
		;
}

/* Ask the controller for one interrupt; the timestamp just before. */
static uint64_t kbc_interrupt(void)
{
	kbc_ready();
	keel_outb(KBC_CMD, KBC_WRITE_OUT);
	kbc_ready();
	uint64_t t0 = ubench_begin();
	keel_outb(KBC_DATA, 0x1e);
	return t0;
}

#define BIT_IRQ  1u
#define BIT_DONE 2u /* the timing thread has finished */

static volatile int timing_status = 1;

/* The driver of case 1: stamp, serve, acknowledge, wait again. */
static int driver(void)
{
	uint32_t bits;

	while (keel_notify_wait(note, &bits, KEEL_TIMEOUT_NEVER) == 0) {
		if (bits & BIT_DONE)
			return timing_status;
		woke = ubench_end();
		keel_inb(KBC_DATA);
		served++;
		if (keel_irq_ack(irq) != 0)
			return 1;
	}
	return 1;
}

static bool latency(uint32_t arg, uint64_t *gross)
{
	uint32_t before = served;
	uint64_t t0 = kbc_interrupt();

	(void)arg;
	for (int i = 0; i < SPINS && served == before; i++)
		keel_yield(); /* the driver runs first; this only bounds a lost one */
	*gross = woke - t0;
	return served != before;
}

/* The lower-priority thread of case 1: the samples, then "done". */
static int timing(uint32_t op)
{
	timing_status = ubench_run_timed("b_dev", latency, op);
	keel_notify_signal(note, BIT_DONE);
	return 0;
}

static bool round_trip(uint32_t arg)
{
	uint32_t bits;

	(void)arg;
	kbc_interrupt();
	if (keel_notify_wait(note, &bits, IPC_WAIT_US) != 0)
		return false;
	keel_inb(KBC_DATA);
	return keel_irq_ack(irq) == 0;
}

/* The controller quiet, interrupting on line 1; the line bound. */
static bool set_up(void)
{
	int32_t data = keel_cap_derive(KEEL_ROOT_IOPORT, KEEL_RIGHT_ALL, KEEL_RANGE(KBC_DATA, 1));
	int32_t cmd = keel_cap_derive(KEEL_ROOT_IOPORT, KEEL_RIGHT_ALL, KEEL_RANGE(KBC_CMD, 1));

	irq = keel_cap_derive(KEEL_ROOT_IRQ, KEEL_RIGHT_ALL, KEEL_RANGE(KBC_LINE, 1));
	note = keel_notify_create();
	if (keel_ioport_enable(data) != 0 || keel_ioport_enable(cmd) != 0)
		return false;
	while (keel_inb(KBC_CMD) & KBC_OUT_FULL)
		keel_inb(KBC_DATA);
	kbc_ready();
	keel_outb(KBC_CMD, KBC_READ_CCB);
	for (int i = 0; i < SPINS && !(keel_inb(KBC_CMD) & KBC_OUT_FULL); i++)
		;
	uint8_t ccb = keel_inb(KBC_DATA);
	kbc_ready();
	keel_outb(KBC_CMD, KBC_WRITE_CCB);
	kbc_ready();
	keel_outb(KBC_DATA, ccb | KBC_IRQ1_ON);
	return keel_irq_bind(irq, note, BIT_IRQ) == 0;
}

int main(uint32_t op)
{
	static struct keel_thread_start st = {timing, 1};

	if (op < 1 || op > 2 || !set_up()) {
		printf("# b_dev: cannot set up the keyboard controller\n");
		return 1;
	}
	if (op == 2)
		return ubench_run("b_dev", round_trip, op);
	if (ipc_thread(&st, KEEL_PRIO_USER - 10) < 0)
		return 1;
	return driver();
}
