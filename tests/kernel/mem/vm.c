/*
 * vm.c - in-kernel tests of address spaces: map, query, unmap, isolation,
 * W^X, the kernel's own W^X, and every refusal vm.h promises.
 */
#include <keel/frame.h>
#include <keel/kstack.h>
#include <keel/kstack_guard.h>
#include <keel/ktest.h>
#include <keel/thread.h>
#include <keel/vm.h>

#define UVA 0x00400000u /* a user address for the tests */

extern char _text_start[], _rodata_start[], _data_start[];

/* A space and a frame to map in it; both released by done(). */
struct fixture {
	struct vm_space *s;
	paddr_t pa;
};

static bool setup(struct fixture *f)
{
	f->s = NULL;
	return vm_space_create(OWNER_TEST, &f->s) == KEEL_OK &&
	       frame_alloc(OWNER_TEST, &f->pa) == KEEL_OK;
}

static void done(struct fixture *f)
{
	KT_EXPECT_EQ(vm_space_destroy(f->s), KEEL_OK);
	KT_EXPECT_EQ(frame_free(f->pa, OWNER_TEST), KEEL_OK);
}

KTEST(vm, map_query_unmap)
{
	struct fixture f;
	paddr_t pa;
	unsigned flags;

	KT_ASSERT(setup(&f));
	KT_EXPECT_EQ(vm_query(f.s, UVA, &pa, &flags), KEEL_ERR_NOT_FOUND);
	KT_ASSERT_EQ(vm_map(f.s, UVA, f.pa, PAGE_BYTES, VM_WRITE | VM_USER), KEEL_OK);
	KT_EXPECT_EQ(f.s->pages, 1);
	KT_ASSERT_EQ(vm_query(f.s, UVA + 0x123, &pa, &flags), KEEL_OK);
	KT_EXPECT_EQ(pa, f.pa + 0x123);
	KT_EXPECT_EQ(flags & (VM_WRITE | VM_USER | VM_GLOBAL), VM_WRITE | VM_USER);
	KT_EXPECT_EQ(flags & VM_EXEC, vm_nx_enforced() ? 0 : VM_EXEC);
	KT_EXPECT_EQ(vm_unmap(f.s, UVA, PAGE_BYTES), KEEL_OK);
	KT_EXPECT_EQ(vm_query(f.s, UVA, &pa, &flags), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(f.s->pages, 0);
	done(&f);
}

KTEST(vm, ranges_map_all_or_nothing)
{
	struct fixture f;
	paddr_t pa;

	KT_ASSERT(setup(&f));
	KT_ASSERT_EQ(vm_map(f.s, UVA + 2 * PAGE_BYTES, f.pa, PAGE_BYTES, 0), KEEL_OK);
	/* Four pages whose third is taken: refused, and the first two stay unmapped. */
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, 4 * PAGE_BYTES, 0), KEEL_ERR_EXISTS);
	KT_EXPECT_EQ(vm_query(f.s, UVA, &pa, 0), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(vm_query(f.s, UVA + PAGE_BYTES, &pa, 0), KEEL_ERR_NOT_FOUND);
	/* Unmapping a range with a hole unmaps nothing. */
	KT_EXPECT_EQ(vm_unmap(f.s, UVA + PAGE_BYTES, 2 * PAGE_BYTES), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(vm_query(f.s, UVA + 2 * PAGE_BYTES, &pa, 0), KEEL_OK);
	/* A range across a page-table boundary (2 MiB). */
	KT_EXPECT_EQ(vm_map(f.s, 0x5ff000, f.pa, 2 * PAGE_BYTES, VM_USER), KEEL_OK);
	KT_EXPECT_EQ(vm_unmap(f.s, 0x5ff000, 2 * PAGE_BYTES), KEEL_OK);
	KT_EXPECT_EQ(f.s->pages, 1);
	done(&f);
}

KTEST(vm, bad_arguments)
{
	struct fixture f;

	KT_ASSERT(setup(&f));
	KT_EXPECT_EQ(vm_map(f.s, UVA + 1, f.pa, PAGE_BYTES, 0), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa + 8, PAGE_BYTES, 0), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, 100, 0), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, 0, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, 0xfffff000u, 0), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(vm_map(f.s, 0, f.pa, PAGE_BYTES, 0), KEEL_ERR_RANGE); /* the NULL page */
	KT_EXPECT_EQ(vm_map(f.s, VM_KERNEL_BASE, f.pa, PAGE_BYTES, 0), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(vm_map(f.s, VM_USER_END - PAGE_BYTES, f.pa, 2 * PAGE_BYTES, 0),
	             KEEL_ERR_RANGE);
	KT_EXPECT_EQ(vm_map(f.s, UVA, 1ull << 36, PAGE_BYTES, 0), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, PAGE_BYTES, 0x100), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(vm_map(NULL, UVA, f.pa, PAGE_BYTES, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(vm_unmap(f.s, UVA, PAGE_BYTES), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(vm_unmap(f.s, UVA, 0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(vm_unmap(f.s, UVA + 4, PAGE_BYTES), KEEL_ERR_ALIGN);
	KT_EXPECT_EQ(vm_query(NULL, UVA, 0, 0), KEEL_ERR_INVALID);
	/* The kernel space maps only its stack area. */
	KT_EXPECT_EQ(vm_map(&vm_kernel, UVA, f.pa, PAGE_BYTES, 0), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(vm_map(&vm_kernel, VM_KERNEL_BASE, f.pa, PAGE_BYTES, 0), KEEL_ERR_RANGE);
	KT_EXPECT_EQ(f.s->pages, 0);
	done(&f);
}

KTEST(vm, write_xor_execute)
{
	struct fixture f;

	KT_ASSERT(setup(&f));
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, PAGE_BYTES, VM_WRITE | VM_EXEC), KEEL_ERR_DENIED);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, PAGE_BYTES, VM_WRITE | VM_EXEC | VM_USER),
	             KEEL_ERR_DENIED);
	KT_EXPECT_EQ(vm_query(f.s, UVA, 0, 0), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(vm_map(f.s, UVA, f.pa, PAGE_BYTES, VM_EXEC | VM_USER), KEEL_OK);
	done(&f);
}

KTEST(vm, kernel_image_is_write_xor_execute)
{
	unsigned flags;
	paddr_t pa;

	KT_ASSERT_EQ(vm_query(&vm_kernel, (uintptr_t)_text_start, &pa, &flags), KEEL_OK);
	KT_EXPECT_EQ(flags & (VM_WRITE | VM_EXEC | VM_GLOBAL), VM_EXEC | VM_GLOBAL);
	KT_EXPECT_EQ(pa, (uintptr_t)_text_start - VM_KERNEL_BASE);
	KT_ASSERT_EQ(vm_query(&vm_kernel, (uintptr_t)_rodata_start, 0, &flags), KEEL_OK);
	KT_EXPECT_EQ(flags & VM_WRITE, 0);
	KT_ASSERT_EQ(vm_query(&vm_kernel, (uintptr_t)_data_start, 0, &flags), KEEL_OK);
	KT_EXPECT_EQ(flags & VM_WRITE, VM_WRITE);
	if (vm_nx_enforced()) {
		KT_EXPECT_EQ(flags & VM_EXEC, 0);
		KT_ASSERT_EQ(vm_query(&vm_kernel, (uintptr_t)_rodata_start, 0, &flags), KEEL_OK);
		KT_EXPECT_EQ(flags & VM_EXEC, 0);
	}
	/* The boot identity mapping is gone. */
	KT_EXPECT_EQ(vm_query(&vm_kernel, 0x100000, 0, 0), KEEL_ERR_NOT_FOUND);
}

/* [isolation_test] */
KTEST(vm, spaces_are_isolated)
{
	struct fixture a, b;
	volatile uint32_t *p = (volatile uint32_t *)UVA;

	KT_ASSERT(setup(&a) && setup(&b));
	KT_ASSERT_EQ(vm_map(a.s, UVA, a.pa, PAGE_BYTES, VM_WRITE), KEEL_OK);
	KT_ASSERT_EQ(vm_map(b.s, UVA, b.pa, PAGE_BYTES, VM_WRITE), KEEL_OK);
	vm_activate(a.s);
	*p = 0xaaaa0001;
	vm_activate(b.s);
	*p = 0xbbbb0002;
	vm_activate(a.s);
	uint32_t seen_in_a = *p;
	vm_activate(&vm_kernel);
	KT_EXPECT_EQ(seen_in_a, 0xaaaa0001);
	KT_EXPECT_EQ(*(uint32_t *)frame_virt(a.pa), 0xaaaa0001);
	KT_EXPECT_EQ(*(uint32_t *)frame_virt(b.pa), 0xbbbb0002);
	/* Each space's user half is its own; the kernel half is shared. */
	KT_EXPECT_EQ(vm_query(&vm_kernel, UVA, 0, 0), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(vm_query(a.s, (uintptr_t)_text_start, 0, 0), KEEL_OK);
	done(&a);
	done(&b);
}
/* [isolation_test] */

KTEST(vm, destroy_returns_every_table)
{
	struct vm_space *s;
	paddr_t pa;

	KT_ASSERT_EQ(frame_alloc(OWNER_KERNEL, &pa), KEEL_OK);
	uint32_t before = pmm_kernel.owner_frames[OWNER_TEST];
	KT_ASSERT_EQ(vm_space_create(OWNER_TEST, &s), KEEL_OK);
	/* Pages in three gigabytes and many page tables. */
	for (uintptr_t va = 0x1000; va < 0xb0000000u; va += 0x10000000u)
		KT_ASSERT_EQ(vm_map(s, va, pa, PAGE_BYTES, 0), KEEL_OK);
	KT_EXPECT(s->tables > 4);
	KT_EXPECT_EQ(pmm_kernel.owner_frames[OWNER_TEST], before + s->tables);
	vm_activate(s);
	KT_EXPECT_EQ(vm_space_destroy(s), KEEL_ERR_BUSY);
	vm_activate(&vm_kernel);
	KT_EXPECT_EQ(vm_space_destroy(&vm_kernel), KEEL_ERR_BUSY);
	KT_EXPECT_EQ(vm_space_destroy(s), KEEL_OK);
	KT_EXPECT_EQ(pmm_kernel.owner_frames[OWNER_TEST], before);
	KT_EXPECT_EQ(frame_owner(pa), OWNER_KERNEL); /* mapped frames are not the space's */
	KT_EXPECT_EQ(frame_free(pa, OWNER_KERNEL), KEEL_OK);
}

KTEST(vm, out_of_memory_for_tables)
{
	struct vm_space *s;
	paddr_t pa;

	KT_ASSERT_EQ(frame_alloc(OWNER_KERNEL, &pa), KEEL_OK);
	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 3), KEEL_OK);
	KT_EXPECT_EQ(vm_space_create(OWNER_TEST, &s), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(pmm_kernel.owner_frames[OWNER_TEST], 0); /* nothing kept */
	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 4), KEEL_OK);
	KT_ASSERT_EQ(vm_space_create(OWNER_TEST, &s), KEEL_OK);
	/* No frame left for a page table: refused, nothing mapped. */
	KT_EXPECT_EQ(vm_map(s, UVA, pa, PAGE_BYTES, 0), KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(vm_query(s, UVA, 0, 0), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(s->pages, 0);
	/* With a frame to spare, the same call works. */
	KT_ASSERT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 5), KEEL_OK);
	KT_EXPECT_EQ(vm_map(s, UVA, pa, PAGE_BYTES, 0), KEEL_OK);
	KT_EXPECT_EQ(vm_space_destroy(s), KEEL_OK);
	KT_EXPECT_EQ(pmm_set_limit(&pmm_kernel, OWNER_TEST, 0), KEEL_OK);
	KT_EXPECT_EQ(frame_free(pa, OWNER_KERNEL), KEEL_OK);
}

KTEST(vm, guarded_stacks)
{
	paddr_t pa;

	KT_EXPECT_STREQ(kstack_source_name(), "guarded pages");
	/* The idle thread's stack is in the stack area, with its guard unmapped. */
	const struct thread *idle = thread_slot(1);
	KT_ASSERT(idle != NULL && idle->stack != NULL);
	uintptr_t base = (uintptr_t)idle->stack;
	KT_EXPECT(base >= VM_KSTACK_BASE && base < VM_KSTACK_END);
	KT_EXPECT_EQ(vm_query(&vm_kernel, base, &pa, 0), KEEL_OK);
	KT_EXPECT_EQ(vm_query(&vm_kernel, base - 1, 0, 0), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(kstack_guard_slot(base - 1), 1);
	KT_EXPECT_EQ(kstack_guard_slot(base), -1);
	KT_EXPECT_EQ(frame_owner(pa), OWNER_STACKS);
}
