/*
 * monitor.c - the monitor commands of slice 0.
 *
 * `info` tells what machine this is and how it was booted; `backtrace`
 * and `sym` exercise the symbol table; `panic` fails on purpose so a
 * reader can see a panic report; `reboot` and `halt` leave the monitor.
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

	(void)argc, (void)argv;
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
	(void)argc, (void)argv;
	backtrace_print(arch_current_frame());
	return 0;
}
MONITOR_COMMAND("backtrace", "", "print the monitor's own call stack", cmd_backtrace);

static int cmd_sym(int argc, char **argv)
{
	uintptr_t addr;
	char buf[80];

	if (argc != 2) {
		kprintf("usage: sym NAME|ADDR\n");
		return -1;
	}
	if (sym_address(argv[1], &addr)) {
		kprintf("%s = 0x%08lx\n", argv[1], (unsigned long)addr);
	} else if (parse_hex(argv[1], &addr)) {
		kprintf("0x%08lx = %s\n", (unsigned long)addr, sym_format(addr, buf, sizeof(buf)));
	} else {
		kprintf("no function '%s' and not an address\n", argv[1]);
		return -1;
	}
	return 0;
}
MONITOR_COMMAND("sym", "NAME|ADDR", "look up a function's address, or an address's function",
                cmd_sym);

/* [cmd_panic] */
static int cmd_panic(int argc, char **argv)
{
	panic("requested from the monitor%s%s", argc > 1 ? ": " : "", argc > 1 ? argv[1] : "");
}
MONITOR_COMMAND("panic", "[WORD]", "panic on purpose, to see a panic report", cmd_panic);
/* [cmd_panic] */

static int cmd_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("Rebooting.\n");
	arch_reboot();
}
MONITOR_COMMAND("reboot", "", "reset the machine", cmd_reboot);

static int cmd_halt(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("Keel halted.\n");
	if (kconfig.exit == CONFIG_EXIT_QEMU)
		arch_machine_exit(KEEL_EXIT_PASS);
	arch_halt();
}
MONITOR_COMMAND("halt", "", "stop the machine (leaves QEMU under make run)", cmd_halt);
