/*
 * elf_accepted.h - what must be true of every image elf_check() accepts.
 *
 * Shared by tests/unit/test_elf.c (its seeded mutations) and
 * tests/fuzz/fuzz_elf.c, so the two hold elf_check() to one standard.
 * It re-reads the image with the host's own <elf.h>, a definition of the
 * format written apart from elf.c's: the segments must be exactly the
 * file's PT_LOAD entries, inside the file and the user range, page-aligned,
 * never writable and executable, sharing no page, and the entry must lie
 * in an executable one. Arithmetic is 64-bit here, so nothing can wrap.
 */
#ifndef KEEL_TEST_ELF_ACCEPTED_H
#define KEEL_TEST_ELF_ACCEPTED_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <keel/elf.h>
#include <keel/vm.h>

/* One past the last page segment @p s touches. */
static uint64_t accepted_page_end(const struct elf_segment *s)
{
	return ((uint64_t)s->vaddr + s->memsz + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
}

/* NULL if segment @p s is the PT_LOAD entry @p ph, inside the file and [base, end). */
static const char *accepted_segment_error(const struct elf_segment *s, const Elf32_Phdr *ph,
                                          size_t size, uint32_t base, uint32_t end)
{
	unsigned want = (ph->p_flags & PF_W ? VM_WRITE : 0) | (ph->p_flags & PF_X ? VM_EXEC : 0);

	if (s->vaddr != ph->p_vaddr || s->memsz != ph->p_memsz || s->offset != ph->p_offset ||
	    s->filesz != ph->p_filesz || s->flags != want)
		return "a segment differs from its PT_LOAD entry";
	if (s->memsz == 0 || s->filesz > s->memsz)
		return "a segment is empty or has more file bytes than memory bytes";
	if ((uint64_t)s->offset + s->filesz > size)
		return "a segment's file bytes run past the file";
	if (s->vaddr % PAGE_BYTES != 0 || s->vaddr < base || accepted_page_end(s) > end)
		return "a segment is unaligned or outside the user range";
	if ((s->flags & VM_WRITE) && (s->flags & VM_EXEC))
		return "a segment is writable and executable";
	return NULL;
}

/* NULL if @p img, which elf_check() accepted for @p image, is safe to load; else what is not. */
static const char *elf_accepted_error(const unsigned char *image, size_t size, uint32_t base,
                                      uint32_t end, const struct elf_image *img)
{
	Elf32_Ehdr eh;
	unsigned loads = 0, exec_entry = 0;

	if (size < sizeof(eh))
		return "accepted an image shorter than its header";
	memcpy(&eh, image, sizeof(eh));
	if ((uint64_t)eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf32_Phdr) > size)
		return "accepted program headers outside the file";
	if (img->entry != eh.e_entry || img->count == 0 || img->count > ELF_SEGMENTS_MAX)
		return "the entry or the segment count is wrong";
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph;
		memcpy(&ph, image + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || (ph.p_memsz == 0 && ph.p_filesz == 0))
			continue; /* empty: loads nothing, so elf_check() skips it */
		if (loads == img->count)
			return "fewer segments than PT_LOAD entries";
		const char *e =
		    accepted_segment_error(&img->segment[loads++], &ph, size, base, end);
		if (e)
			return e;
	}
	if (loads != img->count)
		return "more segments than PT_LOAD entries";
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->segment[i];
		for (unsigned j = 0; j < i; j++)
			if (s->vaddr < accepted_page_end(&img->segment[j]) &&
			    img->segment[j].vaddr < accepted_page_end(s))
				return "two segments share a page";
		exec_entry |= (s->flags & VM_EXEC) && img->entry >= s->vaddr &&
		              (uint64_t)img->entry < (uint64_t)s->vaddr + s->memsz;
	}
	return exec_entry ? NULL : "the entry is not in an executable segment";
}

#endif
