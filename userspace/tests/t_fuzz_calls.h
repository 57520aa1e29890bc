/*
 * t_fuzz_calls.h - t_fuzz's arguments for the calls of slices 4 and 5:
 * IPC messages and limits, and the capability and memory-capability
 * calls. A part of t_fuzz.c (static functions it calls, using its
 * generator and pointers), kept apart so each file stays short; nothing
 * else includes it.
 */
#ifndef T_FUZZ_CALLS_H
#define T_FUZZ_CALLS_H

/* A message for the IPC calls (its buffer room for a whole message inside fuzz_buf). */
static struct keel_msg fuzz_msg;

static uint32_t msg_buf(void)
{
	return rnd() % 4 ? W(fuzz_buf) + rnd() % (sizeof(fuzz_buf) - KEEL_MSG_BUF_MAX) : bad_ptr();
}

/* Fill fuzz_msg at random; a pointer to it, or a bad one. */
static uint32_t msg_ptr(void)
{
	struct keel_msg *m = &fuzz_msg;

	m->label = rnd();
	m->flags = rnd() % 4 ? rnd() % 2 : any_int(); /* 0, MOVE, or reserved bits */
	m->len = rnd() % 4 ? rnd() % (KEEL_MSG_BUF_MAX + 2) : any_int();
	m->nhandles = rnd() % 2 ? 0 : rnd() % 4 ? rnd() % (KEEL_MSG_HANDLES + 2) : any_int();
	for (unsigned i = 0; i < KEEL_MSG_HANDLES; i++) {
		m->word[i] = rnd();
		m->handle[i] = any_handle();
		m->rights[i] = rnd() % 2 ? 0 : rnd() % 4 ? rnd() % 0x80 : any_int();
	}
	m->buf = (void *)msg_buf();
	m->cap = rnd() % 4 ? rnd() % (KEEL_MSG_BUF_MAX + 1) : any_int() % (KEEL_MSG_BUF_MAX + 1);
	return rnd() % 8 ? W(m) : rnd() % 2 ? bad_ptr() : W(main);
}

/* Limits for ENDPOINT_CREATE and CHANNEL_CREATE: none, random, or a bad pointer. */
static uint32_t limits_ptr(void)
{
	static struct keel_ipc_limits lim;

	lim.rate = rnd() % 2 ? rnd() % 2000 : any_int();
	lim.burst = rnd() % 2 ? rnd() % 10 : any_int();
	lim.reserved = rnd() % 8 ? 0 : any_int();
	return rnd() % 2 ? 0 : rnd() % 4 ? W(&lim) : bad_ptr();
}

/* The IPC calls (17-29); false if @nr is not one of them. */
static bool ipc_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_ENDPOINT_CREATE:
		a[0] = limits_ptr();
		return true;
	case KEEL_SYS_IPC_SEND:
	case KEEL_SYS_IPC_RECV:
	case KEEL_SYS_IPC_CALL:
	case KEEL_SYS_IPC_REPLY_RECV:
	case KEEL_SYS_CHANNEL_SEND:
	case KEEL_SYS_CHANNEL_RECV:
		a[0] = W(any_handle());
		a[1] = msg_ptr();
		a[2] = timeout();
		return true;
	case KEEL_SYS_IPC_REPLY:
		a[0] = msg_ptr();
		return true;
	case KEEL_SYS_NOTIFY_CREATE:
		return true;
	case KEEL_SYS_NOTIFY_SIGNAL:
		a[0] = W(any_handle());
		a[1] = rnd() % 8 ? rnd() : 0;
		return true;
	case KEEL_SYS_NOTIFY_WAIT:
		a[0] = W(any_handle());
		a[1] = dst_ptr();
		a[2] = timeout();
		return true;
	case KEEL_SYS_NOTIFY_BIND:
		a[0] = rnd() % 4 ? W(any_handle()) : W(-1);
		return true;
	case KEEL_SYS_CHANNEL_CREATE:
		a[0] = rnd() % 2 ? rnd() % (KEEL_CHANNEL_DEPTH_MAX + 2) : any_int();
		a[1] = rnd() % 2 ? rnd() % (KEEL_MSG_BUF_MAX + 2) : any_int();
		a[2] = limits_ptr();
		return true;
	}
	return false;
}

/* Where nothing may be mapped: page 0, the kernel's half, unaligned. (Not
 * bad_ptr()'s unmapped user addresses: a mapping there would make them
 * readable, and DEBUG_WRITE would print what they hold.) */
static uint32_t bad_map_addr(void)
{
	static const uint32_t v[] = {0, 1, 0xC0000000, 0xFFFFF000, SCRATCH + 1, 0xBFFFF000 + 8};

	return PICK(v);
}

/* Slice 6: the root task's hardware capabilities (the fuzzer, spawned by
 * the kernel, holds them), or any handle. Binding a real line, enabling
 * ports or mapping the VGA page is harmless here: the fuzzer never uses a
 * port, and everything is taken back when its handles close. */
static int32_t hw_handle(void)
{
	static const uint32_t roots[] = {KEEL_ROOT_IRQ, KEEL_ROOT_IOPORT, KEEL_ROOT_DEVICE};

	return rnd() % 2 ? (int32_t)PICK(roots) : any_handle();
}

static bool cap_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_CAP_DERIVE:
		a[0] = W(rnd() % 4 ? any_handle() : KEEL_ROOT_MEMORY);
		if (KEEL_SLICES >= 6 && rnd() % 8 == 0)
			a[0] = W(hw_handle()); /* a part of a line range, ports, pages */
		a[1] = rnd() % 2 ? rnd() & KEEL_RIGHT_ALL : any_int();
		a[2] = rnd() % 2 ? 0 : rnd() % 2 ? KEEL_RANGE(rnd() % 4, rnd() % 4) : any_int();
		return true;
	case KEEL_SYS_CAP_REVOKE:
	case KEEL_SYS_FRAMES_UNMAP:
		a[0] = W(any_handle());
		return true;
	case KEEL_SYS_CAP_INFO:
		a[0] = W(rnd() % 8 == 0 ? KEEL_ROOT_MEMORY : any_handle());
		a[1] = dst_ptr();
		return true;
	case KEEL_SYS_FRAMES_ALLOC:
		a[0] = W(rnd() % 2 ? KEEL_ROOT_MEMORY : any_handle());
		a[1] = rnd() % 4 ? 1u << rnd() % 5 : any_int();
		return true;
	case KEEL_SYS_FRAMES_MAP:
		a[0] = W(any_handle());
		a[1] = rnd() % 4 ? scratch_page() : bad_map_addr();
		a[2] = rnd() % 4 ? rnd() % 4 : any_int();
		return true;
	}
	return false;
}

static bool dev_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_IRQ_BIND:
	case KEEL_SYS_TASK_NOTIFY:
		a[0] = W(nr == KEEL_SYS_IRQ_BIND ? hw_handle() : any_handle());
		a[1] = W(any_handle());
		a[2] = rnd() % 4 ? 1u << rnd() % 32 : any_int();
		return true;
	case KEEL_SYS_IRQ_ACK:
	case KEEL_SYS_IOPORT_ENABLE:
	case KEEL_SYS_DEVICE_UNMAP:
		a[0] = W(hw_handle());
		return true;
	case KEEL_SYS_DEVICE_MAP:
		a[0] = W(hw_handle());
		a[1] = rnd() % 4 ? scratch_page() : bad_map_addr();
		a[2] = rnd() % 4 ? rnd() % 4 : any_int();
		return true;
	}
	return false;
}

#endif