/*
 * faults.c - memory faults on purpose, for the reports they must produce.
 *
 * Each case is explicit (test=all never runs it): it crashes the kernel
 * one way, and tests/e2e/test_mem.py boots it and checks the report. A
 * stack overflow must be named as one, with the thread; a fault must say
 * what the address is and show the page-table walk.
 */
#include <keel/kmalloc.h>
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/thread.h>

static volatile unsigned depth_limit = ~0u; /* volatile: GCC must not see it never ends */

/* Recurse with a frame that defeats tail calls and inlining, until the guard page. */
static __attribute__((noinline)) unsigned overflow(unsigned depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (depth == depth_limit)
		return 0;
	return overflow(depth + 1) + pad[0];
}

static void overflow_thread(void *arg)
{
	(void)arg;
	overflow(0);
}

/* [stack_overflow_case] */
KTEST_EXPLICIT_CASE(faults, stack_overflow)
{
	tid_t tid;

	KT_ASSERT_EQ(thread_create("deep", overflow_thread, NULL, PRIO_MAIN - 1, &tid), KEEL_OK);
	thread_join(tid, NULL, TIMEOUT_NEVER); /* never returns: the overflow panics */
}
/* [stack_overflow_case] */

KTEST_EXPLICIT_CASE(faults, null_pointer)
{
	static volatile uintptr_t null = 0; /* hidden from GCC, which would warn */
	volatile int *p = (volatile int *)(null + 0x10);

	*p = 1;
}

KTEST_EXPLICIT_CASE(faults, write_kernel_code)
{
	*(volatile unsigned char *)(uintptr_t)memcpy = 0xc3;
}

KTEST_EXPLICIT_CASE(faults, execute_heap)
{
	unsigned char *code = kmalloc(64);

	KT_ASSERT(code != NULL);
	code[0] = 0xc3; /* ret: harmless, if the CPU would run it */
	((void (*)(void))code)();
}

KTEST_EXPLICIT_CASE(faults, use_after_free_pointer)
{
	/* A pointer read out of freed memory is poison; following it faults. */
	int **obj = kmalloc(64);

	KT_ASSERT(obj != NULL);
	obj[8] = NULL; /* well past the word a free list may use */
	kfree(obj);
	*((volatile int **)obj)[8] = 1;
}
