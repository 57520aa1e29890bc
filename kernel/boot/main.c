/*
 * main.c - the generic kernel's start: configuration, banner, then work.
 *
 * By the time kernel_main() runs, the arch layer has set up the CPU
 * (segments, the boot page tables), the consoles and `bootinfo`. Then it
 * does what the command line asks: run the in-kernel tests (`test=`) or
 * benchmarks (`bench=`), start the monitor, or stop. Later slices insert their
 * initialisation between the banner and that choice, through KEEL_INIT()
 * entries that init_run_all() finds in a linker section.
 */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/console.h>
#include <keel/debug.h>
#include <keel/init.h>
#include <keel/kprintf.h>
#include <keel/panic.h>

static void config_warning(void *ctx, const char *msg)
{
	(void)ctx;
	kprintf("warning: %s\n", msg);
}

/* [banner] */
static void banner(void)
{
	kprintf("Keel %s (%s profile, %s)\n", KEEL_VERSION, KEEL_PROFILE_NAME, arch_name);
	kprintf("command line: %s\n", bootinfo.cmdline[0] ? bootinfo.cmdline : "(empty)");
	kprintf("memory: %llu KiB usable in %zu regions, kernel at %llx-%llx\n",
	        (unsigned long long)(bootinfo_usable_bytes(&bootinfo) / 1024),
	        bootinfo.region_count, (unsigned long long)bootinfo.kernel_start,
	        (unsigned long long)bootinfo.kernel_end);
	if (kconfig.loglevel >= 2)
		bootinfo_print_map(&bootinfo);
}
/* [banner] */

/* Nothing more to do: stop the way the command line asked. */
static __attribute__((noreturn)) void kernel_finish(int code)
{
	if (kernel_finish_hook)
		kernel_finish_hook();
	switch (kconfig.exit) {
	case CONFIG_EXIT_QEMU:
		arch_machine_exit(code);
	case CONFIG_EXIT_REBOOT:
		arch_reboot();
	default:
		kprintf("Keel halted.\n");
		arch_halt();
	}
}

void kernel_main(void)
{
	config_defaults(&kconfig);
	config_parse(&kconfig, bootinfo.cmdline, config_warning, 0);
	ktest_prepare(); /* before any other code reads the command line */
	if (!kconfig.vga)
		console_enable("vga", false);
	if (kconfig.loglevel >= 1)
		banner();
	if (bootinfo.region_count == 0)
		kprintf("warning: the boot loader gave no memory map\n");
	init_run_all();

	if (kconfig.test[0] != '\0')
		kernel_finish(ktest_run(kconfig.test));
	if (kconfig.bench[0] != '\0')
		kernel_finish(kbench_run(kconfig.bench));
	if (kernel_running_hook)
		kernel_running_hook(kconfig.monitor);
	if (kconfig.monitor)
		monitor_run();
	kernel_finish(KEEL_EXIT_PASS);
}
