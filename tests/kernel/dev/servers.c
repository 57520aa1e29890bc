/*
 * servers.c - in-kernel tests that run slice 6's servers in ring 3.
 *
 * The device manager, the console server and the drivers are user
 * programs, so their tests are too (userspace/tests/dev/): t_dev stands
 * in for the root task, starts devmgr, and checks what clients and a
 * fault-injecting driver see. Each case here spawns it with one case
 * number, waits and expects status 0 (its count of failed checks).
 * After each, every task t_dev started must be gone (devmgr stops the
 * servers, then itself) and the kernel's books must balance: no task, no
 * IPC object, no run of frames, line, port or watch left (dev_case.h).
 * `input` waits for someone to type; only tests/e2e/test_drivers.py runs
 * it, by name.
 */
#include "dev_case.h"

/* A driver that crashes (before, midway, after its commit) or hangs: every line once. */
PROGRAM_CASE(servers, crash_restart, "t_dev", 1)
PROGRAM_CASE(servers, hang_restart, "t_dev", 2)
/* The console under load, and under attack. */
PROGRAM_CASE(servers, flood, "t_dev", 3)
PROGRAM_CASE(servers, many_clients, "t_dev", 4)
PROGRAM_CASE(servers, bad_requests, "t_dev", 5)
/* The real serial and keyboard drivers on the real hardware. */
PROGRAM_CASE(servers, real_drivers, "t_dev", 6)

/* Typed and serial input reach a client: tests/e2e/test_drivers.py types it. */
KTEST_EXPLICIT_CASE(servers, input)
{
	KT_EXPECT_EQ(run_case("t_dev", 7), 0);
	expect_clean();
}
