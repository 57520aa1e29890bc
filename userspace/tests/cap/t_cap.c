/*
 * t_cap.c - what deriving, revoking and closing capabilities do.
 *
 * The cases build derivation trees and check each fact CAP_INFO reports
 * (type, rights, depth, how many were derived) against what the calls
 * should have made: a derived capability has the rights asked for and is
 * one deeper than its source; closing one deletes what was derived from
 * it; revoking deletes everything derived, in this task and in others
 * (a child given a copy at spawn, a task sent one in a message), and
 * leaves the revoked capability itself working; a capability moved in a
 * message keeps its place in the tree. After each case the handle count
 * is what it was before.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "cap_test.h"

#define RIGHTS_RS (KEEL_RIGHT_READ | KEEL_RIGHT_SEND | KEEL_RIGHT_DERIVE | KEEL_RIGHT_GRANT)

/* A derived capability has what was asked for, one level deeper. */
static void case_derive(void)
{
	uint32_t before = ipc_handles_now();
	int32_t n = keel_notify_create(), d, dd;
	struct keel_cap_info i;

	if (!CHECK(n > 0))
		return;
	i = cap_info(n);
	CHECK_EQ(i.type, KEEL_OBJ_NOTIFICATION);
	CHECK_EQ(i.rights, KEEL_RIGHT_ALL);
	CHECK_EQ(i.depth, 0);
	CHECK_EQ(i.derived, 0);
	d = keel_cap_derive(n, RIGHTS_RS, 0);
	dd = keel_cap_derive(d, KEEL_RIGHT_SEND, 0);
	if (!CHECK(d > 0) || !CHECK(dd > 0))
		return;
	i = cap_info(d);
	CHECK_EQ(i.rights, RIGHTS_RS);
	CHECK_EQ(i.depth, 1);
	CHECK_EQ(i.derived, 1);
	CHECK_EQ(i.id, cap_info(n).id); /* the same object */
	i = cap_info(dd);
	CHECK_EQ(i.rights, KEEL_RIGHT_SEND);
	CHECK_EQ(i.depth, 2);
	CHECK_EQ(cap_derived(n), 2);
	/* What a capability allows is exactly its rights. */
	CHECK_EQ(keel_notify_signal(dd, 1), 0);
	uint32_t bits = 0;
	CHECK_EQ(keel_notify_wait(dd, &bits, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(bits, 1);
	CHECK_EQ(keel_cap_derive(dd, KEEL_RIGHT_SEND, 0), KEEL_ERR_DENIED); /* no DERIVE */
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK(!cap_live(d) && !cap_live(dd)); /* deleted with their source */
	CHECK_EQ(ipc_handles_now(), before);
}

/* Closing a capability deletes its subtree, not its siblings or its parent. */
static void case_close_subtree(void)
{
	uint32_t before = ipc_handles_now();
	int32_t n = keel_notify_create();
	int32_t a = keel_cap_derive(n, RIGHTS_RS, 0), b = keel_cap_derive(n, RIGHTS_RS, 0);
	int32_t a1 = keel_cap_derive(a, RIGHTS_RS, 0), a2 = keel_cap_derive(a, RIGHTS_RS, 0);
	int32_t a11 = keel_cap_derive(a1, KEEL_RIGHT_SEND, 0);

	if (!CHECK(n > 0 && a > 0 && b > 0 && a1 > 0 && a2 > 0 && a11 > 0))
		return;
	CHECK_EQ(cap_derived(n), 5);
	CHECK_EQ(cap_derived(a), 3);
	CHECK_EQ(keel_handle_close(a1), 0); /* a1 and the grandchild a11 */
	CHECK(!cap_live(a1) && !cap_live(a11));
	CHECK(cap_live(a) && cap_live(a2) && cap_live(b));
	CHECK_EQ(cap_derived(a), 1);
	CHECK_EQ(cap_derived(n), 3);
	CHECK_EQ(keel_handle_close(a), 0);
	CHECK(!cap_live(a2) && cap_live(b));
	CHECK_EQ(cap_derived(n), 1);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK(!cap_live(b));
	CHECK_EQ(ipc_handles_now(), before);
}

/* Revoking deletes everything derived, wide and deep, and keeps the capability. */
static void case_revoke_keeps_itself(void)
{
	uint32_t before = ipc_handles_now();
	int32_t n = keel_notify_create(), h = 0, first = 0;
	uint32_t made = 0, bits;

	if (!CHECK(n > 0))
		return;
	/* A chain of 20, each with a sibling: 40 in all. */
	for (int32_t from = n; made < 40; made += 2) {
		int32_t sib = keel_cap_derive(from, RIGHTS_RS, 0);
		h = keel_cap_derive(from, RIGHTS_RS, 0);
		if (!CHECK(sib > 0 && h > 0))
			break;
		first = first ? first : sib;
		from = h;
	}
	CHECK_EQ(cap_derived(n), made);
	CHECK_EQ(cap_info(h).depth, made / 2);
	CHECK_EQ(keel_cap_revoke(n), 0);
	CHECK_EQ(cap_derived(n), 0);
	CHECK(!cap_live(h) && !cap_live(first));
	CHECK_EQ(ipc_handles_now(), before + 1);
	CHECK_EQ(keel_notify_signal(n, 2), 0); /* the revoked one still works */
	CHECK_EQ(keel_notify_wait(n, &bits, 0), 0);
	CHECK_EQ(keel_cap_revoke(n), 0); /* nothing to revoke: still OK */
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(ipc_handles_now(), before);
}

/* A child given a copy at spawn loses it when it is revoked, while using it. */
static void case_revoke_in_child(void)
{
	int32_t n = keel_notify_create(), child;
	uint32_t bits = 0;

	if (!CHECK(n > 0))
		return;
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_USE, 0), n, KEEL_RIGHT_SEND);
	if (!CHECK(child > 0))
		return;
	CHECK_EQ(cap_derived(n), 1);                          /* the child's copy */
	CHECK_EQ(keel_notify_wait(n, &bits, IPC_WAIT_US), 0); /* it is signalling */
	CHECK_EQ(keel_cap_revoke(n), 0);
	CHECK_EQ(ipc_reap(child), -KEEL_ERR_BAD_HANDLE); /* its next use was refused */
	CHECK_EQ(cap_derived(n), 0);
	CHECK_EQ(keel_handle_close(n), 0);
}

/* A copy sent in a message is derived too: revoking reaches it in the other task. */
static void case_revoke_received(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL), n = keel_notify_create(), child;
	uint32_t bits = 0;

	if (!CHECK(ep > 0 && n > 0))
		return;
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_RECV_USE, 0), ep, KEEL_RIGHT_RECV);
	m.nhandles = 1;
	m.handle[0] = n;
	m.rights[0] = KEEL_RIGHT_SEND;
	CHECK_EQ(keel_send(ep, &m, IPC_WAIT_US), 0);
	CHECK_EQ(cap_derived(n), 1);
	CHECK_EQ(cap_derived(ep), 1); /* the child's, from spawn */
	CHECK_EQ(keel_notify_wait(n, &bits, IPC_WAIT_US), 0);
	CHECK_EQ(keel_cap_revoke(n), 0);
	CHECK_EQ(ipc_reap(child), -KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

/* A capability moved in a message keeps its place: depth, what hangs from it. */
static void case_move_keeps_place(void)
{
	static struct ipc_sink sink;
	static const struct keel_thread_start st = {ipc_sink_run, (uint32_t)&sink};
	struct keel_msg m = {0};
	int32_t n = keel_notify_create(), d, dd, moved;

	sink.ep = keel_endpoint_create(NULL);
	if (!CHECK(n > 0) || !ipc_sink_start(&sink, &st))
		return;
	d = keel_cap_derive(n, RIGHTS_RS, 0);
	dd = keel_cap_derive(d, KEEL_RIGHT_SEND, 0);
	m.nhandles = 1;
	m.handle[0] = d;
	m.flags = KEEL_MSG_MOVE;
	CHECK_EQ(ipc_sink_send(&sink, &m), 0);
	for (int i = 0; i < IPC_POLLS && sink.count == 0; i++)
		keel_sleep_us(IPC_POLL_US); /* until the sink has stored it */
	moved = sink.last.handle[0];
	ipc_sink_stop(&sink);
	CHECK(!cap_live(d)); /* moved away: the old name is stale */
	CHECK_EQ(cap_info(moved).depth, 1);
	CHECK_EQ(cap_derived(moved), 1); /* dd still hangs from it */
	CHECK_EQ(cap_derived(n), 2);
	CHECK_EQ(keel_cap_revoke(n), 0);
	CHECK(!cap_live(moved) && !cap_live(dd));
	CHECK_EQ(keel_handle_close(n), 0);
	ipc_await_threads(1);
	CHECK_EQ(keel_handle_close(sink.ep), 0);
}

/* The original of an object goes last: closing it ends the object and every copy. */
static void case_original_ends_object(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL), c;

	if (!CHECK(ep > 0))
		return;
	c = keel_cap_derive(ep, KEEL_RIGHT_SEND | KEEL_RIGHT_RECV, 0);
	CHECK_EQ(keel_send(c, &m, 0), KEEL_ERR_TIMED_OUT); /* nobody receives */
	CHECK_EQ(keel_handle_close(c), 0);                 /* a copy: the endpoint lives */
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_TIMED_OUT);
	c = keel_cap_derive(ep, KEEL_RIGHT_SEND, 0);
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(keel_send(c, &m, 0), KEEL_ERR_BAD_HANDLE); /* deleted with it */
	CHECK_EQ(keel_handle_close(c), KEEL_ERR_BAD_HANDLE);
}

static const struct utest_case cases[] = {
    {"derive", case_derive},
    {"close_subtree", case_close_subtree},
    {"revoke_keeps_itself", case_revoke_keeps_itself},
    {"revoke_in_child", case_revoke_in_child},
    {"revoke_received", case_revoke_received},
    {"move_keeps_place", case_move_keeps_place},
    {"original_ends_object", case_original_ends_object},
};

int main(uint32_t which)
{
	return utest_run("t_cap", cases, sizeof(cases) / sizeof(cases[0]), which);
}
