/*
 * srv_test.h - what the servers' test programs share: the fault-injection
 * driver's log and plan, and the roles of the test client.
 *
 * t_dev stands in for the root task: it starts devmgr with t_dev_drv in
 * the serial role. t_dev_drv is a driver like serial (lib/driver.c does
 * the protocol) whose device is a log in memory t_dev shares with it, and
 * which crashes or hangs where the plan in that memory says. t_dev reads
 * the log back to see what the "device" was given, byte for byte.
 */
#ifndef SRV_TEST_H
#define SRV_TEST_H

#include <keel_driver.h>
#include <utest.h>

#define LOG_PAGES 32u
#define LOG_ADDR  0x50000000u /* where t_dev and t_dev_drv map the log */
#define PLAN_MAX  8u

/* What t_dev_drv does at a planned request (counted from 1 across incarnations). */
enum fault_kind {
	FAULT_BEFORE = 1, /* crash as the request arrives: nothing of it done */
	FAULT_HALF = 2,   /* crash with half of a write's bytes in the device */
	FAULT_AFTER = 3,  /* crash after the commit, before the reply */
	FAULT_HANG = 4,   /* stop answering with half the bytes in: the console must call it hung */
};

struct dev_log {
	uint32_t requests;     /* requests t_dev_drv received, across incarnations */
	uint32_t incarnations; /* t_dev_drv's starts */
	uint32_t faults;       /* faults it carried out */
	uint32_t nplan;
	struct {
		uint32_t at, kind;
	} plan[PLAN_MAX];
	uint32_t len;     /* bytes in data */
	uint32_t dropped; /* bytes that did not fit */
	uint8_t data[LOG_PAGES * KEEL_PAGE_SIZE - 64 - 8 * PLAN_MAX];
};
_Static_assert(sizeof(struct dev_log) <= LOG_PAGES * KEEL_PAGE_SIZE, "the log fits its pages");

/* The roles of t_dev_client (its argument: role | client << 8 | count << 16). */
enum client_role {
	CLIENT_STREAM = 1, /* write count lines "cNN MMMMM\n", M = 0..count-1, each once */
	CLIENT_FLOOD = 2,  /* count writes of 256 bytes as fast as it can; expects OVER_RATE */
};
#define CLIENT_ARG(role, client, count)                                                            \
	(CONSOLE_ARG | (uint32_t)(role) | (uint32_t)(client) << 8 | (uint32_t)(count) << 16)
#define STREAM_LINE 10u /* "cNN MMMMM\n" */

#endif
