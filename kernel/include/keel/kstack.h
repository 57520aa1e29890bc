/**
 * @file kstack.h
 * @brief Kernel stacks (kernel/sched/kstack.c): one per thread pool slot,
 * from a source a later slice can replace.
 *
 * Slice 1 serves THREAD_STACK_SIZE stacks from a fixed array, one per
 * pool slot; slice 2 installs a source with guard pages through
 * kstack_set_source() (kstack_guard.h).
 */
#ifndef KEEL_KSTACK_H
#define KEEL_KSTACK_H

/**
 * @brief Where kernel stacks come from: the seam for slice 2.
 *
 * Slice 1 serves THREAD_STACK_SIZE stacks from a fixed array, one per
 * pool slot. Slice 2 installs a source that maps each stack with an
 * unmapped guard page below it, so an overflow faults instead of
 * silently corrupting the next stack.
 */
struct kstack_source {
	const char *name;              /**< For `threads` and reports. */
	void *(*alloc)(unsigned slot); /**< Lowest address of a stack for @p slot, or NULL. */
	void (*free)(unsigned slot, void *base); /**< Give back a stack alloc() returned. */
};

/** @brief Use @p src for every stack allocated from now on. Boot only. */
void kstack_set_source(const struct kstack_source *src);

/** @brief The name of the current kstack_source ("fixed pool"). */
const char *kstack_source_name(void);

/** @brief A stack for pool slot @p slot from the current source, or NULL. */
void *kstack_alloc(unsigned slot);

/** @brief Give back slot @p slot's stack @p base. */
void kstack_free(unsigned slot, void *base);

#endif
