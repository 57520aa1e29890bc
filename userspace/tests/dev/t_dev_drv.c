/*
 * t_dev_drv.c - a driver built to fail, for slice 6's restart tests.
 *
 * It stands in for the serial driver: devmgr gives it the same request
 * endpoint, state page and input notification, and instead of COM1 a
 * log page of t_dev's (struct dev_log). Its "device" is that log: kick
 * moves the output ring's bytes into it. At the requests its plan names
 * it crashes (a write to address 0: the kernel ends it) or hangs, at one
 * of the points lib/driver.c offers (enum drv_step). Everything else is
 * the real protocol code, so what t_dev reads back in the log is what a
 * real device would have been given.
 */
#include "srv_test.h"

static struct dev_log *log;

static void drv_kick(struct drv *d)
{
	while (drv_out_pending(d) > 0) {
		if (log->len < sizeof(log->data))
			log->data[log->len++] = drv_out_peek(d);
		else
			log->dropped++;
		drv_out_done(d);
	}
}

static void fault(uint32_t kind)
{
	log->faults++;
	if (kind == FAULT_HANG)
		for (;;)
			keel_sleep_us(1000000);
	*(volatile uint32_t *)0 = 0; /* the kernel ends the task: a crash */
}

static void drv_step(struct drv *d, enum drv_step where, uint32_t seq)
{
	static const enum drv_step when[] = {
	    [FAULT_BEFORE] = DRV_STEP_RECEIVED,
	    [FAULT_HALF] = DRV_STEP_HALF,
	    [FAULT_AFTER] = DRV_STEP_COMMITTED,
	    [FAULT_HANG] = DRV_STEP_HALF,
	};

	(void)d, (void)seq;
	if (where == DRV_STEP_RECEIVED)
		log->requests++;
	for (uint32_t i = 0; i < log->nplan && i < PLAN_MAX; i++)
		if (log->plan[i].at == log->requests && log->plan[i].kind <= FAULT_HANG &&
		    when[log->plan[i].kind] == where)
			fault(log->plan[i].kind);
}

static const struct drv_ops ops = {.name = "t_dev_drv", .kick = drv_kick, .step = drv_step};

int main(uint32_t arg)
{
	static struct drv d = {.ops = &ops};
	int32_t r;

	(void)arg;
	r = drv_connect(&d);
	if (r == 0 && d.nh <= DRV_H_HW)
		r = KEEL_ERR_INVALID;
	if (r == 0)
		r = keel_frames_map(d.h[DRV_H_HW], (void *)LOG_ADDR, KEEL_PROT_WRITE);
	if (r < 0) {
		printf("# t_dev_drv: cannot start: %s\n", keel_strerror(r));
		return 1;
	}
	log = (struct dev_log *)LOG_ADDR;
	log->incarnations++;
	r = drv_serve(&d);
	return r == KEEL_ERR_GONE || r == KEEL_ERR_BAD_HANDLE ? 0 : 1;
}
