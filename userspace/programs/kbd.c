/*
 * kbd.c - the PS/2 keyboard driver, in user space.
 *
 * devmgr gives this task the controller's data port (0x60), its status
 * port (0x64) and interrupt line 1. Each interrupt, the driver reads
 * the scancodes the controller holds (status bit 0: output full) and
 * turns them into characters: scancode set 1, as the controller
 * translates by default; a key's press is its code, its release the
 * code with bit 7 set. Letters, digits, space, Enter ('\n'), Backspace
 * ('\b') and both Shift keys are understood, with the punctuation of a
 * US keyboard; other keys are ignored. The characters go into the state
 * page's input ring (lib/driver.c), and so does the Shift state: a
 * restarted driver knows that Shift is still held.
 */
#include <keel_driver.h>
#include <keel_io.h>

enum {
	KBD_DATA = 0x60,
	KBD_STATUS = 0x64,
	KBD_FULL = 0x01,    /* status: a byte waits at the data port */
	KBD_RELEASE = 0x80, /* a key's release: its code | 0x80 */
	KBD_EXT = 0xe0,     /* the next code is an extended key's */
	KBD_LSHIFT = 0x2a,
	KBD_RSHIFT = 0x36,
	KBD_LOOPS = 64, /* bytes taken per interrupt, at most */
};
/* drv_state.shift: bit 0 left Shift held, bit 1 right Shift held, bit 2 an 0xe0 came. */
enum { SHIFT_LEFT = 1, SHIFT_RIGHT = 2, SHIFT_MASK = 3, EXT_PENDING = 4 };

/* Scancode set 1 to characters, without and with Shift (0: ignored). */
static const char plain[0x3a] =
    "\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[0x3a] =
    "\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

static keel_handle_t irq;

static void kbd_scancode(struct drv *d, uint8_t code)
{
	uint32_t *s = &d->st->shift;
	uint32_t bit = (code & 0x7f) == KBD_LSHIFT   ? SHIFT_LEFT
	               : (code & 0x7f) == KBD_RSHIFT ? SHIFT_RIGHT
	                                             : 0;

	if (code == KBD_EXT) {
		*s |= EXT_PENDING;
		return;
	}
	if (*s & EXT_PENDING) { /* arrows, keypad Enter...: not ours */
		*s &= ~(uint32_t)EXT_PENDING;
		return;
	}
	if (bit) {
		*s = (code & KBD_RELEASE) ? (*s & ~bit) : (*s | bit);
		return;
	}
	if (code & KBD_RELEASE || code >= sizeof(plain))
		return;
	char c = (*s & SHIFT_MASK) ? shifted[code] : plain[code];
	if (c != 0 && c != '\033' && c != '\t' && c != '*')
		drv_input(d, (uint8_t)c);
}

static void kbd_irq(struct drv *d, uint32_t bits)
{
	(void)bits;
	for (int i = 0; i < KBD_LOOPS && (keel_inb(KBD_STATUS) & KBD_FULL); i++)
		kbd_scancode(d, keel_inb(KBD_DATA));
	keel_irq_ack(irq);
}

static const struct drv_ops kbd_ops = {.name = "kbd", .irq = kbd_irq};

static int32_t kbd_setup(struct drv *d)
{
	int32_t r;

	if (d->nh < DRV_H_HW + 3)
		return KEEL_ERR_INVALID;
	irq = d->h[DRV_H_HW];
	r = keel_ioport_enable(d->h[DRV_H_HW + 1]);
	if (r == 0)
		r = keel_ioport_enable(d->h[DRV_H_HW + 2]);
	if (r == 0)
		r = keel_irq_bind(irq, d->note, DRV_IRQ_BIT);
	if (r == 0)
		kbd_irq(d, 0); /* keys pressed while no driver ran */
	return r;
}

int main(uint32_t arg)
{
	static struct drv d = {.ops = &kbd_ops};
	int32_t r;

	(void)arg;
	r = drv_connect(&d);
	if (r == 0)
		r = kbd_setup(&d);
	if (r == 0)
		r = drv_serve(&d);
	printf("kbd: stopped: %s\n", keel_strerror(r));
	return 1;
}
