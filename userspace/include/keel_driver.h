/**
 * @file keel_driver.h
 * @brief The driver half of the restart protocol (keel_console.h), shared
 * by every driver: fetch the capabilities from devmgr, map the state
 * page, and serve DRV_WRITE and DRV_READ exactly once across restarts.
 *
 * A driver fills a struct drv_ops with what only it knows (how to serve
 * its interrupt, how to push output to its device) and calls drv_main().
 * Everything about sequence numbers, commits and resumption is in
 * lib/driver.c, once, so each driver is the story of its device alone.
 *
 * A driver is one thread. Its interrupts arrive as bits of its own
 * notification, bound to its request endpoint, so one receive returns
 * either a request or interrupt bits; while a write waits for its device
 * the driver waits on that notification alone, holding the console's
 * reply right (it has one request at a time, the console's window).
 */
#ifndef KEEL_DRIVER_H
#define KEEL_DRIVER_H

#include <keel_console.h>

struct drv;

/** @brief Points in a request where a test driver may inject a fault. */
enum drv_step {
	DRV_STEP_RECEIVED = 1,  /**< A request arrived; nothing of it is done. */
	DRV_STEP_HALF = 2,      /**< Half of a write's bytes are recorded. */
	DRV_STEP_COMMITTED = 3, /**< done_seq is committed; the reply is not sent. */
};

/** @brief What a driver supplies. */
struct drv_ops {
	const char *name; /**< For messages. */
	/** Serve the device after its interrupt (bits of the driver's notification):
	 *  add input to the state page's input ring, drain output. May be NULL. */
	void (*irq)(struct drv *d, uint32_t bits);
	/** Push output from the output ring to the device as far as it takes now.
	 *  NULL: the driver does not write (DRV_WRITE is NOT_IMPLEMENTED). */
	void (*kick)(struct drv *d);
	/** Called at each enum drv_step with the request's number. May be NULL. */
	void (*step)(struct drv *d, enum drv_step where, uint32_t seq);
};

/** @brief One driver's connection to devmgr and the console. */
struct drv {
	const struct drv_ops *ops;
	keel_handle_t h[DRV_HANDLES_MAX]; /**< DRV_HELLO's handles (enum drv_handle). */
	uint32_t nh;                      /**< How many came. */
	uint32_t flags;                   /**< enum drv_flags. */
	uint32_t input_bits;              /**< What to signal the console with. */
	keel_handle_t note;               /**< The driver's own notification (interrupts). */
	struct drv_state *st;             /**< The state page, mapped. */
};

/** @brief Only DRV_HELLO: fetch the handles into d->h (the console server uses it). */
int32_t drv_hello(struct drv *d);

/**
 * @brief Fetch the capabilities from devmgr through the boot endpoint
 * (KEEL_SPAWN_GIVEN), map the state page at DRV_STATE_ADDR and create the
 * notification for interrupts. A standby incarnation waits here until
 * devmgr wants it.
 * @return 0 or an error.
 */
int32_t drv_connect(struct drv *d);

/** @brief Serve requests and interrupts until the request endpoint is gone. */
int32_t drv_serve(struct drv *d);

/** @brief Add @p c to the input ring (interrupt side); false if it is full. */
bool drv_input(struct drv *d, uint8_t c);

/** @brief Bytes waiting in the output ring. */
static inline uint32_t drv_out_pending(const struct drv *d)
{
	return d->st->out_head - d->st->out_tail;
}

/** @brief The next byte of the output ring (drv_out_pending() > 0). */
static inline uint8_t drv_out_peek(const struct drv *d)
{
	return d->st->out_ring[d->st->out_tail & (DRV_RING - 1)];
}

/** @brief The driver has handed the device the byte drv_out_peek() showed. */
static inline void drv_out_done(struct drv *d)
{
	d->st->out_tail++;
}

#endif
