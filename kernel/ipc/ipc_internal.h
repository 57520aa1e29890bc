/*
 * ipc_internal.h - what the files of kernel/ipc/ share: the objects, each
 * thread's IPC state, and the steps every operation is made of.
 *
 * Every function here expects sched_lock held unless it says otherwise
 * (the copies to and from user memory are made without it).
 */
#ifndef KEEL_IPC_INTERNAL_H
#define KEEL_IPC_INTERNAL_H

#include <keel/abi.h>
#include <keel/inherit.h>
#include <keel/ipc.h>
#include <keel/msgq.h>
#include <keel/rate.h>
#include <keel/sched.h>
#include <keel/task.h>
#include <keel/wait.h>

/* The pool slot an object's id names (the generation is above). */
#define ID_SLOT(id) ((id)&0xffu)

/* What every object starts with: its id (pool slot in the low 8 bits,
 * generation above; 0 when free), its owner, and the handle the owner
 * was given at creation (closing it destroys the object). */
struct ipc_object {
	uint32_t id;
	uint32_t gen; /* the slot's generation, kept while it is free */
	struct task *owner;
	keel_handle_t owner_handle;
	struct rate rate;
};

/* [struct_endpoint] */
struct endpoint {
	struct ipc_object obj;
	struct waitq senders;   /* threads in IPC_SEND or IPC_CALL, first come first served */
	struct waitq receivers; /* threads in IPC_RECV or IPC_REPLY_RECV */
	uint64_t messages;      /* delivered through it */
};
/* [struct_endpoint] */

struct notification {
	struct ipc_object obj;
	uint32_t bits;        /* signalled, not yet taken */
	struct waitq waiters; /* threads in NOTIFY_WAIT */
	struct thread *bound; /* the thread bound to it (NOTIFY_BIND), or NULL */
	uint64_t signals;
};

struct channel {
	struct ipc_object obj;
	struct msgq q;
	void *mem; /* the ring's slots, allocated at creation */
	uint32_t max_len;
	struct waitq senders;   /* waiting for room */
	struct waitq receivers; /* waiting for a message */
};

/* [struct_ipc_msg] */
/* A message in the kernel: the sender's copy, or what a receiver got. */
struct ipc_msg {
	uint32_t label, flags, len, nhandles;
	uint32_t word[KEEL_MSG_WORDS];
	uint32_t sender; /* the sending task's id */
	keel_handle_t handle[KEEL_MSG_HANDLES];
	uint32_t rights[KEEL_MSG_HANDLES];
	uint8_t buf[KEEL_MSG_BUF_MAX];
};
/* [struct_ipc_msg] */

/* [struct_ipc_thread] */
/* A thread's IPC state, kept beside its struct thread (same pool slot). */
struct ipc_thread {
	struct thread *thread;   /* whose state this is; its tid below */
	tid_t tid;               /* the state is reset when the slot's thread changes */
	struct inherit_node pi;  /* caller, server, inherited priority */
	bool calling;            /* its message is a call: it wants a reply */
	bool caller_gone;        /* the caller it held a reply right for left */
	struct waitq reply_wait; /* where it waits for its reply */
	struct notification *bound;
	struct ipc_msg msg; /* what it sends, or what it received */
};
/* [struct_ipc_thread] */

/* -- object.c ------------------------------------------------------------ */
extern struct endpoint ipc_endpoints[IPC_ENDPOINTS_MAX];
extern struct notification ipc_notifications[IPC_NOTIFICATIONS_MAX];
extern struct channel ipc_channels[IPC_CHANNELS_MAX];

/* Object @slot of @type's pool (KEEL_OBJ_ENDPOINT...), or NULL past its end. */
struct ipc_object *ipc_pool_at(unsigned type, unsigned slot);
/* The IPC state of @t (reset first if it belonged to an earlier thread). */
struct ipc_thread *ipc_self_of(struct thread *t);
/* The IPC state of the calling thread. */
struct ipc_thread *ipc_self(void);
/* The thread whose inheritance node is @n. */
struct ipc_thread *ipc_of_node(struct inherit_node *n);

/* The object of @type (KEEL_OBJ_ENDPOINT...) that handle @h of the caller
 * names, if it carries @rights: BAD_HANDLE, WRONG_TYPE, DENIED, or GONE
 * (the object was destroyed). */
kstatus_t ipc_lookup(keel_handle_t h, unsigned type, unsigned rights, void **out);

/* Take a free object of @type, owned by the caller, with a rate bucket
 * from @limits (may be NULL). NO_MEMORY when the pool is empty, INVALID
 * for bad limits. Not yet named by a handle: ipc_publish() does that. */
kstatus_t ipc_object_new(unsigned type, const struct keel_ipc_limits *limits,
                         struct ipc_object **out);
/* Name new object @o in the caller's table; on failure, free it. Returns
 * the handle or the error. */
int32_t ipc_publish(unsigned type, struct ipc_object *o);
/* Destroy @o: every waiter gets GONE, every handle to it is stale. */
void ipc_object_destroy(unsigned type, struct ipc_object *o);

/* Is @h (in @slot of @t's table) the handle an IPC object was created
 * with, which its owner may close (destroying it) but not move? */
bool ipc_owner_handle(struct task *t, keel_handle_t h, const struct handle_slot *slot);

/* Does @o let one more message through now? Counts a refusal if not. */
bool ipc_rate_ok(struct ipc_object *o);

/* Give the thread of @n the priority its node says (inherit_apply_fn). */
void ipc_apply_prio(struct inherit_node *n, void *ctx);

/* -- msg.c --------------------------------------------------------------- */
/* Without sched_lock. Copy the user message at @umsg into @m: the head,
 * and the bytes and handles it says it has. @in_flags: the flags allowed. */
kstatus_t msg_copy_in(struct ipc_msg *m, uintptr_t umsg, uint32_t max_len);
/* Without sched_lock. Read where a received message's bytes go (buf, cap)
 * and check that the struct and the buffer can be written. */
kstatus_t msg_prepare_recv(uintptr_t umsg, uintptr_t *buf, uint32_t *cap);
/* Without sched_lock. Write @m to the user message at @umsg (checked by
 * msg_prepare_recv()), its bytes to @buf (at most @cap; if cut, @m's
 * flags gain TRUNCATED). */
kstatus_t msg_copy_out(uintptr_t umsg, struct ipc_msg *m, uintptr_t buf, uint32_t cap);
/* Without sched_lock. Can the caller write [@addr, @addr + @size), @size <= a page? */
kstatus_t msg_probe(uintptr_t addr, uint32_t size);
/* Move message @from (of task @src) into @to (for task @dst): the head,
 * the bytes, and the handles, which leave @src's table for @dst's (copied
 * or moved) all or nothing. */
kstatus_t msg_transfer(struct ipc_msg *to, struct task *dst, const struct ipc_msg *from,
                       struct task *src);
/* sched_lock held. May every handle of @m leave the caller's table as @m
 * asks (live, GRANT, no more rights, not its own name)? Checked before a
 * send, call or reply waits, so a refusal comes at once; msg_transfer()
 * checks again when the message goes. */
kstatus_t msg_handles_check(const struct ipc_msg *m);

/* -- endpoint.c ---------------------------------------------------------- */
kstatus_t ep_send(struct endpoint *ep, bool call, uint64_t timeout_us);
kstatus_t ep_recv(struct endpoint *ep, uint64_t timeout_us);
kstatus_t ep_reply(void);
/* A call: the fast path if it applies, else ep_send(). */
kstatus_t ep_call(struct endpoint *ep, uint64_t timeout_us);
/* IPC_RECV (@reply false) or IPC_REPLY_RECV (@reply true). */
kstatus_t ep_reply_then_recv(struct endpoint *ep, bool reply, uint64_t timeout_us);
/* Is @t blocked in a receive on an endpoint? */
bool ipc_waiting_to_receive(const struct thread *t);
/* A thread is ending: the reply right it holds, and its binding, go. */
void ep_thread_leaving(struct thread *t);
/* Deliver @bits from a notification to @t, bound and waiting in a receive. */
void ep_deliver_notification(struct thread *t, uint32_t bits);
/* The leave function of every thread's reply_wait: the caller gave up
 * (timeout) or is being killed; its server loses the reply right. */
void ep_reply_wait_left(struct waitq *wq, struct thread *t, kstatus_t why);
/* Link server @s to caller @c (the reply right and the inheritance). */
void ep_link(struct ipc_thread *s, struct ipc_thread *c);

/* -- fastpath.c ---------------------------------------------------------- */
/* Try the fast path of a call on @ep with the message already in the
 * caller's state. true if it was taken (then *status is the call's result). */
bool fastpath_call(struct endpoint *ep, uint64_t timeout_us, kstatus_t *status);
/* Try the fast path of reply then receive on @ep. */
bool fastpath_reply_recv(struct endpoint *ep, uint64_t timeout_us, kstatus_t *status);

/* -- notify.c, channel.c ------------------------------------------------- */
void notify_destroyed(struct notification *n);
void channel_destroyed(struct channel *c);
/* Give new channel @c its ring in @mem (msgq_bytes(depth, max_len) bytes). */
kstatus_t channel_setup(struct channel *c, void *mem, uint32_t depth, uint32_t max_len);
kstatus_t notify_signal(struct notification *n, uint32_t bits);
kstatus_t notify_wait(struct notification *n, uint32_t *bits, uint64_t timeout_us);
kstatus_t notify_bind(struct notification *n);
kstatus_t channel_send(struct channel *c, uint64_t timeout_us);
kstatus_t channel_recv(struct channel *c, uint64_t timeout_us);

/* -- syscall_ipc.c, syscall_chan.c ----------------------------------------- */
/* Run @expr under sched_lock, then let a woken thread of higher priority run. */
#define LOCKED(expr)                                                                               \
	({                                                                                         \
		spinflags_t flags_ = spin_lock(&sched_lock);                                       \
		kstatus_t s_ = (expr);                                                             \
		spin_unlock(&sched_lock, flags_);                                                  \
		sched_preempt();                                                                   \
		s_;                                                                                \
	})
/* Look up handle @h of the caller as an object of @type (KEEL_OBJ_...)
 * with @rights, as @var of type @ctype, then evaluate @op; or give the
 * lookup's error. sched_lock held. */
#define ON_OBJECT(type, ctype, var, h, rights, op)                                                 \
	({                                                                                         \
		ctype *var;                                                                        \
		kstatus_t st_ = ipc_lookup((keel_handle_t)(h), type, rights, (void **)&var);       \
		st_ == KEEL_OK ? (op) : st_;                                                       \
	})
#define ON_ENDPOINT(h, rights, op) ON_OBJECT(KEEL_OBJ_ENDPOINT, struct endpoint, ep, h, rights, op)
#define ON_NOTIFY(h, rights, op)                                                                   \
	ON_OBJECT(KEEL_OBJ_NOTIFICATION, struct notification, n, h, rights, op)
#define ON_CHANNEL(h, rights, op) ON_OBJECT(KEEL_OBJ_CHANNEL, struct channel, c, h, rights, op)
/* A timeout from user space in the kernel's units. */
uint64_t timeout_of(uint32_t us);
/* Copy the optional limits at @ulimits (0: none) into @lim. */
kstatus_t limits_in(uintptr_t ulimits, struct keel_ipc_limits *lim);
void ipc_syscalls_install(void);
void syscall_channel_install(void);

#endif
