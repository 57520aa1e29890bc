/**
 * @file utest.h
 * @brief A tiny test helper for user programs.
 *
 * A test program checks with CHECK() and CHECK_EQ(); each failed check
 * prints one line, "# FAIL file:line: expected ..., got ...", to the
 * debug console (a KTAP diagnostic, so it lands beside the kernel test
 * that spawned the program), and is counted. main() returns the count
 * (utest_done(), or utest_run() which ends with it), so the program's
 * exit status is the number of failed checks: 0 is a pass. The kernel
 * test that spawned it waits for it and checks that status.
 *
 * A program's cases are a table; its argument picks one (1, 2, ...) or,
 * with 0, runs them all in order.
 */
#ifndef KEEL_UTEST_H
#define KEEL_UTEST_H

#include <keel_user.h>

/** @brief Check that @p cond holds; count and report it if not. */
#define CHECK(cond) utest_check((cond) != 0, __FILE__, __LINE__, #cond)

/**
 * @brief Check that @p got equals @p want (compared as 64-bit integers);
 * the report shows both values, and error names for error codes.
 */
#define CHECK_EQ(got, want)                                                                        \
	utest_check_eq((int64_t)(got), (int64_t)(want), __FILE__, __LINE__, #got, #want)

/** @brief One test case of a program. */
struct utest_case {
	const char *name; /**< Printed when the case starts. */
	void (*fn)(void); /**< Runs the case; it checks with CHECK(). */
};

/** @brief Count a failure of @p what at @p file:@p line unless @p ok. @return ok. */
bool utest_check(bool ok, const char *file, int line, const char *what);
/** @brief Count a failure unless @p got == @p want. @return whether they are equal. */
bool utest_check_eq(int64_t got, int64_t want, const char *file, int line, const char *got_text,
                    const char *want_text);
/** @brief Count a failure with a message of its own (printf-like). */
void utest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** @brief The failures counted so far: what main() returns. */
int utest_done(void);

/**
 * @brief Run case @p which (1..@p count) of @p cases, or all of them when
 * @p which is 0, each announced as "# NAME: case N (NAME)".
 * @return utest_done(); an unknown case number counts as one failure.
 */
int utest_run(const char *prog, const struct utest_case *cases, unsigned count, uint32_t which);

#endif
