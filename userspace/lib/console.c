/*
 * console.c - the client side of the console server (keel_console.h).
 *
 * A program that was given the console endpoint (CONSOLE_ARG in its
 * argument, the endpoint as KEEL_SPAWN_GIVEN) calls console_attach();
 * printf() then writes through console_write(), and falls back to the
 * kernel's DEBUG_WRITE only if the server does not take the bytes.
 *
 * A read must not keep the server waiting (it holds one reply right at
 * a time), so console_read() asks, and when the answer is "nothing yet"
 * waits on a notification of its own that the server signals when input
 * comes, then asks again.
 */
#include <keel_console.h>

/* How long one call to the server may take: it may be waiting for a
 * driver to be restarted, which DRV_TIMEOUT_US and a spawn bound. */
#define CONSOLE_CALL_US (8 * DRV_TIMEOUT_US)
/* How long console_write() sleeps when the server says OVER_RATE. */
#define CONSOLE_BACKOFF_US 10000u

static keel_handle_t console_ep;
static keel_handle_t console_note; /* console_read()'s notification, made once */

uint32_t console_attach(uint32_t arg)
{
	if (arg & CONSOLE_ARG)
		console_ep = KEEL_SPAWN_GIVEN;
	return arg & ~CONSOLE_ARG;
}

keel_handle_t console_handle(void)
{
	return console_ep;
}

/* One CON_WRITE of @len (1..KEEL_MSG_BUF_MAX) bytes: the server's answer or an error. */
static int32_t console_write_one(keel_handle_t con, const void *buf, uint32_t len)
{
	struct keel_msg m = {.label = CON_WRITE, .buf = (void *)buf, .len = len};
	int32_t r = keel_call(con, &m, CONSOLE_CALL_US);

	return r < 0 ? r : (int32_t)m.word[0];
}

int32_t console_write(keel_handle_t con, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0, waited = 0;

	while (done < len) {
		uint32_t n = len - done > KEEL_MSG_BUF_MAX ? KEEL_MSG_BUF_MAX : len - done;
		int32_t r = console_write_one(con, p + done, n);
		if (r == KEEL_ERR_OVER_RATE && waited < CONSOLE_RETRY_US) {
			keel_sleep_us(CONSOLE_BACKOFF_US);
			waited += CONSOLE_BACKOFF_US;
			continue;
		}
		if (r <= 0)
			return done ? (int32_t)done : (r < 0 ? r : KEEL_ERR_INVALID);
		done += (uint32_t)r;
	}
	return (int32_t)done;
}

/* One CON_READ: bytes read now (0: none, and the server will signal us), or an error. */
static int32_t console_read_one(keel_handle_t con, void *buf, uint32_t len)
{
	struct keel_msg m = {.label = CON_READ, .word = {len}, .buf = buf, .cap = len};

	m.nhandles = 1;
	m.handle[0] = console_note;
	m.rights[0] = KEEL_RIGHT_SEND;
	int32_t r = keel_call(con, &m, CONSOLE_CALL_US);
	return r < 0 ? r : (int32_t)m.word[0];
}

int32_t console_read(keel_handle_t con, void *buf, uint32_t len, uint32_t timeout_us)
{
	uint64_t start = keel_now_us(), now;
	uint32_t bits;
	int32_t r;

	if (len == 0 || len > KEEL_MSG_BUF_MAX)
		return KEEL_ERR_INVALID;
	if (console_note == 0) {
		r = keel_notify_create();
		if (r < 0)
			return r;
		console_note = r;
	}
	for (;;) {
		r = console_read_one(con, buf, len);
		now = keel_now_us();
		if (r != 0 || now - start >= timeout_us)
			return r;
		uint64_t left = timeout_us - (now - start);
		r = keel_notify_wait(console_note, &bits, (uint32_t)left);
		if (r < 0 && r != KEEL_ERR_TIMED_OUT)
			return r;
	}
}

/* printf's way out (printf.c): false if the bytes must go to DEBUG_WRITE. */
bool console_out(const char *buf, uint32_t len)
{
	return console_ep != 0 && console_write(console_ep, buf, len) == (int32_t)len;
}
