/*
 * monitor.c - the monitor commands of slice 0.
 *
 * `info` tells what machine this is and how it was booted; `backtrace`
 * and `sym` exercise the symbol table; `panic` fails on purpose so a
 * reader can see a panic report; `reboot` and `halt` leave the monitor.
 * Both `backtrace` and `sym` follow keel/symbols.h: a frame is shown at
 * its call site, and `sym` of that address prints the same name. `sym`
 * of an address in no function names the image's section it is in; `sym`
 * of an unknown name suggests the nearest names.
 */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/symbols.h>

static int cmd_info(int argc, char **argv)
{
	char value[CONFIG_TEST_MAX];

	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	kprintf("Keel %s, %s profile, %s\n", KEEL_VERSION, KEEL_PROFILE_NAME, arch_name);
	arch_cpu_describe();
	kprintf("Loader: %s\n", bootinfo.loader[0] ? bootinfo.loader : "(unnamed)");
	kprintf("Memory map:\n");
	bootinfo_print_map(&bootinfo);
	kprintf("Command line: %s\n", bootinfo.cmdline[0] ? bootinfo.cmdline : "(empty)");
	for (size_t i = 0; i < config_key_count; i++)
		kprintf("  %-9s = %s\n", config_keys[i].name,
		        config_format(&kconfig, &config_keys[i], value, sizeof(value)));
	return 0;
}
MONITOR_COMMAND("info", "", "CPU, memory map and command line", cmd_info);

static int cmd_backtrace(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	backtrace_print(arch_current_frame());
	return 0;
}
MONITOR_COMMAND("backtrace", "", "the monitor's own call stack, at call sites", cmd_backtrace);

/* The image's sections, bounded by symbols every port's linker script defines. */
extern const char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _ksyms_start[],
    _ksyms_end[], _data_start[], _data_end[], _bss_start[], _bss_end[];

/* The kernel image's section that holds @p addr, or NULL. */
static const char *sym_section(uintptr_t addr)
{
	const struct {
		const char *name, *start, *end;
	} sections[] = {
	    {".text section (code)", _text_start, _text_end},
	    {".rodata section (read-only data)", _rodata_start, _rodata_end},
	    {".ksyms section (the symbol table)", _ksyms_start, _ksyms_end},
	    {".data section", _data_start, _data_end},
	    {".bss section", _bss_start, _bss_end},
	};

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (addr >= (uintptr_t)sections[i].start && addr < (uintptr_t)sections[i].end)
			return sections[i].name;
	return 0;
}

#define SUGGEST_MAX   4  /* names suggested for an unknown one */
#define SUGGEST_EDITS 2  /* a name this many edits away is a near miss */
#define EDIT_LEN_MAX  32 /* longer words are not compared letter by letter */

/* Edit distance of @p a and @p b, or SUGGEST_EDITS + 1 if it is more. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[EDIT_LEN_MAX + 1];

	if (la > EDIT_LEN_MAX || lb > EDIT_LEN_MAX || la + SUGGEST_EDITS < lb ||
	    lb + SUGGEST_EDITS < la)
		return SUGGEST_EDITS + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			best = up + 1 < best ? up + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb] > SUGGEST_EDITS ? SUGGEST_EDITS + 1 : row[lb];
}

/* True if the letters of @p word appear in @p name in order ("kmain", "kernel_main"). */
static bool is_subsequence(const char *word, const char *name)
{
	for (; *name && *word; name++)
		if (*name == *word)
			word++;
	return *word == '\0';
}

/* How near @p name is to the unknown @p word: lower is nearer; -1 if not near. */
static int sym_nearness(const char *word, const char *name)
{
	int extra = (int)strlen(name) - (int)strlen(word);
	unsigned edits = edit_distance(word, name);

	if (edits <= SUGGEST_EDITS)
		return (int)edits;
	if (strstr(name, word))
		return 100 + extra;
	if (word[0] == name[0] && is_subsequence(word, name))
		return 1000 + extra;
	return -1;
}

/* Keep @p name in the sorted list @p best (nearest first), at most SUGGEST_MAX long. */
static unsigned keep_nearest(const char **best, int *score, unsigned n, const char *name, int s)
{
	unsigned i = n;

	for (unsigned k = 0; k < n; k++)
		if (strcmp(best[k], name) == 0)
			return n;
	if (n == SUGGEST_MAX && s >= score[n - 1])
		return n;
	if (n < SUGGEST_MAX)
		n++;
	for (i = n - 1; i > 0 && score[i - 1] > s; i--)
		best[i] = best[i - 1], score[i] = score[i - 1];
	best[i] = name, score[i] = s;
	return n;
}

/* Print the functions whose names are nearest to @p word, if any are near. O(symbols). */
static void sym_print_suggestions(const char *word)
{
	const char *best[SUGGEST_MAX];
	int score[SUGGEST_MAX];
	unsigned n = 0;

	for (uint32_t i = 0; i + 1 < ksym_count; i++) {
		const char *name = &ksym_names[ksym_table[i].name_off];
		int s = sym_nearness(word, name);
		if (s >= 0)
			n = keep_nearest(best, score, n, name, s);
	}
	if (n == 0)
		return;
	kprintf("did you mean:");
	for (unsigned i = 0; i < n; i++)
		kprintf(" %s", best[i]);
	kprintf("\n");
}

/* An address outside every function: say so, and name its section if any. */
static void sym_explain(uintptr_t addr)
{
	const char *section = sym_section(addr);

	kprintf("0x%08lx is in no function", (unsigned long)addr);
	if (section)
		kprintf("; it is in the kernel's %s\n", section);
	else
		kprintf(" and in no section of the kernel image\n");
}

static int cmd_sym(int argc, char **argv)
{
	uintptr_t addr;
	char buf[80];

	if (!monitor_check_args(argc, argv, 1, 1))
		return -1;
	if (sym_address(argv[1], &addr)) {
		kprintf("%s = 0x%08lx\n", argv[1], (unsigned long)addr);
	} else if (parse_hex(argv[1], &addr)) {
		if (sym_lookup(addr, 0))
			kprintf("0x%08lx = %s\n", (unsigned long)addr,
			        sym_format(addr, buf, sizeof(buf)));
		else
			sym_explain(addr);
	} else {
		kprintf("no function '%s' and not an address\n", argv[1]);
		sym_print_suggestions(argv[1]);
		return -1;
	}
	return 0;
}
MONITOR_COMMAND("sym", "NAME|ADDR",
                "a function's address, or an address's function+offset (as in a backtrace)",
                cmd_sym);

/* [cmd_panic] */
static int cmd_panic(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 1))
		return -1;
	panic("requested from the monitor%s%s", argc > 1 ? ": " : "", argc > 1 ? argv[1] : "");
}
MONITOR_COMMAND("panic", "[WORD]", "panic on purpose, to see a panic report", cmd_panic);
/* [cmd_panic] */

static int cmd_reboot(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	kprintf("Rebooting.\n");
	arch_reboot();
}
MONITOR_COMMAND("reboot", "", "reset the machine", cmd_reboot);

static int cmd_halt(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	kprintf("Keel halted.\n");
	if (kconfig.exit == CONFIG_EXIT_QEMU)
		arch_machine_exit(KEEL_EXIT_PASS);
	arch_halt();
}
MONITOR_COMMAND("halt", "", "stop the machine (leaves QEMU under make run)", cmd_halt);
