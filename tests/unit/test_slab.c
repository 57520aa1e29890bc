/*
 * test_slab.c - host unit tests for kernel/mem/slab.c and kernel/mem/kmalloc.c, the kernel heap.
 *
 * The heap runs here on the real buddy allocator (kernel/mem/pmm.c) over 8 MiB
 * of fake RAM: a host buffer aligned to 4 MiB that stands for physical
 * memory at 64 MiB, so blocks are aligned to their size both physically
 * and in the buffer, as in the kernel's direct map. Each test starts from
 * a fresh allocator and ends by destroying every cache, which must give
 * back every frame the heap took. The reports go to a buffer the tests
 * search. The cases cover counting and reuse, empty slabs going back,
 * seeded random use of caches and kmalloc() whose objects carry patterns
 * (an overlap breaks one), each kind of damage the heap must catch
 * (red zones, writes after free, double and foreign frees) and running
 * out of frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/arch.h>
#include <keel/frame.h>
#include <keel/kmalloc.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/slab.h>
#include <keel/symbols.h>

/* Fake RAM: RAM_FRAMES frames at physical RAM_PFN, aligned to the largest block. */
#define RAM_PFN    0x4000u
#define RAM_FRAMES 2048u
#define RAM_BYTES  ((size_t)RAM_FRAMES * FRAME_SIZE)
#define RAM_START  ((paddr_t)RAM_PFN << FRAME_SHIFT)

struct pmm pmm_kernel;
static struct frame frames[RAM_FRAMES];
static uint8_t *ram;
static uint32_t free_at_start;
static int irq_depth;

/* Caches the tests set up; static, so a failed test leaves no dangling cache. */
static struct slab_cache cache_a, cache_b, cache_c;

/* ---- What the heap needs from the rest of the kernel ---------------------------------- */

kstatus_t frame_alloc_run(unsigned order, unsigned zones, owner_t owner, paddr_t *pa)
{
	pfn_t pfn;
	kstatus_t st = pmm_alloc(&pmm_kernel, order, zones, owner, &pfn);

	if (st == KEEL_OK)
		*pa = (paddr_t)pfn << FRAME_SHIFT;
	return st;
}

kstatus_t frame_free_run(paddr_t pa, unsigned order, owner_t owner)
{
	if (pa & (FRAME_SIZE - 1))
		return KEEL_ERR_ALIGN;
	return pmm_free(&pmm_kernel, (pfn_t)(pa >> FRAME_SHIFT), order, owner);
}

int frame_block_order(paddr_t pa)
{
	pfn_t pfn = (pfn_t)(pa >> FRAME_SHIFT);
	const struct frame *f;

	if (pfn < RAM_PFN || pfn - RAM_PFN >= RAM_FRAMES)
		return -1;
	f = &frames[pfn - RAM_PFN];
	if (!(f->flags & FRAME_HEAD) || (f->flags & FRAME_FREE) || f->owner == OWNER_RESERVED)
		return -1;
	return f->order;
}

bool frame_heads_block(paddr_t pa, unsigned order, owner_t owner)
{
	return frame_block_order(pa) == (int)order && frame_owner(pa) == owner;
}

owner_t frame_owner(paddr_t pa)
{
	return pmm_owner_of(&pmm_kernel, (pfn_t)(pa >> FRAME_SHIFT));
}

void *frame_virt(paddr_t pa)
{
	if (pa < RAM_START || pa - RAM_START >= RAM_BYTES)
		return NULL;
	return ram + (pa - RAM_START);
}

/* Outside the fake RAM, an address in frame 0, which the allocator calls reserved. */
paddr_t frame_phys(const void *va)
{
	uintptr_t p = (uintptr_t)va, r = (uintptr_t)ram;

	if (p < r || p - r >= RAM_BYTES)
		return p & (FRAME_SIZE - 1);
	return RAM_START + (p - r);
}

unsigned long arch_irq_save(void)
{
	irq_depth++;
	return 0x200;
}

void arch_irq_restore(unsigned long flags)
{
	assert_int_equal(flags, 0x200);
	irq_depth--;
}

/* The real spinlock.c runs here, on one host CPU: its rank and order
 * checks (KEEL_ASSERTS is on) watch every lock the heap takes. */
static struct cpu host_cpu;

struct cpu *cpu_self(void)
{
	return &host_cpu;
}

void arch_cpu_relax(void)
{
}

void arch_irq_enable(void)
{
}

/* Everything the heap prints, for the tests to search. */
static char out[1 << 16];
static size_t out_len;

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_len +=
		    (size_t)n < sizeof(out) - out_len ? (size_t)n : sizeof(out) - out_len - 1;
	return n;
}

static void forget_output(void)
{
	out_len = 0;
	out[0] = '\0';
}

__attribute__((noinline, noclone)) static void allocate_here(struct slab_cache *c, void **a,
                                                             void **b);

/*
 * The functions a site can be in, for sym_format(). Sites are 32 bits (the
 * kernel's addresses), so the comparison is too. The nearest function
 * below an address holds it, since functions do not nest.
 */
static const struct {
	const char *name;
	void *fn;
} known[] = {
    {"allocate_here", (void *)allocate_here},
    {"kmalloc", (void *)kmalloc},
    {"slab_alloc", (void *)slab_alloc},
    {"slab_alloc_at", (void *)slab_alloc_at},
};

const char *sym_format(uintptr_t addr, char *buf, size_t size)
{
	uint32_t a = (uint32_t)addr, best = 0;
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		uint32_t f = (uint32_t)(uintptr_t)known[i].fn;
		if (f <= a && a - f < 0x1000 && (name == NULL || f > best)) {
			best = f;
			name = known[i].name;
		}
	}
	if (name)
		snprintf(buf, size, "%s+0x%x", name, (unsigned)(a - best));
	else
		snprintf(buf, size, "0x%08lx", (unsigned long)addr);
	return buf;
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("panic: %s", msg);
	abort();
}

void assert_failed(const char *file, int line, const char *func, const char *expr)
{
	fail_msg("assert(%s) failed in %s() at %s:%d", expr, func, file, line);
	abort();
}

/* ---- Helpers ------------------------------------------------------------------------ */

static void expect_output(const char *text)
{
	if (strstr(out, text) == NULL)
		fail_msg("expected \"%s\" in the output:\n%s", text, out);
}

/* Expect a formatted line (with a pointer, say) in the output. */
__attribute__((format(printf, 1, 2))) static void expect_outputf(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	expect_output(text);
}

static unsigned count_output(const char *text)
{
	unsigned n = 0;

	for (const char *p = out; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	return n;
}

static struct slab_cache *cache_named(const char *name)
{
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	fail_msg("no cache named %s", name);
	return NULL;
}

static uint32_t heap_frames(void)
{
	return pmm_kernel.owner_frames[OWNER_HEAP];
}

static uint32_t frames_per_slab(const struct slab_cache *c)
{
	return 1u << c->order;
}

/* xorshift64: a fixed, portable sequence so every run checks the same cases. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int compare_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* Allocate @p n objects from @p c into @p p; they must be distinct and not overlap. */
static void alloc_distinct(struct slab_cache *c, void **p, unsigned n)
{
	void **sorted = malloc(n * sizeof(*sorted));

	for (unsigned i = 0; i < n; i++) {
		p[i] = slab_alloc(c);
		assert_non_null(p[i]);
	}
	memcpy(sorted, p, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), compare_ptr);
	for (unsigned i = 1; i < n; i++)
		assert_true((uintptr_t)sorted[i] - (uintptr_t)sorted[i - 1] >= c->size);
	free(sorted);
}

static void free_all(struct slab_cache *c, void **p, unsigned n)
{
	for (unsigned i = n; i-- > 0;)
		assert_int_equal(slab_free(c, p[i]), KEEL_OK);
}

/* Allocate @p n objects from @p c: none may be the quarantined @p bad. Free them again. */
static void expect_never_reissued(struct slab_cache *c, const void *bad, unsigned n)
{
	void **p = malloc(n * sizeof(*p));

	for (unsigned i = 0; i < n; i++) {
		p[i] = slab_alloc(c);
		assert_non_null(p[i]);
		assert_ptr_not_equal(p[i], bad);
	}
	free_all(c, p, n);
	free(p);
}

/* Allocates from @p c and with kmalloc(), so the leak report has a site to name. */
__attribute__((noinline, noclone)) static void allocate_here(struct slab_cache *c, void **a,
                                                             void **b)
{
	*a = slab_alloc(c);
	*b = kmalloc(40);
}

/* ---- Set-up: a fresh allocator and the kmalloc() caches; at the end, all back ---------- */

static int setup(void **state)
{
	(void)state;
	/* A test that failed may have left caches behind: forget them and their slabs. */
	for (struct slab_cache *c; (c = slab_caches()) != NULL;) {
		c->live = 0;
		c->partial.head = c->full.head = c->empty.head = NULL;
		assert_int_equal(slab_cache_destroy(c), KEEL_OK);
	}
	memset(ram, 0xa5, RAM_BYTES);
	pmm_init(&pmm_kernel, frames, RAM_PFN, RAM_FRAMES);
	assert_int_equal(pmm_add_range(&pmm_kernel, RAM_PFN, RAM_FRAMES), KEEL_OK);
	kmalloc_init();
	free_at_start = pmm_free_frames(&pmm_kernel);
	irq_depth = 0;
	forget_output();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned n = 0; slab_caches() != NULL && n < 64; n++)
		assert_int_equal(slab_cache_destroy(slab_caches()), KEEL_OK);
	assert_null(slab_caches());
	assert_int_equal(heap_frames(), 0);
	assert_int_equal(pmm_free_frames(&pmm_kernel), free_at_start);
	assert_true(pmm_check(&pmm_kernel));
	assert_int_equal(irq_depth, 0);
	assert_int_equal(spin_depth(), 0); /* every lock the heap took, released */
	return 0;
}

/* ---- Caches: set-up, counting, reuse --------------------------------------------------- */

static void cache_init_checks_arguments_and_lays_out_objects(void **state)
{
	(void)state;
	void *p[20];

	assert_int_equal(slab_cache_init(&cache_a, "a", 0, 0), KEEL_ERR_INVALID);
	assert_int_equal(slab_cache_init(&cache_a, "a", SLAB_MAX_OBJECT + 1, 0), KEEL_ERR_INVALID);
	assert_int_equal(slab_cache_init(&cache_a, "a", 40, 3), KEEL_ERR_INVALID);
	assert_int_equal(slab_cache_init(&cache_a, "a", 40, 128), KEEL_ERR_INVALID);
	assert_int_equal(slab_cache_init(&cache_a, "a", 40, 64), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_a, "a", 40, 64), KEEL_ERR_EXISTS);
	assert_int_equal(slab_cache_init(&cache_b, "b", SLAB_MAX_OBJECT, 1), KEEL_OK);
	assert_int_equal(cache_a.slabs + cache_b.slabs, 0); /* no memory until the first object */
	assert_int_equal(cache_a.stride % 64, 0);
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next) {
		assert_true(c->order <= 3 && c->per_slab >= 8);
		assert_true(c->stride >= c->size + (SLAB_DEBUG ? 2 * SLAB_REDZONE : 0));
		/* The smallest order: one less would not hold 8 (headers take well under 256). */
		assert_true(c->order == 0 || c->stride * 8 + 256 > (FRAME_SIZE << (c->order - 1)));
	}
	alloc_distinct(&cache_a, p, 20);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal((uintptr_t)p[i] % 64, 0);
	free_all(&cache_a, p, 20);
	assert_ptr_equal(cache_named("a"), &cache_a);
	assert_ptr_equal(cache_named("b"), &cache_b);
}

static void kmalloc_caches_are_the_size_classes_in_order(void **state)
{
	(void)state;
	struct slab_cache *c = slab_caches();
	char name[32];

	for (size_t size = KMALLOC_MIN; size <= SLAB_MAX_OBJECT; size *= 2, c = c->next) {
		snprintf(name, sizeof(name), "kmalloc-%zu", size);
		assert_non_null(c);
		assert_string_equal(c->name, name);
		assert_int_equal(c->size, size);
	}
	assert_null(c);
	kmalloc_init(); /* idempotent: nothing added twice */
	c = slab_caches();
	for (unsigned i = 0; i < 8; i++, c = c->next)
		assert_non_null(c);
	assert_null(c);
}

static void objects_are_counted_and_memory_is_reused(void **state)
{
	(void)state;
	struct slab_cache *caches[] = {&cache_a, &cache_b, &cache_c};
	static void *p[1024], *again[1024];

	assert_int_equal(slab_cache_init(&cache_a, "small", 24, 0), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_b, "medium", 100, 16), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_c, "large", 700, 0), KEEL_OK);
	for (unsigned k = 0; k < 3; k++) {
		struct slab_cache *c = caches[k];
		unsigned n = 3 * c->per_slab + 5;
		assert_true(n <= 1024);
		alloc_distinct(c, p, n);
		assert_int_equal(c->live, n);
		assert_int_equal(c->allocs, n);
		assert_int_equal(c->slabs, 4);
		free_all(c, p, n);
		assert_int_equal(c->live, 0);
		assert_int_equal(c->frees, n);
		assert_int_equal(c->slabs, 1); /* one empty slab kept */
		/* A slab's worth again comes from the kept slab: same objects, no new frames. */
		uint32_t held = heap_frames();
		alloc_distinct(c, p, c->per_slab);
		free_all(c, p, c->per_slab);
		alloc_distinct(c, again, c->per_slab);
		assert_int_equal(heap_frames(), held);
		qsort(p, c->per_slab, sizeof(p[0]), compare_ptr);
		qsort(again, c->per_slab, sizeof(again[0]), compare_ptr);
		assert_memory_equal(p, again, c->per_slab * sizeof(p[0]));
		free_all(c, again, c->per_slab);
	}
}

static void empty_slabs_go_back_to_the_frame_allocator(void **state)
{
	(void)state;
	void *p[200];
	unsigned n;

	assert_int_equal(slab_cache_init(&cache_a, "empties", 200, 0), KEEL_OK);
	n = 4 * cache_a.per_slab;
	assert_true(n <= 200);
	alloc_distinct(&cache_a, p, n);
	assert_int_equal(heap_frames(), 4 * frames_per_slab(&cache_a));
	free_all(&cache_a, p, n);
	assert_int_equal(cache_a.slabs, 1);
	assert_int_equal(pmm_free_frames(&pmm_kernel), free_at_start - frames_per_slab(&cache_a));
	assert_int_equal(slab_cache_destroy(&cache_a), KEEL_OK);
	assert_int_equal(pmm_free_frames(&pmm_kernel), free_at_start);
	/* Destroyed, it can be set up again. */
	assert_int_equal(slab_cache_init(&cache_a, "empties", 200, 0), KEEL_OK);
	alloc_distinct(&cache_a, p, 3);
	free_all(&cache_a, p, 3);
}

/* ---- Seeded random use: patterns detect overlapping objects ----------------------------- */

#define STRESS_SLOTS 300
#define STRESS_STEPS 6000

struct held {
	uint8_t *p;
	size_t size;
	struct slab_cache *c; /* NULL for kmalloc() */
	uint8_t seed;
};

static void fill(const struct held *h)
{
	for (size_t i = 0; i < h->size; i++)
		h->p[i] = (uint8_t)(h->seed + i * 31);
}

static bool pattern_intact(const struct held *h)
{
	for (size_t i = 0; i < h->size; i++)
		if (h->p[i] != (uint8_t)(h->seed + i * 31))
			return false;
	return true;
}

static void release(struct held *h, uint64_t seed, int step)
{
	if (!pattern_intact(h))
		fail_msg("seed %llx step %d: object %p was overwritten", (unsigned long long)seed,
		         step, (void *)h->p);
	assert_int_equal(h->c ? slab_free(h->c, h->p) : kfree(h->p), KEEL_OK);
	h->p = NULL;
}

static void take(struct held *h, uint64_t r)
{
	struct slab_cache *caches[] = {&cache_a, &cache_b, &cache_c};
	unsigned kind = (unsigned)(r >> 12) % 4;

	if (kind < 3) {
		h->c = caches[kind];
		h->size = h->c->size;
		h->p = slab_alloc(h->c);
	} else {
		h->c = NULL;
		h->size = 1 + (size_t)(r >> 20) % ((r >> 40) & 1 ? SLAB_MAX_OBJECT : 8192);
		h->p = kmalloc(h->size);
		assert_non_null(h->p);
		assert_int_equal((uintptr_t)h->p % (h->size > SLAB_MAX_OBJECT ? FRAME_SIZE : 8), 0);
	}
	assert_non_null(h->p);
	h->seed = (uint8_t)(r >> 48);
	fill(h);
}

static void check_every_cache(void)
{
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		assert_int_equal(slab_check(c), KEEL_OK);
	assert_true(pmm_check(&pmm_kernel));
}

static void stress(uint64_t seed)
{
	static struct held held[STRESS_SLOTS];
	uint64_t s = seed;
	unsigned allocs = 0;

	memset(held, 0, sizeof(held));
	for (int step = 0; step < STRESS_STEPS; step++) {
		uint64_t r = next_random(&s);
		struct held *h = &held[r % STRESS_SLOTS];
		if (h->p != NULL) {
			release(h, seed, step);
			continue;
		}
		take(h, r);
		allocs++;
		if (step % 1000 == 999)
			check_every_cache();
	}
	assert_true(allocs > STRESS_STEPS / 3);
	for (unsigned i = 0; i < STRESS_SLOTS; i++)
		if (held[i].p)
			release(&held[i], seed, STRESS_STEPS);
	check_every_cache();
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next) {
		assert_int_equal(c->live, 0);
		assert_true(c->slabs <= 1);
		assert_int_equal(c->corruptions, 0);
	}
}

static void random_use_of_caches_and_kmalloc_never_overlaps(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {0x6b65656c2d736c62ULL, 1, 0x9e3779b97f4a7c15ULL, 42, 7777};

	assert_int_equal(slab_cache_init(&cache_a, "tiny", 8, 0), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_b, "odd", 72, 16), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_c, "big", 1000, 64), KEEL_OK);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		stress(seeds[i]);
	assert_int_equal(count_output("slab:"), 0);
}

/* ---- Damage the heap must catch ------------------------------------------------------------ */

/* Overwrite byte @p off of a fresh object of @p c; slab_free() must report and quarantine it. */
static void expect_redzone_caught(struct slab_cache *c, long off, uint8_t value)
{
	uint8_t *p = slab_alloc(c);
	uint32_t corruptions = c->corruptions, frees = c->frees;

	assert_non_null(p);
	p[off] = value;
	forget_output();
	assert_int_equal(slab_free(c, p), KEEL_ERR_CORRUPT);
	expect_outputf("slab: red zone overwritten: object %p in cache '%s', byte at %c%ld is "
	               "0x%02x (allocated at ",
	               (void *)p, c->name, off < 0 ? '-' : '+', off < 0 ? -off : off, value);
	assert_int_equal(c->corruptions, corruptions + 1);
	assert_int_equal(c->frees, frees);
	assert_int_equal(c->live, 0);
	assert_int_equal(slab_free(c, p), KEEL_ERR_FREED); /* it is no longer allocated */
	expect_never_reissued(c, p, 3 * c->per_slab);
}

static void overrun_of_a_red_zone_is_caught_on_free(void **state)
{
	(void)state;
	if (!SLAB_DEBUG)
		skip();
	assert_int_equal(slab_cache_init(&cache_a, "rz", 24, 0), KEEL_OK);
	expect_redzone_caught(&cache_a, 24, 0x00);                   /* right, first byte */
	expect_redzone_caught(&cache_a, 24 + SLAB_REDZONE - 1, 'x'); /* right, last byte */
	expect_redzone_caught(&cache_a, -1, 0x11);                   /* left, next to the object */
	expect_redzone_caught(&cache_a, -4, 0x42);                   /* left, after the site */
	assert_int_equal(cache_a.corruptions, 4);
	assert_int_equal(slab_check(&cache_a), KEEL_OK); /* quarantined objects are not rechecked */
}

static void overrun_into_alignment_padding_is_caught(void **state)
{
	(void)state;
	if (!SLAB_DEBUG)
		skip();
	/* 13 bytes asked for: byte 13 is red zone though the slot is 16 wide. */
	assert_int_equal(slab_cache_init(&cache_a, "thirteen", 13, 0), KEEL_OK);
	expect_redzone_caught(&cache_a, 13, 0x78);
	/* Through kmalloc() too: 64 bytes in kmalloc-64, and byte 64 written. */
	uint8_t *k = kmalloc(64);
	k[64] = 1;
	forget_output();
	assert_int_equal(kfree(k), KEEL_ERR_CORRUPT);
	expect_outputf("object %p in cache 'kmalloc-64', byte at +64 is 0x01", (void *)k);
	assert_int_equal(cache_named("kmalloc-64")->corruptions, 1);
}

static void write_after_free_is_caught_on_the_next_alloc(void **state)
{
	(void)state;
	uint8_t *p, *q, *r;

	if (!SLAB_DEBUG)
		skip();
	assert_int_equal(slab_cache_init(&cache_a, "uaf", 64, 0), KEEL_OK);
	p = slab_alloc(&cache_a);
	q = slab_alloc(&cache_a);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	p[20] = 0;
	forget_output();
	r = slab_alloc(&cache_a); /* p is next on the free list, so it is checked */
	assert_non_null(r);
	assert_ptr_not_equal(r, p);
	expect_outputf("slab: use after free? object %p in cache 'uaf' written at +20 after it was "
	               "freed",
	               (void *)p);
	assert_int_equal(cache_a.corruptions, 1);
	assert_int_equal(cache_a.live, 2);
	assert_int_equal(slab_free(&cache_a, p), KEEL_ERR_FREED);
	expect_never_reissued(&cache_a, p, 3 * cache_a.per_slab);
	assert_int_equal(slab_free(&cache_a, q), KEEL_OK);
	assert_int_equal(slab_free(&cache_a, r), KEEL_OK);
}

static void broken_free_list_link_is_caught_in_every_profile(void **state)
{
	(void)state;
	uint8_t *p, *q, *r;

	assert_int_equal(slab_cache_init(&cache_a, "link", 64, 0), KEEL_OK);
	p = slab_alloc(&cache_a);
	q = slab_alloc(&cache_a);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	memset(p, 0x41, sizeof(void *)); /* the link: following it would hand out 0x4141... */
	forget_output();
	r = slab_alloc(&cache_a);
	assert_non_null(r);
	assert_ptr_not_equal(r, p);
	expect_outputf("object %p in cache 'link' written at +0", (void *)p);
	assert_int_equal(cache_a.corruptions, 1);
	expect_never_reissued(&cache_a, p, 3 * cache_a.per_slab);
	assert_int_equal(slab_free(&cache_a, q), KEEL_OK);
	assert_int_equal(slab_free(&cache_a, r), KEEL_OK);
}

static void double_free_returns_freed(void **state)
{
	(void)state;
	void *p, *k, *big;

	assert_int_equal(slab_cache_init(&cache_a, "twice", 48, 0), KEEL_OK);
	p = slab_alloc(&cache_a);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	assert_int_equal(slab_free(&cache_a, p), KEEL_ERR_FREED);
	assert_int_equal(cache_a.frees, 1);
	assert_int_equal(cache_a.live, 0);
	k = kmalloc(100);
	assert_int_equal(kfree(k), KEEL_OK);
	assert_int_equal(kfree(k), KEEL_ERR_FREED);
	big = kmalloc(3 * FRAME_SIZE);
	assert_int_equal(kfree(big), KEEL_OK);
	assert_int_equal(kfree(big), KEEL_ERR_FREED);
	/* Nothing was counted twice: p comes back once, and counts as one object. */
	assert_ptr_equal(slab_alloc(&cache_a), p);
	assert_ptr_not_equal(k = slab_alloc(&cache_a), p);
	assert_int_equal(cache_a.live, 2);
	assert_int_equal(slab_free(&cache_a, k), KEEL_OK);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		assert_int_equal(c->live, 0);
}

/*
 * Copy the slab holding @p p (of @p c) into frames of another owner, its
 * magic (the header's first word, keyed to the header's address) re-keyed
 * to the copy: the frame's owner alone must keep the copy from passing as
 * a slab.
 */
static void expect_forged_slab_refused(struct slab_cache *c, uint8_t *p)
{
	size_t bytes = (size_t)FRAME_SIZE << c->order;
	uint8_t *slab = (uint8_t *)((uintptr_t)p & ~(uintptr_t)(bytes - 1)), *forged;
	paddr_t pa;

	assert_int_equal(frame_alloc_run(c->order, PMM_ZONE_ANY, OWNER_TEST, &pa), KEEL_OK);
	forged = frame_virt(pa);
	memcpy(forged, slab, bytes);
	*(uintptr_t *)forged = *(uintptr_t *)slab ^ (uintptr_t)slab ^ (uintptr_t)forged;
	assert_int_equal(slab_free(c, forged + (p - slab)), KEEL_ERR_INVALID);
	assert_null(slab_cache_of(forged + (p - slab)));
	assert_int_equal(kfree(forged + (p - slab)), KEEL_ERR_INVALID);
	assert_int_equal(frame_free_run(pa, c->order, OWNER_TEST), KEEL_OK);
}

static void foreign_and_bogus_pointers_return_invalid(void **state)
{
	(void)state;
	static int global;
	int local;
	uint8_t *p, *q, *k, *big, *slab;
	paddr_t pa;

	assert_int_equal(slab_cache_init(&cache_a, "mine", 64, 0), KEEL_OK);
	assert_int_equal(slab_cache_init(&cache_b, "theirs", 64, 0), KEEL_OK);
	p = slab_alloc(&cache_a);
	q = slab_alloc(&cache_b);
	k = kmalloc(64);
	big = kmalloc(2 * FRAME_SIZE);
	slab = (uint8_t *)((uintptr_t)p & ~(uintptr_t)((FRAME_SIZE << cache_a.order) - 1));
	assert_int_equal(slab_free(&cache_a, NULL), KEEL_ERR_INVALID);
	assert_int_equal(slab_free(&cache_a, p + 8), KEEL_ERR_INVALID); /* inside an object */
	assert_int_equal(slab_free(&cache_a, p + 1), KEEL_ERR_INVALID);
	assert_int_equal(slab_free(&cache_a, q), KEEL_ERR_INVALID);      /* another cache's */
	assert_int_equal(slab_free(&cache_a, k), KEEL_ERR_INVALID);      /* kmalloc()'s */
	assert_int_equal(slab_free(&cache_a, slab), KEEL_ERR_INVALID);   /* the slab header */
	assert_int_equal(slab_free(&cache_a, big), KEEL_ERR_INVALID);    /* a large block */
	assert_int_equal(slab_free(&cache_a, &local), KEEL_ERR_INVALID); /* not the heap's */
	assert_int_equal(kfree(&local), KEEL_ERR_INVALID);
	assert_int_equal(kfree(&global), KEEL_ERR_INVALID);
	assert_int_equal(kfree(k + 8), KEEL_ERR_INVALID);
	assert_int_equal(kfree(q), KEEL_ERR_INVALID); /* a slab object, but not kmalloc()'s */
	assert_int_equal(kfree(slab), KEEL_ERR_INVALID);
	assert_int_equal(kfree(big + 8), KEEL_ERR_INVALID);
	assert_int_equal(kfree(big + FRAME_SIZE), KEEL_ERR_INVALID); /* frame-aligned, mid-block */
	/* Frames of another owner, at a block's start or inside it. */
	assert_int_equal(frame_alloc_run(1, PMM_ZONE_ANY, OWNER_TEST, &pa), KEEL_OK);
	assert_int_equal(kfree(frame_virt(pa)), KEEL_ERR_INVALID);
	assert_int_equal(kfree((uint8_t *)frame_virt(pa) + 64), KEEL_ERR_INVALID);
	assert_int_equal(slab_free(&cache_a, (uint8_t *)frame_virt(pa) + 64), KEEL_ERR_INVALID);
	assert_int_equal(frame_free_run(pa, 1, OWNER_TEST), KEEL_OK);
	expect_forged_slab_refused(&cache_a, p);
	/* None of it counted or broke anything. */
	assert_int_equal(cache_a.live + cache_b.live, 2);
	assert_int_equal(cache_a.frees + cache_b.frees + cache_a.corruptions, 0);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	assert_int_equal(slab_free(&cache_b, q), KEEL_OK);
	assert_int_equal(kfree(k), KEEL_OK);
	assert_int_equal(kfree(big), KEEL_OK);
	assert_int_equal(kfree(NULL), KEEL_OK);
}

/* ---- Running out -------------------------------------------------------------------------- */

static void exhaustion_returns_null_then_allocation_recovers(void **state)
{
	(void)state;
	void *p[100], *q;
	unsigned n = 0;

	assert_int_equal(slab_cache_init(&cache_a, "scarce", 500, 0), KEEL_OK);
	/* Room for two slabs of the heap's, no more. */
	assert_int_equal(pmm_set_limit(&pmm_kernel, OWNER_HEAP, 2 * frames_per_slab(&cache_a)),
	                 KEEL_OK);
	while (n < 100 && (p[n] = slab_alloc(&cache_a)) != NULL)
		n++;
	assert_int_equal(n, 2 * cache_a.per_slab);
	assert_int_equal(cache_a.failures, 1);
	assert_null(slab_alloc(&cache_a));
	assert_int_equal(cache_a.failures, 2);
	assert_null(kmalloc(100)); /* kmalloc-128 has no slab yet and gets none */
	assert_int_equal(cache_named("kmalloc-128")->failures, 1);
	assert_null(kmalloc(3 * FRAME_SIZE));
	assert_int_equal(slab_free(&cache_a, p[--n]), KEEL_OK);
	q = slab_alloc(&cache_a);
	assert_ptr_equal(q, p[n]);
	free_all(&cache_a, p, n + 1);
	assert_int_equal(pmm_set_limit(&pmm_kernel, OWNER_HEAP, 0), KEEL_OK);
	/* Then the frame allocator itself: 8 MiB are two blocks of KMALLOC_MAX. */
	assert_int_equal(slab_cache_destroy(&cache_a), KEEL_OK); /* its kept empty slab */
	assert_int_equal(pmm_free_frames(&pmm_kernel), RAM_FRAMES);
	void *a = kmalloc(KMALLOC_MAX), *b = kmalloc(KMALLOC_MAX);
	assert_true(a != NULL && b != NULL);
	assert_null(kmalloc(KMALLOC_MAX));
	assert_null(kmalloc(1)); /* kmalloc-16's empty slab went back: nothing left */
	assert_int_equal(kfree(a), KEEL_OK);
	assert_non_null(q = kmalloc(1));
	assert_int_equal(kfree(q), KEEL_OK);
	assert_int_equal(kfree(b), KEEL_OK);
}

/* ---- kmalloc() --------------------------------------------------------------------------- */

static void kmalloc_of_zero_or_too_much_is_null(void **state)
{
	(void)state;
	uint32_t before = pmm_free_frames(&pmm_kernel);

	assert_null(kmalloc(0));
	assert_null(kmalloc(KMALLOC_MAX + 1));
	assert_null(kmalloc(SIZE_MAX));
	assert_int_equal(pmm_free_frames(&pmm_kernel), before);
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		assert_int_equal(c->allocs + c->failures, 0);
}

static void kmalloc_takes_the_smallest_class_that_fits(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 8, 15, 16, 17, 32, 33, 100, 128, 129, 1000, 2047, 2048};
	static const size_t class_of[] = {16,  16,  16,  16,   32,   32,  64,
	                                  128, 128, 256, 1024, 2048, 2048};
	char name[32];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = kmalloc(sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 8, 0);
		snprintf(name, sizeof(name), "kmalloc-%zu", class_of[i]);
		assert_ptr_equal(slab_cache_of(p), cache_named(name));
		assert_int_equal(cache_named(name)->live, 1);
		memset(p, 0xee, sizes[i]);
		assert_int_equal(kfree(p), KEEL_OK);
		assert_int_equal(cache_named(name)->live, 0);
	}
}

static void large_kmalloc_is_frame_aligned_and_gives_its_frames_back(void **state)
{
	(void)state;
	static const size_t sizes[] = {SLAB_MAX_OBJECT + 1, 4096, 4097, 8192, 100000, KMALLOC_MAX};
	static const unsigned orders[] = {0, 0, 1, 1, 5, 10};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t before = pmm_free_frames(&pmm_kernel);
		uint8_t *p = kmalloc(sizes[i]);
		unsigned order = orders[i];
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % FRAME_SIZE, 0);
		assert_null(slab_cache_of(p));
		assert_int_equal(frame_block_order(frame_phys(p)), (int)order);
		assert_int_equal(frame_owner(frame_phys(p)), OWNER_HEAP);
		assert_int_equal(pmm_free_frames(&pmm_kernel), before - (1u << order));
		memset(p, 0x5a, sizes[i]);
		assert_int_equal(kfree(p), KEEL_OK);
		assert_int_equal(pmm_free_frames(&pmm_kernel), before);
	}
}

/* ---- Reports ------------------------------------------------------------------------------- */

static void leak_report_counts_and_names_allocation_sites(void **state)
{
	(void)state;
	void *a1, *k1, *a2, *a3;

	assert_int_equal(slab_cache_init(&cache_a, "leaky", 48, 0), KEEL_OK);
	allocate_here(&cache_a, &a1, &k1);
	a2 = slab_alloc(&cache_a);
	a3 = slab_alloc(&cache_a);
	forget_output();
	assert_int_equal(slab_leak_report(), 4);
	expect_output("leaky: 3 objects still allocated\n");
	expect_output("kmalloc-64: 1 objects still allocated\n");
	if (SLAB_DEBUG) {
		/* The site is the caller's, for kmalloc() as for slab_alloc(). */
		expect_outputf("  %p allocated at allocate_here+0x", a1);
		expect_outputf("  %p allocated at allocate_here+0x", k1);
		expect_outputf("  %p allocated at ", a2);
		expect_outputf("  %p allocated at ", a3);
		assert_int_equal(count_output("allocated at "), 4);
		assert_int_equal(count_output("allocated at kmalloc+"), 0);
		assert_int_equal(count_output("allocated at slab_alloc"), 0);
	}
	slab_free(&cache_a, a1);
	slab_free(&cache_a, a2);
	slab_free(&cache_a, a3);
	kfree(k1);
	forget_output();
	assert_int_equal(slab_leak_report(), 0);
	assert_int_equal(out_len, 0);
}

static void destroy_is_busy_while_objects_live(void **state)
{
	(void)state;
	void *p, *q;

	assert_int_equal(slab_cache_init(&cache_a, "busy", 32, 0), KEEL_OK);
	p = slab_alloc(&cache_a);
	forget_output();
	assert_int_equal(slab_cache_destroy(&cache_a), KEEL_ERR_BUSY);
	expect_output("busy: 1 objects still allocated\n");
	if (SLAB_DEBUG)
		expect_outputf("  %p allocated at ", p);
	assert_ptr_equal(cache_named("busy"), &cache_a); /* still there, still usable */
	q = slab_alloc(&cache_a);
	assert_non_null(q);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
	assert_int_equal(slab_free(&cache_a, q), KEEL_OK);
	assert_int_equal(slab_cache_destroy(&cache_a), KEEL_OK);
	assert_int_equal(slab_cache_destroy(&cache_a), KEEL_ERR_INVALID);
	for (struct slab_cache *c = slab_caches(); c != NULL; c = c->next)
		assert_ptr_not_equal(c, &cache_a);
}

static void slab_check_reports_damage_and_quarantines_free_objects(void **state)
{
	(void)state;
	uint8_t *p, *q, *r;

	assert_int_equal(slab_cache_init(&cache_a, "checked", 32, 0), KEEL_OK);
	assert_int_equal(slab_check(&cache_a), KEEL_OK); /* no slab yet */
	p = slab_alloc(&cache_a);
	q = slab_alloc(&cache_a);
	r = slab_alloc(&cache_a);
	assert_int_equal(slab_free(&cache_a, q), KEEL_OK);
	assert_int_equal(slab_check(&cache_a), KEEL_OK);
	if (SLAB_DEBUG) {
		/* An allocated object: reported each time, counted when it is freed. */
		p[32] = 0;
		forget_output();
		assert_int_equal(slab_check(&cache_a), KEEL_ERR_CORRUPT);
		expect_outputf("red zone overwritten: object %p in cache 'checked', byte at +32",
		               p);
		assert_int_equal(cache_a.corruptions, 0);
		p[32] = SLAB_REDZONE_BYTE;
		/* A free object: reported, counted and quarantined at once. */
		q[16] = 1;
		forget_output();
		assert_int_equal(slab_check(&cache_a), KEEL_ERR_CORRUPT);
		expect_outputf("use after free? object %p in cache 'checked' written at +16", q);
		assert_int_equal(cache_a.corruptions, 1);
		assert_int_equal(slab_check(&cache_a), KEEL_OK); /* reported once */
		expect_never_reissued(&cache_a, q, 3 * cache_a.per_slab);
	}
	/* In every profile: a broken free-list link. */
	assert_int_equal(slab_free(&cache_a, r), KEEL_OK);
	memset(r, 0x41, sizeof(void *));
	forget_output();
	assert_int_equal(slab_check(&cache_a), KEEL_ERR_CORRUPT);
	expect_outputf("object %p in cache 'checked' written at +0", r);
	assert_int_equal(slab_check(&cache_a), KEEL_OK);
	expect_never_reissued(&cache_a, r, 3 * cache_a.per_slab);
	assert_int_equal(cache_a.live, 1);
	assert_int_equal(slab_free(&cache_a, p), KEEL_OK);
}

static void stats_have_one_aligned_line_per_cache(void **state)
{
	(void)state;
	void *p[3];
	char name[32];
	unsigned long size, stride;
	unsigned slabs, live, allocs, frees, failures, corrupt, lines = 0;

	assert_int_equal(slab_cache_init(&cache_a, "stats", 100, 0), KEEL_OK);
	alloc_distinct(&cache_a, p, 3);
	assert_int_equal(slab_free(&cache_a, p[1]), KEEL_OK);
	forget_output();
	slab_print_stats();
	expect_output("cache");
	expect_output("stride");
	expect_output("corrupt");
	for (char *line = out, *end; *line != '\0'; line = end + 1, lines++) {
		end = strchr(line, '\n');
		assert_non_null(end);
		assert_int_equal(end - line, strchr(out, '\n') - out); /* the header's width */
	}
	assert_int_equal(lines, 1 + 8 + 1);
	assert_int_equal(sscanf(strstr(out, "stats "), "%31s %lu %lu %u %u %u %u %u %u", name,
	                        &size, &stride, &slabs, &live, &allocs, &frees, &failures,
	                        &corrupt),
	                 9);
	assert_true(size == 100 && stride == cache_a.stride && slabs == 1 && live == 2);
	assert_true(allocs == 3 && frees == 1 && failures == 0 && corrupt == 0);
	slab_free(&cache_a, p[0]);
	slab_free(&cache_a, p[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(cache_init_checks_arguments_and_lays_out_objects),
	    T(kmalloc_caches_are_the_size_classes_in_order),
	    T(objects_are_counted_and_memory_is_reused),
	    T(empty_slabs_go_back_to_the_frame_allocator),
	    T(random_use_of_caches_and_kmalloc_never_overlaps),
	    T(overrun_of_a_red_zone_is_caught_on_free),
	    T(overrun_into_alignment_padding_is_caught),
	    T(write_after_free_is_caught_on_the_next_alloc),
	    T(broken_free_list_link_is_caught_in_every_profile),
	    T(double_free_returns_freed),
	    T(foreign_and_bogus_pointers_return_invalid),
	    T(exhaustion_returns_null_then_allocation_recovers),
	    T(kmalloc_of_zero_or_too_much_is_null),
	    T(kmalloc_takes_the_smallest_class_that_fits),
	    T(large_kmalloc_is_frame_aligned_and_gives_its_frames_back),
	    T(leak_report_counts_and_names_allocation_sites),
	    T(destroy_is_busy_while_objects_live),
	    T(slab_check_reports_damage_and_quarantines_free_objects),
	    T(stats_have_one_aligned_line_per_cache),
#undef T
	};
	int failed;

	ram = aligned_alloc((size_t)FRAME_SIZE << PMM_MAX_ORDER, RAM_BYTES);
	assert_non_null(ram);
	failed = cmocka_run_group_tests_name("slab", tests, NULL, NULL);
	free(ram);
	return failed;
}
