/*
 * stack_protector.c - the runtime behind -fstack-protector (HARDENED).
 *
 * The compiler puts a copy of __stack_chk_guard between a function's
 * arrays and its return address, and checks it before returning. A
 * changed canary means a buffer overflowed the frame: panic at once,
 * before the corrupt return address is used.
 */
#include <keel/panic.h>
#include <stdint.h>

/* A fixed canary: slice 0 has no entropy source. Slice 1 seeds it from the TSC. */
uintptr_t __stack_chk_guard = 0x5ee1c0deu;

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	panic("stack smashing detected: a buffer overflowed its stack frame");
}
