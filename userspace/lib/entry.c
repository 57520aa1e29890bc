/*
 * entry.c - which way into the kernel the library takes, and the small
 * conveniences built on the calls.
 *
 * Every wrapper goes through keel_syscall(), which jumps to the `int 0x80`
 * stub or the `sysenter` stub (syscall.S) by the flag below. `int 0x80`
 * works on every x86; `sysenter` is the fast path a program opts into. A
 * test runs its cases once each way: both must behave the same.
 */
#include <keel_user.h>

/* Read by keel_syscall in syscall.S; one byte, 0 or 1. */
volatile uint8_t keel_sysenter_on;

void keel_use_sysenter(bool on)
{
	keel_sysenter_on = on ? 1 : 0;
}

bool keel_using_sysenter(void)
{
	return keel_sysenter_on != 0;
}

int32_t keel_spawn(const char *name, uint32_t arg)
{
	struct keel_spawn opts = {.arg = arg};

	return keel_task_spawn(name, strlen(name), &opts);
}

uint64_t keel_now_us(void)
{
	uint64_t us = 0;

	if (keel_clock_us(&us) < 0)
		return 0;
	return us;
}

int32_t keel_thread_start(const struct keel_thread_start *st, void *stack_top)
{
	return keel_thread_create((uint32_t)keel_thread_entry, (uint32_t)stack_top, (uint32_t)st,
	                          KEEL_PRIO_USER);
}
