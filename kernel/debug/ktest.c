/*
 * ktest.c - run the in-kernel tests and report them in KTAP.
 *
 * Every KTEST() case is a descriptor in the `.ktest_cases` section,
 * between the linker's __ktest_start and __ktest_end. A run walks that
 * array once per suite (suites are found in order of first appearance),
 * runs the selected cases one after the other and prints KTAP version 1:
 * a top-level plan over suites, and for each suite an indented subtest
 * with one `ok`/`not ok` line per case. Failure details are KTAP
 * diagnostic lines (`# ...`) printed before the case's result line.
 */
#include <keel/arch.h>
#include <keel/kprintf.h>
#include <keel/ktest.h>
#include <keel/string.h>

extern const struct ktest_case __ktest_start[], __ktest_end[];

#define KTEST_MAX_WORDS 16

/* The running case's state; one case runs at a time. */
static struct {
	bool failed;
	unsigned failures;
} current;

bool ktest_streq(const char *a, const char *b)
{
	if (a == 0 || b == 0)
		return a == b;
	return strcmp(a, b) == 0;
}

static uint32_t random_state = 1;

void ktest_random_seed(uint32_t seed)
{
	random_state = seed ? seed : 1; /* xorshift never leaves 0 */
}

uint32_t ktest_random(void)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	return random_state;
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current.failed = true;
	current.failures++;
	kprintf("    # %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

bool ktest_failed(void)
{
	return current.failed;
}

/* A selection split into words: "suite" or "suite.case", slice prefix removed. */
struct selection {
	char buf[128];
	const char *words[KTEST_MAX_WORDS];
	size_t count;
	bool all;
};

static size_t case_count(void)
{
	return (size_t)(__ktest_end - __ktest_start);
}

/* Does word @p w name case @p c ("suite", "suite.case", "slice.suite[.case]")? */
static bool word_matches(const char *w, const struct ktest_case *c)
{
	size_t sl = strlen(c->slice), su = strlen(c->suite);

	if (strncmp(w, c->slice, sl) == 0 && w[sl] == '.' &&
	    strncmp(w + sl + 1, c->suite, su) == 0 &&
	    (w[sl + 1 + su] == '\0' || w[sl + 1 + su] == '.'))
		w += sl + 1;
	if (strncmp(w, c->suite, su) != 0)
		return false;
	if (w[su] == '\0')
		return true;
	return w[su] == '.' && strcmp(w + su + 1, c->name) == 0;
}

/* Does word @p w end in ".CASE", naming @p c itself rather than its suite? */
static bool word_names_case(const char *w, const struct ktest_case *c)
{
	size_t wl = strlen(w), nl = strlen(c->name);

	return wl > nl && w[wl - nl - 1] == '.' && strcmp(w + wl - nl, c->name) == 0;
}

/* A case that crashes on purpose (KTEST_EXPLICIT) runs only when a word
 * names it; "all" and a suite's name bring the ordinary cases only. */
static bool selected(const struct selection *sel, const struct ktest_case *c)
{
	bool explicit = c->flags & KTEST_EXPLICIT;

	if (sel->all)
		return !explicit;
	for (size_t i = 0; i < sel->count; i++)
		if (word_matches(sel->words[i], c) &&
		    (!explicit || word_names_case(sel->words[i], c)))
			return true;
	return false;
}

/* Are @p a and @p b cases of one suite? Two slices may each have a suite
 * of the same name ("programs"): they are two suites. */
static bool same_suite(const struct ktest_case *a, const struct ktest_case *b)
{
	return strcmp(a->suite, b->suite) == 0 && strcmp(a->slice, b->slice) == 0;
}

/* Is @p c the first case of its suite in the section? */
static bool first_of_suite(const struct ktest_case *c)
{
	for (const struct ktest_case *p = __ktest_start; p < c; p++)
		if (same_suite(p, c))
			return false;
	return true;
}

/* The selected cases of the suite @p first is a case of. */
static size_t suite_selected_count(const struct selection *sel, const struct ktest_case *first)
{
	size_t n = 0;
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (same_suite(c, first) && selected(sel, c))
			n++;
	return n;
}

/* Split @p text on commas into @p sel; false if it has too many words. */
static bool selection_parse(struct selection *sel, const char *text)
{
	strlcpy(sel->buf, text, sizeof(sel->buf));
	sel->all = strcmp(text, "all") == 0;
	sel->count = 0;
	for (char *p = sel->buf; *p;) {
		if (sel->count == KTEST_MAX_WORDS)
			return false;
		sel->words[sel->count++] = p;
		char *comma = strchr(p, ',');
		if (comma == 0)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return true;
}

/* Print every suite and its cases, as KTAP diagnostics. */
static void list_tests(void)
{
	kprintf("# tests in this kernel (slice.suite.case):\n");
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		kprintf("# test %s.%s.%s%s\n", c->slice, c->suite, c->name,
		        (c->flags & KTEST_EXPLICIT) ? " (explicit)" : "");
}

static void list_suites(void)
{
	kprintf("# available suites:");
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (first_of_suite(c))
			kprintf(" %s.%s", c->slice, c->suite);
	kprintf("\n");
}

/* Report each word of @p sel that names no case; true if all are known. */
static bool selection_known(const struct selection *sel)
{
	bool ok = true;
	for (size_t i = 0; i < sel->count && !sel->all; i++) {
		bool found = false;
		for (const struct ktest_case *c = __ktest_start; c < __ktest_end && !found; c++)
			found = word_matches(sel->words[i], c);
		if (!found) {
			kprintf("# ktest: unknown test '%s'\n", sel->words[i]);
			ok = false;
		}
	}
	return ok;
}

/* Print one result line, and the tag that vouches for it (ktest_auth.c). */
static void result_line(const char *indent, bool ok, size_t n, const char *name, const char *sub)
{
	char line[KTEST_LINE_MAX + 1];

	ksnprintf(line, sizeof(line), "%s %zu %s%s%s", ok ? "ok" : "not ok", n, name,
	          sub ? "." : "", sub ? sub : "");
	kprintf("%s%s\n", indent, line);
	ktest_auth_line(indent, line);
}

/* [ktest_run_suite] */
/* Run the selected cases of the suite of @p first as one KTAP subtest;
 * true if all passed. */
static bool run_suite(const struct selection *sel, const struct ktest_case *first, size_t number)
{
	size_t planned = suite_selected_count(sel, first), n = 0;
	bool suite_ok = true;

	kprintf("    KTAP version 1\n    # Subtest: %s.%s\n    1..%zu\n", first->slice,
	        first->suite, planned);
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (!same_suite(c, first) || !selected(sel, c))
			continue;
		current.failed = false;
		c->fn();
		suite_ok = suite_ok && !current.failed;
		result_line("    ", !current.failed, ++n, c->name, NULL);
	}
	result_line("", suite_ok, number, first->slice, first->suite);
	return suite_ok;
}
/* [ktest_run_suite] */

static size_t selected_suite_count(const struct selection *sel)
{
	size_t n = 0;
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (first_of_suite(c) && suite_selected_count(sel, c) > 0)
			n++;
	return n;
}

int ktest_run(const char *selection)
{
	static struct selection sel;
	size_t number = 0;
	bool all_ok = true;

	kprintf("KTAP version 1\n");
	if (strcmp(selection, "list") == 0) {
		list_tests();
		kprintf("1..0\n");
		return KEEL_EXIT_PASS;
	}
	if (!selection_parse(&sel, selection)) {
		kprintf("# ktest: more than %d names in test=\n", KTEST_MAX_WORDS);
		kprintf("1..0\n");
		return KEEL_EXIT_FAIL;
	}
	if (!selection_known(&sel)) {
		list_suites();
		kprintf("1..0\n");
		return KEEL_EXIT_FAIL;
	}
	kprintf("1..%zu\n", selected_suite_count(&sel));
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (first_of_suite(c) && suite_selected_count(&sel, c) > 0)
			all_ok = run_suite(&sel, c, ++number) && all_ok;
	}
	kprintf("# ktest: %zu suite(s) of %zu case(s) in this kernel run, %s\n", number,
	        case_count(), all_ok ? "all passed" : "some FAILED");
	return all_ok ? KEEL_EXIT_PASS : KEEL_EXIT_FAIL;
}
