/*
 * t_irq.c - interrupt lines as capabilities, and a task's end as a
 * notification.
 *
 * The test device is the real-time clock (dev_test.h): this program,
 * which the kernel spawns in the root task's place and so holds
 * KEEL_ROOT_IRQ and KEEL_ROOT_IOPORT, derives a capability to line 8 and
 * one to the clock's two ports, binds the line to a notification and
 * turns periodic interrupts on. Each interrupt must arrive as the bit it
 * was bound with; one not acknowledged must keep the line masked even
 * though the clock asks again; a driver ending with its line bound and
 * unacknowledged must leave the line free; every misuse is refused with
 * its own error. The in-kernel half (tests/kernel/dev/hardware.c) checks
 * the kernel's count of deliveries and that no line is left bound.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "dev_test.h"

/* Interrupts case "delivered" takes: the in-kernel half checks the count. */
#define DELIVERIES 5

/* A capability to line @p line, every right. */
static int32_t line_cap(unsigned line)
{
	return keel_cap_derive(KEEL_ROOT_IRQ, KEEL_RIGHT_ALL, KEEL_RANGE(line, 1));
}

/* Enable the clock's ports; the capability (close it to give them back). */
static int32_t clock_ports(void)
{
	int32_t io = keel_cap_derive(KEEL_ROOT_IOPORT, KEEL_RIGHT_ALL, KEEL_RANGE(RTC_INDEX, 2));

	CHECK_EQ(keel_ioport_enable(io), 0);
	return io;
}

/* Wait for the clock's next interrupt: its bits, or 0 (and a failure). */
static uint32_t next_interrupt(int32_t note)
{
	uint32_t bits = 0;

	CHECK_EQ(keel_notify_wait(note, &bits, IPC_WAIT_US), 0);
	return bits;
}

/* Each interrupt arrives once, as its bit, and only after the last was
 * acknowledged: DELIVERIES of them, the last one left unacknowledged. */
static void case_delivered(void)
{
	int32_t io = clock_ports(), irq = line_cap(RTC_IRQ), note = keel_notify_create();

	CHECK_EQ(keel_irq_bind(irq, note, 0x80), 0);
	rtc_periodic(true);
	for (int i = 0; i < DELIVERIES; i++) {
		CHECK_EQ(next_interrupt(note), 0x80);
		CHECK(rtc_read(RTC_REG_C) & RTC_PIE); /* the clock's own cause, cleared */
		if (i < DELIVERIES - 1)
			CHECK_EQ(keel_irq_ack(irq), 0);
	}
	rtc_periodic(false);
	CHECK_EQ(keel_handle_close(irq), 0);
	CHECK_EQ(keel_handle_close(note), 0);
	CHECK_EQ(keel_handle_close(io), 0);
}

/* Not acknowledged, the line stays masked although the clock asks again
 * (its cause is cleared); acknowledged, the next interrupt comes. */
static void case_unacknowledged_masked(void)
{
	int32_t io = clock_ports(), irq = line_cap(RTC_IRQ), note = keel_notify_create();
	uint32_t bits = 0;

	CHECK_EQ(keel_irq_bind(irq, note, 1), 0);
	rtc_periodic(true);
	CHECK_EQ(next_interrupt(note), 1);
	for (int i = 0; i < 3; i++) {
		rtc_read(RTC_REG_C); /* the clock may interrupt again: the line may not */
		CHECK_EQ(keel_notify_wait(note, &bits, 20000), KEEL_ERR_TIMED_OUT);
	}
	CHECK_EQ(keel_irq_ack(irq), 0);
	CHECK_EQ(keel_irq_ack(irq), 0); /* twice: nothing more */
	rtc_read(RTC_REG_C);            /* in case its last request came while masked */
	CHECK_EQ(next_interrupt(note), 1);
	rtc_periodic(false);
	CHECK_EQ(keel_handle_close(irq), 0);
	CHECK_EQ(keel_handle_close(note), 0);
	CHECK_EQ(keel_handle_close(io), 0);
}

/* Every misuse of IRQ_BIND and IRQ_ACK, each with its error. */
static void case_bad_binds(void)
{
	int32_t irq = line_cap(RTC_IRQ), note = keel_notify_create();
	int32_t two = keel_cap_derive(KEEL_ROOT_IRQ, KEEL_RIGHT_ALL, KEEL_RANGE(8, 2));
	int32_t cascade = line_cap(2), blind = keel_cap_derive(irq, KEEL_RIGHT_READ, 0);
	int32_t mute = keel_cap_derive(note, KEEL_RIGHT_RECV, 0);

	CHECK_EQ(keel_irq_bind(two, note, 1), KEEL_ERR_INVALID);      /* two lines */
	CHECK_EQ(keel_irq_bind(irq, note, 0), KEEL_ERR_INVALID);      /* no bits */
	CHECK_EQ(keel_irq_bind(cascade, note, 1), KEEL_ERR_DENIED);   /* the kernel's */
	CHECK_EQ(keel_irq_bind(blind, note, 1), KEEL_ERR_DENIED);     /* no WRITE */
	CHECK_EQ(keel_irq_bind(irq, mute, 1), KEEL_ERR_DENIED);       /* cannot signal */
	CHECK_EQ(keel_irq_bind(irq, irq, 1), KEEL_ERR_WRONG_TYPE);    /* not a notification */
	CHECK_EQ(keel_irq_bind(note, note, 1), KEEL_ERR_WRONG_TYPE);  /* not a line */
	CHECK_EQ(keel_irq_bind(irq, 0x7fff, 1), KEEL_ERR_BAD_HANDLE); /* forged */
	CHECK_EQ(keel_irq_ack(irq), KEEL_ERR_NOT_FOUND);              /* not bound */
	CHECK_EQ(keel_cap_derive(KEEL_ROOT_IRQ, KEEL_RIGHT_ALL, KEEL_RANGE(15, 2)),
	         KEEL_ERR_RANGE); /* past the lines */
	CHECK_EQ(keel_irq_bind(irq, note, 1), 0);
	CHECK_EQ(keel_irq_bind(irq, note, 1), KEEL_ERR_BUSY); /* bound already */
	int32_t again = line_cap(RTC_IRQ);
	CHECK_EQ(keel_irq_bind(again, note, 1), KEEL_ERR_BUSY); /* through another */
	CHECK_EQ(keel_handle_close(irq), 0);                    /* frees the line */
	CHECK_EQ(keel_irq_bind(again, note, 1), 0);
	CHECK_EQ(keel_handle_close(blind), KEEL_ERR_BAD_HANDLE); /* went with irq */
	int32_t hs[] = {again, two, cascade, mute, note};
	for (unsigned i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		CHECK_EQ(keel_handle_close(hs[i]), 0);
}

/* A driver that ends with its line bound and masked leaves it free. */
static void case_driver_dies(void)
{
	int32_t io = clock_ports(), irq = line_cap(RTC_IRQ), note = keel_notify_create();
	int32_t child = dev_peer(DEVPEER_IRQ_HOLD, 0, irq, KEEL_RIGHT_ALL);

	ipc_settle(); /* it waits for its interrupt */
	rtc_periodic(true);
	CHECK_EQ(ipc_reap(child), 0);
	CHECK_EQ(keel_irq_bind(irq, note, 1), 0); /* free again */
	rtc_read(RTC_REG_C);                      /* the cause the dead driver left */
	CHECK_EQ(next_interrupt(note), 1);        /* and it works for its new driver */
	rtc_periodic(false);
	CHECK_EQ(keel_handle_close(irq), 0);
	CHECK_EQ(keel_handle_close(note), 0);
	CHECK_EQ(keel_handle_close(io), 0);
}

/* Revoking a driver's line unbinds it: the driver's copy is stale. */
static void case_revoke_unbinds(void)
{
	int32_t irq = line_cap(RTC_IRQ), note = keel_notify_create();
	int32_t copy = keel_cap_derive(irq, KEEL_RIGHT_ALL, 0);

	CHECK_EQ(keel_irq_bind(copy, note, 1), 0);
	CHECK_EQ(keel_cap_revoke(irq), 0);
	CHECK_EQ(keel_irq_ack(copy), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_irq_bind(irq, note, 1), 0); /* the line is free */
	CHECK_EQ(keel_handle_close(irq), 0);
	CHECK_EQ(keel_handle_close(note), 0);
}

/* TASK_NOTIFY: an end, by exit or by kill, is signalled once; bits 0
 * cancels; an ended task is signalled at once; misuse is refused. */
static void case_task_notify(void)
{
	int32_t note = keel_notify_create(), mute = keel_cap_derive(note, KEEL_RIGHT_RECV, 0);
	int32_t a = dev_peer(DEVPEER_EXIT, 7, 0, 0), b = ipc_spawn("t_sleeper", 0, 0, 0);
	int32_t blind = keel_cap_derive(b, KEEL_RIGHT_READ, 0);
	uint32_t bits = 0;

	CHECK_EQ(keel_task_notify(blind, note, 1), KEEL_ERR_DENIED); /* no WAIT */
	CHECK_EQ(keel_task_notify(b, mute, 1), KEEL_ERR_DENIED);     /* cannot signal */
	CHECK_EQ(keel_task_notify(b, b, 1), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_task_notify(b, note, 2), 0);
	CHECK_EQ(keel_task_notify(b, note, 0), 0); /* cancelled */
	CHECK_EQ(keel_task_notify(b, note, 4), 0);
	CHECK_EQ(ipc_kill(b), KEEL_KILLED_STATUS);
	CHECK_EQ(keel_notify_wait(note, &bits, IPC_WAIT_US), 0);
	CHECK_EQ(bits, 4);
	ipc_settle(); /* a has ended; its status waits for us */
	CHECK_EQ(keel_task_notify(a, note, 8), 0);
	CHECK_EQ(keel_notify_wait(note, &bits, 0), 0); /* at once */
	CHECK_EQ(bits, 8);
	int status = 0;
	CHECK_EQ(keel_task_wait(a, &status, IPC_WAIT_US), 0);
	CHECK_EQ(status, 7);
	CHECK_EQ(keel_task_notify(a, note, 8), KEEL_ERR_GONE); /* collected */
	CHECK_EQ(keel_handle_close(a), 0);
	CHECK_EQ(keel_notify_wait(note, &bits, 20000), KEEL_ERR_TIMED_OUT); /* once each */
	CHECK_EQ(keel_handle_close(mute), 0);
	CHECK_EQ(keel_handle_close(note), 0);
}

static const struct utest_case cases[] = {
    {"delivered", case_delivered},           {"unacknowledged_masked", case_unacknowledged_masked},
    {"bad_binds", case_bad_binds},           {"driver_dies", case_driver_dies},
    {"revoke_unbinds", case_revoke_unbinds}, {"task_notify", case_task_notify},
};

int main(uint32_t which)
{
	return utest_run("t_irq", cases, sizeof(cases) / sizeof(cases[0]), which);
}
