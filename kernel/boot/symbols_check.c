/*
 * symbols_check.c - the symbol table read the other way: a function's
 * address from its name, for the monitor and the tests (the kernel only
 * ever turns addresses into names). Debug code: linked into test images
 * only (see the Makefile).
 */
#include <keel/string.h>
#include <keel/symbols.h>

bool sym_address(const char *name, uintptr_t *addr)
{
	for (uint32_t i = 0; i + 1 < ksym_count; i++) {
		if (strcmp(&ksym_names[ksym_table[i].name_off], name) == 0) {
			*addr = ksym_table[i].addr;
			return true;
		}
	}
	return false;
}
