/*
 * elf.c - checking a user program's ELF image before anything of it is used.
 *
 * The loader trusts what elf_check() hands it and nothing else: a list of
 * at most ELF_SEGMENTS_MAX segments, each a run of file bytes inside the
 * image, to be copied to page-aligned pages inside user space, never
 * writable and executable at once, no two sharing a page, and an entry
 * point in an executable one. The idea is to do all the doubting in one
 * place, with bytes that may be anything: every offset and length is
 * compared against what is left (never added and then compared), so no
 * sum can wrap; the image is read only through memcpy into local structs,
 * so it may sit at any alignment (the boot archive aligns files to four
 * bytes only); and each refusal names its cause, for the person whose
 * program it was. Slice 3 ("user"): the spawn path runs elf_check() on a
 * file of the boot archive (bootfs.c), then maps and fills the segments.
 *
 * Memory layout is the loader's choice, not the linker's: a segment's
 * vaddr must be page-aligned (its file offset need not be, since the
 * loader copies bytes rather than mapping the file), so user programs are
 * linked with a script that starts every segment on a page. "segment N"
 * in a reason counts the PT_LOAD entries from 0 in file order: it is the
 * index in struct elf_image; other entries (PT_NOTE, PT_GNU_STACK, ...)
 * are skipped, though they too must lie in the table inside the file.
 */
#include <keel/elf.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ELF32 file header and program header (System V ABI, "Object Files"). */
struct elf32_ehdr {
	unsigned char e_ident[16]; /* magic, class, data, version, padding */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

/* The file's layout, fixed by the spec: memcpy() of the raw bytes fills them. */
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 file header is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");

enum {
	EI_CLASS = 4,
	EI_DATA = 5,
	EI_VERSION = 6,
	ELFCLASS32 = 1,
	ELFDATA2LSB = 1, /* little-endian, as the host and i386 are: fields read as they lie */
	EV_CURRENT = 1,
	ET_EXEC = 2,
	EM_386 = 3,
	PT_LOAD = 1,
	PF_X = 1u << 0,
	PF_W = 1u << 1,
};

static const unsigned char elf_magic[4] = {0x7f, 'E', 'L', 'F'};

/*
 * The reasons that name a segment, one static string per segment number, so a reason is
 * never built at run time. SEGMENT_REASONS(" is empty") gives "segment 0 is empty", ...
 */
_Static_assert(ELF_SEGMENTS_MAX == 8, "the reason tables below list 8 segments");
#define SEGMENT_(n, text) "segment " #n text
#define SEGMENT_REASONS(text)                                                                      \
	{                                                                                          \
		SEGMENT_(0, text), SEGMENT_(1, text), SEGMENT_(2, text), SEGMENT_(3, text),        \
		    SEGMENT_(4, text), SEGMENT_(5, text), SEGMENT_(6, text), SEGMENT_(7, text),    \
	}

static const char *const why_filesz[ELF_SEGMENTS_MAX] =
    SEGMENT_REASONS(": more file bytes than memory bytes");
static const char *const why_file[ELF_SEGMENTS_MAX] =
    SEGMENT_REASONS(": file bytes outside the file");
static const char *const why_align[ELF_SEGMENTS_MAX] = SEGMENT_REASONS(" is not page-aligned");
static const char *const why_below[ELF_SEGMENTS_MAX] = SEGMENT_REASONS(" lies below user space");
static const char *const why_wraps[ELF_SEGMENTS_MAX] =
    SEGMENT_REASONS(" wraps around the address space");
static const char *const why_kernel[ELF_SEGMENTS_MAX] =
    SEGMENT_REASONS(" reaches into kernel space");
static const char *const why_wx[ELF_SEGMENTS_MAX] = SEGMENT_REASONS(" is writable and executable");

/* why_overlap[j][i]: "segment i overlaps segment j" (j < i). */
static const char *const why_overlap[ELF_SEGMENTS_MAX][ELF_SEGMENTS_MAX] = {
    SEGMENT_REASONS(" overlaps segment 0"), SEGMENT_REASONS(" overlaps segment 1"),
    SEGMENT_REASONS(" overlaps segment 2"), SEGMENT_REASONS(" overlaps segment 3"),
    SEGMENT_REASONS(" overlaps segment 4"), SEGMENT_REASONS(" overlaps segment 5"),
    SEGMENT_REASONS(" overlaps segment 6"), SEGMENT_REASONS(" overlaps segment 7"),
};

/* Do @p len bytes from @p offset lie inside a file of @p size bytes? Nothing is added. */
static bool in_file(uint32_t offset, uint32_t len, size_t size)
{
	return offset <= size && len <= size - offset;
}

/* One past the last page a segment touches; 64 bits, so it cannot wrap. */
static uint64_t page_end(const struct elf_segment *s)
{
	return ((uint64_t)s->vaddr + s->memsz + PAGE_BYTES - 1) & ~(uint64_t)(PAGE_BYTES - 1);
}

/* The file header's checks, in the order a reader of the header meets the fields. */
static const char *check_header(const struct elf32_ehdr *eh, size_t size)
{
	if (memcmp(eh->e_ident, elf_magic, sizeof(elf_magic)) != 0)
		return "bad magic";
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		return "not 32-bit (ELFCLASS32)";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return "not ELF version 1";
	if (eh->e_type != ET_EXEC)
		return "not an executable (ET_EXEC)";
	if (eh->e_machine != EM_386)
		return "not for i386 (EM_386)";
	if (eh->e_phentsize != sizeof(struct elf32_phdr))
		return "program header size is not 32";
	/* e_phnum < 2^16, so the table's length fits 32 bits. */
	if (!in_file(eh->e_phoff, (uint32_t)eh->e_phnum * sizeof(struct elf32_phdr), size))
		return "program headers outside the file";
	return NULL;
}

/*
 * One PT_LOAD entry, the @p n th, as the segment the loader will use; NULL or why not.
 * The memory checks come after the file ones, and W^X last: it is the only one a
 * well-formed image fails on purpose.
 */
static const char *check_segment(const struct elf32_phdr *ph, unsigned n, size_t size,
                                 uint32_t user_base, uint32_t user_end, struct elf_segment *s)
{
	*s = (struct elf_segment){.vaddr = ph->p_vaddr,
	                          .memsz = ph->p_memsz,
	                          .offset = ph->p_offset,
	                          .filesz = ph->p_filesz};
	if (s->filesz > s->memsz)
		return why_filesz[n];
	if (!in_file(s->offset, s->filesz, size))
		return why_file[n];
	if (s->vaddr % PAGE_BYTES != 0)
		return why_align[n];
	if (s->vaddr < user_base)
		return why_below[n];
	if (s->memsz > UINT32_MAX - s->vaddr)
		return why_wraps[n];
	if (page_end(s) > user_end) /* the loader maps whole pages: the last one must fit too */
		return why_kernel[n];
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return why_wx[n];
	s->flags = (ph->p_flags & PF_W ? VM_WRITE : 0) | (ph->p_flags & PF_X ? VM_EXEC : 0);
	return NULL;
}

/* Does segment @p n share a page with an earlier one? Whole pages, as the loader maps them. */
static const char *check_overlap(const struct elf_image *img, unsigned n)
{
	const struct elf_segment *s = &img->segment[n];

	for (unsigned j = 0; j < n; j++) {
		const struct elf_segment *t = &img->segment[j];

		if (s->vaddr < page_end(t) && t->vaddr < page_end(s))
			return why_overlap[j][n];
	}
	return NULL;
}

/* Walk the program header table, collecting the PT_LOAD entries into @p img. */
static const char *collect_segments(const unsigned char *image, size_t size,
                                    const struct elf32_ehdr *eh, uint32_t user_base,
                                    uint32_t user_end, struct elf_image *img)
{
	const char *why;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf32_phdr ph;

		/* check_header() proved the whole table lies inside the image. */
		memcpy(&ph, image + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		/* An empty PT_LOAD (linkers emit one for an empty output
		 * section) loads nothing: skip it rather than refuse the image. */
		if (ph.p_type != PT_LOAD || (ph.p_memsz == 0 && ph.p_filesz == 0))
			continue;
		if (img->count == ELF_SEGMENTS_MAX)
			return "too many segments";
		why = check_segment(&ph, img->count, size, user_base, user_end,
		                    &img->segment[img->count]);
		if (why == NULL)
			why = check_overlap(img, img->count);
		if (why != NULL)
			return why;
		img->count++;
	}
	return img->count == 0 ? "no loadable segment" : NULL;
}

/* Is @p entry inside an executable segment of @p img? */
static bool entry_ok(const struct elf_image *img, uint32_t entry)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->segment[i];

		if ((s->flags & VM_EXEC) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* [elf_check] */
kstatus_t elf_check(const void *image, size_t size, uint32_t user_base, uint32_t user_end,
                    struct elf_image *out, const char **why)
{
	struct elf32_ehdr eh;
	struct elf_image img = {0};
	const char *reason = NULL;

	if (image == NULL || out == NULL)
		return KEEL_ERR_INVALID;
	if (size < sizeof(eh))
		reason = "shorter than an ELF header";
	if (reason == NULL) {
		memcpy(&eh, image, sizeof(eh));
		reason = check_header(&eh, size);
	}
	if (reason == NULL)
		reason = collect_segments(image, size, &eh, user_base, user_end, &img);
	if (reason == NULL && !entry_ok(&img, eh.e_entry))
		reason = "entry point not in an executable segment";
	if (reason != NULL) {
		if (why != NULL)
			*why = reason;
		return KEEL_ERR_BAD_IMAGE;
	}
	img.entry = eh.e_entry;
	*out = img;
	return KEEL_OK;
}
/* [elf_check] */
