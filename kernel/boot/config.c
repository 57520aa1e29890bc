/*
 * config.c - the kernel's configuration: the boot command line, parsed
 * into the one kernel_config_t, kconfig.
 *
 * config_keys[] below is the only place a key is declared. Each entry
 * says what kind of value the key takes and where in kernel_config_t it
 * goes; the parser is a loop over the words of the command line that
 * finds each word's key in the table and stores its value. Anything it
 * cannot use becomes a one-line warning, never a failure: a machine with
 * a mistyped command line must still boot.
 *
 * This file is pure: no console, no globals but the table and kconfig
 * (which kernel_main() fills), so the host unit tests compile it as it
 * stands.
 */
#include <keel/config.h>
#include <keel/kprintf.h>
#include <stdint.h>

#define KEY(field) offsetof(kernel_config_t, field)

_Static_assert(sizeof(enum config_exit) == sizeof(int) && sizeof(enum config_tick) == sizeof(int),
               "enum keys are stored as int");

static const char *const exit_names[] = {"halt", "qemu", "reboot", 0};
static const char *const tick_names[] = {"auto", "pit", 0};

/* [config_keys] */
const struct config_key config_keys[] = {
    {"test", CONFIG_STRING, KEY(test), CONFIG_TEST_MAX, 0, 0, 0,
     "run in-kernel tests: all, list, or SUITE[.CASE][,...]"},
    {"monitor", CONFIG_BOOL, KEY(monitor), 0, 0, 0, 0,
     "start the kernel monitor after boot (test images)"},
    {"vga", CONFIG_BOOL, KEY(vga), 0, 0, 0, 0, "mirror the console on the VGA text screen"},
    {"exit", CONFIG_ENUM, KEY(exit), 0, 0, 0, exit_names,
     "when done or on panic: halt, leave QEMU (isa-debug-exit) or reboot"},
    {"loglevel", CONFIG_UINT, KEY(loglevel), 0, 0, 3, 0,
     "how much boot prints: 0 warnings only, 1 banner, 2 memory map, 3 debug"},
    {"tick", CONFIG_ENUM, KEY(tick), 0, 0, 0, tick_names,
     "the scheduler tick: auto (local APIC timer if present) or pit"},
    {"bench", CONFIG_STRING, KEY(bench), CONFIG_TEST_MAX, 0, 0, 0,
     "run in-kernel benchmarks: all, or NAME[,...] (see make bench)"},
    {"ktest_key", CONFIG_STRING, KEY(ktest_key), CONFIG_KEY_MAX, 0, 0, 0,
     "the grader's key that tags test results (32 hex digits; erased at boot)"},
};
/* [config_keys] */
const size_t config_key_count = sizeof(config_keys) / sizeof(config_keys[0]);

kernel_config_t kconfig;

void config_defaults(kernel_config_t *cfg)
{
	*cfg = (kernel_config_t){
	    .test = "",
	    .monitor = KEEL_MONITOR,
	    .vga = true,
	    .exit = CONFIG_EXIT_HALT,
	    .loglevel = 1,
	    .tick = CONFIG_TICK_AUTO,
	};
}

/* A word of the command line: not NUL-terminated, so it is a pointer and a length. */
struct word {
	const char *s;
	size_t len;
};

static bool word_is(struct word w, const char *lit)
{
	size_t i = 0;
	for (; i < w.len; i++)
		if (lit[i] != w.s[i])
			return false;
	return lit[i] == '\0';
}

static void warn(config_warn_t fn, void *ctx, int *count, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(*count)++;
	if (fn)
		fn(ctx, line);
}

static bool parse_bool(struct word v, bool *out)
{
	if (word_is(v, "on") || word_is(v, "yes") || word_is(v, "true") || word_is(v, "1"))
		*out = true;
	else if (word_is(v, "off") || word_is(v, "no") || word_is(v, "false") || word_is(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

/* Decimal only; rejects empty strings, other characters and overflow past max. */
static bool parse_uint(struct word v, unsigned min, unsigned max, unsigned *out)
{
	uint64_t n = 0;

	if (v.len == 0)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return false;
		n = n * 10 + (unsigned)(v.s[i] - '0');
		if (n > max)
			return false;
	}
	if (n < min)
		return false;
	*out = (unsigned)n;
	return true;
}

static bool parse_enum(struct word v, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++) {
		if (word_is(v, names[i])) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* Store value @p v for @p key; false if the value does not fit the key. */
static bool store(kernel_config_t *cfg, const struct config_key *key, struct word v)
{
	char *field = (char *)cfg + key->offset;

	switch (key->type) {
	case CONFIG_BOOL:
		return parse_bool(v, (bool *)field);
	case CONFIG_UINT:
		return parse_uint(v, key->min, key->max, (unsigned *)field);
	case CONFIG_ENUM: {
		int e;
		if (!parse_enum(v, key->names, &e))
			return false;
		*(int *)field = e; /* every enum in kernel_config_t is int-sized */
		return true;
	}
	case CONFIG_STRING:
		if (v.len >= key->size)
			return false;
		for (size_t i = 0; i < v.len; i++)
			field[i] = v.s[i];
		field[v.len] = '\0';
		return true;
	}
	return false;
}

static const struct config_key *find_key(struct word name)
{
	for (size_t i = 0; i < config_key_count; i++)
		if (word_is(name, config_keys[i].name))
			return &config_keys[i];
	return 0;
}

/* The list of known keys, for the unknown-key warning. */
static void known_keys(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < config_key_count && used < size; i++)
		used += (size_t)ksnprintf(buf + used, size - used, "%s%s", i ? ", " : "",
		                          config_keys[i].name);
}

/* What a key accepts, for the bad-value warning. */
static void expected_values(const struct config_key *key, char *buf, size_t size)
{
	size_t used = 0;

	switch (key->type) {
	case CONFIG_BOOL:
		ksnprintf(buf, size, "on or off");
		return;
	case CONFIG_UINT:
		ksnprintf(buf, size, "a number from %u to %u", key->min, key->max);
		return;
	case CONFIG_STRING:
		ksnprintf(buf, size, "at most %zu characters", key->size - 1);
		return;
	case CONFIG_ENUM:
		buf[0] = '\0';
		for (int i = 0; key->names[i] && used < size; i++)
			used += (size_t)ksnprintf(buf + used, size - used, "%s%s",
			                          i ? ", " : "one of ", key->names[i]);
		return;
	}
}

/* Handle one word "key=value" (or a bare "key"). */
static void parse_word(kernel_config_t *cfg, struct word w, config_warn_t fn, void *ctx,
                       int *warnings)
{
	struct word name = w, value = {"on", 2};
	char list[160];

	for (size_t i = 0; i < w.len; i++) {
		if (w.s[i] == '=') {
			name.len = i;
			value = (struct word){w.s + i + 1, w.len - i - 1};
			break;
		}
	}
	const struct config_key *key = find_key(name);
	if (key == 0) {
		known_keys(list, sizeof(list));
		warn(fn, ctx, warnings, "unknown boot option '%.*s' ignored; known: %s",
		     (int)name.len, name.s, list);
		return;
	}
	if (!store(cfg, key, value)) {
		expected_values(key, list, sizeof(list));
		warn(fn, ctx, warnings,
		     "bad value '%.*s' for boot option '%s' ignored; expected %s", (int)value.len,
		     value.s, key->name, list);
	}
}

int config_parse(kernel_config_t *cfg, const char *cmdline, config_warn_t fn, void *ctx)
{
	int warnings = 0;
	const char *p = cmdline ? cmdline : "";

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		struct word w = {p, 0};
		while (p[w.len] && p[w.len] != ' ' && p[w.len] != '\t')
			w.len++;
		parse_word(cfg, w, fn, ctx, &warnings);
		p += w.len;
	}
	return warnings;
}
