/*
 * lab.c - in-kernel tests of the three pieces lab 3 cuts, each on its own:
 * the range check of user pointers, the dispatcher's checks of the call
 * word, and the loader's mapping of a segment.
 *
 * They are written to catch boundary mistakes, not only missing code:
 * user_range_ok() is compared with a model in 64-bit arithmetic at every
 * edge of user space, with sizes that wrap; the dispatcher is tried with
 * every number and argument count against the ABI's own table and with
 * each reserved bit alone; the loader's pages are compared with the
 * program's file byte for byte, on frames left dirty on purpose, with
 * their rights, and nothing mapped past a segment. The loader's tests do
 * not run the program (no system call, no copy), so they grade the loader
 * alone; suite `load`'s last cases run t_load in ring 3.
 */
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/pmm.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/task.h>
#include <keel/uaccess.h>
#include <keel/vm.h>

#include "../../../kernel/user/task_internal.h"

/* Enough reports to see the pattern, not a flood. */
#define REPORTS_MAX 8

/* ---- user_range_ok */

/* The model: [addr, addr + size) lies wholly in [VM_USER_BASE, VM_USER_END). */
static bool range_model(uintptr_t addr, size_t size)
{
	return addr >= VM_USER_BASE && addr < VM_USER_END &&
	       (uint64_t)addr + size <= (uint64_t)VM_USER_END;
}

KTEST(range, every_edge_against_a_model)
{
	const uintptr_t addrs[] = {0,
	                           1,
	                           VM_USER_BASE - 1,
	                           VM_USER_BASE,
	                           VM_USER_BASE + 1,
	                           0x40000000u,
	                           VM_USER_END - PAGE_BYTES,
	                           VM_USER_END - 2,
	                           VM_USER_END - 1,
	                           VM_USER_END,
	                           VM_USER_END + 1,
	                           0xfffff000u,
	                           0xffffffffu};
	unsigned reports = 0;

	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uintptr_t a = addrs[i];
		/* Sizes at the end of user space, and sizes that wrap back into it. */
		const size_t sizes[] = {0,
		                        1,
		                        2,
		                        PAGE_BYTES,
		                        VM_USER_END - a - 1,
		                        VM_USER_END - a,
		                        VM_USER_END - a + 1,
		                        VM_USER_END - VM_USER_BASE,
		                        0u - a,
		                        0u - a + VM_USER_BASE,
		                        0u - a + 0x40000000u,
		                        SIZE_MAX};
		for (unsigned j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			bool want = range_model(a, sizes[j]), got = user_range_ok(a, sizes[j]);
			if (got != want && reports++ < REPORTS_MAX)
				ktest_fail(__FILE__, __LINE__,
				           "user_range_ok(0x%x, 0x%x) is %s, expected %s",
				           (unsigned)a, (unsigned)sizes[j], got ? "true" : "false",
				           want ? "true" : "false");
		}
	}
	KT_EXPECT_EQ(reports, 0);
}

/* ---- the dispatcher's checks of the call word */

/* Each call's argument count plus one, from the ABI's list; 0: no such call. */
#define ABI_NARGS_(name, nr, nargs) [nr] = (nargs) + 1,
static const uint8_t abi_nargs[256] = {KEEL_SYSCALLS(ABI_NARGS_)};

static int32_t dispatch(uint32_t word)
{
	struct syscall_args a = {word, {0, 0, 0, 0}};

	return syscall_dispatch(&a);
}

/* The calls this kernel has handlers for (all of them with every slice built). */
static unsigned built_count(void)
{
	unsigned n = 0;

	for (unsigned nr = 0; nr < KEEL_SYS_COUNT; nr++)
		n += syscall_built(nr);
	return n;
}

/* The result the ABI gives @p word, which has no reserved bit; 1 for a valid word. */
static int32_t word_model(unsigned nr, unsigned nargs)
{
	if (abi_nargs[nr] == 0 || !syscall_built(nr))
		return KEEL_ERR_NO_SYSCALL; /* not in the ABI, or its slice is not built */
	return nargs + 1 == abi_nargs[nr] ? 1 : KEEL_ERR_ARGS;
}

KTEST(dispatch, every_number_and_count)
{
	unsigned reports = 0, valid = 0;

	for (unsigned nr = 0; nr < 256; nr++) {
		for (unsigned n = 0; n < 16; n++) {
			int32_t want = word_model(nr, n), got;
			/* A valid word runs its handler: only NULL's is harmless here. */
			if (want == 1) {
				valid++;
				if (nr != KEEL_SYS_NULL)
					continue;
				want = KEEL_OK;
			}
			got = dispatch(KEEL_CALL(nr, n));
			if (got != want && reports++ < REPORTS_MAX)
				ktest_fail(__FILE__, __LINE__,
				           "call word 0x%x (number %u, %u args): %s, expected %s",
				           KEEL_CALL(nr, n), nr, n, kstatus_name(got),
				           kstatus_name(want));
		}
	}
	KT_EXPECT_EQ(valid, built_count());
	KT_EXPECT_EQ(reports, 0);
}

KTEST(dispatch, each_reserved_bit)
{
	unsigned reports = 0;

	for (unsigned bit = 12; bit < 32; bit++) {
		/* A valid word but for the bit, and the worst word but for the bit:
		 * the reserved bits are checked first. */
		const uint32_t words[] = {KEEL_CALL(KEEL_SYS_NULL, 0), KEEL_CALL(255, 15),
		                          KEEL_CALL(KEEL_SYS_COUNT, 0),
		                          KEEL_CALL(KEEL_SYS_NULL, 1)};
		for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			uint32_t w = words[i] | (1u << bit);
			int32_t got = dispatch(w);
			if (got != KEEL_ERR_INVALID && reports++ < REPORTS_MAX)
				ktest_fail(__FILE__, __LINE__,
				           "call word 0x%x (reserved bit %u): %s, expected INVALID",
				           w, bit, kstatus_name(got));
		}
	}
	KT_EXPECT_EQ(dispatch(KEEL_CALL(KEEL_SYS_NULL, 0) | KEEL_CALL_RESERVED), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(reports, 0);
}

/* ---- the loader, without running the program */

/*
 * A task of the test's own: the owner of the last task slot, which no
 * task uses while the tests run, and nothing else task_load() needs.
 */
static struct task load_task;

static struct task *fresh_task(uint32_t frame_limit)
{
	struct task *t = &load_task;

	memset(t, 0, sizeof(*t));
	t->owner = (owner_t)(OWNER_FIRST_TASK + TASK_MAX - 1);
	t->frame_limit = frame_limit;
	return t;
}

/* Leave @p n frames dirty, then free: the loader's frames are these, most likely. */
static void dirty_frames(unsigned n)
{
	paddr_t pa[64];

	if (n > 64)
		n = 64;
	for (unsigned i = 0; i < n; i++) {
		if (frame_alloc(OWNER_TEST, &pa[i]) != KEEL_OK) {
			n = i;
			break;
		}
		memset(frame_virt(pa[i]), 0xa5, PAGE_BYTES);
	}
	for (unsigned i = 0; i < n; i++)
		frame_free(pa[i], OWNER_TEST);
}

/* Page @p va of @p t: mapped, user, with @p flags; its bytes in *bytes. */
static bool page_ok(const char *name, struct task *t, uintptr_t va, unsigned flags,
                    const uint8_t **bytes)
{
	paddr_t pa;
	unsigned got;

	if (vm_query(t->space, va, &pa, &got) != KEEL_OK) {
		ktest_fail(__FILE__, __LINE__, "%s: page 0x%x is not mapped", name, (unsigned)va);
		return false;
	}
	got &= VM_WRITE | VM_EXEC | VM_USER;
	if (got != (flags | VM_USER)) {
		ktest_fail(__FILE__, __LINE__, "%s: page 0x%x has rights 0x%x, expected 0x%x", name,
		           (unsigned)va, got, flags | VM_USER);
		return false;
	}
	*bytes = frame_virt(pa & ~(paddr_t)(PAGE_BYTES - 1));
	return true;
}

/* Every page of @p seg: mapped with its rights, the file's bytes, then zeros. */
static bool segment_ok(const char *name, struct task *t, const struct elf_segment *seg,
                       const uint8_t *file)
{
	uintptr_t end = seg->vaddr + seg->memsz;

	for (uintptr_t va = seg->vaddr; va < end; va += PAGE_BYTES) {
		const uint8_t *page;
		if (!page_ok(name, t, va, seg->flags, &page))
			return false;
		/* The whole page: past memsz (the rest of the last page) is zero too. */
		for (uint32_t i = 0; i < PAGE_BYTES; i++) {
			uint32_t off = va - seg->vaddr + i;
			uint8_t want = off < seg->filesz ? file[seg->offset + off] : 0;
			if (page[i] != want) {
				ktest_fail(
				    __FILE__, __LINE__,
				    "%s: byte at 0x%x is 0x%02x, expected 0x%02x (%s; segment at "
				    "0x%x, file bytes 0x%x, memory 0x%x)",
				    name, (unsigned)(va + i), page[i], want,
				    off < seg->filesz ? "a file byte" : "past the file bytes",
				    seg->vaddr, seg->filesz, seg->memsz);
				return false;
			}
		}
	}
	return true;
}

/* Is page @p va inside a segment of @p img? */
static bool in_image(const struct elf_image *img, uintptr_t va)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->segment[i];
		if (va >= s->vaddr && va - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* Every segment as in the file, and no page mapped outside them (one page around each). */
static bool image_ok(const char *name, struct task *t, const struct elf_image *img,
                     const uint8_t *file)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->segment[i];
		uintptr_t around[2] = {s->vaddr - PAGE_BYTES,
		                       (s->vaddr + s->memsz + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1)};
		if (!segment_ok(name, t, s, file))
			return false;
		for (unsigned j = 0; j < 2; j++) {
			if (!in_image(img, around[j]) &&
			    vm_query(t->space, around[j], NULL, NULL) == KEEL_OK) {
				ktest_fail(__FILE__, __LINE__,
				           "%s: page 0x%x is mapped, outside every segment", name,
				           (unsigned)around[j]);
				return false;
			}
		}
	}
	return true;
}

/* Load program @p name into a task of the test's own and check it; then free it all. */
static void load_and_check(const char *name)
{
	struct elf_image img;
	const void *file;
	struct task *t = fresh_task(TASK_FRAME_LIMIT_DEFAULT);

	KT_ASSERT_EQ(task_find_program(name, &img, &file), KEEL_OK);
	dirty_frames(64);
	kstatus_t s = task_load(t, &img, file);
	if (s != KEEL_OK)
		ktest_fail(__FILE__, __LINE__, "%s: task_load: %s", name, kstatus_name(s));
	else
		image_ok(name, t, &img, file);
	task_release_memory(t);
	KT_EXPECT_EQ(frame_held(t->owner), 0);
}

KTEST(load, every_program_matches_its_file)
{
	static const char *const programs[] = {"hello",     "root",    "t_syscall",
	                                       "t_badcall", "t_fault", "t_spawn",
	                                       "t_sleeper", "t_hog",   "t_fuzz"};

	KT_ASSERT_EQ(task_count(), 0);
	for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		load_and_check(programs[i]);
	KT_EXPECT(pmm_check(&pmm_kernel));
}

/* t_load's data segment: file bytes that end mid-page, .bss after them on that page. */
KTEST(load, file_bytes_end_mid_page)
{
	struct elf_image img;
	const void *file;
	const struct elf_segment *data = NULL;

	KT_ASSERT_EQ(task_count(), 0);
	KT_ASSERT_EQ(task_find_program("t_load", &img, &file), KEEL_OK);
	for (unsigned i = 0; i < img.count; i++)
		if (img.segment[i].flags & VM_WRITE)
			data = &img.segment[i];
	/* What makes this test worth its name; if not, t_load.c's layout changed. */
	KT_ASSERT(data != NULL);
	KT_ASSERT(data->filesz > PAGE_BYTES && data->filesz % PAGE_BYTES != 0);
	KT_ASSERT(data->memsz >= data->filesz + 2 * PAGE_BYTES);
	const uint8_t *after = (const uint8_t *)file + data->offset + data->filesz;
	bool nonzero = false;
	for (unsigned i = 0; i < 64; i++)
		nonzero |= after[i] != 0; /* what a loader that copies too much would copy */
	KT_ASSERT(nonzero);
	load_and_check("t_load");
	KT_EXPECT(pmm_check(&pmm_kernel));
}

/* A file of bytes that are never zero, for segments of the test's own making. */
static uint8_t synthetic_file[3 * PAGE_BYTES];

/*
 * Segments elf_check() would accept, made by hand for the edges the programs
 * may not have: a segment that ends exactly on a page boundary (nothing
 * mapped after it), file bytes at an odd offset that end mid-page, .bss over
 * whole pages, a segment of .bss alone. Every file byte after a segment's
 * own is not zero, so a copy of too much shows.
 */
KTEST(load, segment_edges)
{
	struct elf_image img = {
	    .entry = 0x00400000u,
	    .count = 4,
	    .segment =
	        {{.vaddr = 0x00400000u,
	          .memsz = 2 * PAGE_BYTES,
	          .offset = 0,
	          .filesz = 2 * PAGE_BYTES,
	          .flags = VM_EXEC},
	         {.vaddr = 0x00410000u,
	          .memsz = PAGE_BYTES + 100,
	          .offset = 37,
	          .filesz = PAGE_BYTES + 100,
	          .flags = 0},
	         {.vaddr = 0x00420000u,
	          .memsz = 3 * PAGE_BYTES,
	          .offset = 2 * PAGE_BYTES + 5,
	          .filesz = 300,
	          .flags = VM_WRITE},
	         {.vaddr = 0x00430000u, .memsz = 1, .offset = 0, .filesz = 0, .flags = VM_WRITE}},
	};
	struct task *t = fresh_task(TASK_FRAME_LIMIT_DEFAULT);

	KT_ASSERT_EQ(task_count(), 0);
	for (unsigned i = 0; i < sizeof(synthetic_file); i++)
		synthetic_file[i] = (uint8_t)(i % 251 + 1);
	dirty_frames(64);
	kstatus_t s = task_load(t, &img, synthetic_file);
	if (s != KEEL_OK)
		ktest_fail(__FILE__, __LINE__, "task_load: %s", kstatus_name(s));
	else
		image_ok("segments of the test's own", t, &img, synthetic_file);
	task_release_memory(t);
	KT_EXPECT_EQ(frame_held(t->owner), 0);
	KT_EXPECT(pmm_check(&pmm_kernel));
}

/*
 * With too few frames the load fails (KEEL_ERR_LIMIT; KEEL_ERR_NO_MEMORY while
 * the space's own tables, taken at once, do not fit) and leaves nothing; with
 * just enough, it is whole: a loader that ignores a failed page is caught here.
 */
KTEST(load, out_of_frames_is_refused)
{
	struct elf_image img;
	const void *file;
	uint32_t limit;
	kstatus_t s = KEEL_ERR_LIMIT;

	KT_ASSERT_EQ(task_count(), 0);
	KT_ASSERT_EQ(task_find_program("t_load", &img, &file), KEEL_OK);
	for (limit = 1; limit <= 64 && (s == KEEL_ERR_LIMIT || s == KEEL_ERR_NO_MEMORY); limit++) {
		struct task *t = fresh_task(limit);
		s = task_load(t, &img, file);
		if (s == KEEL_OK) {
			KT_EXPECT(frame_held(t->owner) <= limit);
			image_ok("t_load", t, &img,
			         file); /* every page, though frames were short */
		} else if (s != KEEL_ERR_LIMIT && s != KEEL_ERR_NO_MEMORY) {
			ktest_fail(__FILE__, __LINE__, "limit %u: task_load: %s, expected LIMIT",
			           (unsigned)limit, kstatus_name(s));
		}
		task_release_memory(t);
		KT_EXPECT_EQ(frame_held(t->owner), 0);
	}
	KT_EXPECT_EQ(s, KEEL_OK);
	KT_EXPECT(limit > 8); /* a space and t_load's pages need more than a handful */
	KT_EXPECT(pmm_check(&pmm_kernel));
}

/* ---- the loader, from ring 3 */

/* Spawn t_load with case @p which and wait; its status, or -1 (a failure is recorded). */
static int run_t_load(uint32_t which)
{
	struct keel_spawn opts = {.arg = which};
	struct task *t;
	int status = -1;

	kstatus_t s = task_spawn("t_load", NULL, &opts, &t);
	if (s != KEEL_OK) {
		ktest_fail(__FILE__, __LINE__, "spawn t_load: %s", kstatus_name(s));
		return -1;
	}
	s = task_wait(t, &status, 60ull * 1000 * 1000);
	if (s != KEEL_OK)
		ktest_fail(__FILE__, __LINE__, "wait t_load: %s", kstatus_name(s));
	return status;
}

/* A write to .rodata faults: the loader mapped it read-only. No system call needed. */
KTEST(load, rodata_is_read_only)
{
	KT_EXPECT_EQ(run_t_load(2), KEEL_FAULT_STATUS | 14);
	KT_EXPECT_EQ(task_count(), 0);
	KT_EXPECT(pmm_check(&pmm_kernel));
}

/* The program checks its own sections; its exit status is the failures (TASK_EXIT). */
KTEST(load, program_sees_its_sections)
{
	KT_EXPECT_EQ(run_t_load(1), 0);
	KT_EXPECT_EQ(task_count(), 0);
	KT_EXPECT(pmm_check(&pmm_kernel));
}
