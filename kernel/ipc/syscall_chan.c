/*
 * syscall_chan.c - the channel system calls (syscall_ipc.c has the rest
 * and says how each call is shaped).
 */
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

#include "ipc_internal.h"

/* [sys_channel_create] */
static int32_t sys_channel_create(const uint32_t *a)
{
	uint32_t depth = a[0], max_len = a[1];
	struct keel_ipc_limits lim;
	struct ipc_object *o;

	if (depth == 0 || depth > KEEL_CHANNEL_DEPTH_MAX || max_len > KEEL_MSG_BUF_MAX)
		return KEEL_ERR_INVALID;
	kstatus_t s = limits_in(a[2], &lim);
	if (s != KEEL_OK)
		return s;
	/* The ring is allocated here, once: no send will ever allocate. */
	void *mem = kmalloc(msgq_bytes(depth, max_len));
	if (mem == NULL)
		return KEEL_ERR_NO_MEMORY;
	spinflags_t flags = spin_lock(&sched_lock);
	int32_t r = ipc_object_new(KEEL_OBJ_CHANNEL, &lim, &o);
	if (r == KEEL_OK) {
		s = channel_setup((struct channel *)o, mem, depth, max_len);
		assert(s == KEEL_OK); /* the arguments were checked above */
		r = ipc_publish(KEEL_OBJ_CHANNEL, o);
		mem = NULL; /* the channel has it now, even if publishing failed */
	}
	spin_unlock(&sched_lock, flags);
	if (mem != NULL)
		kfree(mem);
	return r;
}
/* [sys_channel_create] */

/* Checked under the lock: the message fits channel @c. */
static kstatus_t send_checked(struct channel *c, uint32_t timeout)
{
	const struct ipc_msg *m = &ipc_self()->msg;

	if (m->nhandles != 0)
		return KEEL_ERR_INVALID; /* channels carry no handles */
	if (m->len > c->max_len)
		return KEEL_ERR_RANGE;
	return channel_send(c, timeout_of(timeout));
}

static int32_t sys_channel_send(const uint32_t *a)
{
	kstatus_t s = msg_copy_in(&ipc_self()->msg, a[1], KEEL_MSG_BUF_MAX);

	if (s != KEEL_OK)
		return s;
	return LOCKED(ON_CHANNEL(a[0], KEEL_NEED_RIGHTS_CHANNEL_SEND, send_checked(c, a[2])));
}

static int32_t sys_channel_recv(const uint32_t *a)
{
	struct ipc_thread *me = ipc_self();
	uintptr_t buf;
	uint32_t cap;
	kstatus_t s = msg_prepare_recv(a[1], &buf, &cap);

	if (s != KEEL_OK)
		return s;
	s = LOCKED(
	    ON_CHANNEL(a[0], KEEL_NEED_RIGHTS_CHANNEL_RECV, channel_recv(c, timeout_of(a[2]))));
	return s == KEEL_OK ? msg_copy_out(a[1], &me->msg, buf, cap) : s;
}

void syscall_channel_install(void)
{
	syscall_install(KEEL_SYS_CHANNEL_CREATE, sys_channel_create);
	syscall_install(KEEL_SYS_CHANNEL_SEND, sys_channel_send);
	syscall_install(KEEL_SYS_CHANNEL_RECV, sys_channel_recv);
}
