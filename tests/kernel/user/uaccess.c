/*
 * uaccess.c - in-kernel tests of user-memory access and of the
 * dispatcher's checks of the call word: every boundary of user space,
 * every kind of bad pointer, and faults caught by the exception table.
 */
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vm.h>

#define RO_VA 0x00400000u /* mapped read-only by the fixture */
#define RW_VA 0x00401000u /* mapped read-write, followed by an unmapped page */

/* A user space with one read-only and one writable page, made active. */
struct fixture {
	struct vm_space *s, *before;
	paddr_t ro, rw;
};

static bool setup(struct fixture *f)
{
	f->before = vm_active();
	if (vm_space_create(OWNER_TEST, &f->s) != KEEL_OK ||
	    frame_alloc(OWNER_TEST, &f->ro) != KEEL_OK ||
	    frame_alloc(OWNER_TEST, &f->rw) != KEEL_OK)
		return false;
	memset(frame_virt(f->ro), 'r', PAGE_BYTES);
	memset(frame_virt(f->rw), 0, PAGE_BYTES);
	if (vm_map(f->s, RO_VA, f->ro, PAGE_BYTES, VM_USER) != KEEL_OK ||
	    vm_map(f->s, RW_VA, f->rw, PAGE_BYTES, VM_USER | VM_WRITE) != KEEL_OK)
		return false;
	vm_activate(f->s);
	return true;
}

static void done(struct fixture *f)
{
	vm_activate(f->before);
	KT_EXPECT_EQ(vm_space_destroy(f->s), KEEL_OK);
	KT_EXPECT_EQ(frame_free(f->ro, OWNER_TEST), KEEL_OK);
	KT_EXPECT_EQ(frame_free(f->rw, OWNER_TEST), KEEL_OK);
}

KTEST(uaccess, range_boundaries)
{
	KT_EXPECT(!user_range_ok(0, 1));                   /* NULL */
	KT_EXPECT(!user_range_ok(0, 0));                   /* NULL, even empty */
	KT_EXPECT(!user_range_ok(VM_USER_BASE - 1, 1));    /* the NULL page's last byte */
	KT_EXPECT(user_range_ok(VM_USER_BASE, 1));         /* the first user byte */
	KT_EXPECT(user_range_ok(VM_USER_END - 1, 1));      /* the last user byte */
	KT_EXPECT(!user_range_ok(VM_USER_END - 1, 2));     /* one byte into the kernel */
	KT_EXPECT(user_range_ok(VM_USER_END - 16, 16));    /* ends exactly at the boundary */
	KT_EXPECT(!user_range_ok(VM_USER_END - 16, 17));   /* one past it */
	KT_EXPECT(!user_range_ok(VM_USER_END, 0));         /* the kernel, even empty */
	KT_EXPECT(!user_range_ok(0xfffffff0u, 0x20));      /* kernel, and wraps */
	KT_EXPECT(!user_range_ok(VM_USER_BASE, SIZE_MAX)); /* wraps past the top */
	KT_EXPECT(!user_range_ok(0x80000000u, 0x80000000u));
	KT_EXPECT(user_range_ok(VM_USER_BASE, VM_USER_END - VM_USER_BASE)); /* all of it */
}

KTEST(uaccess, copies_and_faults)
{
	struct fixture f;
	char buf[8];

	KT_ASSERT(setup(&f));
	KT_EXPECT_EQ(copy_from_user(buf, RO_VA + 8, sizeof(buf)), KEEL_OK);
	KT_EXPECT_EQ(buf[0], 'r');
	KT_EXPECT_EQ(copy_to_user(RW_VA, "keel", 5), KEEL_OK);
	KT_EXPECT_STREQ((const char *)frame_virt(f.rw), "keel");
	/* Caught by the exception table: a read-only page, an unmapped one,
	 * and a copy that starts mapped and runs into the unmapped page. */
	KT_EXPECT_EQ(copy_to_user(RO_VA, "x", 1), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(copy_from_user(buf, 0x00500000u, 4), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(copy_to_user(RW_VA + PAGE_BYTES - 2, "abcd", 4), KEEL_ERR_FAULT);
	/* Refused by the range check, before any access. */
	KT_EXPECT_EQ(copy_from_user(buf, 0, 4), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(copy_from_user(buf, VM_USER_END, 4), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(copy_from_user(buf, (uintptr_t)buf, 4), KEEL_ERR_FAULT); /* a kernel address */
	KT_EXPECT_EQ(copy_to_user(VM_USER_END - 2, "abcd", 4), KEEL_ERR_FAULT);
	done(&f);
}

KTEST(uaccess, strings)
{
	struct fixture f;
	char buf[16];

	KT_ASSERT(setup(&f));
	memcpy(frame_virt(f.rw), "hello", 6);
	KT_EXPECT_EQ(strncpy_from_user(buf, RW_VA, sizeof(buf)), 5);
	KT_EXPECT_STREQ(buf, "hello");
	KT_EXPECT_EQ(strncpy_from_user(buf, RW_VA, 5), KEEL_ERR_RANGE); /* no NUL within 5 */
	KT_EXPECT_EQ(strncpy_from_user(buf, RW_VA, 6), 5);
	/* A string that runs off its page into an unmapped one. */
	memset((char *)frame_virt(f.rw) + PAGE_BYTES - 4, 'z', 4);
	KT_EXPECT_EQ(strncpy_from_user(buf, RW_VA + PAGE_BYTES - 4, sizeof(buf)), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(strncpy_from_user(buf, 0, sizeof(buf)), KEEL_ERR_FAULT);
	KT_EXPECT_EQ(strncpy_from_user(buf, VM_USER_END - 1, sizeof(buf)), KEEL_ERR_FAULT);
	done(&f);
}

/* The dispatcher refuses a bad call word before any handler runs. */
static int32_t call(uint32_t word)
{
	struct syscall_args a = {word, {0, 0, 0, 0}};

	return syscall_dispatch(&a);
}

KTEST(syscall, call_word_checks)
{
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_COUNT, 0)), KEEL_ERR_NO_SYSCALL);
	KT_EXPECT_EQ(call(KEEL_CALL(255, 0)), KEEL_ERR_NO_SYSCALL);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_NULL, 1)), KEEL_ERR_ARGS);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_DEBUG_WRITE, 1)), KEEL_ERR_ARGS);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_DEBUG_WRITE, 3)), KEEL_ERR_ARGS);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_NULL, 0) | 0x1000), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_NULL, 0) | 0x80000000u), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(call(KEEL_CALL(KEEL_SYS_NULL, 0)), KEEL_OK);
	KT_EXPECT_STREQ(syscall_name(KEEL_SYS_TASK_SPAWN), "TASK_SPAWN");
	KT_EXPECT_STREQ(syscall_name(200), "?");
}
