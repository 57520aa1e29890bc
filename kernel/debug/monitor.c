/*
 * monitor.c - the kernel monitor: a prompt, a line editor and a command table.
 *
 * The monitor reads a line from the console by polling (slice 0 has no
 * interrupts; from slice 1 on the console sleeps between polls), splits
 * it into words and runs the command whose name is the first word.
 * Commands live in the `.monitor_cmds` linker section (see
 * MONITOR_COMMAND()), so this file knows none of them by name except
 * `help`. Each slice keeps its commands in its folder's monitor.c
 * (kernel/boot/monitor.c for slice 0). Only test images link them.
 *
 * Line editing understands Backspace and Delete (erase a character),
 * Ctrl-U (erase the line) and Ctrl-C (abandon the line); other control
 * characters and terminal escape sequences (arrow keys) are ignored.
 */
#include <keel/console.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/string.h>

extern const struct monitor_cmd __monitor_cmds_start[], __monitor_cmds_end[];

#define KEY_CTRL_C    0x03
#define KEY_BACKSPACE 0x08
#define KEY_CTRL_U    0x15
#define KEY_ESC       0x1b
#define KEY_DELETE    0x7f

/* Swallow the rest of an escape sequence ("ESC [ A"): up to its final letter. */
static void skip_escape(void)
{
	char c = console_getc();
	if (c != '[' && c != 'O')
		return;
	do
		c = console_getc();
	while (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '~'));
}

static void erase_chars(size_t n)
{
	while (n--)
		kprintf("\b \b");
}

/* [monitor_readline] */
/* Read one line into @p buf (echoing it); returns its length. */
static size_t monitor_readline(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		char c = console_getc();
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[len] = '\0';
			return len;
		} else if (c == KEY_BACKSPACE || c == KEY_DELETE) {
			if (len > 0) {
				len--;
				erase_chars(1);
			}
		} else if (c == KEY_CTRL_U) {
			erase_chars(len);
			len = 0;
		} else if (c == KEY_CTRL_C) {
			kprintf("^C\n");
			buf[0] = '\0';
			return 0;
		} else if (c == KEY_ESC) {
			skip_escape();
		} else if (c >= ' ' && c < KEY_DELETE && len + 1 < size) {
			buf[len++] = c;
			console_putc(c);
		}
	}
}
/* [monitor_readline] */

/* Split @p line in place on spaces; returns the number of words. */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line; *p && argc < max;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

static const struct monitor_cmd *find_command(const char *name)
{
	for (const struct monitor_cmd *c = __monitor_cmds_start; c < __monitor_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return 0;
}

int monitor_execute(char *line)
{
	char *argv[MONITOR_MAX_ARGS + 1];
	int argc = split_words(line, argv, MONITOR_MAX_ARGS);

	if (argc == 0)
		return -1;
	argv[argc] = 0;
	const struct monitor_cmd *cmd = find_command(argv[0]);
	if (cmd == 0) {
		kprintf("unknown command '%s'; type 'help' for the list\n", argv[0]);
		return -1;
	}
	return cmd->fn(argc, argv);
}

bool monitor_check_args(int argc, char **argv, int min, int max)
{
	const struct monitor_cmd *cmd = find_command(argv[0]);

	if (argc - 1 >= min && argc - 1 <= max)
		return true;
	kprintf("usage: %s%s%s\n", argv[0], cmd && cmd->args[0] ? " " : "", cmd ? cmd->args : "");
	return false;
}

static int cmd_help(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	kprintf("Commands:\n");
	for (const struct monitor_cmd *c = __monitor_cmds_start; c < __monitor_cmds_end; c++) {
		char usage[32];
		ksnprintf(usage, sizeof(usage), "%s %s", c->name, c->args);
		kprintf("  %-20s %s\n", usage, c->help);
	}
	kprintf("Keys: Backspace erases, Ctrl-U erases the line, Ctrl-C abandons it.\n");
	kprintf("A backtrace shows each caller at its call site (return address - 1);\n"
	        "`sym` of that address names the same function+offset.\n");
	return 0;
}
MONITOR_COMMAND("help", "", "list the commands", cmd_help);

void monitor_run(void)
{
	char line[MONITOR_LINE_MAX];

	kprintf("Keel monitor. Type 'help' for commands.\n");
	for (;;) {
		kprintf("keel> ");
		if (monitor_readline(line, sizeof(line)) > 0)
			monitor_execute(line);
	}
}
