/**
 * @file kbench.h
 * @brief In-kernel benchmarks: timed samples of one operation at a time.
 *
 * A benchmark is a function declared with KBENCH(name); the macro puts it
 * in the `.kbench_cases` linker section. `bench=all` (or a list of names)
 * on the command line runs them after boot. Each case takes samples of
 * one operation and hands each to kbench_sample(); the kernel prints the
 * raw samples on the console and `make bench` (scripts/bench) turns them
 * into medians and distributions on the host.
 *
 * A sample is a difference of two kbench_begin()/kbench_end() readings:
 * TSC cycles on real hardware and under KVM, and instructions under
 * QEMU's emulator (run with -icount, its TSC counts instructions). The
 * host subtracts the cost of an empty begin/end pair, measured by the
 * runner itself, unless a case says its samples are already net.
 */
#ifndef KEEL_KBENCH_H
#define KEEL_KBENCH_H

#include <keel/debug.h>
#include <stdint.h>

/** @brief Case flags. */
enum kbench_flags {
	KBENCH_NET = 1u << 0, /**< Samples exclude the begin/end cost already. */
};

/** @brief What KBENCH() puts in the `.kbench_cases` section. */
struct kbench_case {
	const char *slice; /**< The slice the benchmark belongs to. */
	const char *name;  /**< Its name; the id is slice.name. */
	void (*fn)(void);  /**< Takes the samples. */
	uint32_t flags;    /**< enum kbench_flags. */
};

/** @brief The body of KBENCH() and KBENCH_FLAGS(); not for direct use. */
#define KBENCH_DEFINE_(bname, bflags)                                                              \
	static void kbench_fn_##bname(void);                                                       \
	__attribute__((used, section(".kbench_cases"),                                             \
	               aligned(4))) static const struct kbench_case kbench_case_##bname = {        \
	    KEEL_SLICE, #bname, kbench_fn_##bname, bflags};                                        \
	static void kbench_fn_##bname(void)

/** @brief Define benchmark @p name; the body follows. */
#define KBENCH(name) KBENCH_DEFINE_(name, 0)

/** @brief Define benchmark @p name with enum kbench_flags @p flags. */
#define KBENCH_FLAGS(name, flags) KBENCH_DEFINE_(name, flags)

/** @brief Samples a case should take, unless it has a reason to take fewer. */
#define KBENCH_SAMPLES 1000

/** @brief Read the timestamp before the measured operation (serialised). */
uint64_t kbench_begin(void);

/** @brief Read the timestamp after the measured operation (serialised). */
uint64_t kbench_end(void);

/** @brief Record one sample (the end reading minus the begin reading). */
void kbench_sample(uint64_t value);

#endif
