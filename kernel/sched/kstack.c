/*
 * kstack.c - kernel stacks for threads, from a replaceable source.
 *
 * Slice 1 has no memory allocator, so every thread's stack is one of
 * THREAD_MAX fixed arrays in .bss, indexed by the thread's pool slot.
 * The source is a pointer so that slice 2 can install stacks with a
 * guard page below each one without changing the thread code.
 */
#include <keel/kstack.h>
#include <keel/panic.h>
#include <keel/thread.h>

/* [kstack_pool] */
static char pool[THREAD_MAX][THREAD_STACK_SIZE] __attribute__((aligned(16)));

static void *pool_alloc(unsigned slot)
{
	return slot < THREAD_MAX ? pool[slot] : NULL;
}

static void pool_free(unsigned slot, void *base)
{
	assert(slot < THREAD_MAX && base == pool[slot]);
}

static const struct kstack_source pool_source = {"fixed pool", pool_alloc, pool_free};
static const struct kstack_source *source = &pool_source;
/* [kstack_pool] */

void kstack_set_source(const struct kstack_source *src)
{
	source = src;
}

const char *kstack_source_name(void)
{
	return source->name;
}

void *kstack_alloc(unsigned slot)
{
	return source->alloc(slot);
}

void kstack_free(unsigned slot, void *base)
{
	source->free(slot, base);
}
