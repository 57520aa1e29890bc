/**
 * @file bootinfo.h
 * @brief What the boot loader told us, in a form that does not depend on it.
 *
 * The arch layer translates the loader's structures (Multiboot 1 on x86)
 * into one struct boot_info before the generic kernel starts, copying
 * what it needs so nothing points back into loader memory.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

/** @brief Kinds of physical memory region (the values Multiboot uses). */
enum mem_type {
	MEM_USABLE = 1,   /**< RAM free for the kernel to use. */
	MEM_RESERVED = 2, /**< Firmware or device memory: never touch. */
	MEM_ACPI = 3,     /**< ACPI tables, reclaimable after they are read. */
	MEM_NVS = 4,      /**< ACPI non-volatile storage: preserve. */
	MEM_BAD = 5,      /**< Defective RAM. */
};

/** @brief One region of the physical memory map. */
struct mem_region {
	uint64_t base;      /**< First byte. */
	uint64_t length;    /**< Size in bytes. */
	enum mem_type type; /**< What it is. */
};

/** @brief The most regions kept; the rest are counted in dropped_regions. */
#define BOOT_MAX_REGIONS 32
/** @brief The most boot modules kept; the rest are counted in dropped_modules. */
#define BOOT_MAX_MODULES 8

/** @brief A boot module: a file the loader placed in memory beside the kernel. */
struct boot_module {
	uint64_t start; /**< Physical address of its first byte. */
	uint64_t end;   /**< Physical address just past its last byte. */
};

/** @brief The longest command line kept, including its NUL. */
#define BOOT_CMDLINE_MAX 256

/** @brief Everything the loader handed over, copied into kernel memory. */
struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX]; /**< The command line (may be empty). */
	char loader[48];                /**< The loader's name, if it gave one. */
	char image[64];                 /**< The kernel image's path, if the loader gave it. */
	struct mem_region regions[BOOT_MAX_REGIONS]; /**< The memory map, in loader order. */
	size_t region_count;                         /**< Entries used in regions. */
	size_t dropped_regions;                      /**< Regions beyond BOOT_MAX_REGIONS. */
	uint64_t kernel_start; /**< Physical address of the kernel image's first byte. */
	uint64_t kernel_end;   /**< Physical address just past the kernel image. */
	struct boot_module modules[BOOT_MAX_MODULES]; /**< Modules, in loader order. */
	size_t module_count;                          /**< Entries used in modules. */
	size_t dropped_modules;                       /**< Modules beyond BOOT_MAX_MODULES. */
};

/** @brief The boot information of the running kernel. */
extern struct boot_info bootinfo;

/** @brief A region type's name ("usable"). */
const char *mem_type_name(enum mem_type type);

/** @brief Total bytes of MEM_USABLE regions in @p bi. */
uint64_t bootinfo_usable_bytes(const struct boot_info *bi);

/** @brief One past the highest byte of any MEM_USABLE region in @p bi (0 if none). */
uint64_t bootinfo_usable_top(const struct boot_info *bi);

/** @brief Print the memory map, one region a line, and its total. */
void bootinfo_print_map(const struct boot_info *bi);

/**
 * @brief The generic kernel's entry, called by the arch layer once the
 * CPU, the consoles and @ref bootinfo are ready. Never returns.
 */
__attribute__((noreturn)) void kernel_main(void);

#endif
