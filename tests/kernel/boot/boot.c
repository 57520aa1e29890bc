/*
 * boot.c - in-kernel tests of what boot set up: the boot information,
 * the configuration, the console and the status names.
 */
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/console.h>
#include <keel/ktest.h>
#include <keel/string.h>

KTEST(boot, memory_map_has_usable_ram)
{
	KT_ASSERT(bootinfo.region_count > 0);
	/* QEMU is started with 128 MiB; any machine Keel runs on has > 1 MiB. */
	KT_EXPECT(bootinfo_usable_bytes(&bootinfo) > 1024 * 1024);
	/* The usable regions all fit below their top, and QEMU gives 128 MiB. */
	KT_EXPECT(bootinfo_usable_top(&bootinfo) >= bootinfo_usable_bytes(&bootinfo));
	KT_EXPECT(bootinfo_usable_top(&bootinfo) <= 128ull << 20);
}

KTEST(boot, kernel_extent)
{
	KT_EXPECT_EQ(bootinfo.kernel_start, 0x100000);
	KT_EXPECT(bootinfo.kernel_end > bootinfo.kernel_start);
}

KTEST(boot, command_line_reached_config)
{
	/* This suite only runs when the command line said test=...; */
	KT_EXPECT(strlen(kconfig.test) > 0);
	KT_EXPECT(strstr(bootinfo.cmdline, "test=") != 0);
}

static char zeroed[256];

KTEST(boot, bss_is_zero)
{
	for (size_t i = 0; i < sizeof(zeroed); i++)
		KT_ASSERT(zeroed[i] == 0);
}

KTEST(boot, status_names)
{
	KT_EXPECT_STREQ(kstatus_name(KEEL_OK), "KEEL_OK");
	KT_EXPECT_STREQ(kstatus_name(KEEL_ERR_RANGE), "KEEL_ERR_RANGE");
	KT_EXPECT_STREQ(kstatus_name(KEEL_ERR_CORRUPT), "KEEL_ERR_CORRUPT");
	KT_EXPECT_STREQ(kstatus_name((kstatus_t)-1000), "KEEL_ERR_?");
	KT_EXPECT_STREQ(kstatus_name((kstatus_t)5), "KEEL_ERR_?");
}

static unsigned dummy_chars;
static void dummy_putc(char c)
{
	(void)c;
	dummy_chars++;
}

KTEST(boot, console_register_errors)
{
	static const struct console_sink no_putc = {"broken", 0, 0};
	static const struct console_sink dummy = {"dummy", dummy_putc, 0};
	kstatus_t s = KEEL_OK;

	KT_EXPECT_EQ(console_register(0), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(console_register(&no_putc), KEEL_ERR_INVALID);
	/* Fill the table; the sink that does not fit is refused, nothing breaks. */
	for (int i = 0; i <= CONSOLE_MAX_SINKS && s == KEEL_OK; i++)
		s = console_register(&dummy);
	KT_EXPECT_EQ(s, KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(console_enable("dummy", false), KEEL_OK);
	KT_EXPECT_EQ(console_enable("no-such-console", false), KEEL_ERR_NOT_FOUND);
}
