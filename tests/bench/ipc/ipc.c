/*
 * ipc.c - benchmarks of slice 4's hot paths, measured from ring 3.
 *
 * Like slice 3's, these cases spawn a user program, b_ipc, which times
 * each round trip itself with the runner's timestamp pair (net of the
 * pair's own cost) and prints its samples in the runner's format.
 *
 * call_reply: a call and its reply, server a thread of the same task.
 *   This is also the name the Linux side-by-side table looks for
 *   (scripts/bench-linux): Keel's cross-address-space round trip is
 *   call_reply_cross; both are printed.
 * call_reply_cross: the same with the server in another task (two
 *   address spaces): the charter's IPC figure.
 * call_reply_slow: as cross, with 4 bytes in each message, so the
 *   general path runs instead of the fast path.
 * channel: a channel send and receive by one thread.
 * notify: a notification signal and wait by one thread.
 * call_handle: as cross, with one handle copied in each call (and
 *   closed by the server).
 */
#include <keel/kbench.h>

#include "../user/bench_program.h"

static void ipc_bench(uint32_t op)
{
	bench_program("b_ipc", op);
}

KBENCH_FLAGS(call_reply, KBENCH_NET)
{
	ipc_bench(1);
}

KBENCH_FLAGS(call_reply_cross, KBENCH_NET)
{
	ipc_bench(2);
}

KBENCH_FLAGS(call_reply_slow, KBENCH_NET)
{
	ipc_bench(3);
}

KBENCH_FLAGS(channel, KBENCH_NET)
{
	ipc_bench(4);
}

KBENCH_FLAGS(notify, KBENCH_NET)
{
	ipc_bench(5);
}

KBENCH_FLAGS(call_handle, KBENCH_NET)
{
	ipc_bench(6);
}
