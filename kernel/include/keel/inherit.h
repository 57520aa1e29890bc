/**
 * @file inherit.h
 * @brief Priority inheritance along IPC calls: the bookkeeping.
 *
 * When a thread takes a call, it holds the caller's reply right, and
 * until it replies it must run at least at the caller's priority, or a
 * thread of middling priority could keep it (and so the caller) from
 * running: priority inversion. Each thread has a node. A node's caller
 * is the thread whose reply right it holds; its server is the thread
 * holding its own reply right while it waits for the reply. A thread
 * holds one reply right at most, so the links form chains:
 *
 *     client -> server A -> server B      (A, serving client, called B)
 *
 * and the rule is, for every node:
 *
 *     prio = max(base, caller ? caller->prio : 0)
 *
 * inherit_link() and inherit_unlink() keep that true. A change moves
 * down the chain (from a caller to its server, to that one's server...),
 * so each is bounded by the chain's length, which inherit_can_call()
 * keeps to at most INHERIT_CHAIN_MAX threads below the first client.
 *
 * Pure logic: the kernel embeds a node in each thread's IPC state, holds
 * sched_lock around every call, and passes an @c apply function that
 * gives the thread its new priority (requeueing it if it is READY).
 */
#ifndef KEEL_INHERIT_H
#define KEEL_INHERIT_H

#include <stdbool.h>
#include <stdint.h>

/** @brief The most servers one chain of nested calls may pass through. */
#define INHERIT_CHAIN_MAX 8

/** @brief A thread's place in the chains. */
struct inherit_node {
	struct inherit_node *caller; /**< Whose reply right it holds, or NULL. */
	struct inherit_node *server; /**< Who holds its reply right, or NULL. */
	uint8_t base;                /**< Its own priority. */
	uint8_t prio;                /**< Its priority now: max(base, caller's prio). */
	uint8_t depth;               /**< Servers above it: 0 with no caller, else caller's + 1. */
};

/** @brief Called when @p n's prio changed, to give its thread the new priority. */
typedef void (*inherit_apply_fn)(struct inherit_node *n, void *ctx);

/** @brief Make @p n a node with no links at priority @p base. */
void inherit_init(struct inherit_node *n, uint8_t base);

/**
 * @brief May @p caller make a call now? It must not be calling already
 * and, if it is itself a server, the chain must have room for one more
 * (depth + 1 <= INHERIT_CHAIN_MAX).
 */
bool inherit_can_call(const struct inherit_node *caller);

/**
 * @brief @p server takes @p caller's call: link them, and raise @p server
 * to the caller's priority if that is higher (apply() is called if its
 * prio changed). The server holds no caller and calls no one (it was
 * receiving); inherit_can_call(caller) held. O(1).
 */
void inherit_link(struct inherit_node *server, struct inherit_node *caller, inherit_apply_fn apply,
                  void *ctx);

/**
 * @brief The link between @p server and its caller ends (a reply, the
 * caller's timeout, or either's death): @p server drops back to its base,
 * and so does every server below it in the chain, to what they still
 * inherit; apply() is called for each node whose prio changed, in
 * chain order from @p server down. Bounded: at most INHERIT_CHAIN_MAX
 * nodes. No-op without a caller.
 */
void inherit_unlink(struct inherit_node *server, inherit_apply_fn apply, void *ctx);

/**
 * @brief Check @p n's invariants: its links agree with their other ends,
 * prio and depth follow the rule from its caller, the chain is within
 * INHERIT_CHAIN_MAX.
 * @return true if they hold.
 */
bool inherit_check(const struct inherit_node *n);

#endif
