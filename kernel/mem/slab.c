/*
 * slab.c - slab caches: many objects of one size, carved from blocks of frames.
 *
 * A cache takes blocks of 2^order frames (slabs) from the buddy allocator,
 * puts a header at the start of each and packs equal objects at its end,
 * the free ones chained through their first word. Blocks are aligned to
 * their size, so rounding an object's address down finds its header,
 * which the frame table and a magic value vouch for before it is read;
 * the header keeps each object's state, so a second free is caught in
 * every profile. With SLAB_DEBUG, red zones frame each object and free
 * objects are poisoned: an overrun is caught when the object is freed, a
 * write after free when it is handed out again, and a damaged object is
 * never handed out again. Slice 2 ("mem"): kmalloc.c builds on this.
 */
#include <keel/arch.h>
#include <keel/frame.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/slab.h>
#include <keel/string.h>
#include <keel/symbols.h>

/* Red zone bytes on each side of an object (none without SLAB_DEBUG). */
#define RZ (SLAB_DEBUG ? SLAB_REDZONE : 0)
/*
 * The left red zone starts with the allocation site, a 32-bit return
 * address; its last SITE_BYTES bytes, next to the object, are pattern, so
 * that a write one byte before the object is caught.
 */
#define SITE_BYTES 4
#define SITE(obj)  (((uint32_t *)(obj))[-2])
/* A free object's first word links it to the next free object. */
#define LINK sizeof(void *)
/* The bytes of an object a caller may use, and that poison covers when it is free. */
#define BODY(c) ((c)->size > LINK ? (c)->size : LINK)
/* What a slab's header starts with, keyed to its address. */
#define SLAB_MAGIC(s)     (0x51ab0b1eu ^ (uintptr_t)(s))
#define SLAB_MIN_ALIGN    8
#define SLAB_MAX_ALIGN    64
#define SLAB_MAX_ORDER    3
#define SLAB_MIN_OBJECTS  8
#define SLAB_BYTES(order) ((size_t)FRAME_SIZE << (order))
#define MAP_WORDS(n)      (((n) + 31) / 32)
/* The header's size: struct slab, then two bitmaps of per_slab bits. */
#define HEADER_BYTES(n) (sizeof(struct slab) + 2 * MAP_WORDS(n) * sizeof(uint32_t))

/* Free: on its slab's free list. Quarantined: found corrupt, never handed out again. */
enum object_state { OBJ_FREE, OBJ_ALLOCATED, OBJ_QUARANTINED };

/* [slab_struct] */
/*
 * The header at the start of every slab; objects fill the block's end:
 * object i is at end - (per_slab - i) * stride. Invariants: the free list
 * holds the nfree objects in state OBJ_FREE; inuse are OBJ_ALLOCATED, nbad
 * OBJ_QUARANTINED, and inuse + nfree + nbad == per_slab. The slab is on
 * its cache's full list if nfree == 0, else on the empty list if inuse ==
 * nbad == 0, else on the partial one. Interrupts off guard every field.
 */
struct slab {
	uintptr_t magic;          /* SLAB_MAGIC(the header): this block is a slab. */
	struct slab_cache *cache; /* The cache the slab belongs to. */
	struct slab_list *list;   /* The list of the cache the slab is on. */
	struct slab *prev;        /* Neighbours on that list. */
	struct slab *next;
	void *free;     /* First free object; its first word points to the next. */
	uint16_t inuse; /* Objects allocated. */
	uint16_t nfree; /* Objects on the free list. */
	uint16_t nbad;  /* Objects quarantined. */
	uint32_t map[]; /* per_slab bits "allocated", then per_slab bits "quarantined". */
};
/* [slab_struct] */

/* Every cache set up and not destroyed, in the order they were set up. */
spinlock_t slab_lock = SPINLOCK_INIT("slab", LOCK_RANK_HEAP);
static struct slab_cache *cache_list;

static uint8_t *slab_object(const struct slab_cache *c, const struct slab *s, unsigned i)
{
	return (uint8_t *)s + SLAB_BYTES(c->order) - (size_t)(c->per_slab - i) * c->stride;
}

/* Object i is allocated if bit i of the first bitmap is set, quarantined if the second's is. */
static enum object_state object_state(const struct slab_cache *c, const struct slab *s, unsigned i)
{
	uint32_t bit = 1u << (i % 32);

	if (s->map[i / 32] & bit)
		return OBJ_ALLOCATED;
	return (s->map[MAP_WORDS(c->per_slab) + i / 32] & bit) ? OBJ_QUARANTINED : OBJ_FREE;
}

static void object_set_state(const struct slab_cache *c, struct slab *s, unsigned i,
                             enum object_state st)
{
	uint32_t bit = 1u << (i % 32), *bad = &s->map[MAP_WORDS(c->per_slab) + i / 32];

	s->map[i / 32] = st == OBJ_ALLOCATED ? s->map[i / 32] | bit : s->map[i / 32] & ~bit;
	*bad = st == OBJ_QUARANTINED ? *bad | bit : *bad & ~bit;
}

/* [slab_of] */
/* The slab of 2^@p order frames holding @p ptr, or NULL. Any pointer may be passed: the
 * header is read only once the frame table vouches for a heap block of that order there. */
static struct slab *slab_at(const void *ptr, unsigned order)
{
	uintptr_t base = (uintptr_t)ptr & ~(uintptr_t)(SLAB_BYTES(order) - 1);
	paddr_t pa = frame_phys((const void *)base);
	struct slab *s = (struct slab *)base;

	if (frame_virt(pa) != s || !frame_heads_block(pa, order, OWNER_HEAP))
		return NULL;
	return s->magic == SLAB_MAGIC(s) ? s : NULL;
}

/* The index of @p obj in @p s, or -1 if it is not the start of one of its objects. */
static int object_index(const struct slab_cache *c, const struct slab *s, const void *obj)
{
	uintptr_t first = (uintptr_t)slab_object(c, s, 0), p = (uintptr_t)obj;
	uintptr_t i = (p - first) / c->stride;

	return p >= first && (p - first) % c->stride == 0 && i < c->per_slab ? (int)i : -1;
}
/* [slab_of] */

/* Take @p s off the list it is on, if any, and push it on @p to, if not NULL. */
static void slab_move(struct slab *s, struct slab_list *to)
{
	if (s->list != NULL && s->next != NULL)
		s->next->prev = s->prev;
	if (s->list != NULL)
		*(s->prev ? &s->prev->next : &s->list->head) = s->next;
	s->list = to;
	if (to == NULL)
		return;
	s->prev = NULL;
	s->next = to->head;
	if (to->head)
		to->head->prev = s;
	to->head = s;
}

/* The slab after @p s in @p c (full ones, partial, then empty); the first if @p s is NULL. */
static struct slab *slab_next(const struct slab_cache *c, const struct slab *s)
{
	const struct slab_list *l = s ? s->list : NULL;

	if (s != NULL && s->next != NULL)
		return s->next;
	if (l == NULL && c->full.head != NULL)
		return c->full.head;
	if ((l == NULL || l == &c->full) && c->partial.head != NULL)
		return c->partial.head;
	return l == &c->empty ? NULL : c->empty.head;
}

/* Take @p s off its list and give it back to the buddy allocator. */
static void slab_release(struct slab_cache *c, struct slab *s)
{
	slab_move(s, NULL);
	s->magic = 0; /* a stale pointer into the block must not find a slab */
	if (frame_free_run(frame_phys(s), c->order, OWNER_HEAP) != KEEL_OK)
		panic("slab: cache '%s' lost the frames of slab %p", c->name, (void *)s);
	c->slabs--;
}

/* Put @p s on the list its counts call for; a second empty slab goes back. */
static void slab_relist(struct slab_cache *c, struct slab *s)
{
	struct slab_list *to = s->nfree == 0             ? &c->full
	                       : s->inuse + s->nbad == 0 ? &c->empty
	                                                 : &c->partial;

	if (to == s->list)
		return;
	if (to == &c->empty && c->empty.head != NULL)
		slab_release(c, s);
	else
		slab_move(s, to);
}

/* Chain every free object of @p s, lowest address first. O(per_slab). */
static void slab_rebuild_free_list(const struct slab_cache *c, struct slab *s)
{
	s->free = NULL;
	s->nfree = 0;
	for (unsigned i = c->per_slab; i-- > 0;) {
		if (object_state(c, s, i) != OBJ_FREE)
			continue;
		*(void **)slab_object(c, s, i) = s->free;
		s->free = slab_object(c, s, i);
		s->nfree++;
	}
}

/* A new slab for @p c on its empty list (red zones, poison, all free), or NULL. */
static struct slab *slab_create(struct slab_cache *c)
{
	size_t header = HEADER_BYTES(c->per_slab);
	paddr_t pa;

	if (frame_alloc_run(c->order, PMM_ZONE_ANY, OWNER_HEAP, &pa) != KEEL_OK)
		return NULL;
	struct slab *s = frame_virt(pa);
	memset(s, 0, header);
	s->magic = SLAB_MAGIC(s);
	s->cache = c;
	if (SLAB_DEBUG)
		memset((uint8_t *)s + header, SLAB_REDZONE_BYTE, SLAB_BYTES(c->order) - header);
	for (unsigned i = 0; SLAB_DEBUG && i < c->per_slab; i++) {
		memset(slab_object(c, s, i), SLAB_POISON_BYTE, BODY(c));
		SITE(slab_object(c, s, i)) = 0;
	}
	slab_rebuild_free_list(c, s);
	c->slabs++;
	slab_move(s, &c->empty);
	return s;
}

/* The first byte of @p p[0 .. n-1] that is not @p b, or NULL. */
static const uint8_t *find_not(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b)
			return p + i;
	return NULL;
}

/* Where @p obj was last allocated: "name+0xoff", or "nowhere". */
static const char *site_name(const uint8_t *obj, char *buf, size_t size)
{
	return SITE(obj) ? sym_format(SITE(obj), buf, size) : "nowhere";
}

/* [redzone_check] */
/* Are both red zones of @p obj intact? If not, report the first bad byte. */
static bool redzones_intact(const struct slab_cache *c, const uint8_t *obj)
{
	size_t body = BODY(c), end = c->stride - SLAB_REDZONE;
	const uint8_t *bad = find_not(obj - (SLAB_REDZONE - SITE_BYTES), SLAB_REDZONE - SITE_BYTES,
	                              SLAB_REDZONE_BYTE);
	char sym[64];

	if (bad == NULL) /* the right one runs from the end of the body to the next object's */
		bad = find_not(obj + body, end - body, SLAB_REDZONE_BYTE);
	if (bad == NULL)
		return true;
	long off = (long)(bad - obj);
	kprintf("slab: red zone overwritten: object %p in cache '%s', byte at %c%lu is 0x%02x "
	        "(allocated at %s)\n",
	        (const void *)obj, c->name, off < 0 ? '-' : '+',
	        (unsigned long)(off < 0 ? -off : off), *bad, site_name(obj, sym, sizeof(sym)));
	return false;
}
/* [redzone_check] */

/*
 * Is free object @p obj as it was left? Its link must be NULL or a free
 * object of @p s (in every profile: else a wild pointer is handed out);
 * with SLAB_DEBUG, its red zones and poison must be intact. Reports.
 */
static bool free_object_intact(const struct slab_cache *c, struct slab *s, const uint8_t *obj)
{
	const void *next = *(void *const *)obj;
	int i = next ? object_index(c, s, next) : 0;
	const uint8_t *bad = obj; /* the link */

	if (next == NULL || (i >= 0 && object_state(c, s, (unsigned)i) == OBJ_FREE)) {
		if (!SLAB_DEBUG)
			return true;
		if (!redzones_intact(c, obj))
			return false;
		bad = find_not(obj + LINK, BODY(c) - LINK, SLAB_POISON_BYTE);
	}
	if (bad != NULL)
		kprintf("slab: use after free? object %p in cache '%s' written at +%lu after it "
		        "was freed\n",
		        (const void *)obj, c->name, (unsigned long)(bad - obj));
	return bad == NULL;
}

/* Keep object @p i of @p s out of use for good: it was found corrupt. */
static void object_quarantine(struct slab_cache *c, struct slab *s, unsigned i)
{
	object_set_state(c, s, i, OBJ_QUARANTINED);
	s->nbad++;
	c->corruptions++;
	slab_rebuild_free_list(c, s); /* O(per_slab), but only when something broke */
	slab_relist(c, s);
}

/* Hand the first free object of @p s to a caller at @p site. */
static void *object_hand_out(struct slab_cache *c, struct slab *s, uintptr_t site)
{
	uint8_t *obj = s->free;

	s->free = *(void **)obj;
	s->nfree--;
	object_set_state(c, s, (unsigned)object_index(c, s, obj), OBJ_ALLOCATED);
	s->inuse++;
	c->live++;
	c->allocs++;
	if (SLAB_DEBUG) {
		memset(obj, SLAB_POISON_BYTE, LINK);
		SITE(obj) = (uint32_t)site; /* the whole address on the 32-bit kernel */
	}
	slab_relist(c, s);
	return obj;
}

void *slab_alloc_at(struct slab_cache *c, uintptr_t site)
{
	spinflags_t f = spin_lock(&slab_lock);
	void *obj = NULL;
	struct slab *s;

	assert(c->per_slab > 0 && "slab_alloc: the cache is not set up");
	/* Partial slabs first, so empty ones can go back. A pass that fails quarantines one. */
	while (obj == NULL && ((s = c->partial.head ? c->partial.head : c->empty.head) != NULL ||
	                       (s = slab_create(c)) != NULL)) {
		if (free_object_intact(c, s, s->free))
			obj = object_hand_out(c, s, site);
		else
			object_quarantine(c, s, (unsigned)object_index(c, s, s->free));
	}
	c->failures += obj == NULL;
	spin_unlock(&slab_lock, f);
	return obj;
}

void *slab_alloc(struct slab_cache *c)
{
	return slab_alloc_at(c, (uintptr_t)__builtin_return_address(0));
}

/* Take back object @p i of @p s, @p obj: onto the free list, or into quarantine. */
static kstatus_t object_take_back(struct slab_cache *c, struct slab *s, unsigned i, uint8_t *obj)
{
	s->inuse--;
	c->live--;
	if (SLAB_DEBUG && !redzones_intact(c, obj)) {
		object_quarantine(c, s, i);
		return KEEL_ERR_CORRUPT;
	}
	if (SLAB_DEBUG)
		memset(obj + LINK, SLAB_POISON_BYTE, BODY(c) - LINK);
	object_set_state(c, s, i, OBJ_FREE);
	*(void **)obj = s->free;
	s->free = obj;
	s->nfree++;
	c->frees++;
	slab_relist(c, s);
	return KEEL_OK;
}

kstatus_t slab_free(struct slab_cache *c, void *obj)
{
	spinflags_t f = spin_lock(&slab_lock);
	struct slab *s = obj ? slab_at(obj, c->order) : NULL;
	int i = s && s->cache == c ? object_index(c, s, obj) : -1;
	kstatus_t st = KEEL_ERR_INVALID;

	if (i >= 0 && object_state(c, s, (unsigned)i) != OBJ_ALLOCATED)
		st = KEEL_ERR_FREED;
	else if (i >= 0)
		st = object_take_back(c, s, (unsigned)i, obj);
	spin_unlock(&slab_lock, f);
	return st;
}

struct slab_cache *slab_cache_of(const void *ptr)
{
	spinflags_t f = spin_lock(&slab_lock);
	struct slab *s = NULL;

	/* At most one block holds ptr: try each order a slab may have. */
	for (unsigned order = 0; s == NULL && order <= SLAB_MAX_ORDER; order++)
		s = slab_at(ptr, order);
	spin_unlock(&slab_lock, f);
	return s ? s->cache : NULL;
}

/* Report the objects of @p c still allocated (where from, with SLAB_DEBUG); return how many. */
static unsigned cache_leaks(const struct slab_cache *c)
{
	char sym[64];

	if (c->live > 0)
		kprintf("%s: %u objects still allocated\n", c->name, c->live);
	for (struct slab *s = slab_next(c, NULL); SLAB_DEBUG && s != NULL; s = slab_next(c, s)) {
		for (unsigned i = 0; i < c->per_slab; i++) {
			const uint8_t *obj = slab_object(c, s, i);
			if (object_state(c, s, i) == OBJ_ALLOCATED)
				kprintf("  %p allocated at %s\n", (const void *)obj,
				        site_name(obj, sym, sizeof(sym)));
		}
	}
	return c->live;
}

kstatus_t slab_check(struct slab_cache *c)
{
	spinflags_t f = spin_lock(&slab_lock);
	bool ok = true;

	/* A damaged free object is quarantined now (an allocated one when freed). That moves
	 * a slab only to the full list, which is walked first: no slab is seen twice. */
	for (struct slab *s = slab_next(c, NULL), *next; s != NULL; s = next) {
		next = slab_next(c, s);
		for (unsigned i = 0; i < c->per_slab; i++) {
			enum object_state state = object_state(c, s, i);
			if (state == OBJ_ALLOCATED && SLAB_DEBUG)
				ok = redzones_intact(c, slab_object(c, s, i)) && ok;
			if (state == OBJ_FREE && !free_object_intact(c, s, slab_object(c, s, i))) {
				object_quarantine(c, s, i);
				ok = false;
			}
		}
	}
	spin_unlock(&slab_lock, f);
	return ok ? KEEL_OK : KEEL_ERR_CORRUPT;
}

/* How many objects of @p stride fit in a slab of @p bytes, with header and bitmaps. */
static unsigned slab_fit(size_t bytes, size_t stride)
{
	unsigned n = (unsigned)((bytes - sizeof(struct slab) - RZ) / stride);

	while (n > 0 && HEADER_BYTES(n) + RZ + (size_t)n * stride > bytes)
		n--;
	return n;
}

/* The link that points to @p c on the list of caches (the tail's NULL link if none does). */
static struct slab_cache **cache_link(const struct slab_cache *c)
{
	struct slab_cache **l = &cache_list;

	while (*l != NULL && *l != c)
		l = &(*l)->next;
	return l;
}

kstatus_t slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align)
{
	assert(c != NULL && name != NULL);
	/* 0 passes (0 & -1 is 0) and becomes SLAB_MIN_ALIGN, which fits the free-list link. */
	if (size == 0 || size > SLAB_MAX_OBJECT || align > SLAB_MAX_ALIGN || (align & (align - 1)))
		return KEEL_ERR_INVALID;
	align = align < SLAB_MIN_ALIGN ? SLAB_MIN_ALIGN : align;
	spinflags_t f = spin_lock(&slab_lock);
	struct slab_cache **link = cache_link(c);
	bool exists = *link != NULL;
	if (!exists) {
		*c = (struct slab_cache){.name = name, .size = size};
		/* The stride, then the smallest order that holds SLAB_MIN_OBJECTS. */
		c->stride = (BODY(c) + 2 * RZ + align - 1) & ~(align - 1);
		while ((c->per_slab = slab_fit(SLAB_BYTES(c->order), c->stride)) <
		           SLAB_MIN_OBJECTS &&
		       c->order < SLAB_MAX_ORDER)
			c->order++;
		*link = c;
	}
	spin_unlock(&slab_lock, f);
	return exists ? KEEL_ERR_EXISTS : KEEL_OK;
}

kstatus_t slab_cache_destroy(struct slab_cache *c)
{
	spinflags_t f = spin_lock(&slab_lock);
	struct slab_cache **link = cache_link(c);
	kstatus_t st = *link == NULL ? KEEL_ERR_INVALID : c->live ? KEEL_ERR_BUSY : KEEL_OK;

	if (st == KEEL_ERR_BUSY)
		cache_leaks(c);
	/* Quarantined objects go back too: nothing of the cache outlives it. */
	for (struct slab *s; st == KEEL_OK && (s = slab_next(c, NULL)) != NULL;)
		slab_release(c, s);
	if (st == KEEL_OK) {
		*link = c->next;
		memset(c, 0, sizeof(*c));
	}
	spin_unlock(&slab_lock, f);
	return st;
}

struct slab_cache *slab_caches(void)
{
	return cache_list;
}

unsigned slab_leak_report(void)
{
	spinflags_t f = spin_lock(&slab_lock);
	unsigned total = 0;

	for (const struct slab_cache *c = cache_list; c != NULL; c = c->next)
		total += cache_leaks(c);
	spin_unlock(&slab_lock, f);
	return total;
}
