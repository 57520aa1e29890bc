/*
 * t_ipc_show.c - IPC objects in every state the monitor's `ipc` and GDB's
 * `keel ipc` report, held still until the task is killed.
 *
 * The in-kernel test ipc.ipc_monitor.objects (and tests/e2e/test_gdb_ipc.py
 * through it) spawns this program and waits until its four threads are
 * BLOCKED. They then stay so for ever:
 *   server  (priority 50) took client's call on endpoint "served" and
 *           holds its reply right, inheriting 100; it waits on notification
 *           "idle", which nobody signals;
 *   client  (100) waits for that reply;
 *   worker  (100) waits to receive on endpoint "quiet";
 *   main    (100) is bound to notification "bits", which holds bits 0x5,
 *           has put one message of 3 bytes in the channel (depth 4,
 *           max_len 16), and waits to call endpoint "unserved".
 * Endpoint "served" has a rate limit of 1000 a second in bursts of 8.
 */
#include <keel_user.h>

#define STACK_SZ     4096
#define SERVER_PRIO  50
#define SHOW_BITS    0x5u
#define CHANNEL_LEN  16
#define CHANNEL_SIZE 4

static int32_t served, quiet, unserved, idle, bits, channel;

/* Take the call on "served", then wait where nobody will wake it. */
static int server(uint32_t arg)
{
	struct keel_msg m = {0};
	uint32_t got;

	(void)arg;
	if (keel_recv(served, &m, KEEL_TIMEOUT_NEVER) != 0)
		return 1;
	return keel_notify_wait(idle, &got, KEEL_TIMEOUT_NEVER);
}

static int client(uint32_t arg)
{
	struct keel_msg m = {.label = 1, .word = {41}};

	(void)arg;
	return keel_call(served, &m, KEEL_TIMEOUT_NEVER);
}

static int worker(uint32_t arg)
{
	struct keel_msg m = {0};

	(void)arg;
	return keel_recv(quiet, &m, KEEL_TIMEOUT_NEVER);
}

/* Start fn at @prio on its own stack; false if the kernel refused. */
static bool start(int (*fn)(uint32_t), unsigned i, uint32_t prio)
{
	static uint8_t stacks[3][STACK_SZ] __attribute__((aligned(16)));
	static struct keel_thread_start st[3];

	st[i].fn = fn;
	return keel_thread_create((uint32_t)keel_thread_entry, (uint32_t)(stacks[i] + STACK_SZ),
	                          (uint32_t)&st[i], prio) >= 0;
}

static bool create_objects(void)
{
	struct keel_ipc_limits limits = {.rate = 1000, .burst = 8};

	served = keel_endpoint_create(&limits);
	quiet = keel_endpoint_create(NULL);
	unserved = keel_endpoint_create(NULL);
	idle = keel_notify_create();
	bits = keel_notify_create();
	channel = keel_channel_create(CHANNEL_SIZE, CHANNEL_LEN, NULL);
	return served >= 0 && quiet >= 0 && unserved >= 0 && idle >= 0 && bits >= 0 && channel >= 0;
}

int main(uint32_t arg)
{
	static uint8_t body[3] = {1, 2, 3};
	struct keel_msg m = {.label = 2, .buf = body, .len = sizeof(body)};

	(void)arg;
	if (!create_objects() || !start(worker, 0, KEEL_PRIO_USER) ||
	    !start(server, 1, SERVER_PRIO) || !start(client, 2, KEEL_PRIO_USER))
		return 1;
	if (keel_notify_bind(bits) != 0 || keel_notify_signal(bits, SHOW_BITS) != 0 ||
	    keel_channel_send(channel, &m, 0) != 0)
		return 2;
	m = (struct keel_msg){.label = 3};
	return keel_call(unserved, &m, KEEL_TIMEOUT_NEVER); /* until killed */
}
