/*
 * test_fmt_edges.c - the formatting engine at the edges of its contract.
 *
 * Values and fields at their extremes: the longest number fmt_number()
 * can write (64 binary digits), widths and precisions far beyond any
 * screen (clamped, never overflowing), and the signed size modifier.
 * Each of these once broke; the sanitizers turn a regression into a
 * failure here.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/kprintf.h>

/* ksnprintf without the format attribute: these formats are absurd on purpose. */
static int fmt(char *buf, size_t size, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	int n = kvsnprintf(buf, size, format, ap);
	va_end(ap);
	return n;
}

static void fmt_number_writes_64_binary_digits(void **state)
{
	char buf[FMT_NUM_MAX];
	char ones[65];

	(void)state;
	memset(ones, '1', 64);
	ones[64] = '\0';
	assert_int_equal(fmt_number(buf, UINT64_MAX, 2, false), 64);
	assert_string_equal(buf, ones);
	assert_int_equal(fmt_number(buf, UINT64_MAX, 3, false), 41);
}

static void clamps_huge_widths(void **state)
{
	static char buf[8192];

	(void)state;
	assert_int_equal(fmt(buf, sizeof(buf), "%99999999999d", 7), 4096);
	assert_int_equal(fmt(buf, sizeof(buf), "%*d", INT_MIN, 7), 4096);
	assert_int_equal(buf[0], '7'); /* negative '*' width: left-justified */
	assert_int_equal(fmt(buf, sizeof(buf), "%.99999999999s|", "abc"), 4);
	assert_string_equal(buf, "abc|");
}

static void negative_star_precision_means_none(void **state)
{
	char buf[16];

	(void)state;
	ksnprintf(buf, sizeof(buf), "%.*s", -1, "abcdef");
	assert_string_equal(buf, "abcdef");
}

static void signed_size_is_sign_extended(void **state)
{
	char buf[32];

	(void)state;
	ksnprintf(buf, sizeof(buf), "%zd %zu", (ptrdiff_t)-1, (size_t)42);
	assert_string_equal(buf, "-1 42");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fmt_number_writes_64_binary_digits),
	    cmocka_unit_test(clamps_huge_widths),
	    cmocka_unit_test(negative_star_precision_means_none),
	    cmocka_unit_test(signed_size_is_sign_extended),
	};

	return cmocka_run_group_tests_name("fmt_edges", tests, NULL, NULL);
}
