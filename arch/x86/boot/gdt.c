/*
 * gdt.c - Keel's own Global Descriptor Table.
 *
 * Paging, not segmentation, protects memory in Keel, so every segment is
 * flat: base 0, limit 4 GiB. The table still matters: the CPU's privilege
 * level is the low two bits of CS, and the DPL of each descriptor says
 * who may load it. Slice 0 needs the kernel's code and data segments;
 * the user segments are here already for slice 3. The last two slots are
 * for task-state segments: slice 2 fills them (gdt_set_tss) so that a
 * double fault runs on a stack of its own; slice 3 reuses the first.
 */
#include <keel/panic.h>

#include "x86.h"

/* One 8-byte segment descriptor, in the CPU's scattered layout. */
struct gdt_entry {
	uint16_t limit_low;
	uint16_t base_low;
	uint8_t base_mid;
	uint8_t access; /* present, DPL, type */
	uint8_t flags;  /* granularity, size, limit bits 16-19 */
	uint8_t base_high;
} __attribute__((packed));
_Static_assert(sizeof(struct gdt_entry) == 8, "the CPU reads 8-byte descriptors");

struct gdt_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

#define ACCESS_PRESENT 0x80
#define ACCESS_DPL(n)  ((n) << 5)
#define ACCESS_CODE    0x1a /* code/data descriptor, executable, readable */
#define ACCESS_DATA    0x12 /* code/data descriptor, writable */
#define FLAGS_4K_32BIT 0xc0

/* [gdt_table] */
#define FLAT(access)                                                                               \
	{                                                                                          \
		0xffff, 0, 0, (access), FLAGS_4K_32BIT | 0x0f, 0                                   \
	}
static struct gdt_entry gdt[] = {
    {0, 0, 0, 0, 0, 0},                                 /* 0x00: the CPU requires a null entry */
    FLAT(ACCESS_PRESENT | ACCESS_DPL(0) | ACCESS_CODE), /* 0x08: SEL_KCODE */
    FLAT(ACCESS_PRESENT | ACCESS_DPL(0) | ACCESS_DATA), /* 0x10: SEL_KDATA */
    FLAT(ACCESS_PRESENT | ACCESS_DPL(3) | ACCESS_CODE), /* 0x18: SEL_UCODE */
    FLAT(ACCESS_PRESENT | ACCESS_DPL(3) | ACCESS_DATA), /* 0x20: SEL_UDATA */
    {0, 0, 0, 0, 0, 0},                                 /* 0x28: SEL_TSS, not present yet */
    {0, 0, 0, 0, 0, 0},                                 /* 0x30: SEL_DF_TSS, not present yet */
};
/* [gdt_table] */

/* [gdt_init] */
void gdt_init(void)
{
	struct gdt_pointer ptr = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};

	__asm__ volatile("lgdt %0\n\t"
	                 "ljmp %1, $1f\n" /* a far jump is the only way to reload CS */
	                 "1:\n\t"
	                 "movw %w2, %%ds\n\t"
	                 "movw %w2, %%es\n\t"
	                 "movw %w2, %%fs\n\t"
	                 "movw %w2, %%gs\n\t"
	                 "movw %w2, %%ss\n\t"
	                 :
	                 : "m"(ptr), "i"(SEL_KCODE), "r"(SEL_KDATA)
	                 : "memory");
}
/* [gdt_init] */

#define ACCESS_TSS_32 0x09 /* an available 32-bit TSS */

/* [gdt_set_tss] */
void gdt_set_tss(uint16_t sel, const void *tss, uint32_t size)
{
	uint32_t base = (uint32_t)(uintptr_t)tss, limit = size - 1;

	assert(sel == SEL_TSS || sel == SEL_DF_TSS);
	gdt[sel / 8] = (struct gdt_entry){limit & 0xffff,       base & 0xffff,
	                                  (base >> 16) & 0xff,  ACCESS_PRESENT | ACCESS_TSS_32,
	                                  (limit >> 16) & 0x0f, base >> 24};
}
/* [gdt_set_tss] */
