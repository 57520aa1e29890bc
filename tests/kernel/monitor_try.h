/*
 * monitor_try.h - run a monitor command line from an in-kernel test.
 *
 * monitor_execute() splits its line in place, so a test's string literal
 * is copied into a buffer first. Shared by every slice's monitor tests.
 */
#ifndef TESTS_KERNEL_MONITOR_TRY_H
#define TESTS_KERNEL_MONITOR_TRY_H

#include <keel/monitor.h>
#include <keel/string.h>

/* What monitor_execute() returns for @text: 0 done, -1 refused. */
static inline int monitor_try(const char *text)
{
	static char line[MONITOR_LINE_MAX];

	strlcpy(line, text, sizeof(line));
	return monitor_execute(line);
}

#endif
