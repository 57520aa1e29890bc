/*
 * test_config.c - host unit tests for kernel/boot/config.c, the boot command line.
 *
 * The command line is the one input the kernel takes before anything else
 * runs, and a typo in it must never stop a boot. These tests check every key
 * type, every warning (captured through the callback, by its text), the
 * edges of each value, and that config_keys[] is the single table the
 * parser, the warnings and config_format() all agree on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/config.h>

#define MAX_WARNINGS 8

/* Every warning line the parser gave, in order. */
struct warnings {
	int count;
	char line[MAX_WARNINGS][256];
};

static void capture(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	assert_true(strlen(msg) < sizeof(w->line[0]));
	if (w->count < MAX_WARNINGS)
		strcpy(w->line[w->count], msg);
	w->count++;
}

/* Parse @p cmdline over @p cfg; the returned count must match the lines captured. */
static int parse(kernel_config_t *cfg, const char *cmdline, struct warnings *w)
{
	memset(w, 0, sizeof(*w));
	int n = config_parse(cfg, cmdline, capture, w);
	assert_int_equal(n, w->count);
	return n;
}

/* Parse @p cmdline over the defaults and expect no warning. */
static kernel_config_t parse_clean(const char *cmdline)
{
	kernel_config_t cfg;
	struct warnings w;

	config_defaults(&cfg);
	if (parse(&cfg, cmdline, &w) != 0)
		fail_msg("\"%s\" warned: %s", cmdline, w.line[0]);
	return cfg;
}

/* Parse the one bad word @p cmdline: one warning, equal to @p want, and cfg unchanged. */
static void expect_warning(const char *cmdline, const char *want)
{
	kernel_config_t cfg, before;
	struct warnings w;

	config_defaults(&cfg);
	assert_int_equal(config_parse(&cfg, "loglevel=2 test=old monitor=off", NULL, NULL), 0);
	before = cfg;
	assert_int_equal(parse(&cfg, cmdline, &w), 1);
	assert_string_equal(w.line[0], want);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static const struct config_key *key_named(const char *name)
{
	for (size_t i = 0; i < config_key_count; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	fail_msg("no key '%s' in config_keys[]", name);
	return NULL;
}

/* config_format() of key @p name must be @p want. */
static void expect_format(const kernel_config_t *cfg, const char *name, const char *want)
{
	char buf[CONFIG_TEST_MAX + 8];

	memset(buf, '#', sizeof(buf));
	assert_ptr_equal(config_format(cfg, key_named(name), buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void defaults_match_the_dev_profile(void **state)
{
	(void)state;
	kernel_config_t cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	config_defaults(&cfg);
	assert_string_equal(cfg.test, "");
	assert_int_equal(cfg.monitor, KEEL_MONITOR);
	assert_true(cfg.vga);
	assert_int_equal(cfg.exit, CONFIG_EXIT_HALT);
	assert_int_equal(cfg.loglevel, 1);
}

static void empty_cmdline_changes_nothing(void **state)
{
	(void)state;
	static const char *const blanks[] = {"", " ", "   ", "\t", " \t \t  "};
	kernel_config_t cfg, defaults;
	struct warnings w;

	config_defaults(&defaults);
	for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		cfg = defaults;
		assert_int_equal(parse(&cfg, blanks[i], &w), 0);
		assert_memory_equal(&cfg, &defaults, sizeof(cfg));
	}
	cfg = defaults;
	assert_int_equal(parse(&cfg, NULL, &w), 0);
	assert_memory_equal(&cfg, &defaults, sizeof(cfg));
}

static void parses_string_key(void **state)
{
	(void)state;
	assert_string_equal(parse_clean("test=all").test, "all");
	assert_string_equal(parse_clean("test=sched.yield,ipc").test, "sched.yield,ipc");
	assert_string_equal(parse_clean("test=list").test, "list");
	/* Only the first '=' splits key from value. */
	assert_string_equal(parse_clean("test=a=b").test, "a=b");
	/* An empty value is a valid (empty) selection. */
	assert_string_equal(parse_clean("test=all test=").test, "");
}

static void parses_bool_spellings(void **state)
{
	(void)state;
	static const char *const on[] = {"on", "yes", "true", "1"};
	static const char *const off[] = {"off", "no", "false", "0"};
	char line[64];

	for (size_t i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "monitor=%s vga=%s", on[i], off[i]);
		kernel_config_t cfg = parse_clean(line);
		assert_true(cfg.monitor);
		assert_false(cfg.vga);
		snprintf(line, sizeof(line), "monitor=%s vga=%s", off[i], on[i]);
		cfg = parse_clean(line);
		assert_false(cfg.monitor);
		assert_true(cfg.vga);
	}
}

static void bare_key_means_on(void **state)
{
	(void)state;
	assert_true(parse_clean("vga=off vga").vga);
	assert_true(parse_clean("monitor=off monitor").monitor);
	/* For a string key "on" is just the value. */
	assert_string_equal(parse_clean("test").test, "on");
	expect_warning("exit", "bad value 'on' for boot option 'exit' ignored; expected one of "
	                       "halt, qemu, reboot");
	expect_warning(
	    "loglevel",
	    "bad value 'on' for boot option 'loglevel' ignored; expected a number from 0 "
	    "to 3");
}

static void parses_enum_values(void **state)
{
	(void)state;
	assert_int_equal(parse_clean("exit=qemu").exit, CONFIG_EXIT_QEMU);
	assert_int_equal(parse_clean("exit=reboot").exit, CONFIG_EXIT_REBOOT);
	assert_int_equal(parse_clean("exit=qemu exit=halt").exit, CONFIG_EXIT_HALT);
}

static void accepts_loglevel_bounds(void **state)
{
	(void)state;
	assert_int_equal(parse_clean("loglevel=0").loglevel, 0);
	assert_int_equal(parse_clean("loglevel=3").loglevel, 3);
	assert_int_equal(parse_clean("loglevel=2").loglevel, 2);
	assert_int_equal(parse_clean("loglevel=003").loglevel, 3);
	assert_int_equal(parse_clean("loglevel=3 loglevel=0").loglevel, 0);
}

/* The warning every rejected loglevel value gets. */
static void expect_bad_loglevel(const char *value)
{
	char cmdline[64], want[160];

	snprintf(cmdline, sizeof(cmdline), "loglevel=%s", value);
	snprintf(want, sizeof(want),
	         "bad value '%s' for boot option 'loglevel' ignored; expected a number from 0 to 3",
	         value);
	expect_warning(cmdline, want);
}

static void rejects_bad_loglevel(void **state)
{
	(void)state;
	expect_bad_loglevel("4");
	expect_bad_loglevel("9");
	expect_bad_loglevel("");
	expect_bad_loglevel("12x");
	expect_bad_loglevel("x");
	expect_bad_loglevel("-1");
	expect_bad_loglevel("+1");
	expect_bad_loglevel("0x2");
	expect_bad_loglevel("3.0");
}

static void rejects_overflowing_loglevel(void **state)
{
	(void)state;
	/* 2^32 and 2^64 would wrap to 0, an accepted value, if the parser overflowed. */
	expect_bad_loglevel("4294967296");
	expect_bad_loglevel("18446744073709551616");
	expect_bad_loglevel("99999999999999999999");
	expect_bad_loglevel("4294967299");
	expect_bad_loglevel("0000000000000000000000000000000000000004");
	assert_int_equal(parse_clean("loglevel=0000000000000000000000000000000000000002").loglevel,
	                 2);
}

static void rejects_bad_bool(void **state)
{
	(void)state;
	expect_warning("monitor=perhaps",
	               "bad value 'perhaps' for boot option 'monitor' ignored; expected on or off");
	expect_warning("vga=ON",
	               "bad value 'ON' for boot option 'vga' ignored; expected on or off");
	expect_warning("vga=", "bad value '' for boot option 'vga' ignored; expected on or off");
	expect_warning("monitor=2",
	               "bad value '2' for boot option 'monitor' ignored; expected on or off");
}

static void rejects_bad_enum(void **state)
{
	(void)state;
	expect_warning("exit=maybe", "bad value 'maybe' for boot option 'exit' ignored; expected "
	                             "one of halt, qemu, reboot");
	expect_warning("exit=QEMU", "bad value 'QEMU' for boot option 'exit' ignored; expected "
	                            "one of halt, qemu, reboot");
	expect_warning("exit=",
	               "bad value '' for boot option 'exit' ignored; expected one of halt, "
	               "qemu, reboot");
	expect_warning("exit=1", "bad value '1' for boot option 'exit' ignored; expected one of "
	                         "halt, qemu, reboot");
}

/* A test= value of @p len copies of @p c. */
static void make_value(char *buf, size_t len, char c)
{
	memset(buf, c, len);
	buf[len] = '\0';
}

static void accepts_test_value_of_max_length(void **state)
{
	(void)state;
	char cmdline[CONFIG_TEST_MAX + 16], value[CONFIG_TEST_MAX];

	make_value(value, CONFIG_TEST_MAX - 1, 's');
	snprintf(cmdline, sizeof(cmdline), "test=%s", value);
	kernel_config_t cfg = parse_clean(cmdline);
	assert_string_equal(cfg.test, value);
	assert_int_equal(strlen(cfg.test), CONFIG_TEST_MAX - 1);
}

static void rejects_test_value_too_long(void **state)
{
	(void)state;
	char cmdline[CONFIG_TEST_MAX + 16], value[CONFIG_TEST_MAX + 1], want[256];

	make_value(value, CONFIG_TEST_MAX, 'l');
	snprintf(cmdline, sizeof(cmdline), "test=%s", value);
	snprintf(want, sizeof(want),
	         "bad value '%s' for boot option 'test' ignored; expected at most %d characters",
	         value, CONFIG_TEST_MAX - 1);
	expect_warning(cmdline, want);
}

/* A value longer than the warning line: cut, but still one safe, terminated line. */
static void truncates_warning_for_huge_value(void **state)
{
	(void)state;
	char cmdline[1024];
	kernel_config_t cfg;
	struct warnings w;

	strcpy(cmdline, "test=");
	make_value(cmdline + 5, 900, 'h');
	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, cmdline, &w), 1);
	assert_string_equal(cfg.test, "");
	assert_int_equal(strncmp(w.line[0], "bad value 'hhhh", 15), 0);
	assert_int_equal(strlen(w.line[0]), 255);
}

static void unknown_key_warning_lists_known_keys(void **state)
{
	(void)state;
	expect_warning("colour=blue", "unknown boot option 'colour' ignored; known: test, monitor, "
	                              "vga, exit, loglevel, tick, bench, ktest_key");
	expect_warning("quiet", "unknown boot option 'quiet' ignored; known: test, monitor, vga, "
	                        "exit, loglevel, tick, bench, ktest_key");
	expect_warning("=on", "unknown boot option '' ignored; known: test, monitor, vga, exit, "
	                      "loglevel, tick, bench, ktest_key");
	/* Keys are case-sensitive and must match whole. */
	expect_warning("VGA=off", "unknown boot option 'VGA' ignored; known: test, monitor, vga, "
	                          "exit, loglevel, tick, bench, ktest_key");
	expect_warning("vgaa=on", "unknown boot option 'vgaa' ignored; known: test, monitor, vga, "
	                          "exit, loglevel, tick, bench, ktest_key");
	expect_warning("tes=all", "unknown boot option 'tes' ignored; known: test, monitor, vga, "
	                          "exit, loglevel, tick, bench, ktest_key");
}

static void later_words_override_earlier(void **state)
{
	(void)state;
	kernel_config_t cfg = parse_clean("loglevel=0 vga=off exit=qemu test=a loglevel=3 vga=on "
	                                  "exit=reboot test=b");

	assert_int_equal(cfg.loglevel, 3);
	assert_true(cfg.vga);
	assert_int_equal(cfg.exit, CONFIG_EXIT_REBOOT);
	assert_string_equal(cfg.test, "b");
}

static void bad_word_keeps_earlier_value(void **state)
{
	(void)state;
	kernel_config_t cfg;
	struct warnings w;

	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "loglevel=2 loglevel=9 exit=qemu exit=maybe", &w), 2);
	assert_int_equal(cfg.loglevel, 2);
	assert_int_equal(cfg.exit, CONFIG_EXIT_QEMU);
	/* A second parse starts from what is there, not from the defaults. */
	assert_int_equal(parse(&cfg, "vga=off", &w), 0);
	assert_int_equal(cfg.loglevel, 2);
	assert_false(cfg.vga);
}

static void tabs_and_spaces_separate_words(void **state)
{
	(void)state;
	kernel_config_t cfg = parse_clean("\t loglevel=2\t\tvga=off   exit=qemu\t test=x \t");

	assert_int_equal(cfg.loglevel, 2);
	assert_false(cfg.vga);
	assert_int_equal(cfg.exit, CONFIG_EXIT_QEMU);
	assert_string_equal(cfg.test, "x");
}

static void counts_every_warning_in_order(void **state)
{
	(void)state;
	kernel_config_t cfg;
	struct warnings w;

	config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "a vga=off loglevel=7 b=1", &w), 3);
	assert_int_equal(strncmp(w.line[0], "unknown boot option 'a' ", 24), 0);
	assert_int_equal(strncmp(w.line[1], "bad value '7' for boot option 'loglevel' ", 41), 0);
	assert_int_equal(strncmp(w.line[2], "unknown boot option 'b' ", 24), 0);
	assert_false(cfg.vga);
	/* Without a callback the warnings are still counted. */
	assert_int_equal(config_parse(&cfg, "a b c loglevel=7", NULL, NULL), 4);
}

static void formats_each_key(void **state)
{
	(void)state;
	kernel_config_t cfg;

	config_defaults(&cfg);
	expect_format(&cfg, "test", "");
	expect_format(&cfg, "monitor", KEEL_MONITOR ? "on" : "off");
	expect_format(&cfg, "vga", "on");
	expect_format(&cfg, "exit", "halt");
	expect_format(&cfg, "loglevel", "1");
	cfg = parse_clean("test=ipc,sched monitor=off vga=off exit=reboot loglevel=3");
	expect_format(&cfg, "test", "ipc,sched");
	expect_format(&cfg, "monitor", "off");
	expect_format(&cfg, "vga", "off");
	expect_format(&cfg, "exit", "reboot");
	expect_format(&cfg, "loglevel", "3");
	cfg = parse_clean("exit=qemu monitor=on loglevel=0");
	expect_format(&cfg, "exit", "qemu");
	expect_format(&cfg, "monitor", "on");
	expect_format(&cfg, "loglevel", "0");
}

static void format_truncates_to_buffer(void **state)
{
	(void)state;
	kernel_config_t cfg = parse_clean("exit=reboot");
	char buf[8];

	memset(buf, '#', sizeof(buf));
	assert_ptr_equal(config_format(&cfg, key_named("exit"), buf, 4), buf);
	assert_string_equal(buf, "reb");
	assert_int_equal(buf[4], '#');
}

/* config_format() output parsed back as "key=value" must give the same config. */
static void format_round_trips_through_parse(void **state)
{
	(void)state;
	kernel_config_t cfg = parse_clean("test=all monitor=off exit=qemu loglevel=3");
	char value[CONFIG_TEST_MAX], word[CONFIG_TEST_MAX + 32];

	for (size_t i = 0; i < config_key_count; i++) {
		kernel_config_t copy;
		config_defaults(&copy);
		config_format(&cfg, &config_keys[i], value, sizeof(value));
		snprintf(word, sizeof(word), "%s=%s", config_keys[i].name, value);
		assert_int_equal(config_parse(&copy, word, NULL, NULL), 0);
		expect_format(&copy, config_keys[i].name, value);
	}
}

static void key_count_matches_table(void **state)
{
	(void)state;
	static const char *const names[] = {"test",     "monitor", "vga",   "exit",
	                                    "loglevel", "tick",    "bench", "ktest_key"};

	assert_int_equal(config_key_count, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < config_key_count; i++) {
		assert_string_equal(config_keys[i].name, names[i]);
		assert_non_null(config_keys[i].help);
		assert_true(strlen(config_keys[i].help) > 0);
		assert_true(config_keys[i].offset < sizeof(kernel_config_t));
	}
	assert_int_equal(key_named("test")->type, CONFIG_STRING);
	assert_int_equal(key_named("test")->size, CONFIG_TEST_MAX);
	assert_int_equal(key_named("monitor")->type, CONFIG_BOOL);
	assert_int_equal(key_named("vga")->type, CONFIG_BOOL);
	assert_int_equal(key_named("exit")->type, CONFIG_ENUM);
	assert_string_equal(key_named("exit")->names[CONFIG_EXIT_REBOOT], "reboot");
	assert_null(key_named("exit")->names[CONFIG_EXIT_REBOOT + 1]);
	assert_int_equal(key_named("loglevel")->type, CONFIG_UINT);
	assert_int_equal(key_named("loglevel")->min, 0);
	assert_int_equal(key_named("loglevel")->max, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_match_the_dev_profile),
	    cmocka_unit_test(empty_cmdline_changes_nothing),
	    cmocka_unit_test(parses_string_key),
	    cmocka_unit_test(parses_bool_spellings),
	    cmocka_unit_test(bare_key_means_on),
	    cmocka_unit_test(parses_enum_values),
	    cmocka_unit_test(accepts_loglevel_bounds),
	    cmocka_unit_test(rejects_bad_loglevel),
	    cmocka_unit_test(rejects_overflowing_loglevel),
	    cmocka_unit_test(rejects_bad_bool),
	    cmocka_unit_test(rejects_bad_enum),
	    cmocka_unit_test(accepts_test_value_of_max_length),
	    cmocka_unit_test(rejects_test_value_too_long),
	    cmocka_unit_test(truncates_warning_for_huge_value),
	    cmocka_unit_test(unknown_key_warning_lists_known_keys),
	    cmocka_unit_test(later_words_override_earlier),
	    cmocka_unit_test(bad_word_keeps_earlier_value),
	    cmocka_unit_test(tabs_and_spaces_separate_words),
	    cmocka_unit_test(counts_every_warning_in_order),
	    cmocka_unit_test(formats_each_key),
	    cmocka_unit_test(format_truncates_to_buffer),
	    cmocka_unit_test(format_round_trips_through_parse),
	    cmocka_unit_test(key_count_matches_table),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
