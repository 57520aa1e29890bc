/*
 * serial.c - the COM1 driver: a 16550 UART served from user space.
 *
 * devmgr gives this task COM1's eight ports (0x3f8-0x3ff) and interrupt
 * line 4, and nothing else; an in or out on any other port faults it.
 * Output is interrupt-driven: a write's bytes go into the state page's
 * output ring (lib/driver.c), and each "transmitter empty" (THRE)
 * interrupt refills the UART's 16-byte FIFO from the ring; the THRE
 * interrupt is enabled only while the ring holds bytes. Input is
 * interrupt-driven too: each "data ready" (RDA) interrupt moves what the
 * UART received into the page's input ring and the console is told.
 *
 * When the kernel monitor reads COM1 itself (DRV_FLAG_NO_INPUT), this
 * driver never reads the receive register: output only. The kernel also
 * writes COM1 (its log, panics) by polling; both writing is by design.
 * The UART's line settings are the kernel's, left as they are.
 */
#include <keel_driver.h>
#include <keel_io.h>

/* The UART's registers, as offsets from its first port. */
enum {
	COM_DATA = 0, /* read: receive buffer; write: transmit holding */
	COM_IER = 1,  /* interrupt enable */
	COM_IIR = 2,  /* read: interrupt identification; write: FIFO control */
	COM_MCR = 4,  /* modem control */
	COM_LSR = 5,  /* line status */
};
enum {
	IER_RDA = 0x01,  /* interrupt when data is ready */
	IER_THRE = 0x02, /* interrupt when the transmitter is empty */
	IIR_NONE = 0x01, /* no interrupt is pending */
	FCR_FIFO = 0xc7, /* enable and clear both FIFOs, receive trigger at 14 */
	MCR_OUT2 = 0x0b, /* DTR, RTS and OUT2, which lets the UART interrupt */
	LSR_DR = 0x01,   /* a byte was received */
	LSR_THRE = 0x20, /* the transmit FIFO is empty */
	COM_FIFO = 16,   /* bytes the transmit FIFO takes once empty */
	COM_LOOPS = 64,  /* interrupt causes served per interrupt, at most */
};

static uint16_t com; /* the first port, from the capability's range */
static keel_handle_t irq;
static bool input; /* this driver owns COM1's input */

static bool serial_receive(struct drv *d)
{
	bool any = false;

	while (input && (keel_inb(com + COM_LSR) & LSR_DR)) {
		drv_input(d, keel_inb(com + COM_DATA));
		any = true;
	}
	return any;
}

/* Refill the FIFO from the output ring; THRE interrupts only while there is more. */
static void serial_kick(struct drv *d)
{
	if (keel_inb(com + COM_LSR) & LSR_THRE)
		for (int i = 0; i < COM_FIFO && drv_out_pending(d) > 0; i++) {
			keel_outb(com + COM_DATA, drv_out_peek(d));
			drv_out_done(d);
		}
	keel_outb(com + COM_IER,
	          (uint8_t)((input ? IER_RDA : 0) | (drv_out_pending(d) ? IER_THRE : 0)));
}

static void serial_irq(struct drv *d, uint32_t bits)
{
	(void)bits;
	for (int i = 0; i < COM_LOOPS && !(keel_inb(com + COM_IIR) & IIR_NONE); i++) {
		serial_receive(d);
		serial_kick(d);
	}
	serial_receive(d);
	serial_kick(d);
	keel_irq_ack(irq);
}

static const struct drv_ops serial_ops = {.name = "serial", .irq = serial_irq, .kick = serial_kick};

/* Take the ports and the line, and set the UART to interrupt. */
static int32_t serial_setup(struct drv *d)
{
	struct keel_cap_info ci;
	int32_t r;

	if (d->nh < DRV_H_HW + 2)
		return KEEL_ERR_INVALID;
	irq = d->h[DRV_H_HW];
	r = keel_cap_info(d->h[DRV_H_HW + 1], &ci);
	if (r == 0)
		r = keel_ioport_enable(d->h[DRV_H_HW + 1]);
	if (r < 0)
		return r;
	com = (uint16_t)(ci.range >> 16);
	input = !(d->flags & DRV_FLAG_NO_INPUT);
	keel_outb(com + COM_IER, 0);
	keel_outb(com + COM_IIR, FCR_FIFO);
	keel_outb(com + COM_MCR, MCR_OUT2);
	r = keel_irq_bind(irq, d->note, DRV_IRQ_BIT);
	if (r < 0)
		return r;
	serial_irq(d, 0); /* what came while no driver ran, and what the last one left */
	return 0;
}

int main(uint32_t arg)
{
	static struct drv d = {.ops = &serial_ops};
	int32_t r;

	(void)arg;
	r = drv_connect(&d);
	if (r == 0)
		r = serial_setup(&d);
	if (r == 0)
		r = drv_serve(&d);
	printf("serial: stopped: %s\n", keel_strerror(r));
	return 1;
}
