/*
 * bootfs_check.c - the monitor's `bootfs`: every file of the boot archive
 * and its size. Only the monitor lists the archive, so this is debug
 * code, linked into test images only (see the Makefile).
 */
#include <keel/bootfs.h>
#include <keel/bootinfo.h>
#include <keel/kprintf.h>

static bool bootfs_print_one(const struct bootfs_file *f, void *ctx)
{
	unsigned *files = ctx;

	kprintf("%-*.*s %10zu\n", BOOTFS_NAME_MAX, (int)f->name_len, f->name, f->size);
	(*files)++;
	return true;
}

/* [bootfs_print] */
void bootfs_print(void)
{
	const void *archive;
	size_t size;
	unsigned files = 0;

	if (!bootfs_archive(&archive, &size)) {
		kprintf("bootfs: no boot archive among the %zu boot modules\n",
		        bootinfo.module_count);
		return;
	}
	kprintf("%-*s %10s\n", BOOTFS_NAME_MAX, "name", "bytes");
	if (bootfs_each(archive, size, bootfs_print_one, &files) != KEEL_OK)
		kprintf("bootfs: the archive is malformed after its first %u files\n", files);
}
/* [bootfs_print] */
