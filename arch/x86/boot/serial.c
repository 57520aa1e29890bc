/*
 * serial.c - the first serial port (COM1), a 16550 UART, as a console.
 *
 * Serial is Keel's main console: QEMU connects it to the terminal, the
 * test harness reads KTAP from it, and Bochs writes it to a file. The
 * port is driven by polling: a write waits until the transmit holding
 * register is empty; a read returns -1 unless a byte has arrived. This
 * works before interrupts exist and inside a panic.
 */
#include <keel/console.h>

#include "x86.h"

#define COM1           0x3f8
#define REG_DATA       0 /* receive / transmit; divisor low byte when DLAB=1 */
#define REG_IER        1 /* interrupt enable; divisor high byte when DLAB=1 */
#define REG_FCR        2 /* FIFO control */
#define REG_LCR        3 /* line control */
#define REG_MCR        4 /* modem control */
#define REG_LSR        5 /* line status */
#define LCR_8N1        0x03
#define LCR_DLAB       0x80
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define BAUD_DIVISOR   1 /* 115200 baud = 115200 / 1 */

static bool present;
static int early_byte = -1; /* typed before the FIFOs were set up, which clears them */

static void serial_raw_putc(char c)
{
	for (unsigned spins = 0; !(inb(COM1 + REG_LSR) & LSR_THR_EMPTY); spins++)
		if (spins > 100000)
			return; /* a wedged UART must not hang a panic */
	outb(COM1 + REG_DATA, (uint8_t)c);
}

static void serial_putc(char c)
{
	if (c == '\n')
		serial_raw_putc('\r');
	serial_raw_putc(c);
}

static int serial_getc(void)
{
	if (early_byte >= 0) {
		int c = early_byte;
		early_byte = -1;
		return c;
	}
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}

static const struct console_sink serial_sink = {"serial", serial_putc, serial_getc};

void serial_init(void)
{
	outb(COM1 + REG_IER, 0x00); /* no interrupts: we poll */
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, BAUD_DIVISOR & 0xff);
	outb(COM1 + REG_IER, BAUD_DIVISOR >> 8);
	outb(COM1 + REG_LCR, LCR_8N1);
	if (inb(COM1 + REG_LSR) & LSR_DATA_READY)
		early_byte = inb(COM1 + REG_DATA); /* enabling the FIFOs would drop it */
	outb(COM1 + REG_FCR, 0xc7);                /* enable and clear FIFOs, 14-byte threshold */
	outb(COM1 + REG_MCR, 0x03);                /* DTR and RTS */
	/* A missing UART reads back 0xff from every register. */
	present = inb(COM1 + REG_LSR) != 0xff;
	if (present)
		console_register(&serial_sink);
}
