/**
 * @file elf.h
 * @brief Checking an ELF32 program image before anything of it is used.
 *
 * elf_check() is pure: it reads the bytes it is given and nothing else,
 * so the host unit tests and the fuzzer drive it with any bytes at all.
 * It accepts exactly what the loader can load safely: a little-endian
 * ELF32 executable for i386, whose PT_LOAD segments lie within the file,
 * within user space, page-aligned in memory, not overlapping one another,
 * never writable and executable at once, and whose entry point lies in an
 * executable segment. Everything else is refused with KEEL_ERR_BAD_IMAGE
 * and a reason naming the problem.
 */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <keel/status.h>
#include <stddef.h>
#include <stdint.h>

/** @brief The most PT_LOAD segments an image may have. */
#define ELF_SEGMENTS_MAX 8

/** @brief One segment to load, as elf_check() found it valid. */
struct elf_segment {
	uint32_t vaddr;  /**< Where it starts in user space (page-aligned). */
	uint32_t memsz;  /**< Bytes in memory; beyond filesz they are zero (.bss). */
	uint32_t offset; /**< Where its bytes start in the file. */
	uint32_t filesz; /**< Bytes taken from the file (<= memsz). */
	unsigned flags;  /**< enum vm_flags: VM_WRITE or VM_EXEC or neither (read-only). */
};

/** @brief A checked image: what the loader needs and nothing more. */
struct elf_image {
	uint32_t entry;                               /**< The first instruction. */
	unsigned count;                               /**< Segments used. */
	struct elf_segment segment[ELF_SEGMENTS_MAX]; /**< In file order. */
};

/**
 * @brief Check that @p image (@p size bytes) is an ELF32 i386 executable
 * the loader can map within [@p user_base, @p user_end), and describe it.
 * @param out receives the segments and entry on KEEL_OK; untouched otherwise.
 * @param why receives a static string naming the problem ("bad magic",
 *        "segment 1 overlaps segment 0", ...) on error; may be NULL.
 * @return KEEL_OK; KEEL_ERR_BAD_IMAGE for any malformed image;
 *         KEEL_ERR_INVALID for a NULL @p image or @p out. Any context; pure.
 */
kstatus_t elf_check(const void *image, size_t size, uint32_t user_base, uint32_t user_end,
                    struct elf_image *out, const char **why);

/**
 * @brief The function of ELF image @p image that holds address @p addr,
 * from the image's symbol table, for reports of user faults.
 * @return KEEL_OK, *name (a string inside @p image) and *offset (from the
 *         function's start); KEEL_ERR_NOT_FOUND (no symbol table, or no
 *         function there); KEEL_ERR_BAD_IMAGE (a table that runs outside
 *         the image). Never reads outside [image, image + size). Pure.
 */
kstatus_t elf_symbol(const void *image, size_t size, uint32_t addr, const char **name,
                     uint32_t *offset);

#endif
