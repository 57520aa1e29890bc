/*
 * symbols.c - turn code addresses into function names.
 *
 * The table is generated at build time (scripts/mksyms) from the kernel's
 * own ELF symbols and linked into its own section, sorted by address.
 * A lookup is a binary search for the last entry at or below the address.
 * The last entry is the end of the code (`_text_end`), so an address past
 * every function is recognised as outside the kernel's code.
 */
#include <keel/kprintf.h>
#include <keel/symbols.h>

const char *sym_lookup(uintptr_t addr, uintptr_t *offset)
{
	/* LAB 0: binary search of the symbol table */
	uint32_t lo = 0, hi = ksym_count;

	/* Entries [lo, hi) are candidates; find the last with addr <= addr. */
	if (ksym_count < 2 || addr < ksym_table[0].addr || addr >= ksym_table[ksym_count - 1].addr)
		return 0;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksym_table[lo].addr;
	return &ksym_names[ksym_table[lo].name_off];
	/* LAB 0 STUB
	(void)addr;
	(void)offset;
	return 0;
	LAB 0 END */
}

const char *sym_format(uintptr_t addr, char *buf, size_t size)
{
	uintptr_t off = 0; /* set only when a name is found */
	const char *name = sym_lookup(addr, &off);

	if (name)
		ksnprintf(buf, size, "%s+0x%lx", name, (unsigned long)off);
	else
		ksnprintf(buf, size, "0x%08lx", (unsigned long)addr);
	return buf;
}
