/*
 * dev_test.h - what slice 6's test programs share: the real-time clock
 * as a device that interrupts when asked, and a peer task in a role.
 *
 * The clock (CMOS RTC, ports 0x70 and 0x71, interrupt line 8) is the test
 * device: nothing else in Keel uses it, it interrupts periodically once
 * register B's PIE bit is set, and it raises its next interrupt only after
 * register C has been read, the way most devices want their cause
 * cleared. The IPC helpers (spawning with a handle, reaping, settling)
 * come from slice 4's ipc_test.h, the capability ones from cap_test.h.
 */
#ifndef DEV_TEST_H
#define DEV_TEST_H

#include <keel_io.h>

#include "../cap/cap_test.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define RTC_IRQ   8
#define RTC_REG_A 0x0a /* rate in the low 4 bits */
#define RTC_REG_B 0x0b /* 0x40: periodic interrupts on */
#define RTC_REG_C 0x0c /* read: what interrupted (and clears it) */
#define RTC_PIE   0x40
#define RTC_RATE  6 /* 1,024 interrupts a second */

/* The VGA text buffer's page in KEEL_ROOT_DEVICE (0xB8000 - 0xA0000). */
#define VGA_PAGE 0x18

/* A fault from a port the task may not use: a general protection fault. */
#define PORT_FAULT (KEEL_FAULT_STATUS | 13)
/* A fault from writing memory mapped read-only: a page fault. */
#define WRITE_FAULT (KEEL_FAULT_STATUS | 14)

static inline uint8_t rtc_read(uint8_t reg)
{
	keel_outb(RTC_INDEX, reg);
	return keel_inb(RTC_DATA);
}

static inline void rtc_write(uint8_t reg, uint8_t v)
{
	keel_outb(RTC_INDEX, reg);
	keel_outb(RTC_DATA, v);
}

/*
 * Periodic interrupts on (@on) or off. The clock sets its periodic flag
 * every period whether or not it may interrupt, so a flag left from
 * before is cleared first: turned on with it set, the clock would
 * interrupt at once, and the interrupt's cause could be read here rather
 * than by the driver. Turned off, a request still pending is cleared.
 */
static inline void rtc_periodic(bool on)
{
	rtc_write(RTC_REG_A, (uint8_t)((rtc_read(RTC_REG_A) & 0xf0) | RTC_RATE));
	rtc_read(RTC_REG_C);
	rtc_write(RTC_REG_B, (uint8_t)((rtc_read(RTC_REG_B) & ~RTC_PIE) | (on ? RTC_PIE : 0)));
	if (!on)
		rtc_read(RTC_REG_C);
}

/* The roles of t_dev_peer (its argument: DEV_PEER(role, param)). */
enum dev_peer_role {
	DEVPEER_PORT_NONE = 1,    /* use a port without enabling any: a fault ends it */
	DEVPEER_PORT_OUTSIDE = 2, /* enable GIVEN (the clock's ports), use 0x60: a fault */
	DEVPEER_PORT_CLOSED = 3,  /* enable GIVEN, close it, use its port: a fault */
	DEVPEER_PORT_LOOP = 4,    /* enable GIVEN, use its port (sleeping) until a fault */
	DEVPEER_WRITE_RO = 5,     /* map GIVEN (device memory) read-only, write: a fault */
	DEVPEER_IRQ_HOLD = 6,     /* bind GIVEN (line 8), take one interrupt, end unacknowledged
	                             (the spawner turns the clock on once it waits) */
	DEVPEER_EXIT = 7,         /* exit with status param */
	DEVPEER_IRQ_SHOW = 8,     /* spawned by the kernel: bind line 8 through its own root
	                             capabilities, take one interrupt, then wait for ever */
};

#define DEV_PEER(role, param) ((uint32_t)(role) | (uint32_t)(param) << 8)

/* Spawn t_dev_peer in @role with @param, giving it @give with @rights. */
static inline int32_t dev_peer(enum dev_peer_role role, uint32_t param, keel_handle_t give,
                               uint32_t rights)
{
	return ipc_spawn("t_dev_peer", DEV_PEER(role, param), give, rights);
}

#endif
