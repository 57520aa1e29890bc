/**
 * @file monitor.h
 * @brief The kernel monitor: a command prompt on the console (test images).
 *
 * The monitor is Keel's built-in debugger. A command is declared anywhere
 * with MONITOR_COMMAND(); the macro puts it in the `.monitor_cmds` linker
 * section, so a slice adds its commands in its own folder's monitor.c.
 * Only test images link the monitor and those files; in a production
 * image monitor_run() says so and returns.
 */
#ifndef KEEL_MONITOR_H
#define KEEL_MONITOR_H

#include <keel/debug.h>
#include <stdbool.h>

/** @brief Most words a command line is split into. */
#define MONITOR_MAX_ARGS 8
/** @brief Longest command line, including its NUL. */
#define MONITOR_LINE_MAX 128

/** @brief A monitor command. */
struct monitor_cmd {
	const char *name; /**< What the user types. */
	const char *args; /**< Argument synopsis for help ("[ADDR]"), or "". */
	const char *help; /**< One line for help. */
	int (*fn)(int argc,
	          char **argv); /**< Runs it; argv[0] is the name. Returns 0 or an error. */
};

/** @brief Declare a monitor command. @p fn is `int fn(int argc, char **argv)`. */
#define MONITOR_COMMAND(cname, cargs, chelp, cfn)                                                  \
	__attribute__((used, section(".monitor_cmds"),                                             \
	               aligned(4))) static const struct monitor_cmd monitor_cmd_##cfn = {          \
	    cname, cargs, chelp, cfn}

/**
 * @brief Run one command line as if typed at the prompt. Test images only.
 * @return the command's result, or -1 for an empty or unknown command.
 */
int monitor_execute(char *line);

/**
 * @brief Check that a command got between @p min and @p max words after its name.
 * @return true if so; else prints "usage: NAME ARGS" (from the command's
 * MONITOR_COMMAND() entry) and returns false, and the command returns -1.
 * Test images only; from a monitor command.
 */
bool monitor_check_args(int argc, char **argv, int min, int max);

#endif
