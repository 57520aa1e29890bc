/*
 * root.c - the root task: the first program the kernel starts.
 *
 * The kernel spawns "root" from the boot archive once it is up (unless it
 * boots to run tests), with the originals of every capability: memory,
 * the boot archive, and from slice 6 the interrupt lines, the I/O ports
 * and device memory. Root starts user space and ends:
 *
 *   1. it starts the device manager and hands it the hardware
 *      (devmgr_start(), lib/devlink.c); devmgr starts the serial and
 *      keyboard drivers and the console server;
 *   2. it starts hello with the console endpoint (CONSOLE_ARG), so hello
 *      prints through the console server, waits for it and reports.
 *
 * Root prints with DEBUG_WRITE, the kernel's debug path. Before it ends
 * it stops devmgr and the servers (see main), and the kernel monitor
 * starts (DEV images).
 * The kernel's argument tells whether that monitor will read COM1
 * (ROOT_ARG_MONITOR): then the serial driver leaves COM1's input alone.
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

int main(uint32_t arg)
{
	struct dm_config cfg = {.move = true};
	struct dm_link dm;
	int32_t err;

	printf("root: Keel's first user task, running in ring 3\n");
	cfg.flags = (arg & ROOT_ARG_MONITOR) ? DM_FLAG_MONITOR : 0;
	err = devmgr_start(&cfg, &dm);
	if (err < 0)
		printf("root: cannot start the device manager: %s\n", keel_strerror(err));
	int status = root_hello(err < 0 ? 0 : dm.console);
	/* The servers cannot outlive root: what devmgr holds is derived from
	 * root's originals, which do not move, and goes when root ends. So
	 * root stops them rather than leave drivers without their hardware. */
	if (err == 0)
		devmgr_stop(&dm);
	return status;
}
