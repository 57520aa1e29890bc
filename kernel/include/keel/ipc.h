/**
 * @file ipc.h
 * @brief Slice 4: inter-process communication. Endpoints (synchronous
 * send, receive, call and reply), notifications and bounded channels.
 *
 * What user programs see is the ABI (abi.h, "Messages"). This header is
 * what the rest of the kernel sees: start-up, the checks the tests run
 * after each program, and the pools the monitor and GDB walk.
 *
 * The design in one paragraph. An endpoint holds no messages, only two
 * FIFO wait queues: threads waiting to send (or call) and threads waiting
 * to receive. A message moves from one thread's kernel copy to the other
 * thread's in one step, when the two meet. A call leaves the receiver
 * holding a reply right, kept in its thread's IPC state (one per thread),
 * and links the two for priority inheritance (inherit.h). Notifications
 * are a word of bits and a wait queue; channels are a bounded ring
 * (msgq.h) and two wait queues. Everything is guarded by sched_lock,
 * since every operation both changes queues and wakes threads; every
 * path is O(1) apart from copying a message's bytes and handles, waking
 * all waiters of a destroyed object, and walking an inheritance chain
 * (at most INHERIT_CHAIN_MAX).
 */
#ifndef KEEL_IPC_H
#define KEEL_IPC_H

#include <keel/status.h>
#include <stdint.h>

/** @brief Endpoints that can exist at once. */
#define IPC_ENDPOINTS_MAX 64
/** @brief Notifications that can exist at once. */
#define IPC_NOTIFICATIONS_MAX 64
/** @brief Channels that can exist at once. */
#define IPC_CHANNELS_MAX 32

/** @brief Counters, for reports and the benchmarks. */
struct ipc_stats {
	uint64_t messages; /**< Messages delivered through endpoints. */
	uint64_t fastpath; /**< Of those, hand-offs that took the fast path. */
	uint64_t replies;  /**< Replies delivered. */
	uint64_t signals;  /**< Notifications signalled. */
	uint64_t queued;   /**< Messages put in channels. */
	uint64_t refused;  /**< Sends refused by a rate limit. */
};

/** @brief The counters. Guarded by sched_lock. */
extern struct ipc_stats ipc_stats;

/**
 * @brief Check every IPC object and every thread's IPC state: queues hold
 * only BLOCKED threads waiting on them, reply links agree at both ends,
 * inherited priorities follow the rule, no object outlives its owner.
 * @return KEEL_OK or KEEL_ERR_CORRUPT (the first problem is printed).
 */
kstatus_t ipc_check_all(void);

/**
 * @brief IPC objects alive now (endpoints, notifications, channels).
 * (Debug code: test images and the monitor only.)
 */
unsigned ipc_object_count(void);

/**
 * @brief Signal the notification whose id is @p id (a capability's object)
 * with @p bits, as NOTIFY_SIGNAL does: how slice 6 delivers an interrupt
 * or a task's end. sched_lock held; any context, interrupt handlers too.
 * @return KEEL_OK, or KEEL_ERR_GONE if it was destroyed since.
 */
kstatus_t ipc_notify_id(uint32_t id, uint32_t bits);

#endif
