/*
 * utest.c - counting and reporting failed checks in user test programs.
 *
 * The count is the whole state: a failed check prints its line and adds
 * one, and main() hands the count back as the exit status. There is no
 * setjmp, no early exit from a case: a case runs to its end, so one
 * failure does not hide the next, and a case that must stop after a
 * failure says so with an early return.
 */
#include <utest.h>

static int utest_failures;

bool utest_check(bool ok, const char *file, int line, const char *what)
{
	if (!ok)
		utest_fail(file, line, "expected %s", what);
	return ok;
}

/* @v in words: "-15 (FAULT)" for an error code, "4096 (0x1000)" otherwise. */
static void utest_value(char *buf, size_t size, int64_t v)
{
	if (v < 0 && v >= KEEL_ERR_MIN)
		snprintf(buf, size, "%lld (%s)", (long long)v, keel_errname((int)v));
	else
		snprintf(buf, size, "%lld (0x%llx)", (long long)v, (unsigned long long)v);
}

bool utest_check_eq(int64_t got, int64_t want, const char *file, int line, const char *got_text,
                    const char *want_text)
{
	char g[48], w[48];

	if (got == want)
		return true;
	utest_value(g, sizeof(g), got);
	utest_value(w, sizeof(w), want);
	utest_fail(file, line, "expected %s == %s = %s, got %s", got_text, want_text, w, g);
	return false;
}

void utest_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utest_failures++;
	printf("# FAIL %s:%d: %s\n", file, line, msg);
}

int utest_done(void)
{
	return utest_failures;
}

int utest_run(const char *prog, const struct utest_case *cases, unsigned count, uint32_t which)
{
	if (which > count) {
		utest_fail(prog, 0, "no case %u (cases 1..%u, 0 for all)", which, count);
		return utest_done();
	}
	for (unsigned i = 1; i <= count; i++) {
		if (which != 0 && which != i)
			continue;
		printf("# %s: case %u (%s)\n", prog, i, cases[i - 1].name);
		cases[i - 1].fn();
	}
	return utest_done();
}
