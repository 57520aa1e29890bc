/*
 * hardware.c - in-kernel tests that run slice 6's hardware test programs
 * in ring 3.
 *
 * A driver's powers are what a user task can and cannot do, so these
 * tests are user programs (userspace/tests/dev/t_irq.c, t_hw.c), spawned
 * with one case number each and expected to end with status 0. After
 * each, nothing may be left: no task, no IPC object, no run of frames,
 * no line bound, no task allowed a port, no task watched. The kernel's
 * own count of interrupts delivered to drivers must match what the
 * program saw.
 */
#include <keel/irq.h>

#include "dev_case.h"

/* The line t_irq's clock interrupts on, and how many case 1 takes. */
#define RTC_LINE   8
#define DELIVERIES 5

static unsigned long delivered(unsigned line)
{
	struct dev_irq_info st;

	return dev_irq_state(line, &st) ? st.delivered : 0;
}

/*
 * A t_irq case, and the kernel's view of it: every interrupt the CPU took
 * on the clock's line was delivered to a driver (none came while the line
 * was masked, waiting for its acknowledgement), and @p want of them if
 * @p want is not -1.
 */
static void irq_case(unsigned which, long want)
{
	unsigned long taken = irq_count(RTC_LINE), given = delivered(RTC_LINE);

	KT_EXPECT_EQ(run_case("t_irq", which), 0);
	KT_EXPECT_EQ(irq_count(RTC_LINE) - taken, delivered(RTC_LINE) - given);
	if (want >= 0)
		KT_EXPECT_EQ(delivered(RTC_LINE) - given, (unsigned long)want);
	expect_clean();
}

/* t_irq: interrupts as notifications, counted by the kernel too. */
KTEST(irq, delivered_and_counted)
{
	irq_case(1, DELIVERIES);
}
KTEST(irq, unacknowledged_masked)
{
	irq_case(2, 2);
}
KTEST(irq, bad_binds)
{
	irq_case(3, 0);
}
KTEST(irq, driver_dies)
{
	irq_case(4, 2);
}
KTEST(irq, revoke_unbinds)
{
	irq_case(5, 0);
}
KTEST(irq, task_notify)
{
	irq_case(6, 0);
}

/* The lines the kernel keeps are not a driver's; the others are free. */
KTEST(irq, kernel_lines)
{
	struct dev_irq_info st;

	KT_ASSERT(dev_irq_state(2, &st));
	KT_EXPECT(!st.usable); /* the cascade */
	KT_ASSERT(dev_irq_state(RTC_LINE, &st));
	KT_EXPECT(st.usable && !st.bound && !st.waiting);
	KT_EXPECT(!dev_irq_state(KEEL_IRQ_LINES, &st));
}

/* t_hw: ports and device memory. */
PROGRAM_CASE(hw, ports_answer, "t_hw", 1)
PROGRAM_CASE(hw, bad_ports, "t_hw", 2)
PROGRAM_CASE(hw, port_faults, "t_hw", 3)
PROGRAM_CASE(hw, revoke_ports, "t_hw", 4)
PROGRAM_CASE(hw, vga_map, "t_hw", 5)
PROGRAM_CASE(hw, device_rights, "t_hw", 6)

/* Every case of both, in one run each: no case leaks into the next. */
KTEST(hw, all_cases_in_one_run)
{
	KT_EXPECT_EQ(run_case("t_irq", 0), 0);
	KT_EXPECT_EQ(run_case("t_hw", 0), 0);
	expect_clean();
}
