/*
 * t_badcall.c - every way a system call can be asked wrongly.
 *
 * abi.h promises that nothing a program passes can stop the kernel, and
 * that a bad request gets a precise error and changes nothing. Each case
 * here sends one kind of bad request and checks the error abi.h names:
 * a malformed call word, pointers the kernel must not follow (NULL, into
 * the kernel, wrapping around, across the end of user space, unmapped,
 * read-only where the kernel must write), handles that name nothing,
 * memory requests that break W^X or alignment or leave user space, and
 * spawns of programs that do not exist or are malformed. Where a call
 * could have half-done its work, the case checks that nothing changed.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include <utest.h>

#define SCRATCH     0x40000000u /* mapped and unmapped by the cases */
#define UNMAPPED    0x50000000u /* never mapped */
#define WAIT_US     5000000u    /* for a child that ends on its own */
#define PTR(x)      ((uint32_t)(x))
#define ERR_FAULT   KEEL_ERR_FAULT
#define CALL(nr, n) KEEL_CALL(KEEL_SYS_##nr, n)

/* Pointers no call may follow, whatever it does with them. */
static const uint32_t bad_ptrs[] = {
    0,          /* NULL */
    1,          /* in page 0, never mapped */
    0xC0000000, /* the kernel */
    0xC0100000, /* the kernel's image */
    0xFFFFFFF0, /* wraps around the top of memory with 0x20 bytes */
    0xBFFFFFF0, /* straddles the end of user space with 0x20 bytes */
    UNMAPPED,   /* user space, but nothing there */
};
#define BAD_PTRS (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

static void case_call_word(void)
{
	CHECK_EQ(keel_syscall(KEEL_CALL(200, 0), 0, 0, 0, 0), KEEL_ERR_NO_SYSCALL);
	CHECK_EQ(keel_syscall(KEEL_CALL(255, 0), 0, 0, 0, 0), KEEL_ERR_NO_SYSCALL);
	CHECK_EQ(keel_syscall(KEEL_CALL(KEEL_SYS_COUNT, 2), 0, 0, 0, 0), KEEL_ERR_NO_SYSCALL);
	CHECK_EQ(keel_syscall(CALL(NULL, 1), 0, 0, 0, 0), KEEL_ERR_ARGS);
	CHECK_EQ(keel_syscall(CALL(NULL, 15), 0, 0, 0, 0), KEEL_ERR_ARGS);
	CHECK_EQ(keel_syscall(CALL(DEBUG_WRITE, 1), 0, 0, 0, 0), KEEL_ERR_ARGS);
	CHECK_EQ(keel_syscall(CALL(TASK_EXIT, 0), 0, 0, 0, 0), KEEL_ERR_ARGS);
	CHECK_EQ(keel_syscall(CALL(THREAD_EXIT, 2), 0, 0, 0, 0), KEEL_ERR_ARGS);
	CHECK_EQ(keel_syscall(CALL(NULL, 0) | 0x1000, 0, 0, 0, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_syscall(CALL(NULL, 0) | 0x80000000u, 0, 0, 0, 0), KEEL_ERR_INVALID);
	/* Were this one obeyed, the task would end with status 99: a failure. */
	CHECK_EQ(keel_syscall(CALL(TASK_EXIT, 1) | KEEL_CALL_RESERVED, 99, 0, 0, 0),
	         KEEL_ERR_INVALID);
}

static void case_source_pointers(void)
{
	for (unsigned i = 0; i < BAD_PTRS; i++)
		CHECK_EQ(keel_syscall(CALL(DEBUG_WRITE, 2), bad_ptrs[i], 0x20, 0, 0), ERR_FAULT);
	/* A good start whose length runs off into unmapped memory, and a
	 * length beyond what one call prints. */
	CHECK_EQ(keel_mem_map((void *)SCRATCH, KEEL_PAGE_SIZE, KEEL_PROT_WRITE), 0);
	CHECK_EQ(keel_debug_write((const char *)SCRATCH + KEEL_PAGE_SIZE - 8, 16), ERR_FAULT);
	CHECK_EQ(keel_mem_unmap((void *)SCRATCH, KEEL_PAGE_SIZE), 0);
	CHECK_EQ(keel_debug_write((const char *)case_source_pointers, 0x100000), KEEL_ERR_RANGE);
	CHECK_EQ(keel_syscall(CALL(TASK_SPAWN, 3), 0, 5, 0, 0), ERR_FAULT);
	CHECK_EQ(keel_syscall(CALL(TASK_SPAWN, 3), 0xC0000000, 5, 0, 0), ERR_FAULT);
	CHECK_EQ(keel_syscall(CALL(TASK_SPAWN, 3), PTR("hello"), 5, 0xC0000000, 0), ERR_FAULT);
	CHECK_EQ(keel_syscall(CALL(TASK_SPAWN, 3), PTR("hello"), 5, UNMAPPED, 0), ERR_FAULT);
}

/* Every destination in @ptrs refused by the three calls that write. */
static void check_destinations(const uint32_t *ptrs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(keel_syscall(CALL(CLOCK_READ, 1), ptrs[i], 0, 0, 0), ERR_FAULT);
		CHECK_EQ(keel_syscall(CALL(TASK_INFO, 2), KEEL_SELF, ptrs[i], 0, 0), ERR_FAULT);
		CHECK_EQ(keel_syscall(CALL(HANDLE_QUERY, 2), KEEL_SELF, ptrs[i], 0, 0), ERR_FAULT);
	}
}

static void case_dest_pointers(void)
{
	const uint32_t edges[] = {0xFFFFFFFC, 0xBFFFFFFC, PTR(main), PTR(keel_strerror(0))};

	check_destinations(bad_ptrs, BAD_PTRS);
	check_destinations(edges, sizeof(edges) / sizeof(edges[0]));
}

/* A read-only page, and a write that would cross from a good page into none. */
static void case_dest_pages(void)
{
	volatile uint32_t *p = (volatile uint32_t *)SCRATCH;
	const uint32_t ro[] = {SCRATCH, SCRATCH + 0x800};
	const uint32_t edge[] = {SCRATCH + KEEL_PAGE_SIZE - 4};

	CHECK_EQ(keel_mem_map((void *)SCRATCH, KEEL_PAGE_SIZE, 0), 0);
	check_destinations(ro, 2);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(keel_mem_protect((void *)SCRATCH, KEEL_PAGE_SIZE, KEEL_PROT_WRITE), 0);
	check_destinations(edge, 1);
	CHECK_EQ(p[1023], 0); /* nothing was written before the fault */
	CHECK_EQ(keel_mem_unmap((void *)SCRATCH, KEEL_PAGE_SIZE), 0);
}

static void case_bad_handles(void)
{
	const int32_t bad[] = {-1, KEEL_HANDLES_MAX, 1000000, KEEL_HANDLES_MAX - 1, INT32_MIN};
	struct keel_task_info ti;
	struct keel_handle_info hi;
	int status;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(keel_task_info(bad[i], &ti), KEEL_ERR_BAD_HANDLE);
		CHECK_EQ(keel_handle_query(bad[i], &hi), KEEL_ERR_BAD_HANDLE);
		CHECK_EQ(keel_handle_close(bad[i]), KEEL_ERR_BAD_HANDLE);
		CHECK_EQ(keel_task_kill(bad[i]), KEEL_ERR_BAD_HANDLE);
		CHECK_EQ(keel_task_wait(bad[i], &status, 0), KEEL_ERR_BAD_HANDLE);
	}
}

/* A closed handle, then the same slot reused: the old handle stays dead. */
static void case_stale_handles(void)
{
	struct keel_task_info ti;
	int status = -1;
	int32_t h, h2;

	h = keel_spawn("hello", 0);
	CHECK(h > 0);
	if (h < 0)
		return;
	CHECK_EQ(keel_task_wait(h, &status, WAIT_US), 0);
	CHECK_EQ(status, 0);
	CHECK_EQ(keel_handle_close(h), 0);
	CHECK_EQ(keel_task_info(h, &ti), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_handle_close(h), KEEL_ERR_BAD_HANDLE);
	h2 = keel_spawn("hello", 0);
	CHECK(h2 > 0);
	CHECK(h2 != h);
	CHECK_EQ(keel_task_info(h, &ti), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(keel_task_kill(h), KEEL_ERR_BAD_HANDLE);
	if (h2 > 0) {
		CHECK_EQ(keel_task_wait(h2, &status, WAIT_US), 0);
		CHECK_EQ(keel_handle_close(h2), 0);
	}
}

static int quick_thread(uint32_t arg)
{
	return (int)arg;
}

static void case_wrong_type(void)
{
	static uint8_t stack[4096] __attribute__((aligned(16)));
	static const struct keel_thread_start start = {quick_thread, 0};
	struct keel_task_info ti;
	int status;
	int32_t t = keel_thread_start(&start, stack + sizeof(stack));

	CHECK(t > 0);
	if (t < 0)
		return;
	CHECK_EQ(keel_task_wait(t, &status, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_task_kill(t), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_task_info(t, &ti), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_handle_close(t), 0);
}

static void case_mem_errors(void)
{
	void *s = (void *)SCRATCH;

	CHECK_EQ(keel_mem_map(s, KEEL_PAGE_SIZE, KEEL_PROT_WRITE | KEEL_PROT_EXEC),
	         KEEL_ERR_DENIED);
	CHECK_EQ(keel_mem_map((void *)(SCRATCH + 1), KEEL_PAGE_SIZE, 0), KEEL_ERR_ALIGN);
	CHECK_EQ(keel_mem_map(s, 100, 0), KEEL_ERR_ALIGN);
	CHECK_EQ(keel_mem_map((void *)0xC0000000, KEEL_PAGE_SIZE, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_map((void *)0xBFFFF000, 0x2000, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_map((void *)0xFFFFF000, 0x2000, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_map((void *)0, KEEL_PAGE_SIZE, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_map(s, KEEL_PAGE_SIZE, 4), KEEL_ERR_INVALID);
	CHECK_EQ(keel_mem_map(s, KEEL_PAGE_SIZE, 0xFFFFFFFC), KEEL_ERR_INVALID);
	CHECK_EQ(keel_mem_unmap((void *)0xC0000000, KEEL_PAGE_SIZE), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_protect((void *)0xC0000000, KEEL_PAGE_SIZE, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_mem_unmap((void *)(SCRATCH + 8), KEEL_PAGE_SIZE), KEEL_ERR_ALIGN);
	/* W^X holds for a page already mapped, and for the program's own code. */
	CHECK_EQ(keel_mem_map(s, KEEL_PAGE_SIZE, KEEL_PROT_WRITE), 0);
	CHECK_EQ(keel_mem_protect(s, KEEL_PAGE_SIZE, KEEL_PROT_WRITE | KEEL_PROT_EXEC),
	         KEEL_ERR_DENIED);
	CHECK_EQ(keel_mem_protect(s, KEEL_PAGE_SIZE, 8), KEEL_ERR_INVALID);
	CHECK_EQ(keel_mem_unmap(s, KEEL_PAGE_SIZE), 0);
	CHECK_EQ(keel_mem_protect((void *)((uint32_t)main & ~0xfffu), KEEL_PAGE_SIZE,
	                          KEEL_PROT_WRITE | KEEL_PROT_EXEC),
	         KEEL_ERR_DENIED);
}

static void case_spawn_errors(void)
{
	struct keel_spawn opts = {.flags = 1};

	CHECK_EQ(keel_task_spawn("no_such_program", 15, NULL), KEEL_ERR_NOT_FOUND);
	CHECK_EQ(keel_task_spawn("hello/", 6, NULL), KEEL_ERR_NOT_FOUND);
	CHECK_EQ(keel_task_spawn("hell", 4, NULL), KEEL_ERR_NOT_FOUND);
	CHECK_EQ(keel_task_spawn("hello", 5, &opts), KEEL_ERR_INVALID);
	opts.flags = 0x80000000u;
	CHECK_EQ(keel_task_spawn("hello", 5, &opts), KEEL_ERR_INVALID);
}

static void case_bad_images(void)
{
	static const char *const bad[] = {"bad_magic",    "bad_class", "bad_machine",
	                                  "bad_overlap",  "bad_wx",    "bad_kernel",
	                                  "bad_toolarge", "bad_entry", "bad_truncated"};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int32_t r = keel_spawn(bad[i], 0);

		if (!CHECK_EQ(r, KEEL_ERR_BAD_IMAGE))
			printf("#   (spawning %s)\n", bad[i]);
	}
}

static const struct utest_case cases[] = {
    {"call_word", case_call_word},         {"source_pointers", case_source_pointers},
    {"dest_pointers", case_dest_pointers}, {"dest_pages", case_dest_pages},
    {"bad_handles", case_bad_handles},     {"stale_handles", case_stale_handles},
    {"wrong_type", case_wrong_type},       {"mem_errors", case_mem_errors},
    {"spawn_errors", case_spawn_errors},   {"bad_images", case_bad_images},
};

int main(uint32_t which)
{
	return utest_run("t_badcall", cases, sizeof(cases) / sizeof(cases[0]), which);
}
