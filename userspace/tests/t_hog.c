/*
 * t_hog.c - a child that maps memory until its frame limit stops it.
 *
 * t_spawn starts it with a small frame limit (struct keel_spawn). It maps
 * one page at a time until MEM_MAP says KEEL_ERR_LIMIT, then gives one
 * page back and checks that it can map one again: the limit is a count
 * of what the task holds now, not of what it ever took. Its exit status
 * is the number of pages it got, or 0 if anything went otherwise.
 */
#include <keel_user.h>

#define HOG_BASE      0x20000000u
#define HOG_MAX_PAGES 4096u /* far beyond any limit t_spawn sets */

static void *hog_page(uint32_t i)
{
	return (void *)(HOG_BASE + i * KEEL_PAGE_SIZE);
}

int main(uint32_t arg)
{
	uint32_t pages = 0;
	int32_t r = 0;

	(void)arg;
	for (; pages < HOG_MAX_PAGES; pages++) {
		r = keel_mem_map(hog_page(pages), KEEL_PAGE_SIZE, KEEL_PROT_WRITE);
		if (r < 0)
			break;
		*(volatile uint32_t *)hog_page(pages) = pages; /* touch it */
	}
	if (r != KEEL_ERR_LIMIT || pages == 0) {
		printf("# FAIL t_hog: after %u pages MEM_MAP gave %d (%s), not LIMIT\n", pages, r,
		       keel_errname(r));
		return 0;
	}
	r = keel_mem_unmap(hog_page(pages - 1), KEEL_PAGE_SIZE);
	if (r == 0)
		r = keel_mem_map(hog_page(pages - 1), KEEL_PAGE_SIZE, KEEL_PROT_WRITE);
	if (r < 0) {
		printf("# FAIL t_hog: giving back a page and mapping again: %s\n", keel_errname(r));
		return 0;
	}
	printf("# t_hog: %u pages within the limit\n", pages);
	return (int)pages;
}
