/*
 * monitor_stub.c - the monitor in profiles that do not build it in.
 *
 * STANDARD and HARDENED kernels carry no interactive debugger: there is
 * no prompt to reach, and `monitor=on` only prints why.
 */
#include <keel/kprintf.h>
#include <keel/monitor.h>

void monitor_run(void)
{
	kprintf("The kernel monitor is not built into the %s profile; use PROFILE=dev.\n",
	        KEEL_PROFILE_NAME);
}

int monitor_execute(char *line)
{
	(void)line;
	return -1;
}
