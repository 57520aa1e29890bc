/*
 * driver.c - the driver half of the restart protocol (keel_console.h,
 * keel_driver.h): what every driver does the same way.
 *
 * A driver connects (DRV_HELLO batches on its boot endpoint), maps its
 * state page and then serves one request at a time. The page is the
 * driver's memory across incarnations; the code here is the only code
 * that touches its sequence numbers, so the rules of the protocol are
 * stated once:
 *
 *   seq == done_seq      done before: answer from the page, do nothing
 *   seq == cur_seq       a write begun: go on from out_head - begin
 *   seq == done_seq + 1  new: begin it
 *   otherwise            not a request the console can send: INVALID
 *
 * Every answer, an error as much as a count, is committed (done_seq =
 * seq, one store) before it is sent: the console moves to seq + 1 only
 * after an answer, so the driver must know seq was answered.
 */
#include <keel_driver.h>

/* How long a write waits for an interrupt before looking at the device
 * again: an interrupt can be taken by someone else (the kernel writes
 * COM1 too), and a lost one must not stall a write for ever. */
#define DRV_POLL_US 20000u

/* One DRV_HELLO call: the batch's handles join d->h; how many in all, or an error. */
static int32_t drv_hello_batch(struct drv *d, uint32_t batch)
{
	struct keel_msg m = {.label = DRV_HELLO, .word = {batch}};
	int32_t r = keel_call(KEEL_SPAWN_GIVEN, &m, KEEL_TIMEOUT_NEVER);

	if (r < 0)
		return r;
	if (m.label != DRV_HELLO || m.word[0] > DRV_HANDLES_MAX)
		return KEEL_ERR_INVALID;
	for (uint32_t i = 0; i < m.nhandles && d->nh < DRV_HANDLES_MAX; i++)
		d->h[d->nh++] = m.handle[i];
	d->flags = m.word[1];
	d->input_bits = m.word[2];
	return (int32_t)m.word[0];
}

int32_t drv_hello(struct drv *d)
{
	int32_t total = 0;

	d->nh = 0;
	for (uint32_t batch = 0; batch == 0 || d->nh < (uint32_t)total; batch++) {
		if (batch > DRV_HANDLES_MAX)
			return KEEL_ERR_INVALID;
		total = drv_hello_batch(d, batch);
		if (total < 0)
			return total;
	}
	return 0;
}

/* A read committed but not yet applied to in_tail: apply it (idempotent). */
static void drv_recover(struct drv *d)
{
	struct drv_state *st = d->st;

	if (st->tail_seq != 0 && st->tail_seq == st->done_seq)
		st->in_tail = st->next_tail;
}

int32_t drv_connect(struct drv *d)
{
	int32_t r = drv_hello(d);

	if (r < 0)
		return r;
	if (d->nh < DRV_H_HW)
		return KEEL_ERR_INVALID;
	r = keel_frames_map(d->h[DRV_H_STATE], (void *)DRV_STATE_ADDR, KEEL_PROT_WRITE);
	if (r < 0)
		return r;
	d->st = (struct drv_state *)DRV_STATE_ADDR;
	if (d->st->magic != DRV_STATE_MAGIC)
		return KEEL_ERR_CORRUPT;
	drv_recover(d);
	r = keel_notify_create();
	if (r < 0)
		return r;
	d->note = r;
	return 0;
}

bool drv_input(struct drv *d, uint8_t c)
{
	struct drv_state *st = d->st;

	if (st->in_head - st->in_tail >= DRV_RING) {
		st->in_dropped++;
		return false;
	}
	st->in_ring[st->in_head & (DRV_RING - 1)] = c;
	st->in_head++; /* the byte is there before the head says so */
	return true;
}

/* Serve the device's interrupt; tell the console if input came. */
static void drv_irq(struct drv *d, uint32_t bits)
{
	uint32_t before = d->st->in_head;

	if (d->ops->irq)
		d->ops->irq(d, bits);
	if (d->st->in_head != before && !(d->flags & DRV_FLAG_NO_INPUT))
		keel_notify_signal(d->h[DRV_H_INPUT], d->input_bits);
}

/* Let the device take output; wait (bounded) for its interrupt. */
static void drv_wait_device(struct drv *d)
{
	uint32_t bits = 0;

	d->ops->kick(d);
	if (keel_notify_wait(d->note, &bits, DRV_POLL_US) == 0)
		drv_irq(d, bits);
}

static void drv_step(struct drv *d, enum drv_step where, uint32_t seq)
{
	if (d->ops->step)
		d->ops->step(d, where, seq);
}

/* Put more of write @seq's @len bytes into the output ring (stopping once at half). */
static void drv_enqueue(struct drv *d, const uint8_t *buf, uint32_t len, uint32_t seq)
{
	struct drv_state *st = d->st;
	uint32_t done = st->out_head - st->begin, half = len / 2;
	uint32_t room = DRV_RING - (st->out_head - st->out_tail), n = len - done;

	if (done < half && n > half - done)
		n = half - done;
	if (n > room)
		n = room;
	if (n == 0) {
		drv_wait_device(d);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		st->out_ring[(st->out_head + i) & (DRV_RING - 1)] = buf[done + i];
	st->out_head += n; /* the commit of these n bytes: progress is exact */
	d->ops->kick(d);
	if (done + n == half)
		drv_step(d, DRV_STEP_HALF, seq);
}

/* DRV_WRITE: every byte into the ring once, then wait until the device took them. */
static int32_t drv_write(struct drv *d, const struct keel_msg *m, uint32_t seq)
{
	struct drv_state *st = d->st;
	uint32_t len = m->len;

	if (!d->ops->kick)
		return KEEL_ERR_NOT_IMPLEMENTED;
	if (len == 0 || len > KEEL_MSG_BUF_MAX || (m->flags & KEEL_MSG_TRUNCATED))
		return KEEL_ERR_INVALID;
	if (st->cur_seq != seq) {
		st->begin = st->out_head; /* before cur_seq: a crash between begins again */
		st->cur_seq = seq;
	}
	while (st->out_head - st->begin < len)
		drv_enqueue(d, m->buf, len, seq);
	while ((int32_t)(st->out_tail - (st->begin + len)) < 0)
		drv_wait_device(d);
	st->answer_len = 0;
	return (int32_t)len;
}

/* DRV_READ: the answer is the input taken; in_tail moves only after the commit. */
static int32_t drv_read(struct drv *d, const struct keel_msg *m, uint32_t seq)
{
	struct drv_state *st = d->st;
	uint32_t want = m->word[1], n = st->in_head - st->in_tail;

	if (want == 0 || want > KEEL_MSG_BUF_MAX)
		return KEEL_ERR_INVALID;
	if (n > want)
		n = want;
	for (uint32_t i = 0; i < n; i++)
		st->answer_buf[i] = st->in_ring[(st->in_tail + i) & (DRV_RING - 1)];
	st->answer_len = n;
	st->next_tail = st->in_tail + n;
	st->tail_seq = seq;
	return (int32_t)n;
}

/* Send done_seq's answer, from the page. */
static void drv_answer(struct drv *d, struct keel_msg *m)
{
	struct drv_state *st = d->st;

	m->flags = 0;
	m->nhandles = 0;
	m->word[0] = st->done_seq;
	m->word[1] = (uint32_t)st->answer;
	m->len = st->answer_len;
	m->buf = st->answer_buf;
	keel_reply(m);
}

/* Commit request @seq's answer @r: from here on it is done. */
static void drv_commit(struct drv *d, uint32_t seq, int32_t r)
{
	struct drv_state *st = d->st;

	if (r < 0)
		st->answer_len = 0;
	st->answer = r;
	st->done_seq = seq; /* the commit point */
	drv_recover(d);     /* a read's tail moves now */
	drv_step(d, DRV_STEP_COMMITTED, seq);
}

static void drv_request(struct drv *d, struct keel_msg *m)
{
	struct drv_state *st = d->st;
	uint32_t seq = m->word[0];
	int32_t r;

	for (uint32_t i = 0; i < m->nhandles; i++)
		keel_handle_close(m->handle[i]);
	drv_step(d, DRV_STEP_RECEIVED, seq);
	if (seq == 0 || (seq != st->done_seq && seq != st->cur_seq && seq != st->done_seq + 1)) {
		*m =
		    (struct keel_msg){.label = m->label, .word = {seq, (uint32_t)KEEL_ERR_INVALID}};
		keel_reply(m);
		return;
	}
	if (seq != st->done_seq) {
		if (m->label == DRV_WRITE)
			r = drv_write(d, m, seq);
		else if (m->label == DRV_READ)
			r = drv_read(d, m, seq);
		else
			r = KEEL_ERR_NOT_IMPLEMENTED;
		drv_commit(d, seq, r);
	}
	drv_answer(d, m);
}

int32_t drv_serve(struct drv *d)
{
	uint8_t buf[KEEL_MSG_BUF_MAX];
	struct keel_msg m;
	int32_t r = keel_notify_bind(d->note);

	if (r < 0)
		return r;
	if (d->st->in_head != d->st->in_tail && !(d->flags & DRV_FLAG_NO_INPUT))
		keel_notify_signal(d->h[DRV_H_INPUT], d->input_bits); /* left by the last one */
	for (;;) {
		m = (struct keel_msg){.buf = buf, .cap = sizeof(buf)};
		r = keel_recv(d->h[DRV_H_REQUEST], &m, KEEL_TIMEOUT_NEVER);
		if (r < 0)
			return r;
		if (m.flags & KEEL_MSG_NOTIFIED)
			drv_irq(d, m.word[0]);
		else if (m.flags & KEEL_MSG_CALL)
			drv_request(d, &m);
		else
			for (uint32_t i = 0; i < m.nhandles; i++)
				keel_handle_close(m.handle[i]);
	}
}
