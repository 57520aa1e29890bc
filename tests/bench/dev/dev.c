/*
 * dev.c - benchmarks of slice 6's hot path: an interrupt delivered to a
 * driver in user mode (b_dev, userspace/tests/dev/b_dev.c, which says
 * how each is timed).
 *
 * irq_latency: from the instruction that makes the device interrupt to
 *   the driver thread running in ring 3 (the charter's "IRQ to a
 *   user-level handler", aim 1,000 cycles under KVM).
 * irq_round: make the interrupt, take it, serve the device, acknowledge:
 *   one whole round of a driver's loop, in one thread.
 * console_write_64, driver_restart: the servers (b_console,
 *   userspace/tests/dev/b_console.c): a 64-byte line written through the
 *   console server to its driver, and a driver killed and started again
 *   up to the moment it has served a request.
 */
#include <keel/kbench.h>

#include "../user/bench_program.h"

KBENCH_FLAGS(irq_latency, KBENCH_NET)
{
	bench_program("b_dev", 1);
}

KBENCH_FLAGS(irq_round, KBENCH_NET)
{
	bench_program("b_dev", 2);
}

KBENCH_FLAGS(console_write_64, KBENCH_NET)
{
	bench_program("b_console", 1);
}

KBENCH_FLAGS(driver_restart, KBENCH_NET)
{
	bench_program("b_console", 2);
}
