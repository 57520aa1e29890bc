/*
 * bootinfo.c - the memory map and command line the loader handed over.
 *
 * The arch layer fills `bootinfo` before kernel_main() runs. This file
 * only reads it: it names region types, adds up usable memory and prints
 * the map for the banner and the monitor's `info`.
 */
#include <keel/bootinfo.h>
#include <keel/kprintf.h>

struct boot_info bootinfo;

const char *mem_type_name(enum mem_type type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI:
		return "ACPI reclaimable";
	case MEM_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	}
	return "unknown";
}

uint64_t bootinfo_usable_bytes(const struct boot_info *bi)
{
	uint64_t total = 0;
	for (size_t i = 0; i < bi->region_count; i++)
		if (bi->regions[i].type == MEM_USABLE)
			total += bi->regions[i].length;
	return total;
}

uint64_t bootinfo_usable_top(const struct boot_info *bi)
{
	uint64_t top = 0;
	for (size_t i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		if (r->type == MEM_USABLE && r->base + r->length > top)
			top = r->base + r->length;
	}
	return top;
}

void bootinfo_print_map(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		kprintf("  %016llx-%016llx  %s\n", (unsigned long long)r->base,
		        (unsigned long long)(r->base + r->length - 1), mem_type_name(r->type));
	}
	if (bi->dropped_regions)
		kprintf("  (%zu more regions not kept)\n", bi->dropped_regions);
	kprintf("  %llu KiB usable in %zu regions\n",
	        (unsigned long long)(bootinfo_usable_bytes(bi) / 1024), bi->region_count);
}
