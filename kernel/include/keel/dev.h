/**
 * @file dev.h
 * @brief Hardware as capabilities (slice 6, kernel/dev/): interrupt lines
 * delivered to user drivers as notifications, I/O ports a task may use
 * directly, device memory mapped uncached, and a task's end signalled to
 * whoever watches it. The system calls are abi.h's ("Hardware"); this
 * header is what reports, tests and the monitor may ask.
 */
#ifndef KEEL_DEV_H
#define KEEL_DEV_H

#include <stdbool.h>
#include <stdint.h>

/** @brief The one device-memory object's id (the legacy hole). */
#define DEV_DEVICE_ID 1
/** @brief The interrupt-line object's id (every line is one object). */
#define DEV_IRQ_ID 1
/** @brief The I/O-port object's id (the port space is one object). */
#define DEV_IOPORT_ID 1

/** @brief What the kernel knows of one interrupt line. */
struct dev_irq_info {
	bool usable;             /**< A user driver may bind it (not the kernel's own). */
	bool bound;              /**< Bound to a notification through a capability. */
	bool waiting;            /**< Delivered and masked: waiting for IRQ_ACK. */
	uint32_t task;           /**< The binding capability's holder's id, or 0. */
	uint32_t notification;   /**< The notification's id, or 0. */
	uint32_t bits;           /**< The bits it is signalled with. */
	unsigned long delivered; /**< Interrupts delivered to drivers since boot. */
};

/**
 * @brief Fill @p out with line @p line's state. Any context; the fields are
 * read without the lock, so a report may see a bind half done.
 * @return false if there is no such line.
 */
bool dev_irq_state(unsigned line, struct dev_irq_info *out);

/** @brief Lines bound now (tests check none is left after a test). */
unsigned dev_irq_bound_count(void);

/** @brief Tasks that may use some I/O port now (tests check none is left). */
unsigned dev_ioport_tasks(void);

/** @brief Tasks a notification watches for their end now (TASK_NOTIFY). */
unsigned dev_watch_count(void);

#endif
