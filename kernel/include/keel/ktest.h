/**
 * @file ktest.h
 * @brief The in-kernel test runner: cases, suites, expectations and KTAP.
 *
 * A test case is a function declared with KTEST(suite, name). The macro
 * puts a descriptor in the `.ktest_cases` linker section, so a file adds
 * tests without any list to edit. The boot command line picks what runs
 * (`test=all`, `test=SUITE`, `test=SUITE.CASE`, comma-separated); results
 * go to the console as KTAP version 1, one subtest per suite, and the
 * kernel then leaves QEMU with KEEL_EXIT_PASS or KEEL_EXIT_FAIL.
 *
 * Every case has a stable id `slice.suite.case`, where slice is the name
 * of the slice the file belongs to (the build passes it as KEEL_SLICE).
 *
 * Expectations record a failure and let the case go on; assertions
 * (KT_ASSERT*) also end the case. A case that panics, hangs or resets
 * the machine is caught by the harness outside the kernel.
 */
#ifndef KEEL_KTEST_H
#define KEEL_KTEST_H

#include <keel/debug.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief Case flags. */
enum ktest_flags {
	/** Run only when named explicitly, never by `test=all` (cases that crash on purpose). */
	KTEST_EXPLICIT = 1u << 0,
};

/** @brief The descriptor KTEST() places in the `.ktest_cases` section. */
struct ktest_case {
	const char *slice; /**< Slice name, the first part of the id. */
	const char *suite; /**< Suite name. */
	const char *name;  /**< Case name. */
	void (*fn)(void);  /**< The case. */
	uint32_t flags;    /**< enum ktest_flags. */
};

#ifndef KEEL_SLICE
/** @brief The slice a file belongs to; the build defines it per object. */
#define KEEL_SLICE "unknown"
#endif

/** @brief The body of KTEST() and KTEST_EXPLICIT_CASE(); not for direct use. */
#define KTEST_DEFINE_(suite, name, flags)                                                          \
	static void ktest_fn_##suite##_##name(void);                                               \
	__attribute__((used, section(".ktest_cases"),                                              \
	               aligned(4))) static const struct ktest_case ktest_case_##suite##_##name = { \
	    KEEL_SLICE, #suite, #name, ktest_fn_##suite##_##name, flags};                          \
	static void ktest_fn_##suite##_##name(void)

/** @brief Define a test case `name` in `suite`; the body follows. */
#define KTEST(suite, name) KTEST_DEFINE_(suite, name, 0)

/** @brief Define a case that runs only when selected by name (see KTEST_EXPLICIT). */
#define KTEST_EXPLICIT_CASE(suite, name) KTEST_DEFINE_(suite, name, KTEST_EXPLICIT)

/** @brief Record a failure of the running case (prints a KTAP diagnostic). */
__attribute__((format(printf, 3, 4))) void ktest_fail(const char *file, int line, const char *fmt,
                                                      ...);

/** @brief True if the running case has recorded a failure. */
bool ktest_failed(void);

/** @brief Expect @p c to be true. */
#define KT_EXPECT(c) ((c) ? (void)0 : ktest_fail(__FILE__, __LINE__, "expected %s", #c))

/** @brief Expect two integers to be equal; prints both on failure. */
#define KT_EXPECT_EQ(a, b)                                                                         \
	do {                                                                                       \
		long long ka_ = (long long)(a), kb_ = (long long)(b);                              \
		if (ka_ != kb_)                                                                    \
			ktest_fail(__FILE__, __LINE__, "expected %s == %s, got %lld != %lld", #a,  \
			           #b, ka_, kb_);                                                  \
	} while (0)

/** @brief Expect two C strings to be equal; prints both on failure. */
#define KT_EXPECT_STREQ(a, b)                                                                      \
	do {                                                                                       \
		const char *ka_ = (a), *kb_ = (b);                                                 \
		if (!ktest_streq(ka_, kb_))                                                        \
			ktest_fail(__FILE__, __LINE__, "expected %s == %s, got \"%s\" != \"%s\"",  \
			           #a, #b, ka_ ? ka_ : "(null)", kb_ ? kb_ : "(null)");            \
	} while (0)

/** @brief Like KT_EXPECT(), but end the case on failure. */
#define KT_ASSERT(c)                                                                               \
	do {                                                                                       \
		KT_EXPECT(c);                                                                      \
		if (ktest_failed())                                                                \
			return;                                                                    \
	} while (0)

/** @brief Like KT_EXPECT_EQ(), but end the case on failure. */
#define KT_ASSERT_EQ(a, b)                                                                         \
	do {                                                                                       \
		KT_EXPECT_EQ(a, b);                                                                \
		if (ktest_failed())                                                                \
			return;                                                                    \
	} while (0)

/** @brief String equality that treats two NULLs as equal. */
bool ktest_streq(const char *a, const char *b);

/** @brief Start ktest_random()'s sequence at @p seed (not 0): the same seed, the same numbers. */
void ktest_random_seed(uint32_t seed);

/** @brief The next number of a seeded pseudo-random sequence (xorshift32), for stress tests. */
uint32_t ktest_random(void);

/** @brief The longest result line the runner tags (longer ones are tagged cut). */
#define KTEST_LINE_MAX 160

/**
 * @brief Print the tag that vouches for result line @p line (as printed,
 * without @p indent and newline): `# keel-auth: ` and 16 hex digits, the
 * SipHash-2-4 of the line's sequence number and text under the key. Does
 * nothing without a key. The runner's own use only.
 */
void ktest_auth_line(const char *indent, const char *line);

#endif
