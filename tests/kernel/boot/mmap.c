/*
 * mmap.c - in-kernel tests of the memory map the boot loader handed over.
 *
 * These cases check `bootinfo` as the boot filled it, so they hold on the
 * machine the harness starts: QEMU's PC with `-m 128M`, whose BIOS reports
 * about 639 KiB of conventional memory, the BIOS area below 1 MiB as
 * reserved, and 127 MiB less the firmware's tables from 1 MiB up. They are
 * lab 0's tests of parse_mmap() (labs/00-boot); multiboot.c beside this
 * file feeds parse_mmap() maps of its own.
 */
#include <keel/bootinfo.h>
#include <keel/ktest.h>

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

/* The first region of @p type starting at @p base, or NULL. */
static const struct mem_region *region_at(uint64_t base, enum mem_type type)
{
	for (size_t i = 0; i < bootinfo.region_count; i++)
		if (bootinfo.regions[i].base == base && bootinfo.regions[i].type == type)
			return &bootinfo.regions[i];
	return 0;
}

KTEST(mmap, low_memory_usable)
{
	const struct mem_region *r = region_at(0, MEM_USABLE);

	KT_ASSERT(r != 0);
	/* Conventional memory: the BIOS keeps its data area just below 640 KiB. */
	KT_EXPECT(r->length >= 512 * KIB);
	KT_EXPECT(r->length <= 640 * KIB);
}

KTEST(mmap, usable_at_1mib)
{
	const struct mem_region *r = region_at(1 * MIB, MEM_USABLE);

	KT_ASSERT(r != 0);
	/* -m 128M: everything above 1 MiB but the firmware's last few pages. */
	KT_EXPECT(r->length >= 120 * MIB);
	KT_EXPECT(r->length < 127 * MIB + 1);
}

KTEST(mmap, regions_do_not_overlap)
{
	KT_ASSERT(bootinfo.region_count >= 2);
	for (size_t i = 0; i < bootinfo.region_count; i++) {
		const struct mem_region *a = &bootinfo.regions[i];
		KT_EXPECT(a->length > 0);
		for (size_t j = i + 1; j < bootinfo.region_count; j++) {
			const struct mem_region *b = &bootinfo.regions[j];
			if (a->base < b->base + b->length && b->base < a->base + a->length)
				ktest_fail(__FILE__, __LINE__, "regions %zu and %zu overlap", i, j);
		}
	}
}

KTEST(mmap, reserved_regions_kept)
{
	bool bios_reserved = false;

	/* The map describes all memory, not just the usable part: the BIOS
	 * ROM at 0xF0000 is there, as reserved. */
	for (size_t i = 0; i < bootinfo.region_count; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		if (r->type != MEM_USABLE && r->base <= 0xF0000 && 0xF0000 < r->base + r->length)
			bios_reserved = true;
	}
	KT_EXPECT(bios_reserved);
	KT_EXPECT_EQ(bootinfo.dropped_regions, 0);
}
