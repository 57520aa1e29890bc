/*
 * msg.c - moving a message: from the sender's memory into the kernel,
 * from one thread's kernel copy to another's, and out to the receiver.
 *
 * A message crosses in three steps. The sender's system call copies it
 * in (msg_copy_in), before any lock is taken, so a bad pointer is found
 * while nothing has happened yet. When sender and receiver meet, under
 * sched_lock, msg_transfer() moves it from one thread's kernel copy to
 * the other's, handles included: that is the only step that changes
 * anything both sides can see, and it happens all at once or not at all.
 * The receiver's call then copies it out (msg_copy_out).
 *
 * Only what a message says it has is copied: the head (label, flags,
 * lengths, the words) always, the bytes when len is not 0, the handles
 * when nhandles is not 0. A register-sized message costs its head alone.
 *
 * The receiver's own memory is checked before it waits
 * (msg_prepare_recv): a message, once taken from its sender, must have
 * somewhere to go. Only the receiver's other threads, unmapping that
 * memory while it waits, can still make the copy out fail; then the
 * receiver's call returns KEEL_ERR_FAULT and that message is lost to it.
 */
#include <keel/arch_user.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/uaccess.h>

#include "ipc_internal.h"

/* The head is laid out alike in struct keel_msg and struct ipc_msg. */
#define HEAD_IN  offsetof(struct keel_msg, sender) /* label .. word[] */
#define HEAD_OUT offsetof(struct keel_msg, buf)    /* and the sender */
_Static_assert(offsetof(struct ipc_msg, word) == offsetof(struct keel_msg, word), "head");
_Static_assert(offsetof(struct ipc_msg, sender) == offsetof(struct keel_msg, sender), "head");
_Static_assert(offsetof(struct ipc_msg, rights) - offsetof(struct ipc_msg, handle) ==
                   offsetof(struct keel_msg, rights) - offsetof(struct keel_msg, handle),
               "handles");

#define UFIELD(umsg, f) ((umsg) + offsetof(struct keel_msg, f))
#define HANDLES_SIZE    (2 * sizeof(uint32_t) * KEEL_MSG_HANDLES)

/* [msg_copy_in] */
kstatus_t msg_copy_in(struct ipc_msg *m, uintptr_t umsg, uint32_t max_len)
{
	uint32_t buf;
	kstatus_t s = copy_from_user(m, umsg, HEAD_IN);

	if (s != KEEL_OK)
		return s;
	/* What a receive reported may come back unchanged in a reply. */
	if (m->flags & ~(uint32_t)(KEEL_MSG_MOVE | KEEL_MSG_RECEIVED))
		return KEEL_ERR_INVALID;
	m->flags &= KEEL_MSG_MOVE;
	if (m->len > max_len || m->nhandles > KEEL_MSG_HANDLES)
		return KEEL_ERR_RANGE;
	if (m->len != 0) {
		s = copy_from_user(&buf, UFIELD(umsg, buf), sizeof(buf));
		if (s == KEEL_OK)
			s = copy_from_user(m->buf, buf, m->len);
	}
	if (s == KEEL_OK && m->nhandles != 0)
		s = copy_from_user(m->handle, UFIELD(umsg, handle), HANDLES_SIZE);
	return s;
}
/* [msg_copy_in] */

/* Can the caller write all of [@addr, @addr + @size)? (@size <= a page:
 * its first and last bytes are on every page it touches.) */
kstatus_t msg_probe(uintptr_t addr, uint32_t size)
{
	if (size == 0)
		return KEEL_OK;
	if (!user_range_ok(addr, size))
		return KEEL_ERR_FAULT;
	kstatus_t s = arch_user_probe_write((void *)addr);
	return s == KEEL_OK ? arch_user_probe_write((void *)(addr + size - 1)) : s;
}

kstatus_t msg_prepare_recv(uintptr_t umsg, uintptr_t *buf, uint32_t *cap)
{
	uint32_t bc[2];
	kstatus_t s = msg_probe(umsg, sizeof(struct keel_msg));

	if (s == KEEL_OK)
		s = arch_user_copy(bc, (const void *)UFIELD(umsg, buf), sizeof(bc));
	if (s != KEEL_OK)
		return s;
	*buf = bc[0];
	*cap = bc[1] < KEEL_MSG_BUF_MAX ? bc[1] : KEEL_MSG_BUF_MAX;
	return msg_probe(*buf, *cap);
}

/* [msg_copy_out] */
kstatus_t msg_copy_out(uintptr_t umsg, struct ipc_msg *m, uintptr_t buf, uint32_t cap)
{
	uint32_t n = m->len;
	kstatus_t s = KEEL_OK;

	if (n > cap) {
		m->flags |= KEEL_MSG_TRUNCATED;
		n = cap;
	}
	/* msg_prepare_recv() checked the struct and the buffer: plain copies,
	 * a fault still caught (the receiver's own threads could have
	 * unmapped them since). */
	if (n != 0)
		s = arch_user_copy((void *)buf, m->buf, n);
	if (s == KEEL_OK && m->nhandles != 0)
		s = arch_user_copy((void *)UFIELD(umsg, handle), m->handle, HANDLES_SIZE);
	return s == KEEL_OK ? arch_user_copy((void *)umsg, m, HEAD_OUT) : s;
}
/* [msg_copy_out] */

/* May handle @i of @m leave @src's table as the message asks? Its slot in *slot. */
static kstatus_t handle_may_go(const struct ipc_msg *m, unsigned i, struct task *src,
                               const struct handle_slot **slot)
{
	bool move = m->flags & KEEL_MSG_MOVE;
	kstatus_t s =
	    handle_get(&src->handles, m->handle[i], KEEL_OBJ_NONE, KEEL_RIGHT_GRANT, slot);

	if (s != KEEL_OK)
		return s;
	if (m->rights[i] & ~(uint32_t)(*slot)->rights)
		return KEEL_ERR_DENIED; /* no more rights than the sender has */
	if (!move && (s = handle_may_derive(*slot)) != KEEL_OK)
		return s; /* a copy is derived: too deep, or its source is being revoked */
	if (move && (m->handle[i] == KEEL_SELF || ipc_owner_handle(src, m->handle[i], *slot)))
		return KEEL_ERR_DENIED; /* a task keeps its own name and what it answers for */
	if (move && task_hooks.may_move && (s = task_hooks.may_move(src, *slot)) != KEEL_OK)
		return s; /* what later slices' objects say (slice 5: originals of memory) */
	for (unsigned j = 0; move && j < i; j++)
		if (m->handle[j] == m->handle[i])
			return KEEL_ERR_INVALID; /* the same handle cannot leave twice */
	return KEEL_OK;
}

kstatus_t msg_handles_check(const struct ipc_msg *m)
{
	const struct handle_slot *slot;

	for (unsigned i = 0; i < m->nhandles; i++) {
		kstatus_t s = handle_may_go(m, i, task_current(), &slot);
		if (s != KEEL_OK)
			return s;
	}
	return KEEL_OK;
}

/* [msg_handles] */
/* Copy or move @from's handles from @src's table into @dst's, naming the
 * new ones in @to. Every check comes first, so it is all or nothing. */
static kstatus_t transfer_handles(struct ipc_msg *to, struct task *dst, const struct ipc_msg *from,
                                  struct task *src)
{
	const struct handle_slot *slot[KEEL_MSG_HANDLES];
	unsigned n = from->nhandles;

	if (dst->handles.size - dst->handles.used < n)
		return KEEL_ERR_LIMIT; /* the receiver has no room: nothing moves */
	for (unsigned i = 0; i < n; i++) {
		kstatus_t s = handle_may_go(from, i, src, &slot[i]);
		if (s != KEEL_OK)
			return s;
	}
	for (unsigned i = 0; i < n; i++) {
		struct handle_slot *h = (struct handle_slot *)slot[i];
		unsigned rights = from->rights[i] ? from->rights[i] : h->rights;
		kstatus_t s = KEEL_OK;
		if (from->flags & KEEL_MSG_MOVE) {
			h->rights = (uint16_t)rights; /* no more than it had: checked above */
			s = task_handle_move(src, h, &dst->handles, &to->handle[i]);
		} else {
			s = task_handle_copy(h, &dst->handles, -1, rights, &to->handle[i]);
		}
		assert(s == KEEL_OK); /* room and depth were checked above */
		(void)s;
		to->rights[i] = rights;
	}
	return KEEL_OK;
}
/* [msg_handles] */

/* [msg_transfer] */
kstatus_t msg_transfer(struct ipc_msg *to, struct task *dst, const struct ipc_msg *from,
                       struct task *src)
{
	if (from->nhandles != 0) {
		kstatus_t s = transfer_handles(to, dst, from, src);
		if (s != KEEL_OK)
			return s;
	}
	memcpy(to, from, HEAD_IN);
	to->flags = 0;
	to->sender = src->id;
	memcpy(to->buf, from->buf, from->len);
	return KEEL_OK;
}
/* [msg_transfer] */
