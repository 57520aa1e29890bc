/*
 * panic.c - the end of the line: report what went wrong, then stop.
 *
 * A panic report has three parts, in the order a reader needs them: the
 * reason, the registers at the moment of failure, and a backtrace whose
 * return addresses are turned into names by the built-in symbol table.
 * After the report the kernel does what `exit=` asked: under the test
 * harness it leaves QEMU with KEEL_EXIT_PANIC, so a panic is a clear
 * result and not a hang.
 */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/init.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/symbols.h>

volatile int panic_in_progress;
void (*panic_describe_context)(void);

/* The deepest backtrace printed; deeper stacks are cut (and say so). */
#define BACKTRACE_MAX 24

/** Print a symbolised backtrace of the frame chain starting at @p fp. */
void backtrace_print(uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX];
	size_t n = arch_backtrace(fp, pcs, BACKTRACE_MAX);
	char sym[80];

	kprintf("Backtrace:\n");
	/* A return address may be the first byte after its function (after a
	 * call to a noreturn function), so show the call instruction instead;
	 * `sym` of the address shown prints the same name (keel/symbols.h). */
	for (size_t i = 0; i < n; i++) {
		uintptr_t site = SYM_CALL_SITE(pcs[i]);
		kprintf("  #%zu  0x%08lx  %s\n", i, (unsigned long)site,
		        sym_format(site, sym, sizeof(sym)));
	}
	if (n == 0)
		kprintf("  (no frames)\n");
	else if (n == BACKTRACE_MAX)
		kprintf("  ... (cut at %d frames)\n", BACKTRACE_MAX);
}

static __attribute__((noreturn)) void panic_stop(void)
{
	switch (kconfig.exit) {
	case CONFIG_EXIT_QEMU:
		arch_machine_exit(KEEL_EXIT_PANIC);
	case CONFIG_EXIT_REBOOT:
		arch_reboot();
	default:
		arch_halt();
	}
}

static __attribute__((noreturn)) void panic_report(const struct arch_regs *regs, uintptr_t fp,
                                                   const char *fmt, va_list ap)
{
	arch_irq_disable();
	if (panic_in_progress++) {
		kprintf("\nPANIC during panic; halting\n");
		arch_halt();
	}
	kprintf("\nPANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	if (panic_describe_context)
		panic_describe_context();
	arch_regs_print(regs, fp);
	backtrace_print(fp);
	kprintf("Kernel stopped.\n");
	if (kernel_finish_hook)
		kernel_finish_hook(); /* the coverage build's counters, even from a panic */
	panic_stop();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_report(0, arch_current_frame(), fmt, ap);
}

void panic_regs(const struct arch_regs *regs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_report(regs, regs ? arch_regs_frame(regs) : arch_current_frame(), fmt, ap);
}

void assert_failed(const char *file, int line, const char *func, const char *expr)
{
	panic("assertion failed: %s, in %s at %s:%d", expr, func, file, line);
}
