/*
 * t_syscall.c - every system call in its normal use, through both entries.
 *
 * The in-kernel tests of slice 3 spawn this program with a case number
 * (main's argument): 1..N runs that case, 0 runs them all. Each case runs
 * twice, once through `int 0x80` and once through `sysenter`, since both
 * entries must reach the same dispatcher with the same registers and
 * give the same results. The exit status is the number of failed checks.
 *
 * The cases are the calls' happy paths; t_badcall.c is their error paths.
 */
#include <utest.h>

/* A page of user space the program maps and unmaps for itself. */
#define SCRATCH ((void *)0x40000000)
/* Bounds on waiting for the second thread: polls, and sleep per poll. */
#define THREAD_POLLS    1000
#define THREAD_POLL_US  1000
#define THREAD_STACK_SZ 4096

static void case_debug_write(void)
{
	static const char msg[] = "# t_syscall: DEBUG_WRITE works\n";

	CHECK_EQ(keel_debug_write(msg, sizeof(msg) - 1), sizeof(msg) - 1);
	CHECK_EQ(keel_debug_write(msg, 0), 0);
}

static void case_null(void)
{
	CHECK_EQ(keel_null(), 0);
	CHECK_EQ(keel_syscall(KEEL_CALL(KEEL_SYS_NULL, 0), 1, 2, 3, 4), 0);
}

static void case_clock(void)
{
	uint64_t a = 0, b = 0;

	CHECK_EQ(keel_clock_us(&a), 0);
	CHECK_EQ(keel_sleep_us(1000), 0);
	CHECK_EQ(keel_clock_us(&b), 0);
	CHECK(b > a); /* the clock moved on; by how much is a time, and no test asserts one */
}

static void case_yield_sleep(void)
{
	CHECK_EQ(keel_yield(), 0);
	CHECK_EQ(keel_sleep_us(1000), 0);
	CHECK_EQ(keel_sleep_us(0), 0);
}

/* The callee-saved registers and the stack survive a call through either entry. */
static void case_registers(void)
{
	uint32_t ebx = 0x11111111, esi = 0x22222222, edi = 0x33333333, ebp_ok = 0;
	int32_t r;

	__asm__ volatile("push %%ebp\n\t"
	                 "mov %%esp, %%ebp\n\t"
	                 "push %%ebp\n\t"
	                 "push $0\n\tpush $0\n\tpush $0\n\tpush $0\n\tpush %[word]\n\t"
	                 "call keel_syscall\n\t"
	                 "add $20, %%esp\n\t"
	                 "pop %%ecx\n\t"
	                 "xor %%edx, %%edx\n\t"
	                 "cmp %%ecx, %%ebp\n\t"
	                 "sete %%dl\n\t"
	                 "pop %%ebp"
	                 : "=a"(r), "+b"(ebx), "+S"(esi), "+D"(edi), "=d"(ebp_ok)
	                 : [word] "i"(KEEL_CALL(KEEL_SYS_NULL, 0))
	                 : "ecx", "memory", "cc");
	CHECK_EQ(r, 0);
	CHECK_EQ(ebx, 0x11111111);
	CHECK_EQ(esi, 0x22222222);
	CHECK_EQ(edi, 0x33333333);
	CHECK(ebp_ok);
}

static void case_memory(void)
{
	volatile uint32_t *p = SCRATCH;

	CHECK_EQ(keel_mem_map(SCRATCH, KEEL_PAGE_SIZE, KEEL_PROT_WRITE), 0);
	CHECK_EQ(p[0], 0); /* fresh pages are zero */
	p[0] = 0xdeadbeef;
	p[1023] = 0x12345678;
	CHECK_EQ(p[0], 0xdeadbeef);
	CHECK_EQ(p[1023], 0x12345678);
	CHECK_EQ(keel_mem_protect(SCRATCH, KEEL_PAGE_SIZE, 0), 0);
	CHECK_EQ(p[0], 0xdeadbeef); /* still readable */
	CHECK_EQ(keel_mem_unmap(SCRATCH, KEEL_PAGE_SIZE), 0);
	/* Unmapped, the page can be mapped again, and is zero again. */
	CHECK_EQ(keel_mem_map(SCRATCH, KEEL_PAGE_SIZE, KEEL_PROT_WRITE), 0);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(keel_mem_unmap(SCRATCH, KEEL_PAGE_SIZE), 0);
}

static volatile uint32_t thread_flag;

static int thread_body(uint32_t arg)
{
	thread_flag = arg;
	return 0;
}

static void case_thread(void)
{
	static uint8_t stack[THREAD_STACK_SZ] __attribute__((aligned(16)));
	static const struct keel_thread_start start = {thread_body, 0x5eed};
	struct keel_handle_info hi;
	int32_t t;
	int polls;

	thread_flag = 0;
	t = keel_thread_start(&start, stack + sizeof(stack));
	CHECK(t > 0);
	if (t < 0)
		return;
	CHECK_EQ(keel_handle_query(t, &hi), 0);
	CHECK_EQ(hi.type, KEEL_OBJ_THREAD);
	for (polls = 0; thread_flag == 0 && polls < THREAD_POLLS; polls++)
		if (polls % 2)
			keel_yield();
		else
			keel_sleep_us(THREAD_POLL_US);
	CHECK_EQ(thread_flag, 0x5eed);
	CHECK_EQ(keel_handle_close(t), 0);
}

/* Whether @s holds a NUL within its @size bytes. */
static bool terminated(const char *s, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

static void case_task_info(void)
{
	struct keel_task_info info;

	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ(keel_task_info(KEEL_SELF, &info), 0);
	CHECK(info.id != 0);
	CHECK(info.threads >= 1);
	CHECK(info.thread_limit >= info.threads);
	CHECK(info.frames > 0);
	CHECK(info.frames <= info.frame_limit);
	CHECK(info.handles >= 1);
	CHECK(terminated(info.name, sizeof(info.name)));
	CHECK_EQ(strcmp(info.name, "t_syscall"), 0);
}

static void case_handle_query(void)
{
	struct keel_handle_info hi;

	memset(&hi, 0xa5, sizeof(hi));
	CHECK_EQ(keel_handle_query(KEEL_SELF, &hi), 0);
	CHECK_EQ(hi.type, KEEL_OBJ_TASK);
	CHECK(hi.rights != 0);
	CHECK_EQ(hi.rights & ~(uint32_t)KEEL_RIGHT_ALL, 0);
	CHECK_EQ(hi.reserved, 0);
}

static const struct utest_case cases[] = {
    {"debug_write", case_debug_write},
    {"null", case_null},
    {"clock", case_clock},
    {"yield_sleep", case_yield_sleep},
    {"registers", case_registers},
    {"memory", case_memory},
    {"thread", case_thread},
    {"task_info", case_task_info},
    {"handle_query", case_handle_query},
};

int main(uint32_t which)
{
	unsigned n = sizeof(cases) / sizeof(cases[0]);

	keel_use_sysenter(false);
	printf("# t_syscall: through int 0x80\n");
	utest_run("t_syscall", cases, n, which);
	keel_use_sysenter(true);
	printf("# t_syscall: through sysenter\n");
	return utest_run("t_syscall", cases, n, which);
}
