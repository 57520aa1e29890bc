/*
 * multiboot.c - read what a Multiboot 1 loader handed over.
 *
 * The loader passes the physical address of a `multiboot_info` structure.
 * Its `flags` word says which of the other fields are valid. We copy the
 * command line, the loader's name and the memory map into the loader-
 * independent `bootinfo` (see <keel/bootinfo.h>), because the memory they
 * live in is free memory as far as the memory map is concerned.
 */
#include <keel/bootinfo.h>
#include <keel/panic.h>
#include <keel/string.h>

#include <stdbool.h>

#include "x86.h"

#define MB_BOOT_MAGIC 0x2BADB002
#define MBI_MEM       (1u << 0)
#define MBI_CMDLINE   (1u << 2)
#define MBI_MODS      (1u << 3)
#define MBI_MMAP      (1u << 6)
#define MBI_LOADER    (1u << 9)

/* The fields of the Multiboot 1 information structure that Keel reads. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

/* One memory-map entry; `size` counts the bytes after itself. */
struct multiboot_mmap {
	uint32_t size;
	uint64_t base;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));

/* Copy a loader string, if it lies where the boot page tables reach. */
static void copy_string(char *dst, size_t size, uint32_t pa)
{
	if (pa == 0 || pa >= BOOT_MAP_LIMIT - size)
		return;
	strlcpy(dst, phys_to_virt(pa), size);
}

/*
 * GRUB and QEMU both start the command line with the image's path
 * ("/boot/keel.elf exit=qemu"). Move that word to bootinfo.image so the
 * command line holds only options. Options always have an '=', which is
 * how a loader that does not pass the path is recognised.
 */
static void split_image_path(void)
{
	char *cmd = bootinfo.cmdline;
	size_t len = 0;
	bool option = false;

	for (; cmd[len] && cmd[len] != ' '; len++)
		option = option || cmd[len] == '=';
	if (len == 0 || option)
		return;
	size_t n = len < sizeof(bootinfo.image) - 1 ? len : sizeof(bootinfo.image) - 1;
	memcpy(bootinfo.image, cmd, n);
	bootinfo.image[n] = '\0';
	while (cmd[len] == ' ')
		len++;
	memmove(cmd, cmd + len, strlen(cmd + len) + 1);
}

static void add_region(uint64_t base, uint64_t length, uint32_t type)
{
	if (bootinfo.region_count == BOOT_MAX_REGIONS) {
		bootinfo.dropped_regions++;
		return;
	}
	if (type < MEM_USABLE || type > MEM_BAD)
		type = MEM_RESERVED; /* the spec: unknown types are reserved */
	bootinfo.regions[bootinfo.region_count++] =
	    (struct mem_region){base, length, (enum mem_type)type};
}

/*
 * Record each entry of the loader's memory map with add_region(). The map
 * is mmap_length bytes at physical mmap_addr; each entry's `size` field
 * gives the bytes that follow it, which may be more than this struct has.
 */
static void parse_mmap(const struct multiboot_info *mbi)
{
	/* LAB 0: walk the Multiboot memory map */
	uint32_t pa = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;

	if (end < pa || end >= BOOT_MAP_LIMIT)
		panic("multiboot: memory map at 0x%x is beyond the boot mapping", pa);
	while (pa + sizeof(struct multiboot_mmap) <= end) {
		const struct multiboot_mmap *e = phys_to_virt(pa);
		add_region(e->base, e->length, e->type);
		if (e->size > end - pa)
			break; /* a corrupt size must not wrap pa around */
		pa += e->size + sizeof(e->size);
	}
	/* LAB 0 STUB
	(void)mbi;
	LAB 0 END */
}

/* One module entry: where the loader put the file, and its string. */
struct multiboot_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

/* Record where the modules lie, so that the frame allocator leaves them alone. */
static void parse_modules(const struct multiboot_info *mbi)
{
	uint32_t pa = mbi->mods_addr;

	for (uint32_t i = 0; i < mbi->mods_count; i++, pa += sizeof(struct multiboot_module)) {
		if (pa >= BOOT_MAP_LIMIT - sizeof(struct multiboot_module))
			panic("multiboot: module list at 0x%x is beyond the boot mapping", pa);
		const struct multiboot_module *m = phys_to_virt(pa);
		if (bootinfo.module_count == BOOT_MAX_MODULES) {
			bootinfo.dropped_modules++;
			continue;
		}
		bootinfo.modules[bootinfo.module_count++] = (struct boot_module){m->start, m->end};
	}
}

void multiboot_parse(uint32_t magic, uint32_t mbi_phys)
{
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a Multiboot loader (magic 0x%x)", magic);
	if (mbi_phys >= BOOT_MAP_LIMIT - sizeof(struct multiboot_info))
		panic("multiboot: information at 0x%x is beyond the boot mapping", mbi_phys);
	const struct multiboot_info *mbi = phys_to_virt(mbi_phys);

	if (mbi->flags & MBI_CMDLINE) {
		copy_string(bootinfo.cmdline, sizeof(bootinfo.cmdline), mbi->cmdline);
		split_image_path();
	}
	if (mbi->flags & MBI_LOADER)
		copy_string(bootinfo.loader, sizeof(bootinfo.loader), mbi->boot_loader_name);
	if (mbi->flags & MBI_MODS)
		parse_modules(mbi);
	if (mbi->flags & MBI_MMAP) {
		parse_mmap(mbi);
	} else if (mbi->flags & MBI_MEM) {
		/* No map: the two sizes describe conventional and extended memory. */
		add_region(0, (uint64_t)mbi->mem_lower * 1024, MEM_USABLE);
		add_region(0x100000, (uint64_t)mbi->mem_upper * 1024, MEM_USABLE);
	}
	bootinfo.kernel_start = (uintptr_t)_kernel_phys_start;
	bootinfo.kernel_end = (uintptr_t)_kernel_phys_end;
}
