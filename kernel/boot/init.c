/*
 * init.c - run the start-up functions that later slices declare.
 *
 * Entries sit in the `.keel_init` section in link order. Running them
 * level by level (a pass per distinct level, lowest first) lets a slice
 * say "after the scheduler, before anything else" without a list in
 * this file. There are a handful of entries, so the passes cost nothing.
 * The one hook at the other end, kernel_finish_hook, is kept here too.
 */
#include <keel/config.h>
#include <keel/init.h>
#include <keel/kprintf.h>

extern const struct init_entry __keel_init_start[], __keel_init_end[];

void (*kernel_finish_hook)(void);
void (*kernel_running_hook)(bool monitor);

/* The lowest level above @p after, or UINT32_MAX if there is none. */
static uint32_t next_level(uint32_t after)
{
	uint32_t best = UINT32_MAX;

	for (const struct init_entry *e = __keel_init_start; e < __keel_init_end; e++)
		if (e->level > after && e->level < best)
			best = e->level;
	return best;
}

void init_run_all(void)
{
	for (uint32_t lvl = next_level(0); lvl != UINT32_MAX; lvl = next_level(lvl)) {
		for (const struct init_entry *e = __keel_init_start; e < __keel_init_end; e++) {
			if (e->level != lvl)
				continue;
			if (kconfig.loglevel >= 3)
				kprintf("init: %s (level %u)\n", e->name, (unsigned)lvl);
			e->fn();
		}
	}
}
