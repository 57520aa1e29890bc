/*
 * b_console.c - times slice 6's servers from ring 3 for `make bench`.
 *
 * The kernel spawns this program in the root task's place, so it holds
 * the hardware and starts the device manager itself, with the test driver
 * (t_dev_drv, which logs what it is asked to write in a page instead of
 * sending it to the UART, whose output would mix with these lines) in the
 * serial driver's role and no keyboard driver. By its argument it times:
 *   1  console_write_64: one CON_WRITE of 64 bytes from a client to the
 *      console server, which writes them to the VGA text page and sends
 *      them to the driver, and answers once the driver has: the end-to-end
 *      cost of a line of output.
 *   2  driver_restart: DM_RESTART of the driver (the device manager kills
 *      it), then a 1-byte CON_WRITE, which completes once the device
 *      manager has seen the driver end, started it again from the boot
 *      archive with its capabilities and state page, and the new one has
 *      served the console's resent request.
 * A write the console refuses for its client's rate (OVER_RATE) is not a
 * sample: the program waits for the bucket to refill and times it again.
 */
#include <ubench.h>

#include "srv_test.h"

#define REFILL_US 5000u /* the console's bucket refills 64 bytes in ~4 ms */

static struct dm_link dm;

/* One CON_WRITE of @len bytes, timed; false on an error. */
static bool timed_write(uint32_t len, uint64_t *gross)
{
	static const char text[64] = "0123456789abcdef0123456789abcdef0123456789abcdef012345678\n";

	for (;;) {
		struct keel_msg m = {.label = CON_WRITE, .buf = (void *)text, .len = len};
		uint64_t t0 = ubench_begin();
		int32_t r = keel_call(dm.console, &m, DM_WAIT_US);
		*gross = ubench_end() - t0;
		if (r == 0 && m.word[0] == len)
			return true;
		if (r != 0 || (int32_t)m.word[0] != KEEL_ERR_OVER_RATE)
			return false;
		keel_sleep_us(REFILL_US);
	}
}

static bool write_64(uint32_t arg, uint64_t *gross)
{
	(void)arg;
	return timed_write(64, gross);
}

static bool restart(uint32_t arg, uint64_t *gross)
{
	struct keel_msg m = {.label = DM_RESTART, .word = {DM_ROLE_SERIAL}};
	uint64_t write;

	(void)arg;
	keel_sleep_us(REFILL_US);
	uint64_t t0 = ubench_begin();
	if (keel_call(dm.control, &m, DM_WAIT_US) != 0 || m.word[0] != 0)
		return false;
	uint64_t t1 = ubench_end();
	if (!timed_write(1, &write))
		return false;
	*gross = t1 - t0 + write;
	return true;
}

int main(uint32_t op)
{
	struct dm_config cfg = {.flags = DM_FLAG_TEST_DRIVER | DM_FLAG_NO_KBD};
	int32_t log = keel_frames_alloc(KEEL_ROOT_MEMORY, LOG_PAGES);

	if (op < 1 || op > 2 || log < 0 || keel_frames_map(log, (void *)LOG_ADDR, KEEL_PROT_WRITE))
		return 1;
	memset((void *)LOG_ADDR, 0, sizeof(struct dev_log));
	cfg.serial_program = "t_dev_drv";
	cfg.test_handle = log;
	if (devmgr_start(&cfg, &dm) != 0) {
		printf("# b_console: cannot start the device manager\n");
		return 1;
	}
	int status = ubench_run_timed("b_console", op == 1 ? write_64 : restart, op);
	devmgr_stop(&dm);
	return status;
}
