/*
 * fuzz_elf.c - a libFuzzer target for elf_check() (kernel/user/elf.c).
 *
 * Any bytes at all go in, as a user could place them in the boot archive.
 * elf_check() must not read outside them (AddressSanitizer watches, and
 * libFuzzer hands over a buffer of exactly the input's size), must refuse
 * with KEEL_ERR_BAD_IMAGE and a reason, or accept an image that passes
 * every rule of tests/unit/elf_accepted.h. Each input is checked against
 * the real user range and a narrow one read from the input itself, so the
 * boundaries of the range move too. `make fuzz` runs it from the seeds
 * elf_seeds.c writes; tests/run runs that as part of the unit group.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/elf_accepted.h"
#include <keel/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop the run, saying why: libFuzzer saves the input that did it. */
static void fuzz_check(const uint8_t *data, size_t size, uint32_t base, uint32_t end)
{
	struct elf_image img;
	const char *why = NULL, *e;
	kstatus_t s = elf_check(data, size, base, end, &img, &why);

	if (s == KEEL_OK)
		e = elf_accepted_error(data, size, base, end, &img);
	else
		e = s != KEEL_ERR_BAD_IMAGE ? "a status other than KEEL_ERR_BAD_IMAGE"
		    : why == NULL           ? "a refusal without a reason"
		                            : NULL;
	if (e) {
		fprintf(stderr, "elf_check, user range [%#x, %#x): %s\n", base, end, e);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t top = KEEL_USER_END;

	fuzz_check(data, size, KEEL_USER_BASE, KEEL_USER_END);
	/* A range whose top is the word at offset 8 (e_ident's padding, unused by ELF). */
	if (size >= 12)
		memcpy(&top, data + 8, sizeof(top));
	fuzz_check(data, size, KEEL_USER_BASE, top);
	return 0;
}
