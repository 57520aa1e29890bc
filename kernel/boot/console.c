/*
 * console.c - fan kernel text out to every console device.
 *
 * The arch layer registers its devices early in boot; from then on
 * console_write() hands every byte to each of them in turn. The list is a
 * fixed array filled once at boot, so writing takes no lock and never
 * allocates: a panic can always print.
 */
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/string.h>

/* Written only during boot, before anything else runs; read-only after. */
static const struct console_sink *sinks[CONSOLE_MAX_SINKS];
static bool sink_off[CONSOLE_MAX_SINKS];
static size_t sink_count;

kstatus_t console_register(const struct console_sink *sink)
{
	if (sink == 0 || sink->putc == 0)
		return KEEL_ERR_INVALID;
	if (sink_count == CONSOLE_MAX_SINKS)
		return KEEL_ERR_NO_MEMORY;
	sinks[sink_count++] = sink;
	return KEEL_OK;
}

kstatus_t console_enable(const char *name, bool on)
{
	for (size_t i = 0; i < sink_count; i++) {
		if (strcmp(sinks[i]->name, name) == 0) {
			sink_off[i] = !on;
			return KEEL_OK;
		}
	}
	return KEEL_ERR_NOT_FOUND;
}

void console_putc(char c)
{
	for (size_t i = 0; i < sink_count; i++)
		if (!sink_off[i])
			sinks[i]->putc(c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}

static void (*poll_wait)(void) = arch_cpu_relax;

void console_set_poll_wait(void (*wait)(void))
{
	poll_wait = wait ? wait : arch_cpu_relax;
}

char console_getc(void)
{
	for (;;) {
		for (size_t i = 0; i < sink_count; i++) {
			int c = sinks[i]->getc ? sinks[i]->getc() : -1;
			if (c >= 0)
				return (char)c;
		}
		poll_wait();
	}
}
