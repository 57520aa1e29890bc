/*
 * b_ipc.c - times IPC from ring 3 for `make bench`.
 *
 * The kernel's benchmark cases (tests/bench/ipc/ipc.c) spawn this program
 * with the operation to time as its argument:
 *   1  call + reply, the server a thread of this task (same address space)
 *   2  call + reply, the server another task (two address spaces)
 *   3  as 2, but each message carries 4 bytes, which the fast path
 *      leaves to the general one (the slow path)
 *   4  channel send + receive, by one thread
 *   5  notification signal + wait, by one thread
 *   6  call + reply across tasks with one handle copied in each call
 * A server runs the usual loop: receive, then reply-and-receive for ever
 * (an argument of 100 + the operation makes this program that server,
 * for the operations across tasks). Each sample is one round between the
 * same serialised timestamp pair b_syscall uses, net of the pair's own
 * cost, printed in the runner's "# bench samples" lines.
 */
#include <ubench.h>

#define SERVER_ARG 100
#define STACK_SZ   4096

/* [b_ipc_server] */
/* The server's loop: answer every call with its first word plus one. */
static int serve(uint32_t ep)
{
	static uint8_t buf[KEEL_MSG_BUF_MAX];
	struct keel_msg m = {.buf = buf, .cap = sizeof(buf)};
	int32_t s = keel_recv((keel_handle_t)ep, &m, KEEL_TIMEOUT_NEVER);

	while (s == 0) {
		for (unsigned i = 0; i < m.nhandles; i++)
			keel_handle_close(m.handle[i]);
		m.word[0]++;
		m.nhandles = 0; /* m.flags still says CALL: a reply may send it back */
		s = keel_reply_recv((keel_handle_t)ep, &m, KEEL_TIMEOUT_NEVER);
	}
	return s == KEEL_ERR_GONE ? 0 : 1; /* the client ended: the endpoint is gone */
}
/* [b_ipc_server] */

static int server_thread(uint32_t ep)
{
	return serve(ep);
}

/* Start the server for operation @op; the endpoint's handle, or an error. */
static int32_t start_server(uint32_t op)
{
	static uint8_t stack[STACK_SZ] __attribute__((aligned(16)));
	static struct keel_thread_start st = {server_thread, 0};
	int32_t ep = keel_endpoint_create(NULL);

	if (ep < 0)
		return ep;
	st.arg = (uint32_t)ep;
	if (op == 1)
		return keel_thread_start(&st, stack + sizeof(stack)) < 0 ? -1 : ep;
	struct keel_spawn opts = {
	    .arg = SERVER_ARG + op, .give = ep, .give_rights = KEEL_RIGHT_RECV | KEEL_RIGHT_SEND};
	return keel_task_spawn("b_ipc", 5, &opts) < 0 ? -1 : ep;
}

/* The handle operation 6 copies in each call: a notification of ours. */
static int32_t passed;

/* What the rounds act on: the endpoint, channel or notification. */
static int32_t target_handle;

/* One round of operation @op on target_handle. */
static bool one_round(uint32_t op)
{
	int32_t h = target_handle;
	static uint8_t bytes[4] = {1, 2, 3, 4};
	struct keel_msg m = {.label = 7, .word = {41}};
	uint32_t bits;

	switch (op) {
	case 3:
		m.buf = bytes;
		m.len = m.cap = sizeof(bytes);
		return keel_call(h, &m, KEEL_TIMEOUT_NEVER) == 0 && m.word[0] == 42;
	case 4:
		return keel_channel_send(h, &m, 0) == 0 && keel_channel_recv(h, &m, 0) == 0;
	case 5:
		return keel_notify_signal(h, 1) == 0 && keel_notify_wait(h, &bits, 0) == 0;
	case 6:
		m.nhandles = 1;
		m.handle[0] = passed;
		m.rights[0] = KEEL_RIGHT_SEND;
		/* fall through */
	default:
		return keel_call(h, &m, KEEL_TIMEOUT_NEVER) == 0 && m.word[0] == 42;
	}
}

static int32_t target(uint32_t op)
{
	if (op == 4)
		return keel_channel_create(1, 0, NULL);
	if (op == 5)
		return keel_notify_create();
	if (op == 6 && (passed = keel_notify_create()) < 0)
		return passed;
	return start_server(op);
}

int main(uint32_t op)
{
	if (op > SERVER_ARG)
		return serve(KEEL_SPAWN_GIVEN);
	if (op < 1 || op > 6)
		return 1;
	target_handle = target(op);
	if (target_handle < 0)
		return 1;
	/* Ending this task destroys the endpoint: a server task sees GONE. */
	return ubench_run("b_ipc", one_round, op);
}
