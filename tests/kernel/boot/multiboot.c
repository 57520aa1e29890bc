/*
 * multiboot.c - in-kernel tests that feed the Multiboot parser maps of
 * their own (x86).
 *
 * QEMU's map is always the same six entries of 20 bytes, so some mistakes
 * never show on it. Each case here builds a map in kernel memory, hands
 * multiboot_parse() an information structure that points at it, and checks
 * what came out; `bootinfo` is saved before and restored after, so the
 * rest of the kernel never sees the fake map. Lab 0's tests of parse_mmap()
 * (labs/00-boot), with those in mmap.c.
 */
#include <keel/bootinfo.h>
#include <keel/ktest.h>
#include <keel/string.h>

#include "../../../arch/x86/x86.h"

/* From the Multiboot 1 specification. */
#define MB_BOOT_MAGIC    0x2BADB002
#define MBI_MMAP         (1u << 6)
#define MBI_WORDS        22 /* the information structure, in 32-bit words */
#define MBI_MMAP_LENGTH  11 /* word index of mmap_length */
#define MBI_MMAP_ADDR    12 /* word index of mmap_addr */
#define ENTRY_BASE_BYTES 20 /* base, length and type: what `size` usually says */

#define GIB 0x40000000ull

static uint8_t map[64 * 32];
static uint32_t mbi[MBI_WORDS];
static struct boot_info saved, parsed;

static uint32_t virt_to_phys(const void *p)
{
	return (uint32_t)((uintptr_t)p - KERNEL_VBASE);
}

/* Append one entry at @p at whose size field says @p size; returns the next. */
static uint8_t *put_entry(uint8_t *at, uint32_t size, uint64_t base, uint64_t length, uint32_t type)
{
	memset(at + 4, 0xA5, size); /* padding beyond the three fields is junk */
	memcpy(at, &size, 4);
	memcpy(at + 4, &base, 8);
	memcpy(at + 12, &length, 8);
	memcpy(at + 20, &type, 4);
	return at + 4 + size;
}

/* Parse the first @p length bytes of `map` into `parsed`; bootinfo is kept. */
static void parse_map(uint32_t length)
{
	saved = bootinfo;
	memset(&bootinfo, 0, sizeof(bootinfo));
	memset(mbi, 0, sizeof(mbi));
	mbi[0] = MBI_MMAP;
	mbi[MBI_MMAP_LENGTH] = length;
	mbi[MBI_MMAP_ADDR] = virt_to_phys(map);
	multiboot_parse(MB_BOOT_MAGIC, virt_to_phys(mbi));
	parsed = bootinfo;
	bootinfo = saved;
}

static void expect_region(size_t i, uint64_t base, uint64_t length, enum mem_type type)
{
	const struct mem_region *r = &parsed.regions[i];

	if (r->base != base || r->length != length || r->type != type)
		ktest_fail(__FILE__, __LINE__,
		           "region %zu: expected base 0x%llx length 0x%llx type %d, "
		           "got base 0x%llx length 0x%llx type %d",
		           i, (unsigned long long)base, (unsigned long long)length, type,
		           (unsigned long long)r->base, (unsigned long long)r->length, r->type);
}

KTEST(mmap, honours_entry_size)
{
	/* Entries 8 bytes longer than the fields: `size` says where the next starts. */
	uint8_t *end = put_entry(map, ENTRY_BASE_BYTES + 8, 0, 0x9F000, MEM_USABLE);
	end = put_entry(end, ENTRY_BASE_BYTES + 8, 0x9F000, 0x1000, MEM_RESERVED);
	end = put_entry(end, ENTRY_BASE_BYTES + 8, 0x100000, 0x700000, MEM_USABLE);
	parse_map((uint32_t)(end - map));
	KT_ASSERT_EQ(parsed.region_count, 3);
	expect_region(0, 0, 0x9F000, MEM_USABLE);
	expect_region(1, 0x9F000, 0x1000, MEM_RESERVED);
	expect_region(2, 0x100000, 0x700000, MEM_USABLE);
}

KTEST(mmap, stops_at_map_end)
{
	/* Three entries in memory, but mmap_length covers only two. */
	uint8_t *end = put_entry(map, ENTRY_BASE_BYTES, 0, 0x9F000, MEM_USABLE);
	end = put_entry(end, ENTRY_BASE_BYTES, 0x100000, 0x100000, MEM_USABLE);
	put_entry(end, ENTRY_BASE_BYTES, 0x200000, 0x100000, MEM_USABLE);
	parse_map((uint32_t)(end - map));
	KT_EXPECT_EQ(parsed.region_count, 2);
	KT_EXPECT_EQ(parsed.dropped_regions, 0);
}

KTEST(mmap, sixty_four_bit_fields)
{
	/* Memory above 4 GiB, and a region longer than 4 GiB: all 64 bits count. */
	uint8_t *end = put_entry(map, ENTRY_BASE_BYTES, 4 * GIB, 2 * GIB, MEM_USABLE);
	end = put_entry(end, ENTRY_BASE_BYTES, 8 * GIB, 5 * GIB + 0x1000, MEM_RESERVED);
	parse_map((uint32_t)(end - map));
	KT_ASSERT_EQ(parsed.region_count, 2);
	expect_region(0, 4 * GIB, 2 * GIB, MEM_USABLE);
	expect_region(1, 8 * GIB, 5 * GIB + 0x1000, MEM_RESERVED);
}

KTEST(mmap, too_many_regions_counted)
{
	/* More entries than bootinfo holds: keep the first ones, count the rest. */
	uint8_t *end = map;
	for (uint64_t i = 0; i < BOOT_MAX_REGIONS + 8; i++)
		end = put_entry(end, ENTRY_BASE_BYTES, i * 0x10000, 0x10000, MEM_USABLE);
	parse_map((uint32_t)(end - map));
	KT_EXPECT_EQ(parsed.region_count, BOOT_MAX_REGIONS);
	KT_EXPECT_EQ(parsed.dropped_regions, 8);
	expect_region(BOOT_MAX_REGIONS - 1, (BOOT_MAX_REGIONS - 1) * 0x10000ull, 0x10000,
	              MEM_USABLE);
}
