/*
 * t_fault.c - a program that does what ring 3 must not, one thing per case.
 *
 * Each case breaks one rule the hardware enforces for the kernel: it
 * reads page 0, writes its own code, divides by zero, executes an
 * invalid opcode, runs a privileged instruction, executes data (NX),
 * reads kernel memory, or overflows its stack into the guard page. The
 * kernel must kill the task, report the fault, and give the parent
 * KEEL_FAULT_STATUS | the vector as its status (14 for a page fault, 0
 * for a divide error, 6 for an invalid opcode, 13 for a general
 * protection fault), and carry on. If the program survives its case, it
 * says so and returns 1.
 *
 * Case 0 runs the cases in order, so it ends in case 1.
 */
#include <keel_user.h>

typedef void (*fault_fn)(void);

static void fault_null_read(void)
{
	printf("t_fault: read %u\n", *(volatile uint32_t *)0);
}

static void fault_text_write(void)
{
	*(volatile uint8_t *)(uintptr_t)main = 0xcc;
}

static void fault_divide(void)
{
	uint32_t quotient, zero = 0;

	/* In assembly: a compiler may turn `1 / x` into a comparison. */
	__asm__ volatile("xorl %%edx, %%edx; divl %1" : "=a"(quotient) : "r"(zero), "a"(1) : "edx");
	printf("t_fault: 1 / 0 = %u\n", quotient);
}

static void fault_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void fault_privileged(void)
{
	__asm__ volatile("cli");
}

/* A `ret` in writable data: NX must stop the fetch. */
static uint8_t data_code[16] = {0xc3};

static void fault_execute_data(void)
{
	fault_fn f = (fault_fn)(uintptr_t)data_code;

	__asm__ volatile("" : "+r"(f)); /* the compiler must not see through it */
	f();
}

static void fault_kernel_read(void)
{
	printf("t_fault: kernel says %u\n", *(volatile uint32_t *)0xC0100000u);
}

/* Deeper than any stack: the recursion below ends in the guard page first. */
static volatile uint32_t recurse_limit = 0xffffffffu;

/* Recursion that no optimisation can turn into a loop: each frame holds a kilobyte. */
__attribute__((noinline)) static uint32_t recurse(uint32_t depth)
{
	volatile uint8_t frame[1024];

	if (depth == recurse_limit)
		return 0;
	frame[0] = (uint8_t)depth;
	frame[sizeof(frame) - 1] = (uint8_t)depth;
	__asm__ volatile("" ::: "memory");
	return recurse(depth + 1) + frame[0] + frame[sizeof(frame) - 1];
}

static void fault_stack_overflow(void)
{
	printf("t_fault: recursion ended at %u\n", recurse(0));
}

static const struct {
	const char *name;
	fault_fn fn;
} cases[] = {
    {"null_read", fault_null_read},     {"text_write", fault_text_write},
    {"divide", fault_divide},           {"invalid_opcode", fault_invalid_opcode},
    {"privileged", fault_privileged},   {"execute_data", fault_execute_data},
    {"kernel_read", fault_kernel_read}, {"stack_overflow", fault_stack_overflow},
};

int main(uint32_t which)
{
	unsigned n = sizeof(cases) / sizeof(cases[0]);

	if (which > n) {
		printf("# FAIL t_fault: no case %u (cases 1..%u)\n", which, n);
		return 1;
	}
	for (unsigned i = 1; i <= n; i++) {
		if (which != 0 && which != i)
			continue;
		printf("# t_fault: case %u (%s): the kernel must kill this task\n", i,
		       cases[i - 1].name);
		cases[i - 1].fn();
		printf("# FAIL t_fault: case %u (%s): survived\n", i, cases[i - 1].name);
	}
	return 1;
}
