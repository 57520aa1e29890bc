/*
 * absent.c - what a production image says where a test image has its
 * debugging tools.
 *
 * A production image (the STANDARD and HARDENED profiles' default) links
 * none of kernel/debug/: no monitor, no test runner, no benchmarks, no
 * tests. kernel_main() still honours `test=`, `bench=` and `monitor=on`,
 * and this file answers them: with one clear line each, and the exit code
 * of a failure where the command line expected results. The Makefile
 * links this file instead of the rest of the folder.
 */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/debug.h>
#include <keel/kprintf.h>
#include <keel/string.h>

static void not_in_image(const char *what, const char *option)
{
	kprintf("%s: %s not in this image (a %s production image); build a test image "
	        "with `make PROFILE=%s IMAGE=test`.\n",
	        option, what, KEEL_PROFILE_NAME, KEEL_PROFILE_NAME);
}

int ktest_run(const char *selection)
{
	(void)selection;
	not_in_image("the in-kernel tests are", "test=");
	return KEEL_EXIT_FAIL;
}

int kbench_run(const char *selection)
{
	(void)selection;
	not_in_image("the benchmarks are", "bench=");
	return KEEL_EXIT_FAIL;
}

void ktest_prepare(void)
{
	memset(kconfig.ktest_key, 0, sizeof(kconfig.ktest_key));
}

void monitor_run(void)
{
	not_in_image("the kernel monitor is", "monitor=on");
}
