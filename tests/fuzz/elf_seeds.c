/*
 * elf_seeds.c - write the seed corpus of tests/fuzz/fuzz_elf.c.
 *
 *     elf_seeds DIR        (writes DIR/seed-N, one valid image each)
 *
 * A fuzzer that starts from nothing spends most of its runs finding the
 * magic. These seeds are images elf_check() accepts, of the shapes the
 * checks care about: one segment, text and data with bss, a PT_GNU_STACK
 * and a PT_NOTE among the loads, the full ELF_SEGMENTS_MAX, and a segment
 * that ends at the very top of user space. Mutating them reaches every
 * refusal in a few thousand runs.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <keel/abi.h>
#include <keel/elf.h>

#define TEXT 0x08048000u

struct seg {
	uint32_t type, vaddr, memsz, filesz, flags;
};

/* Write an image with @p n program headers @p segs and entry @p entry to @p path. */
static int write_image(const char *path, const struct seg *segs, unsigned n, uint32_t entry)
{
	static unsigned char buf[4096];
	size_t len = sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr);
	Elf32_Ehdr eh = {
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_EXEC,
	    .e_machine = EM_386,
	    .e_version = EV_CURRENT,
	    .e_entry = entry,
	    .e_phoff = sizeof(Elf32_Ehdr),
	    .e_ehsize = sizeof(Elf32_Ehdr),
	    .e_phentsize = sizeof(Elf32_Phdr),
	    .e_phnum = (uint16_t)n};
	FILE *f;

	memset(buf, 0x90, sizeof(buf));
	memcpy(buf, &eh, sizeof(eh));
	for (unsigned i = 0; i < n; i++) {
		Elf32_Phdr ph = {segs[i].type,   (uint32_t)len, segs[i].vaddr, segs[i].vaddr,
		                 segs[i].filesz, segs[i].memsz, segs[i].flags, 0x1000};
		memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		len += segs[i].filesz;
	}
	f = fopen(path, "wb");
	if (f == NULL || len > sizeof(buf) || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct seg one[] = {{PT_LOAD, TEXT, 0x40, 0x40, PF_R | PF_X}};
	static const struct seg two[] = {{PT_LOAD, TEXT, 0x100, 0x100, PF_R | PF_X},
	                                 {PT_LOAD, TEXT + 0x1000, 0x3000, 0x20, PF_R | PF_W}};
	static const struct seg notes[] = {{PT_NOTE, 0, 0, 0x10, PF_R},
	                                   {PT_LOAD, TEXT, 0x80, 0x80, PF_R | PF_X},
	                                   {PT_GNU_STACK, 0, 0, 0, PF_R | PF_W},
	                                   {PT_LOAD, TEXT + 0x2000, 0x10, 0x10, PF_R}};
	static const struct seg top[] = {{PT_LOAD, TEXT, 0x80, 0x80, PF_R | PF_X},
	                                 {PT_LOAD, KEEL_USER_END - 0x2000, 0x2000, 0x8, PF_W}};
	struct seg full[ELF_SEGMENTS_MAX];
	char path[4096];
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: elf_seeds DIR\n");
		return 2;
	}
	for (unsigned i = 0; i < ELF_SEGMENTS_MAX; i++)
		full[i] = (struct seg){PT_LOAD, TEXT + i * 0x1000, 0x1000, 0x8, i ? PF_R : PF_X};
#define SEED(n, segs, count, entry)                                                                \
	(snprintf(path, sizeof(path), "%s/seed-%d", argv[1], n),                                   \
	 write_image(path, segs, count, entry))
	bad |= SEED(1, one, 1, TEXT);
	bad |= SEED(2, two, 2, TEXT + 0x10);
	bad |= SEED(3, notes, 4, TEXT + 0x7f);
	bad |= SEED(4, top, 2, TEXT);
	bad |= SEED(5, full, ELF_SEGMENTS_MAX, TEXT + 0xfff);
	return bad;
}
