/*
 * elf_sym.c - finding a function by address in an ELF image's symbol
 * table, so that a user fault report can say "in main+0x12".
 *
 * The loader never needs the section headers; this is the only reader of
 * them, and it trusts nothing in them: every table and every name must
 * lie inside the image, or the answer is "not found".
 */
#include <keel/elf.h>
#include <keel/string.h>

#define SHT_SYMTAB 2
#define STT_FUNC   2

struct sym_ehdr_tail { /* the fields of the ELF header after e_entry */
	uint32_t phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct sym_shdr {
	uint32_t name, type, flags, addr, offset, size, link, info, align, entsize;
};

struct sym_entry {
	uint32_t name, value, size;
	uint8_t info, other;
	uint16_t shndx;
};

/* Copy @p n bytes at @p off of the image if they lie inside it. */
static bool read_at(const void *image, size_t size, uint32_t off, void *out, size_t n)
{
	if (off > size || n > size - off)
		return false;
	memcpy(out, (const uint8_t *)image + off, n);
	return true;
}

/* Section @p i's header; false if it is outside the image. */
static bool section(const void *image, size_t size, const struct sym_ehdr_tail *e, unsigned i,
                    struct sym_shdr *sh)
{
	if (i >= e->shnum || e->shentsize != sizeof(*sh))
		return false;
	return read_at(image, size, e->shoff + i * (uint32_t)sizeof(*sh), sh, sizeof(*sh));
}

/* The NUL-terminated name at @p off in string table @p strtab, or NULL. */
static const char *name_at(const void *image, size_t size, const struct sym_shdr *strtab,
                           uint32_t off)
{
	if (strtab->offset > size || strtab->size > size - strtab->offset || off >= strtab->size)
		return NULL;
	const char *s = (const char *)image + strtab->offset + off;
	return strnlen(s, strtab->size - off) < strtab->size - off ? s : NULL;
}

/* Search symbol table @p symtab for the function holding @p addr. */
static kstatus_t search(const void *image, size_t size, const struct sym_shdr *symtab,
                        const struct sym_shdr *strtab, uint32_t addr, const char **name,
                        uint32_t *offset)
{
	struct sym_entry s;

	for (uint32_t off = 0; off + sizeof(s) <= symtab->size; off += sizeof(s)) {
		if (!read_at(image, size, symtab->offset + off, &s, sizeof(s)))
			return KEEL_ERR_BAD_IMAGE;
		if ((s.info & 0xf) != STT_FUNC || addr < s.value || addr - s.value >= s.size)
			continue;
		*name = name_at(image, size, strtab, s.name);
		*offset = addr - s.value;
		return *name ? KEEL_OK : KEEL_ERR_BAD_IMAGE;
	}
	return KEEL_ERR_NOT_FOUND;
}

kstatus_t elf_symbol(const void *image, size_t size, uint32_t addr, const char **name,
                     uint32_t *offset)
{
	struct sym_ehdr_tail e;
	struct sym_shdr sh, strtab;

	if (image == NULL || !read_at(image, size, 28, &e, sizeof(e)))
		return KEEL_ERR_NOT_FOUND;
	for (unsigned i = 0; section(image, size, &e, i, &sh); i++) {
		if (sh.type != SHT_SYMTAB)
			continue;
		if (!section(image, size, &e, sh.link, &strtab))
			return KEEL_ERR_BAD_IMAGE;
		return search(image, size, &sh, &strtab, addr, name, offset);
	}
	return KEEL_ERR_NOT_FOUND;
}
