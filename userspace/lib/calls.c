/*
 * calls.c - one C function for each system call in abi.h.
 *
 * The call words come from abi.h's list, KEEL_SYSCALLS, and nowhere else:
 * KEEL_WORD_<NAME> is KEEL_CALL(number, argument count) as the list says.
 * Each wrapper names the call and passes its arguments through CALLn,
 * which refuses to compile if n is not the count the list gives for that
 * call. So a change of number or arity in the ABI either flows into the
 * library by itself or stops its build; it cannot drift silently. The
 * last check makes sure the list has no call this file lacks.
 *
 * Pointers and handles go to the kernel as 32-bit words; the kernel
 * checks every one of them (abi.h), so nothing here does.
 */
#include <keel_user.h>

/* Each call's word and argument count, from the one list. */
enum {
#define KEEL_USER_WORD_(name, nr, nargs) KEEL_WORD_##name = KEEL_CALL(nr, nargs),
	KEEL_SYSCALLS(KEEL_USER_WORD_)
#undef KEEL_USER_WORD_
};
enum {
#define KEEL_USER_NARGS_(name, nr, nargs) KEEL_NARGS_##name = (nargs),
	KEEL_SYSCALLS(KEEL_USER_NARGS_)
#undef KEEL_USER_NARGS_
};

/*
 * A compile-time check, as an expression, that a call's argument count
 * @nargs (its KEEL_NARGS_ constant) is @n. The CALLn macros paste the
 * name themselves: a name like NULL must not be expanded as a macro.
 */
#define ARITY(nargs, n) ((void)sizeof(char[(nargs) == (n) ? 1 : -1]))
#define W(x)            ((uint32_t)(x))
#define CALL0(name)     (ARITY(KEEL_NARGS_##name, 0), keel_syscall(KEEL_WORD_##name, 0, 0, 0, 0))
#define CALL1(name, a)  (ARITY(KEEL_NARGS_##name, 1), keel_syscall(KEEL_WORD_##name, W(a), 0, 0, 0))
#define CALL2(name, a, b)                                                                          \
	(ARITY(KEEL_NARGS_##name, 2), keel_syscall(KEEL_WORD_##name, W(a), W(b), 0, 0))
#define CALL3(name, a, b, c)                                                                       \
	(ARITY(KEEL_NARGS_##name, 3), keel_syscall(KEEL_WORD_##name, W(a), W(b), W(c), 0))
#define CALL4(name, a, b, c, d)                                                                    \
	(ARITY(KEEL_NARGS_##name, 4), keel_syscall(KEEL_WORD_##name, W(a), W(b), W(c), W(d)))

/* Every call in the list has a wrapper below: the count is checked here. */
#define KEEL_USER_COUNT_(name, nr, nargs) +1
_Static_assert(0 KEEL_SYSCALLS(KEEL_USER_COUNT_) == 42,
               "abi.h lists a system call that calls.c has no wrapper for");
#undef KEEL_USER_COUNT_

int32_t keel_null(void)
{
	return CALL0(NULL);
}

int32_t keel_debug_write(const char *buf, uint32_t len)
{
	return CALL2(DEBUG_WRITE, buf, len);
}

int32_t keel_thread_create(uint32_t entry, uint32_t stack_top, uint32_t arg, uint32_t prio)
{
	return CALL4(THREAD_CREATE, entry, stack_top, arg, prio);
}

void keel_thread_exit(int code)
{
	CALL1(THREAD_EXIT, code);
	for (;;)
		__builtin_trap(); /* the kernel broke its promise: fault, loudly */
}

int32_t keel_yield(void)
{
	return CALL0(THREAD_YIELD);
}

int32_t keel_sleep_us(uint32_t us)
{
	return CALL1(THREAD_SLEEP, us);
}

int32_t keel_task_spawn(const char *name, uint32_t len, const struct keel_spawn *opts)
{
	return CALL3(TASK_SPAWN, name, len, opts);
}

void keel_task_exit(int status)
{
	CALL1(TASK_EXIT, status);
	for (;;)
		__builtin_trap();
}

int32_t keel_task_wait(keel_handle_t task, int *status, uint32_t timeout_us)
{
	return CALL3(TASK_WAIT, task, status, timeout_us);
}

int32_t keel_task_kill(keel_handle_t task)
{
	return CALL1(TASK_KILL, task);
}

int32_t keel_clock_us(uint64_t *us)
{
	return CALL1(CLOCK_READ, us);
}

int32_t keel_mem_map(void *addr, uint32_t size, uint32_t prot)
{
	return CALL3(MEM_MAP, addr, size, prot);
}

int32_t keel_mem_unmap(void *addr, uint32_t size)
{
	return CALL2(MEM_UNMAP, addr, size);
}

int32_t keel_mem_protect(void *addr, uint32_t size, uint32_t prot)
{
	return CALL3(MEM_PROTECT, addr, size, prot);
}

int32_t keel_handle_close(keel_handle_t h)
{
	return CALL1(HANDLE_CLOSE, h);
}

int32_t keel_handle_query(keel_handle_t h, struct keel_handle_info *info)
{
	return CALL2(HANDLE_QUERY, h, info);
}

int32_t keel_task_info(keel_handle_t task, struct keel_task_info *info)
{
	return CALL2(TASK_INFO, task, info);
}

int32_t keel_endpoint_create(const struct keel_ipc_limits *limits)
{
	return CALL1(ENDPOINT_CREATE, limits);
}

int32_t keel_send(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(IPC_SEND, ep, msg, timeout_us);
}

int32_t keel_recv(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(IPC_RECV, ep, msg, timeout_us);
}

int32_t keel_call(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(IPC_CALL, ep, msg, timeout_us);
}

int32_t keel_reply(const struct keel_msg *msg)
{
	return CALL1(IPC_REPLY, msg);
}

int32_t keel_reply_recv(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(IPC_REPLY_RECV, ep, msg, timeout_us);
}

int32_t keel_notify_create(void)
{
	return CALL0(NOTIFY_CREATE);
}

int32_t keel_notify_signal(keel_handle_t n, uint32_t bits)
{
	return CALL2(NOTIFY_SIGNAL, n, bits);
}

int32_t keel_notify_wait(keel_handle_t n, uint32_t *bits, uint32_t timeout_us)
{
	return CALL3(NOTIFY_WAIT, n, bits, timeout_us);
}

int32_t keel_notify_bind(keel_handle_t n)
{
	return CALL1(NOTIFY_BIND, n);
}

int32_t keel_channel_create(uint32_t depth, uint32_t max_len, const struct keel_ipc_limits *limits)
{
	return CALL3(CHANNEL_CREATE, depth, max_len, limits);
}

int32_t keel_channel_send(keel_handle_t ch, const struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(CHANNEL_SEND, ch, msg, timeout_us);
}

int32_t keel_channel_recv(keel_handle_t ch, struct keel_msg *msg, uint32_t timeout_us)
{
	return CALL3(CHANNEL_RECV, ch, msg, timeout_us);
}

int32_t keel_cap_derive(keel_handle_t h, uint32_t rights, uint32_t range)
{
	return CALL3(CAP_DERIVE, h, rights, range);
}

int32_t keel_cap_revoke(keel_handle_t h)
{
	return CALL1(CAP_REVOKE, h);
}

int32_t keel_cap_info(keel_handle_t h, struct keel_cap_info *info)
{
	return CALL2(CAP_INFO, h, info);
}

int32_t keel_frames_alloc(keel_handle_t memory, uint32_t pages)
{
	return CALL2(FRAMES_ALLOC, memory, pages);
}

int32_t keel_frames_map(keel_handle_t frames, void *addr, uint32_t prot)
{
	return CALL3(FRAMES_MAP, frames, addr, prot);
}

int32_t keel_frames_unmap(keel_handle_t frames)
{
	return CALL1(FRAMES_UNMAP, frames);
}

int32_t keel_irq_bind(keel_handle_t irq, keel_handle_t notification, uint32_t bits)
{
	return CALL3(IRQ_BIND, irq, notification, bits);
}

int32_t keel_irq_ack(keel_handle_t irq)
{
	return CALL1(IRQ_ACK, irq);
}

int32_t keel_ioport_enable(keel_handle_t ioport)
{
	return CALL1(IOPORT_ENABLE, ioport);
}

int32_t keel_device_map(keel_handle_t device, void *addr, uint32_t prot)
{
	return CALL3(DEVICE_MAP, device, addr, prot);
}

int32_t keel_device_unmap(keel_handle_t device)
{
	return CALL1(DEVICE_UNMAP, device);
}

int32_t keel_task_notify(keel_handle_t task, keel_handle_t notification, uint32_t bits)
{
	return CALL3(TASK_NOTIFY, task, notification, bits);
}
