/*
 * bootfs_boot.c - the running kernel's boot archive, found among the boot modules.
 *
 * The boot loader may bring several modules; the archive is the first one
 * whose bytes start with the newc magic. Its frames were reserved at boot
 * (frame.c keeps every module out of the allocator), so the archive stays
 * where the loader put it, read through the direct map, for as long as the
 * kernel runs. Nothing is cached: looking among at most BOOT_MAX_MODULES
 * modules costs less than the search that follows, and leaves no state to
 * lock. bootfs.c does the reading; this file only says where.
 */
#include <keel/bootfs.h>
#include <keel/bootinfo.h>
#include <keel/frame.h>
#include <keel/string.h>
#include <stdbool.h>
#include <stddef.h>

bool bootfs_archive(const void **archive, size_t *size)
{
	size_t magic = sizeof(BOOTFS_MAGIC) - 1;

	for (size_t i = 0; i < bootinfo.module_count; i++) {
		const struct boot_module *m = &bootinfo.modules[i];
		const char *p;

		/* The whole module must be in the direct map, not only its start. */
		if (m->end <= m->start || m->end - m->start < magic ||
		    frame_virt(m->end - 1) == NULL)
			continue;
		p = frame_virt(m->start);
		if (memcmp(p, BOOTFS_MAGIC, magic) == 0) {
			*archive = p;
			*size = (size_t)(m->end - m->start);
			return true;
		}
	}
	return false;
}

kstatus_t bootfs_lookup(const char *name, size_t len, struct bootfs_file *out)
{
	const void *archive;
	size_t size;

	if (!bootfs_archive(&archive, &size))
		return KEEL_ERR_NOT_FOUND;
	return bootfs_find(archive, size, name, len, out);
}
