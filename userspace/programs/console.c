/*
 * console.c - the console server: one screen and one input stream that
 * many programs share.
 *
 * Clients call CON_WRITE and CON_READ on the console endpoint (devmgr's,
 * handed out by the root task). Output goes to the VGA text screen,
 * which this task maps as device memory (0xB8000, uncached), with
 * scrolling, and to the serial driver. Input comes from the keyboard and
 * serial drivers: a driver signals the console's input notification,
 * which is bound to the client endpoint, so the one receive below
 * returns either a client's request or "driver D has input"; the server
 * then asks that driver for it (DRV_READ) and keeps it in a ring until a
 * client reads it.
 *
 * The server is the console half of the restart protocol
 * (keel_console.h): every request to a driver carries the next sequence
 * number of that driver and is sent again, unchanged, until the answer
 * with that number comes; a driver that does not answer in
 * DRV_TIMEOUT_US is reported to devmgr as hung (DM_HUNG_BIT), which kills
 * and restarts it.
 *
 * Fairness. A server thread holds one reply right at a time, so no
 * client can make it wait: a read with nothing to read answers 0 at once
 * and keeps the client's notification, to signal when input comes. The
 * endpoint serves callers first come first served, and each client (by
 * task) has a bucket of CON_RATE_BYTES a second: a client over it is
 * answered KEEL_ERR_OVER_RATE at once, at almost no cost, so a flooding
 * client cannot take the screen and the serial line from the others.
 */
#include <keel_driver.h>

#define VGA_COLS  80
#define VGA_ROWS  25
#define VGA_COLOR 0x0700 /* light grey on black */
#define CLIENTS   32     /* clients with a rate bucket and a waiting read, at most */
#define IN_RING   1024u  /* input the server holds for readers (a power of two) */
#define TRIES     10     /* sends of one driver request before it gives up */
#define MICRO     1000000ull

/* A driver the server sends requests to. Invariant: requests 1..seq were
 * answered, except seq itself while link_call() runs. */
struct link {
	keel_handle_t ep; /* its request endpoint (devmgr's), 0: no such driver */
	uint32_t role;    /* enum dm_role, for DM_HUNG_BIT */
	uint32_t seq;     /* the last sequence number used */
};

/* A client, by task id: its rate bucket and the notification of its waiting read. */
struct client {
	uint32_t id;          /* the task's id; 0: a free slot */
	uint64_t micro;       /* bytes it may write now, in millionths */
	uint64_t last_us;     /* when micro was brought up to date */
	keel_handle_t waiter; /* signal with CON_INPUT_READY when input comes; 0: none */
};

static struct drv con; /* the handles DRV_HELLO brought (enum con_handle) */
static struct link serial = {.role = DM_ROLE_SERIAL}, kbd = {.role = DM_ROLE_KBD};
static struct client clients[CLIENTS];
static uint8_t in_ring[IN_RING];
static uint32_t in_head, in_tail;
static volatile uint16_t *vga;
static uint32_t row, col;

/* -- The screen ---------------------------------------------------------- */

static void vga_scroll(void)
{
	for (uint32_t i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		vga[i] = vga[i + VGA_COLS];
	for (uint32_t i = 0; i < VGA_COLS; i++)
		vga[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_COLOR | ' ';
	row = VGA_ROWS - 1;
}

static void vga_putc(uint8_t c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\b') {
		col -= col > 0;
	} else if (c >= ' ' && c < 0x7f) {
		vga[row * VGA_COLS + col] = (uint16_t)(VGA_COLOR | c);
		if (++col == VGA_COLS) {
			col = 0;
			row++;
		}
	}
	if (row == VGA_ROWS)
		vga_scroll();
}

/* -- Drivers ------------------------------------------------------------- */

/*
 * Send @l a request (@label, @len bytes of @buf; a read's @want bytes come
 * back into @out) under the next sequence number, and send it again, as
 * it was, until its answer comes: the driver died holding it (GONE; devmgr
 * restarts it and the call waits for the new one), or hung (TIMED_OUT;
 * devmgr is told). The driver's answer (word[1]), or an error.
 */
static int32_t link_call(struct link *l, uint32_t label, const void *buf, uint32_t len, void *out,
                         uint32_t want)
{
	uint32_t seq = ++l->seq;

	if (l->ep == 0)
		return KEEL_ERR_NOT_FOUND;
	for (int i = 0; i < TRIES; i++) {
		struct keel_msg m = {.label = label, .word = {seq, want}, .len = len};
		m.buf = out ? out : (void *)buf;
		m.cap = out ? want : 0;
		int32_t r = keel_call(l->ep, &m, DRV_TIMEOUT_US);
		if (r == 0 && m.word[0] == seq)
			return (int32_t)m.word[1];
		if (r == KEEL_ERR_TIMED_OUT)
			keel_notify_signal(con.h[CON_H_DEVMGR], DM_HUNG_BIT(l->role));
		else if (r != 0 && r != KEEL_ERR_GONE)
			return r; /* the endpoint itself is gone: devmgr ended */
	}
	return KEEL_ERR_GONE;
}

/* Wake every reader waiting for input. */
static void wake_readers(void)
{
	for (int i = 0; i < CLIENTS; i++)
		if (clients[i].waiter) {
			keel_notify_signal(clients[i].waiter, CON_INPUT_READY);
			keel_handle_close(clients[i].waiter);
			clients[i].waiter = 0;
		}
}

/* Take what driver @l has, as far as the ring has room. */
static void pull_input(struct link *l)
{
	uint8_t buf[KEEL_MSG_BUF_MAX];
	uint32_t room = IN_RING - (in_head - in_tail);
	int32_t n = link_call(l, DRV_READ, NULL, 0, buf, room < sizeof(buf) ? room : sizeof(buf));

	for (int32_t i = 0; i < n; i++)
		in_ring[in_head++ & (IN_RING - 1)] = buf[i];
	if (n > 0)
		wake_readers();
}

static void input_arrived(uint32_t bits)
{
	if ((bits & CON_BIT_SERIAL) && in_head - in_tail < IN_RING)
		pull_input(&serial);
	if ((bits & CON_BIT_KBD) && in_head - in_tail < IN_RING)
		pull_input(&kbd);
}

/* -- Clients ------------------------------------------------------------- */

/* Client @id's slot: its own, or a free one, or the one heard from least recently. */
static struct client *client_of(uint32_t id, uint64_t now)
{
	struct client *oldest = &clients[0];

	for (int i = 0; i < CLIENTS; i++) {
		if (clients[i].id == id)
			return &clients[i];
		if (clients[i].id == 0 || clients[i].last_us < oldest->last_us)
			oldest = &clients[i];
	}
	if (oldest->waiter)
		keel_handle_close(oldest->waiter);
	*oldest = (struct client){.id = id, .micro = CON_BURST_BYTES * MICRO, .last_us = now};
	return oldest;
}

/* Spend @bytes of @c's bucket; false (nothing spent) if it does not hold them. */
static bool client_spend(struct client *c, uint32_t bytes, uint64_t now)
{
	uint64_t full = CON_BURST_BYTES * MICRO;

	if (now > c->last_us) {
		uint64_t gain = (now - c->last_us) * CON_RATE_BYTES;
		c->micro = gain >= full - c->micro ? full : c->micro + gain;
	}
	c->last_us = now;
	if (c->micro < bytes * MICRO)
		return false;
	c->micro -= bytes * MICRO;
	return true;
}

static int32_t do_write(struct keel_msg *m)
{
	const uint8_t *p = m->buf;
	uint64_t now = keel_now_us();

	if (m->flags & KEEL_MSG_TRUNCATED)
		return KEEL_ERR_RANGE;
	if (m->len == 0 || m->nhandles != 0)
		return KEEL_ERR_INVALID;
	if (!client_spend(client_of(m->sender, now), m->len, now))
		return KEEL_ERR_OVER_RATE;
	for (uint32_t i = 0; i < m->len; i++)
		vga_putc(p[i]);
	return link_call(&serial, DRV_WRITE, m->buf, m->len, NULL, 0);
}

/* CON_READ's notification must be one the server may signal. */
static int32_t check_waiter(keel_handle_t h)
{
	struct keel_handle_info hi;
	int32_t r = keel_handle_query(h, &hi);

	if (r < 0)
		return r;
	if (hi.type != KEEL_OBJ_NOTIFICATION)
		return KEEL_ERR_WRONG_TYPE;
	return (hi.rights & KEEL_RIGHT_SEND) ? 0 : KEEL_ERR_DENIED;
}

static int32_t do_read(struct keel_msg *m, keel_handle_t *keep)
{
	uint8_t *p = m->buf;
	uint32_t want = m->word[0], n = in_head - in_tail;
	int32_t r;

	if (want == 0 || m->nhandles > 1 || m->len != 0)
		return KEEL_ERR_INVALID;
	if (want > KEEL_MSG_BUF_MAX)
		return KEEL_ERR_RANGE;
	if (m->nhandles == 1 && (r = check_waiter(m->handle[0])) < 0)
		return r;
	if (n > want)
		n = want;
	for (uint32_t i = 0; i < n; i++)
		p[i] = in_ring[in_tail++ & (IN_RING - 1)];
	m->len = n;
	if (n == 0 && m->nhandles == 1)
		*keep = m->handle[0];
	return (int32_t)n;
}

/* Answer one client request; every handle it brought and we do not keep is closed. */
static void serve(struct keel_msg *m)
{
	keel_handle_t keep = 0;
	int32_t r = KEEL_ERR_INVALID;
	struct client *c;

	if (!(m->flags & KEEL_MSG_CALL))
		r = KEEL_ERR_INVALID; /* a send: nobody to answer, so nothing is done */
	else if (m->label == CON_WRITE)
		r = do_write(m);
	else if (m->label == CON_READ)
		r = do_read(m, &keep);
	for (uint32_t i = 0; i < m->nhandles; i++)
		if (m->handle[i] != keep)
			keel_handle_close(m->handle[i]);
	if (keep) {
		c = client_of(m->sender, keel_now_us());
		if (c->waiter)
			keel_handle_close(c->waiter);
		c->waiter = keep;
	}
	if (!(m->flags & KEEL_MSG_CALL))
		return;
	struct keel_msg reply = {.label = CON_REPLY, .word = {(uint32_t)r}, .buf = m->buf};
	reply.len = m->label == CON_READ && r > 0 ? (uint32_t)r : 0;
	keel_reply(&reply);
}

/* -- Start and the loop -------------------------------------------------- */

static int32_t console_setup(void)
{
	int32_t r = drv_hello(&con);

	if (r < 0)
		return r;
	if (con.nh < CON_H_SERIAL + 1)
		return KEEL_ERR_INVALID;
	r = keel_device_map(con.h[CON_H_VGA], (void *)CON_VGA_ADDR, KEEL_PROT_WRITE);
	if (r < 0)
		return r;
	vga = (volatile uint16_t *)CON_VGA_ADDR;
	row = VGA_ROWS - 1; /* below what the kernel printed: it scrolls up */
	vga_putc('\n');
	serial.ep = con.h[CON_H_SERIAL];
	kbd.ep = con.nh > CON_H_KBD ? con.h[CON_H_KBD] : 0;
	return keel_notify_bind(con.h[CON_H_INPUT]);
}

int main(uint32_t arg)
{
	static uint8_t buf[KEEL_MSG_BUF_MAX];
	struct keel_msg m;
	int32_t r;

	(void)arg;
	r = console_setup();
	input_arrived(CON_BIT_SERIAL | CON_BIT_KBD); /* what came before we ran */
	while (r == 0) {
		m = (struct keel_msg){.buf = buf, .cap = sizeof(buf)};
		r = keel_recv(con.h[CON_H_CLIENTS], &m, KEEL_TIMEOUT_NEVER);
		if (r == 0 && (m.flags & KEEL_MSG_NOTIFIED))
			input_arrived(m.word[0]);
		else if (r == 0)
			serve(&m);
	}
	printf("console: stopped: %s\n", keel_strerror(r));
	return 1;
}
