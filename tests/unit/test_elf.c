/*
 * test_elf.c - host unit tests for kernel/user/elf.c, the ELF image checker.
 *
 * The loader copies what elf_check() accepts into a new address space, so
 * an image it wrongly accepts can place bytes in kernel space, read past
 * the file or map a page writable and executable. The tests build good
 * images by hand (build(): a header, a program header table, the segments'
 * bytes, in a heap buffer of exactly the image's size so AddressSanitizer
 * sees any read past it), then corrupt them one field at a time and expect
 * each refusal with its own reason: the header's fields, the table's
 * bounds, each segment's checks, overlaps, the entry point. The boundaries
 * are tested on both sides (a segment ending exactly at the top of user
 * space, and one byte past it), and so are sums that would wrap 32 bits.
 * Last, seeded random mutations of a good image: whatever is accepted must
 * pass the checks of elf_accepted.h, which tests/fuzz/fuzz_elf.c shares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf_accepted.h"
#include <keel/elf.h>
#include <keel/vm.h>

#define BASE KEEL_USER_BASE
#define END  KEEL_USER_END
#define TEXT 0x08048000u

/* One program header to build: a PT_LOAD unless type says otherwise. */
struct seg {
	uint32_t vaddr, memsz, filesz, flags, type;
};

/* An image on the heap, exactly size bytes long. */
struct image {
	unsigned char *bytes;
	size_t size;
};

/*
 * An ELF32 i386 executable with the program headers @p segs, entry @p entry: the header,
 * the table right after it, then each segment's file bytes in order (4-aligned).
 */
static struct image build(const struct seg *segs, unsigned n, uint32_t entry)
{
	size_t table = sizeof(Elf32_Ehdr), size = table + n * sizeof(Elf32_Phdr);
	uint32_t offset[16];
	struct image img;
	Elf32_Ehdr eh = {
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_EXEC,
	    .e_machine = EM_386,
	    .e_version = EV_CURRENT,
	    .e_entry = entry,
	    .e_phoff = (uint32_t)table,
	    .e_ehsize = sizeof(Elf32_Ehdr),
	    .e_phentsize = sizeof(Elf32_Phdr),
	    .e_phnum = (uint16_t)n};

	assert_true(n <= 16);
	for (unsigned i = 0; i < n; i++) {
		offset[i] = (uint32_t)size;
		size = (size + segs[i].filesz + 3) & ~(size_t)3;
	}
	img = (struct image){.bytes = malloc(size), .size = size};
	assert_non_null(img.bytes);
	memset(img.bytes, 0xcc, size); /* int3: what the segments hold does not matter */
	memcpy(img.bytes, &eh, sizeof(eh));
	for (unsigned i = 0; i < n; i++) {
		Elf32_Phdr ph = {.p_type = segs[i].type ? segs[i].type : PT_LOAD,
		                 .p_offset = offset[i],
		                 .p_vaddr = segs[i].vaddr,
		                 .p_paddr = segs[i].vaddr,
		                 .p_filesz = segs[i].filesz,
		                 .p_memsz = segs[i].memsz,
		                 .p_flags = segs[i].flags,
		                 .p_align = PAGE_BYTES};
		memcpy(img.bytes + table + i * sizeof(ph), &ph, sizeof(ph));
	}
	return img;
}

/* The image most tests start from: text (r-x), data and bss (rw-), and a PT_GNU_STACK. */
static const struct seg good_segs[] = {
    {TEXT, 0x180, 0x180, PF_R | PF_X, 0},
    {TEXT + 0x1000, 0x3000, 0x40, PF_R | PF_W, 0},
    {0, 0, 0, PF_R | PF_W, PT_GNU_STACK},
};

static struct image good(void)
{
	return build(good_segs, 3, TEXT + 0x10);
}

static Elf32_Ehdr *ehdr(struct image *img)
{
	return (Elf32_Ehdr *)img->bytes; /* malloc() aligns it */
}

static Elf32_Phdr *phdr(struct image *img, unsigned i)
{
	return (Elf32_Phdr *)(img->bytes + ehdr(img)->e_phoff) + i;
}

/* The reason of the last refusal. */
static const char *why;

/*
 * elf_check() on @p img within [BASE, END). Checks what every call must keep: out is untouched
 * on error and passes elf_accepted.h's checks on success; the image is freed.
 */
static kstatus_t check_in(struct image img, uint32_t base, uint32_t end)
{
	struct elf_image out, before;
	kstatus_t s;

	memset(&out, 0xab, sizeof(out));
	before = out;
	why = NULL;
	s = elf_check(img.bytes, img.size, base, end, &out, &why);
	if (s == KEEL_OK) {
		const char *e = elf_accepted_error(img.bytes, img.size, base, end, &out);
		if (e)
			fail_msg("accepted, but %s", e);
	} else {
		assert_int_equal(s, KEEL_ERR_BAD_IMAGE);
		assert_non_null(why);
		assert_memory_equal(&out, &before, sizeof(out));
	}
	free(img.bytes);
	return s;
}

static kstatus_t check(struct image img)
{
	return check_in(img, BASE, END);
}

/* Expect @p img refused with exactly @p reason. */
#define expect_refused(img, reason)                                                                \
	do {                                                                                       \
		assert_int_equal(check(img), KEEL_ERR_BAD_IMAGE);                                  \
		assert_string_equal(why, reason);                                                  \
	} while (0)

/* --------------------------------------------------------------------------
 * Good images.
 */

static void accepts_a_good_image_and_describes_it(void **state)
{
	(void)state;
	struct image img = good();
	struct elf_image out;

	assert_int_equal(elf_check(img.bytes, img.size, BASE, END, &out, NULL), KEEL_OK);
	assert_int_equal(out.entry, TEXT + 0x10);
	assert_int_equal(out.count, 2); /* PT_GNU_STACK is not a segment */
	assert_int_equal(out.segment[0].vaddr, TEXT);
	assert_int_equal(out.segment[0].memsz, 0x180);
	assert_int_equal(out.segment[0].filesz, 0x180);
	assert_int_equal(out.segment[0].offset, phdr(&img, 0)->p_offset);
	assert_int_equal(out.segment[0].flags, VM_EXEC);
	assert_int_equal(out.segment[1].vaddr, TEXT + 0x1000);
	assert_int_equal(out.segment[1].memsz, 0x3000);
	assert_int_equal(out.segment[1].filesz, 0x40);
	assert_int_equal(out.segment[1].flags, VM_WRITE);
	assert_int_equal(check(img), KEEL_OK);
}

static void accepts_an_image_at_any_alignment(void **state)
{
	(void)state;
	for (size_t shift = 1; shift < 4; shift++) {
		struct image img = good();
		unsigned char *moved = malloc(img.size + shift);
		struct elf_image out;

		assert_non_null(moved);
		memcpy(moved + shift, img.bytes, img.size);
		assert_int_equal(elf_check(moved + shift, img.size, BASE, END, &out, NULL),
		                 KEEL_OK);
		assert_int_equal(out.count, 2);
		free(moved);
		free(img.bytes);
	}
}

static void read_only_segments_and_eight_segments_are_fine(void **state)
{
	(void)state;
	struct seg segs[ELF_SEGMENTS_MAX];
	struct image img;

	for (unsigned i = 0; i < ELF_SEGMENTS_MAX; i++)
		segs[i] = (struct seg){TEXT + i * 0x1000, 0x1000, 0x10, i == 0 ? PF_X : PF_R, 0};
	img = build(segs, ELF_SEGMENTS_MAX, TEXT);
	struct elf_image out;
	assert_int_equal(elf_check(img.bytes, img.size, BASE, END, &out, NULL), KEEL_OK);
	assert_int_equal(out.count, ELF_SEGMENTS_MAX);
	assert_int_equal(out.segment[7].flags, 0);
	assert_int_equal(check(img), KEEL_OK);
}

static void null_arguments_are_invalid(void **state)
{
	(void)state;
	struct image img = good();
	struct elf_image out;

	assert_int_equal(elf_check(NULL, 100, BASE, END, &out, &why), KEEL_ERR_INVALID);
	assert_int_equal(elf_check(img.bytes, img.size, BASE, END, NULL, &why), KEEL_ERR_INVALID);
	free(img.bytes);
}

/* --------------------------------------------------------------------------
 * The file header.
 */

static void short_files_are_refused(void **state)
{
	(void)state;
	struct image img = good();

	for (size_t n = 0; n < sizeof(Elf32_Ehdr); n++) {
		struct image cut = {malloc(n ? n : 1), n};
		memcpy(cut.bytes, img.bytes, n);
		expect_refused(cut, "shorter than an ELF header");
	}
	/* Every other cut loses a program header or a segment's bytes. */
	for (size_t n = sizeof(Elf32_Ehdr); n < img.size; n++) {
		struct image cut = {malloc(n), n};
		memcpy(cut.bytes, img.bytes, n);
		assert_int_equal(check(cut), KEEL_ERR_BAD_IMAGE);
	}
	free(img.bytes);
}

static void each_identification_byte_is_checked(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		struct image img = good();
		img.bytes[i] ^= 0x20;
		expect_refused(img, "bad magic");
	}
	struct image img = good();
	img.bytes[EI_CLASS] = ELFCLASS64;
	expect_refused(img, "not 32-bit (ELFCLASS32)");
	img = good();
	img.bytes[EI_CLASS] = ELFCLASSNONE;
	expect_refused(img, "not 32-bit (ELFCLASS32)");
	img = good();
	img.bytes[EI_DATA] = ELFDATA2MSB;
	expect_refused(img, "not little-endian");
	img = good();
	img.bytes[EI_VERSION] = 2;
	expect_refused(img, "not ELF version 1");
}

static void type_machine_and_version_are_checked(void **state)
{
	(void)state;
	static const uint16_t types[] = {ET_NONE, ET_REL, ET_DYN, ET_CORE, 0xfe00};
	struct image img;

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		img = good();
		ehdr(&img)->e_type = types[i];
		expect_refused(img, "not an executable (ET_EXEC)");
	}
	img = good();
	ehdr(&img)->e_machine = EM_X86_64;
	expect_refused(img, "not for i386 (EM_386)");
	img = good();
	ehdr(&img)->e_machine = EM_ARM;
	expect_refused(img, "not for i386 (EM_386)");
	img = good();
	ehdr(&img)->e_version = 0;
	expect_refused(img, "not ELF version 1");
	img = good();
	ehdr(&img)->e_phentsize = 56; /* an ELF64 program header */
	expect_refused(img, "program header size is not 32");
}

static void the_program_header_table_must_lie_in_the_file(void **state)
{
	(void)state;
	static const uint32_t offsets[] = {0xffffffffu, 0xffffffe0u, 0x80000000u, 0x10000};
	struct image img;

	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		img = good();
		ehdr(&img)->e_phoff = offsets[i];
		expect_refused(img, "program headers outside the file");
	}
	img = good(); /* the table's last byte one past the end */
	ehdr(&img)->e_phoff = (uint32_t)(img.size - 3 * sizeof(Elf32_Phdr) + 1);
	expect_refused(img, "program headers outside the file");
	img = good();
	ehdr(&img)->e_phnum = 0xffff;
	expect_refused(img, "program headers outside the file");
	img = good(); /* a table that ends exactly at the end of the file is fine */
	ehdr(&img)->e_phoff = (uint32_t)(img.size - sizeof(Elf32_Phdr));
	ehdr(&img)->e_phnum = 1;
	assert_int_equal(check(img), KEEL_ERR_BAD_IMAGE);
	assert_string_equal(why, "no loadable segment"); /* it reads 0xcc bytes: no PT_LOAD */
}

/* --------------------------------------------------------------------------
 * Segments.
 */

static void no_loadable_segment_is_refused(void **state)
{
	(void)state;
	static const struct seg notes[] = {{0, 0, 0, PF_R, PT_NOTE}, {0, 0, 0, PF_R, PT_GNU_STACK}};

	expect_refused(build(notes, 2, TEXT), "no loadable segment");
	expect_refused(build(notes, 0, TEXT), "no loadable segment");
}

static void too_many_segments_are_refused(void **state)
{
	(void)state;
	struct seg segs[ELF_SEGMENTS_MAX + 2];

	for (unsigned i = 0; i < ELF_SEGMENTS_MAX + 2; i++)
		segs[i] = (struct seg){TEXT + i * 0x1000, 0x1000, 0x10, PF_X, 0};
	segs[3].type = PT_NOTE; /* other entries do not count: 8 PT_LOAD among 9 */
	assert_int_equal(check(build(segs, ELF_SEGMENTS_MAX + 1, TEXT)), KEEL_OK);
	expect_refused(build(segs, ELF_SEGMENTS_MAX + 2, TEXT), "too many segments");
}

static void empty_segments_are_skipped_overfull_refused(void **state)
{
	(void)state;
	struct image img = good();

	/* An empty PT_LOAD (a linker's empty output section) loads nothing. */
	phdr(&img, 1)->p_memsz = 0;
	phdr(&img, 1)->p_filesz = 0;
	assert_int_equal(check(img), KEEL_OK);
	img = good(); /* but file bytes with no memory for them are refused */
	phdr(&img, 1)->p_memsz = 0;
	expect_refused(img, "segment 1: more file bytes than memory bytes");
	img = good();
	phdr(&img, 1)->p_filesz = phdr(&img, 1)->p_memsz + 1;
	expect_refused(img, "segment 1: more file bytes than memory bytes");
	img = good(); /* all bss is fine */
	phdr(&img, 1)->p_filesz = 0;
	assert_int_equal(check(img), KEEL_OK);
}

static void file_bytes_must_lie_in_the_file(void **state)
{
	(void)state;
	struct image img = good();

	phdr(&img, 1)->p_offset = (uint32_t)(img.size - 0x40 + 1); /* one byte past the end */
	expect_refused(img, "segment 1: file bytes outside the file");
	img = good(); /* ending exactly at the end is fine, and so is no file byte at the end */
	phdr(&img, 1)->p_offset = (uint32_t)(img.size - 0x40);
	assert_int_equal(check(img), KEEL_OK);
	img = good();
	phdr(&img, 1)->p_offset = (uint32_t)img.size;
	phdr(&img, 1)->p_filesz = 0;
	assert_int_equal(check(img), KEEL_OK);
	img = good(); /* offset + filesz wraps 32 bits to a small number */
	phdr(&img, 1)->p_offset = 0xffffff00u;
	phdr(&img, 1)->p_filesz = 0x200;
	expect_refused(img, "segment 1: file bytes outside the file");
	img = good();
	phdr(&img, 0)->p_offset = 0x10;
	phdr(&img, 0)->p_filesz = 0xfffffff8u;
	phdr(&img, 0)->p_memsz = 0xfffffff8u;
	expect_refused(img, "segment 0: file bytes outside the file");
}

static void segments_must_be_page_aligned_in_memory_only(void **state)
{
	(void)state;
	struct image img = good();

	phdr(&img, 1)->p_vaddr += 0x10;
	expect_refused(img, "segment 1 is not page-aligned");
	img = good();
	phdr(&img, 0)->p_vaddr += 1;
	expect_refused(img, "segment 0 is not page-aligned");
	img = good(); /* the file offsets of good() are not page-aligned at all */
	assert_int_not_equal(phdr(&img, 1)->p_offset % PAGE_BYTES, 0);
	assert_int_equal(check(img), KEEL_OK);
}

static void segments_must_lie_in_user_space(void **state)
{
	(void)state;
	struct image img = good();

	phdr(&img, 0)->p_vaddr = 0;
	expect_refused(img, "segment 0 lies below user space");
	img = good();
	phdr(&img, 1)->p_vaddr = END;
	phdr(&img, 1)->p_memsz = 1;
	phdr(&img, 1)->p_filesz = 1;
	expect_refused(img, "segment 1 reaches into kernel space");
	img = good();
	phdr(&img, 1)->p_vaddr = 0xfffff000u; /* vaddr + memsz wraps to 0x1000 */
	phdr(&img, 1)->p_memsz = 0x2000;
	expect_refused(img, "segment 1 wraps around the address space");
	img = good();
	phdr(&img, 0)->p_memsz = 0xffffffffu;
	expect_refused(img, "segment 0 wraps around the address space");
}

/* The last byte of user space may be used; the first byte past it may not. */
static void a_segment_may_end_exactly_at_the_top(void **state)
{
	(void)state;
	struct image img = good();

	phdr(&img, 1)->p_vaddr = END - 0x3000;
	assert_int_equal(check(img), KEEL_OK);
	img = good();
	phdr(&img, 1)->p_vaddr = END - 0x3000;
	phdr(&img, 1)->p_memsz = 0x3001;
	expect_refused(img, "segment 1 reaches into kernel space");
	img = good(); /* the last page is mapped whole: a top not on a page boundary */
	assert_int_equal(check_in(img, BASE, TEXT + 0x4000), KEEL_OK);
	img = good();
	assert_int_equal(check_in(img, BASE, TEXT + 0x3fff), KEEL_ERR_BAD_IMAGE);
	assert_string_equal(why, "segment 1 reaches into kernel space");
	img = good(); /* and the bottom */
	assert_int_equal(check_in(img, TEXT, END), KEEL_OK);
	img = good();
	assert_int_equal(check_in(img, TEXT + 1, END), KEEL_ERR_BAD_IMAGE);
	assert_string_equal(why, "segment 0 lies below user space");
}

static void writable_and_executable_is_refused(void **state)
{
	(void)state;
	struct image img = good();

	phdr(&img, 1)->p_flags = PF_R | PF_W | PF_X;
	expect_refused(img, "segment 1 is writable and executable");
	img = good();
	phdr(&img, 0)->p_flags = PF_W | PF_X;
	expect_refused(img, "segment 0 is writable and executable");
}

static void segments_may_not_share_a_page(void **state)
{
	(void)state;
	static const struct seg three[] = {
	    {TEXT, 0x1000, 0x10, PF_X, 0},
	    {TEXT + 0x2000, 0x1000, 0x10, PF_W, 0},
	    {TEXT + 0x1000, 0x1001, 0x10, 0, 0}, /* its last byte is in segment 1's page */
	};
	struct seg low[] = {three[0], three[1], {TEXT - 0x1000, 0x1001, 0, 0, 0}};
	struct image img = good();

	phdr(&img, 1)->p_vaddr = TEXT;
	expect_refused(img, "segment 1 overlaps segment 0");
	img = good(); /* 0x181 bytes of text share no page with data; 0x1001 bytes do */
	phdr(&img, 0)->p_memsz = 0x1001;
	expect_refused(img, "segment 1 overlaps segment 0");
	expect_refused(build(three, 3, TEXT), "segment 2 overlaps segment 1");
	expect_refused(build(low, 3, TEXT), "segment 2 overlaps segment 0");
	low[2].memsz = 0x1000; /* the page just below is fine */
	assert_int_equal(check(build(low, 3, TEXT)), KEEL_OK);
}

static void the_entry_must_be_in_an_executable_segment(void **state)
{
	(void)state;
	static const uint32_t bad[] = {0, TEXT - 1, TEXT + 0x180, TEXT + 0x1000, TEXT + 0x1010};
	static const uint32_t ok[] = {TEXT, TEXT + 0x17f};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(build(good_segs, 3, bad[i]),
		               "entry point not in an executable segment");
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(check(build(good_segs, 3, ok[i])), KEEL_OK);
	struct image img = good();
	phdr(&img, 0)->p_flags = PF_R;
	expect_refused(img, "entry point not in an executable segment");
	img = good(); /* in the text's zero-filled tail: odd, but the page is executable */
	phdr(&img, 0)->p_memsz = 0x1000;
	ehdr(&img)->e_entry = TEXT + 0xff0;
	assert_int_equal(check(img), KEEL_OK);
}

/* --------------------------------------------------------------------------
 * Seeded random mutations: nothing accepted may break elf_accepted.h's rules.
 */

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Values at the edges of the checks, for 32-bit fields. */
static const uint32_t edges[] = {0,          1,           0xfff,        0x1000,     0x1001,
                                 TEXT,       TEXT + 0x10, END - 0x1000, END,        END + 1,
                                 0x7fffffff, 0x80000000,  0xfffff000,   0xffffffff, 0x34};

/* One mutation of @p img: a random byte, or an edge value in a 32-bit field of the tables. */
static void mutate(struct image *img, uint64_t r)
{
	size_t tables = sizeof(Elf32_Ehdr) + 3 * sizeof(Elf32_Phdr);

	if (img->size < tables) /* already cut short: leave it */
		return;
	switch (r % 4) {
	case 0:
		img->bytes[(r >> 8) % img->size] = (unsigned char)(r >> 32);
		break;
	case 1:
		img->bytes[(r >> 8) % tables] = (unsigned char)(r >> 32);
		break;
	case 2: {
		uint32_t v = edges[(r >> 32) % (sizeof(edges) / sizeof(edges[0]))];
		memcpy(img->bytes + ((r >> 8) % (tables / 4)) * 4, &v, sizeof(v));
		break;
	}
	default:
		img->size = (r >> 8) % (img->size + 1); /* cut it short */
		break;
	}
}

static void random_mutations_never_pass_a_bad_image(void **state)
{
	(void)state;
	const uint64_t seed0 = 0x6b65656c2d656c66ULL; /* "keel-elf" */
	uint64_t seed = seed0;
	unsigned accepted = 0, refused = 0;

	print_message("# random mutations: seed %#llx, 100000 images\n", (unsigned long long)seed0);
	for (unsigned i = 0; i < 100000; i++) {
		struct image img = good();
		uint64_t r = next_random(&seed);

		for (unsigned k = 0; k <= r % 3; k++)
			mutate(&img, next_random(&seed));
		/* A copy of exactly the size left, so a read past it is caught. */
		struct image copy = {malloc(img.size ? img.size : 1), img.size};
		memcpy(copy.bytes, img.bytes, img.size);
		free(img.bytes);
		if (check(copy) == KEEL_OK)
			accepted++;
		else
			refused++;
	}
	print_message("# %u accepted, %u refused\n", accepted, refused);
	assert_true(accepted > 1000 && refused > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_a_good_image_and_describes_it),
	    cmocka_unit_test(accepts_an_image_at_any_alignment),
	    cmocka_unit_test(read_only_segments_and_eight_segments_are_fine),
	    cmocka_unit_test(null_arguments_are_invalid),
	    cmocka_unit_test(short_files_are_refused),
	    cmocka_unit_test(each_identification_byte_is_checked),
	    cmocka_unit_test(type_machine_and_version_are_checked),
	    cmocka_unit_test(the_program_header_table_must_lie_in_the_file),
	    cmocka_unit_test(no_loadable_segment_is_refused),
	    cmocka_unit_test(too_many_segments_are_refused),
	    cmocka_unit_test(empty_segments_are_skipped_overfull_refused),
	    cmocka_unit_test(file_bytes_must_lie_in_the_file),
	    cmocka_unit_test(segments_must_be_page_aligned_in_memory_only),
	    cmocka_unit_test(segments_must_lie_in_user_space),
	    cmocka_unit_test(a_segment_may_end_exactly_at_the_top),
	    cmocka_unit_test(writable_and_executable_is_refused),
	    cmocka_unit_test(segments_may_not_share_a_page),
	    cmocka_unit_test(the_entry_must_be_in_an_executable_segment),
	    cmocka_unit_test(random_mutations_never_pass_a_bad_image),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
