/*
 * root.c - the root task: the first program the kernel starts.
 *
 * The kernel spawns "root" from the boot archive once it is up (unless it
 * boots to run tests), with the originals of every capability: memory,
 * the boot archive, and from slice 6 the interrupt lines, the I/O ports
 * and device memory. Root starts user space:
 *
 *   1. it starts the device manager and hands it the hardware
 *      (devmgr_start(), lib/devlink.c); devmgr starts the serial and
 *      keyboard drivers and the console server;
 *   2. it starts hello with the console endpoint (CONSOLE_ARG), so hello
 *      prints through the console server, waits for it and reports.
 *
 * Root prints with DEBUG_WRITE, the kernel's debug path. Started by the
 * kernel at boot (KEEL_ROOT_ARG_BOOT), it then stays, waiting for
 * devmgr: the servers' capabilities are derived from root's originals
 * and would go with it. Run by a test (no KEEL_ROOT_ARG_BOOT), it stops
 * devmgr and the servers and ends, leaving nothing behind. The kernel's
 * argument also tells whether its monitor will read COM1
 * (KEEL_ROOT_ARG_MONITOR): then the serial driver leaves COM1's input
 * alone.
 */
#include <keel_console.h>

/* How long root waits for hello: far more than it needs, but bounded. */
#define ROOT_WAIT_US 5000000u

/* Start hello with the console (if there is one) and report how it ended. */
static int root_hello(keel_handle_t console)
{
	struct keel_spawn opts = {.give = console, .give_rights = KEEL_RIGHT_SEND};
	int32_t child, err;
	int status = 0;

	opts.arg = console ? CONSOLE_ARG : 0;
	child = keel_task_spawn("hello", 5, &opts);
	if (child < 0) {
		printf("root: cannot spawn hello: %s\n", keel_strerror(child));
		return 1;
	}
	err = keel_task_wait(child, &status, ROOT_WAIT_US);
	if (err < 0) {
		printf("root: waiting for hello failed: %s\n", keel_strerror(err));
		return 1;
	}
	printf("root: hello exited with status %d\n", status);
	keel_handle_close(child);
	return 0;
}

#if KEEL_SLICES >= 6
/* Booted by the kernel, root stays: the servers hold what it derived for
 * them, which would go with it. It waits for devmgr, which does not end
 * unless something is badly wrong, and says so if it does. */
static void root_stay(struct dm_link *dm)
{
	int status = 0;
	int32_t err = keel_task_wait(dm->task, &status, KEEL_TIMEOUT_NEVER);

	printf("root: the device manager ended (%s, status %d)\n",
	       err < 0 ? keel_strerror(err) : "waited", status);
}

/* Slice 6: the device manager, which starts the drivers and the console;
 * then hello, through the console. */
static int root_devices(uint32_t arg)
{
	struct dm_config cfg = {0};
	struct dm_link dm;
	int32_t err;

	cfg.flags = (arg & KEEL_ROOT_ARG_MONITOR) ? DM_FLAG_MONITOR : 0;
	err = devmgr_start(&cfg, &dm);
	if (err < 0)
		printf("root: cannot start the device manager: %s\n", keel_strerror(err));
	int status = root_hello(err < 0 ? 0 : dm.console);
	if (err == 0 && (arg & KEEL_ROOT_ARG_BOOT))
		root_stay(&dm);
	else if (err == 0)
		devmgr_stop(&dm); /* a test's run: nothing may be left behind */
	return status;
}
#endif

int main(uint32_t arg)
{
	printf("root: Keel's first user task, running in ring 3\n");
#if KEEL_SLICES >= 6
	return root_devices(arg);
#else
	(void)arg;
	return root_hello(0); /* before slice 6: no servers, hello prints itself */
#endif
}
