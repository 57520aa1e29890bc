/*
 * syscall_ipc.c - the IPC system calls: their arguments checked and
 * copied, then the work handed to endpoint.c, notify.c or channel.c.
 *
 * Each call has the same shape. What lives in user memory is copied in
 * first, without sched_lock (a bad pointer fails here, before anything
 * happened). Then, under sched_lock, the handle is looked up with the
 * right the call needs and the operation runs, perhaps waiting. Last, a
 * received message is copied out, and the caller may be preempted by a
 * thread it woke. Slice 3 routes the numbers here (syscall_install).
 */
#include <keel/kmalloc.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

#include "ipc_internal.h"

uint64_t timeout_of(uint32_t us)
{
	return us == KEEL_TIMEOUT_NEVER ? TIMEOUT_NEVER : us;
}

kstatus_t limits_in(uintptr_t ulimits, struct keel_ipc_limits *lim)
{
	*lim = (struct keel_ipc_limits){0, 0, 0};
	return ulimits ? copy_from_user(lim, ulimits, sizeof(*lim)) : KEEL_OK;
}

static int32_t sys_endpoint_create(const uint32_t *a)
{
	struct keel_ipc_limits lim;
	struct ipc_object *o;
	kstatus_t s = limits_in(a[0], &lim);

	if (s != KEEL_OK)
		return s;
	spinflags_t flags = spin_lock(&sched_lock);
	int32_t r = ipc_object_new(KEEL_OBJ_ENDPOINT, &lim, &o);
	if (r == KEEL_OK) {
		((struct endpoint *)o)->messages = 0;
		r = ipc_publish(KEEL_OBJ_ENDPOINT, o);
	}
	spin_unlock(&sched_lock, flags);
	return r;
}

/* Send (or call, if @call) on @ep once the message's handles are known
 * to be able to go: checked first, so that a refusal does not wait. */
static kstatus_t send_checked(struct endpoint *ep, bool call, uint32_t timeout)
{
	const struct ipc_msg *m = &ipc_self()->msg;
	kstatus_t s = m->nhandles == 0 ? KEEL_OK : msg_handles_check(m);

	if (s != KEEL_OK)
		return s;
	return call ? ep_call(ep, timeout_of(timeout)) : ep_send(ep, false, timeout_of(timeout));
}

/* [sys_ipc_send] */
static int32_t sys_ipc_send(const uint32_t *a)
{
	struct ipc_thread *me = ipc_self();
	kstatus_t s = msg_copy_in(&me->msg, a[1], KEEL_MSG_BUF_MAX);

	if (s != KEEL_OK)
		return s;
	return LOCKED(ON_ENDPOINT(a[0], KEEL_NEED_RIGHTS_IPC_SEND, send_checked(ep, false, a[2])));
}
/* [sys_ipc_send] */

/* Receive on endpoint @h into the user message at @umsg. */
static int32_t recv_into(uint32_t h, uintptr_t umsg, uint32_t timeout, bool reply)
{
	struct ipc_thread *me = ipc_self();
	uintptr_t buf;
	uint32_t cap;
	kstatus_t s = msg_prepare_recv(umsg, &buf, &cap);

	if (s == KEEL_OK && reply)
		s = msg_copy_in(&me->msg, umsg, KEEL_MSG_BUF_MAX);
	if (s != KEEL_OK)
		return s;
	s = LOCKED(ON_ENDPOINT(h, KEEL_NEED_RIGHTS_IPC_RECV,
	                       ep_reply_then_recv(ep, reply, timeout_of(timeout))));
	return s == KEEL_OK ? msg_copy_out(umsg, &me->msg, buf, cap) : s;
}

static int32_t sys_ipc_recv(const uint32_t *a)
{
	return recv_into(a[0], a[1], a[2], false);
}

static int32_t sys_ipc_reply_recv(const uint32_t *a)
{
	return recv_into(a[0], a[1], a[2], true);
}

/* [sys_ipc_call] */
static int32_t sys_ipc_call(const uint32_t *a)
{
	struct ipc_thread *me = ipc_self();
	uintptr_t buf;
	uint32_t cap;
	kstatus_t s = msg_copy_in(&me->msg, a[1], KEEL_MSG_BUF_MAX);

	if (s == KEEL_OK)
		s = msg_prepare_recv(a[1], &buf, &cap);
	if (s == KEEL_OK && a[2] == 0)
		s = KEEL_ERR_INVALID; /* a call must wait for its reply */
	if (s != KEEL_OK)
		return s;
	s = LOCKED(ON_ENDPOINT(a[0], KEEL_NEED_RIGHTS_IPC_CALL, send_checked(ep, true, a[2])));
	return s == KEEL_OK ? msg_copy_out(a[1], &me->msg, buf, cap) : s;
}
/* [sys_ipc_call] */

static int32_t sys_ipc_reply(const uint32_t *a)
{
	kstatus_t s = msg_copy_in(&ipc_self()->msg, a[0], KEEL_MSG_BUF_MAX);

	return s == KEEL_OK ? LOCKED(ep_reply()) : s;
}

static int32_t sys_notify_create(const uint32_t *a)
{
	struct ipc_object *o;

	(void)a;
	spinflags_t flags = spin_lock(&sched_lock);
	int32_t r = ipc_object_new(KEEL_OBJ_NOTIFICATION, NULL, &o);
	if (r == KEEL_OK) {
		struct notification *n = (struct notification *)o;
		n->bits = 0;
		n->bound = NULL;
		n->signals = 0;
		r = ipc_publish(KEEL_OBJ_NOTIFICATION, o);
	}
	spin_unlock(&sched_lock, flags);
	return r;
}

static int32_t sys_notify_signal(const uint32_t *a)
{
	if (a[1] == 0)
		return KEEL_ERR_INVALID;
	return LOCKED(ON_NOTIFY(a[0], KEEL_NEED_RIGHTS_NOTIFY_SIGNAL, notify_signal(n, a[1])));
}

static int32_t sys_notify_wait(const uint32_t *a)
{
	uint32_t bits = 0;
	kstatus_t s = msg_probe(a[1], sizeof(bits));

	if (s != KEEL_OK)
		return s;
	s = LOCKED(
	    ON_NOTIFY(a[0], KEEL_NEED_RIGHTS_NOTIFY_WAIT, notify_wait(n, &bits, timeout_of(a[2]))));
	return s == KEEL_OK ? copy_to_user(a[1], &bits, sizeof(bits)) : s;
}

static int32_t sys_notify_bind(const uint32_t *a)
{
	if ((int32_t)a[0] == -1)
		return LOCKED(notify_bind(NULL));
	return LOCKED(ON_NOTIFY(a[0], KEEL_NEED_RIGHTS_NOTIFY_BIND, notify_bind(n)));
}

void ipc_syscalls_install(void)
{
	syscall_install(KEEL_SYS_ENDPOINT_CREATE, sys_endpoint_create);
	syscall_install(KEEL_SYS_IPC_SEND, sys_ipc_send);
	syscall_install(KEEL_SYS_IPC_RECV, sys_ipc_recv);
	syscall_install(KEEL_SYS_IPC_CALL, sys_ipc_call);
	syscall_install(KEEL_SYS_IPC_REPLY, sys_ipc_reply);
	syscall_install(KEEL_SYS_IPC_REPLY_RECV, sys_ipc_reply_recv);
	syscall_install(KEEL_SYS_NOTIFY_CREATE, sys_notify_create);
	syscall_install(KEEL_SYS_NOTIFY_SIGNAL, sys_notify_signal);
	syscall_install(KEEL_SYS_NOTIFY_WAIT, sys_notify_wait);
	syscall_install(KEEL_SYS_NOTIFY_BIND, sys_notify_bind);
	syscall_channel_install();
}
