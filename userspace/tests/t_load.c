/*
 * t_load.c - a program that checks, from ring 3, how the loader laid it out.
 *
 * Its data segment is shaped to catch a loader that gets the edges
 * wrong: an initialised array of more than a page, so the segment's file
 * bytes end in the middle of its second page, then .bss, which starts on
 * that same page and runs over two more. The bytes after the file part
 * must read as zero, up to the end of .bss, whatever the file holds
 * there. The in-kernel tests of lab 3 (tests/kernel/user/lab.c) compare
 * the same pages with the file byte for byte; this program checks that
 * ring 3 sees them so, with the rights each segment asked for.
 *
 * Case 1 checks the values of .data, .bss and .rodata and returns the
 * number of failed checks; case 2 writes to .rodata, which must fault
 * (the kernel kills the task with KEEL_FAULT_STATUS | 14). Case 0 runs
 * case 1 only: case 2 does not come back.
 */
#include <utest.h>

#define BIG_WORDS  1250 /* 5000 bytes: the file part ends mid-page */
#define BIG_FILL   0x01020304u
#define BIG_LAST   0xdeadbeefu
#define ZERO_WORDS 2048 /* 8 KiB of .bss: two pages past the file part's page */

static volatile uint32_t big[BIG_WORDS] = {[0 ... BIG_WORDS - 2] = BIG_FILL,
                                           [BIG_WORDS - 1] = BIG_LAST};
static volatile uint32_t small_data = 0x5eed;
static volatile uint32_t zeros[ZERO_WORDS];
static volatile uint32_t small_bss;
static const uint32_t constants[4] = {0xc0de0001u, 0xc0de0002u, 0xc0de0003u, 0xc0de0004u};

/* What the compiler must read from memory, not from what it knows. */
static uint32_t load_word(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static void case_sections(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < BIG_WORDS - 1; i++)
		bad += big[i] != BIG_FILL;
	CHECK_EQ(bad, 0);
	CHECK_EQ(big[BIG_WORDS - 1], BIG_LAST);
	CHECK_EQ(small_data, 0x5eed);
	bad = 0;
	for (unsigned i = 0; i < ZERO_WORDS; i++)
		bad += zeros[i] != 0;
	CHECK_EQ(bad, 0);
	CHECK_EQ(small_bss, 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(load_word(&constants[i]), 0xc0de0001u + i);
	/* .data and .bss are writable: every page of them. */
	big[0] = 1;
	big[BIG_WORDS - 1] = 2;
	zeros[0] = 3;
	zeros[ZERO_WORDS - 1] = 4;
	small_bss = 5;
	CHECK_EQ(big[0] + big[BIG_WORDS - 1] + zeros[0] + zeros[ZERO_WORDS - 1] + small_bss, 15);
}

static void case_rodata_write(void)
{
	printf("# t_load: writing .rodata: the kernel must kill this task\n");
	*(volatile uint32_t *)(uintptr_t)&constants[1] = 0;
	printf("# FAIL t_load: a write to .rodata succeeded\n");
	utest_check(false, __FILE__, __LINE__, "the write to .rodata faults");
}

static const struct utest_case cases[] = {
    {"sections", case_sections},
    {"rodata_write", case_rodata_write},
};

int main(uint32_t which)
{
	return utest_run("t_load", cases, which == 0 ? 1 : 2, which);
}
