/*
 * inherit.c - priority inheritance along chains of IPC calls.
 *
 * Each thread's node points up to its caller (whose reply right it
 * holds) and down to its server (who holds its own). A node's priority
 * is the higher of its base and its caller's, so a chain carries the
 * client's priority down to every server working for it, and a server
 * of middling priority cannot be starved while the client waits.
 *
 * Only two events change a chain. A link joins an idle server below a
 * caller: the server had no caller and no server, so its new priority
 * depends on the caller alone and nothing below it needs to move, which
 * is O(1). An unlink cuts a chain in two: the server loses what it
 * inherited, and each server below it gets what it still inherits from
 * above; that walk goes down at most INHERIT_CHAIN_MAX nodes, because
 * inherit_can_call() refuses a call that would make a chain longer.
 * depth follows the same rule as prio, so it stays a count of the
 * servers above a node and keeps the bound checkable.
 */
#include <keel/inherit.h>
#include <stddef.h>

/* What the rule gives @p n from its base and its caller (who is up to date). */
static uint8_t rule_prio(const struct inherit_node *n)
{
	if (n->caller != NULL && n->caller->prio > n->base)
		return n->caller->prio;
	return n->base;
}

/* What the rule gives @p n for depth (unsigned, so a bad caller's 255 cannot wrap to 0). */
static unsigned rule_depth(const struct inherit_node *n)
{
	return n->caller != NULL ? n->caller->depth + 1u : 0;
}

/* Bring @p n up to the rule, telling apply() if its prio moved. */
static void update(struct inherit_node *n, inherit_apply_fn apply, void *ctx)
{
	/* LAB 4: apply the rule to n: its depth and prio, and tell apply() */
	uint8_t prio = rule_prio(n);

	n->depth = (uint8_t)rule_depth(n);
	if (prio != n->prio) {
		n->prio = prio;
		apply(n, ctx);
	}
	/* LAB 4 STUB
	(void)n;
	(void)apply;
	(void)ctx;
	LAB 4 END */
}

void inherit_init(struct inherit_node *n, uint8_t base)
{
	n->caller = NULL;
	n->server = NULL;
	n->base = base;
	n->prio = base;
	n->depth = 0;
}

bool inherit_can_call(const struct inherit_node *caller)
{
	return caller->server == NULL && caller->depth + 1 <= INHERIT_CHAIN_MAX;
}

void inherit_link(struct inherit_node *server, struct inherit_node *caller, inherit_apply_fn apply,
                  void *ctx)
{
	server->caller = caller;
	caller->server = server;
	/* LAB 4: the server inherits from its caller */
	/* server calls no one, so no node below it has to follow. */
	update(server, apply, ctx);
	/* LAB 4 STUB
	(void)update;
	(void)apply;
	(void)ctx;
	LAB 4 END */
}

void inherit_unlink(struct inherit_node *server, inherit_apply_fn apply, void *ctx)
{
	if (server->caller == NULL)
		return;
	server->caller->server = NULL;
	server->caller = NULL;
	/* LAB 4: the server, and every server below it, back to the rule */
	/*
	 * server had depth >= 1 and no chain goes below INHERIT_CHAIN_MAX,
	 * so the walk meets at most INHERIT_CHAIN_MAX nodes; the count only
	 * makes sure a broken chain cannot keep it going. depth changes at
	 * every node, so the walk cannot stop early where prio holds.
	 */
	struct inherit_node *n = server;
	for (unsigned i = 0; n != NULL && i < INHERIT_CHAIN_MAX; i++, n = n->server)
		update(n, apply, ctx);
	/* LAB 4 STUB
	(void)apply;
	(void)ctx;
	LAB 4 END */
}

bool inherit_check(const struct inherit_node *n)
{
	if (n->caller != NULL && n->caller->server != n)
		return false;
	if (n->server != NULL && n->server->caller != n)
		return false;
	if (n->prio != rule_prio(n) || n->depth != rule_depth(n) || n->depth > INHERIT_CHAIN_MAX)
		return false;
	/* The chain above must end within the bound: a cycle never would. */
	const struct inherit_node *up = n;
	for (unsigned i = 0; i < INHERIT_CHAIN_MAX && up->caller != NULL; i++)
		up = up->caller;
	return up->caller == NULL;
}
