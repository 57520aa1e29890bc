/*
 * test_bootfs.c - host unit tests for kernel/user/bootfs.c, the boot archive reader.
 *
 * The archive comes from the boot medium, so the kernel reads it as
 * untrusted bytes: a bad size must never send a read outside it. The
 * tests write newc archives themselves (the format `cpio -o -H newc`
 * writes: a 110-byte header of hex digits, the name and its NUL, the
 * data, each padded to 4 bytes), copy each into a heap buffer of exactly
 * its size so AddressSanitizer sees any read past the end, and check that
 * good archives give every regular file with its bytes, "./" stripped,
 * and that each malformation is refused: truncation at every length, a
 * wrong magic, a non-hex digit in every field, a name without its NUL or
 * with two, sizes that run past the end or wrap. Last, seeded random
 * mutations: whatever a walk visits must lie inside the archive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/bootfs.h>

#define HEADER  110
#define REGULAR 0100644u
#define DIR     0040755u
#define ENTRIES 16

/* An archive being written; at[k] is where entry k's header starts. */
struct ar {
	unsigned char bytes[16384];
	size_t len;
	size_t at[ENTRIES];
	unsigned n;
};

/* An archive on the heap, exactly size bytes long. */
struct image {
	unsigned char *bytes;
	size_t size;
};

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		a->bytes[a->len++] = 0;
}

/*
 * Append an entry: @p namesize bytes of @p name (its NUL included, if it has one) and
 * @p size bytes of @p data, the header's digits in upper or lower case.
 */
static void ar_raw(struct ar *a, const char *name, uint32_t namesize, uint32_t mode,
                   const void *data, uint32_t size, bool upper)
{
	const char *fmt = upper ? "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
	                        : "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x";
	char header[HEADER + 1];

	assert_true(a->n < ENTRIES && a->len + HEADER + namesize + size + 8 <= sizeof(a->bytes));
	snprintf(header, sizeof(header), fmt, a->n + 1, mode, 1000, 1000, 1, 0x65000000, size, 8, 1,
	         0, 0, namesize, 0);
	a->at[a->n++] = a->len;
	memcpy(a->bytes + a->len, header, HEADER);
	a->len += HEADER;
	memcpy(a->bytes + a->len, name, namesize);
	a->len += namesize;
	ar_pad(a);
	memcpy(a->bytes + a->len, data, size);
	a->len += size;
	ar_pad(a);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
	ar_raw(a, name, (uint32_t)strlen(name) + 1, REGULAR, text, (uint32_t)strlen(text), true);
}

static void ar_trailer(struct ar *a)
{
	ar_raw(a, "TRAILER!!!", 11, 0, "", 0, true);
}

/* The archive as it would be on disk: a heap copy of exactly @p size bytes. */
static struct image ar_image(const struct ar *a, size_t size)
{
	struct image img = {malloc(size ? size : 1), size};

	assert_non_null(img.bytes);
	memcpy(img.bytes, a->bytes, size);
	return img;
}

/* The archive most tests start from. Names of every length mod 4 try every padding. */
static void ar_good(struct ar *a)
{
	static const char odd[] = {'\x7f', 'E', 'L', 'F', 0, 1, 2};

	a->len = a->n = 0;
	ar_raw(a, ".", 2, DIR, "", 0, false);
	ar_file(a, "./init", "the root task");
	ar_raw(a, "./bin", 6, DIR, "", 0, true);
	ar_file(a, "./bin/echo", "echo!");
	ar_file(a, "a", "");
	ar_file(a, "ab", "x");
	ar_raw(a, "abc", 4, REGULAR, odd, sizeof(odd), false); /* bytes, NULs among them */
	ar_file(a, "abcd", "xyz");
	ar_file(a, ".x", "dot"); /* a leading '.' alone stays */
	ar_trailer(a);
}

static struct image good(void)
{
	static struct ar a;

	ar_good(&a);
	return ar_image(&a, a.len);
}

/* --------------------------------------------------------------------------
 * A visitor that records what it sees and checks it lies inside the archive.
 */

struct seen {
	const unsigned char *archive;
	size_t size;
	unsigned files, stop_after;
	char names[ENTRIES][40];
};

static bool inside(const struct seen *s, const void *p, size_t n)
{
	const unsigned char *b = p;

	return b >= s->archive && b <= s->archive + s->size &&
	       n <= (size_t)(s->archive + s->size - b);
}

static bool record(const struct bootfs_file *f, void *ctx)
{
	struct seen *s = ctx;

	if (!inside(s, f->name, f->name_len) || !inside(s, f->data, f->size))
		fail_msg("file %u lies outside the archive", s->files);
	if (s->files < ENTRIES)
		snprintf(s->names[s->files], sizeof(s->names[0]), "%.*s", (int)f->name_len,
		         f->name);
	s->files++;
	return s->files != s->stop_after;
}

static kstatus_t walk(struct image img, struct seen *s)
{
	*s = (struct seen){.archive = img.bytes, .size = img.size, .stop_after = s->stop_after};
	return bootfs_each(img.bytes, img.size, record, s);
}

/* bootfs_each() on @p img, which is then freed; the files seen go in *s. */
static kstatus_t walk_free(struct image img, struct seen *s)
{
	kstatus_t status = walk(img, s);

	free(img.bytes);
	return status;
}

static kstatus_t find(struct image img, const char *name, struct bootfs_file *out)
{
	return bootfs_find(img.bytes, img.size, name, strlen(name), out);
}

/* --------------------------------------------------------------------------
 * Good archives.
 */

static void visits_every_regular_file_in_order(void **state)
{
	(void)state;
	static const char *const names[] = {"init", "bin/echo", "a", "ab", "abc", "abcd", ".x"};
	struct seen s = {0};

	assert_int_equal(walk_free(good(), &s), KEEL_OK);
	assert_int_equal(s.files, 7); /* not ".", nor "bin" */
	for (unsigned i = 0; i < 7; i++)
		assert_string_equal(s.names[i], names[i]);
}

static void finds_each_file_with_its_bytes(void **state)
{
	(void)state;
	struct image img = good();
	struct bootfs_file f;

	assert_int_equal(find(img, "init", &f), KEEL_OK);
	assert_int_equal(f.size, 13);
	assert_memory_equal(f.data, "the root task", 13);
	assert_int_equal(f.name_len, 4);
	assert_memory_equal(f.name, "init", 4);
	assert_int_equal(find(img, "bin/echo", &f), KEEL_OK);
	assert_memory_equal(f.data, "echo!", 5);
	assert_int_equal(find(img, "a", &f), KEEL_OK);
	assert_int_equal(f.size, 0);
	assert_int_equal(find(img, "abc", &f), KEEL_OK);
	assert_int_equal(f.size, 7);
	assert_memory_equal(f.data,
	                    "\x7f"
	                    "ELF\0\1\2",
	                    7);
	assert_int_equal(find(img, "abcd", &f), KEEL_OK);
	assert_memory_equal(f.data, "xyz", 3);
	assert_int_equal(find(img, ".x", &f), KEEL_OK);
	assert_memory_equal(f.data, "dot", 3);
	/* The name is compared by its length: "ab" is not "abc", nor "a". */
	assert_int_equal(bootfs_find(img.bytes, img.size, "abcd", 2, &f), KEEL_OK);
	assert_int_equal(f.size, 1);
	free(img.bytes);
}

static void what_is_not_a_file_is_not_found(void **state)
{
	(void)state;
	static const char *const missing[] = {"bin",  ".",          "",      "./init", "init/",
	                                      "Init", "TRAILER!!!", "abcde", "echo"};
	struct image img = good();
	struct bootfs_file f, before;

	memset(&f, 0x5a, sizeof(f));
	before = f;
	for (unsigned i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		assert_int_equal(find(img, missing[i], &f), KEEL_ERR_NOT_FOUND);
		assert_memory_equal(&f, &before, sizeof(f)); /* untouched */
	}
	free(img.bytes);
}

static void the_walk_stops_when_asked(void **state)
{
	(void)state;
	struct seen s = {.stop_after = 2};

	assert_int_equal(walk_free(good(), &s), KEEL_OK);
	assert_int_equal(s.files, 2);
}

static void an_archive_of_only_a_trailer_is_empty(void **state)
{
	(void)state;
	static struct ar a;
	struct seen s = {0};
	struct bootfs_file f;

	ar_trailer(&a);
	struct image img = ar_image(&a, a.len);
	assert_int_equal(walk(img, &s), KEEL_OK);
	assert_int_equal(s.files, 0);
	assert_int_equal(find(img, "init", &f), KEEL_ERR_NOT_FOUND);
	free(img.bytes);
	/* Nothing after the trailer's name is read: not even its padding. */
	assert_int_equal(walk_free(ar_image(&a, HEADER + 11), &s), KEEL_OK);
}

static void an_archive_at_any_alignment(void **state)
{
	(void)state;
	static struct ar a;
	struct bootfs_file f;

	ar_good(&a);
	for (size_t shift = 1; shift < 4; shift++) {
		unsigned char *moved = malloc(a.len + shift);
		assert_non_null(moved);
		memcpy(moved + shift, a.bytes, a.len);
		assert_int_equal(bootfs_find(moved + shift, a.len, "abcd", 4, &f), KEEL_OK);
		assert_memory_equal(f.data, "xyz", 3);
		free(moved);
	}
}

/* --------------------------------------------------------------------------
 * Malformed archives.
 */

static void null_and_empty_archives_are_refused(void **state)
{
	(void)state;
	struct bootfs_file f;
	struct seen s = {0};

	assert_int_equal(bootfs_each(NULL, 100, record, &s), KEEL_ERR_BAD_IMAGE);
	assert_int_equal(bootfs_find(NULL, 0, "init", 4, &f), KEEL_ERR_BAD_IMAGE);
	assert_int_equal(walk_free(ar_image(&(struct ar){0}, 0), &s), KEEL_ERR_BAD_IMAGE);
}

static void every_truncation_is_refused(void **state)
{
	(void)state;
	static struct ar a;
	struct bootfs_file f;
	struct seen s;
	size_t trailer_name_end;

	ar_good(&a);
	trailer_name_end = a.at[a.n - 1] + HEADER + 11;
	for (size_t n = 0; n < a.len; n++) {
		struct image img = ar_image(&a, n);
		kstatus_t want = n >= trailer_name_end ? KEEL_OK : KEEL_ERR_BAD_IMAGE;
		if (walk(img, &s) != want)
			fail_msg("cut at %zu: not %s", n, want == KEEL_OK ? "accepted" : "refused");
		/* A file found before the cut is found all the same: the walk stops there. */
		if (n >= a.at[2])
			assert_int_equal(find(img, "init", &f), KEEL_OK);
		free(img.bytes);
	}
}

static void a_wrong_magic_is_refused(void **state)
{
	(void)state;
	static const char *const magics[] = {"070702", "070707", "070700", "170701", "07070"};
	static struct ar a;
	struct seen s;

	for (unsigned i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		ar_good(&a);
		memcpy(a.bytes + a.at[3], magics[i], 6); /* bin/echo's */
		assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
		assert_int_equal(s.files, 1); /* init was visited first */
	}
	ar_good(&a);
	memcpy(a.bytes + a.at[a.n - 1], "070702", 6); /* the trailer's */
	assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
}

static void a_non_hex_digit_in_any_field_is_refused(void **state)
{
	(void)state;
	static const char bad[] = {'g', 'G', 'x', ' ', '-', '+', '\0', '/', ':', '@', '`'};
	static struct ar a;
	struct seen s;

	for (unsigned field = 0; field < 13; field++) {
		for (unsigned i = 0; i < sizeof(bad); i++) {
			ar_good(&a);
			a.bytes[a.at[1] + 6 + 8 * field + (i % 8)] = (unsigned char)bad[i];
			if (walk_free(ar_image(&a, a.len), &s) != KEEL_ERR_BAD_IMAGE)
				fail_msg("field %u with '%c' accepted", field, bad[i]);
		}
	}
}

static void a_name_must_end_in_its_one_nul(void **state)
{
	(void)state;
	static struct ar a;
	struct seen s;

	a.len = a.n = 0; /* no NUL at all */
	ar_raw(&a, "init", 4, REGULAR, "x", 1, true);
	ar_trailer(&a);
	assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
	a.len = a.n = 0; /* a NUL before the end */
	ar_raw(&a, "in\0it", 6, REGULAR, "x", 1, true);
	ar_trailer(&a);
	assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
	a.len = a.n = 0; /* an empty name field */
	ar_raw(&a, "", 0, REGULAR, "x", 1, true);
	ar_trailer(&a);
	assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
	a.len = a.n = 0; /* the trailer's name without its NUL is no trailer */
	ar_file(&a, "init", "x");
	ar_raw(&a, "TRAILER!!!", 10, 0, "", 0, true);
	assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
	assert_int_equal(s.files, 1);
}

/* Overwrite field @p field of entry @p k's header with @p value. */
static void set_field(struct ar *a, unsigned k, unsigned field, uint32_t value)
{
	char digits[9];

	snprintf(digits, sizeof(digits), "%08X", value);
	memcpy(a->bytes + a->at[k] + 6 + 8 * field, digits, 8);
}

static void sizes_that_run_past_the_end_are_refused(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {0xffffffffu, 0xfffffffcu, 0x80000000u, 0x10000};
	static struct ar a;
	struct seen s;
	struct bootfs_file f;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ar_good(&a);
		set_field(&a, a.n - 3, 6, sizes[i]); /* abcd's file size */
		assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
		ar_good(&a);
		set_field(&a, a.n - 3, 11, sizes[i]); /* its name size */
		assert_int_equal(walk_free(ar_image(&a, a.len), &s), KEEL_ERR_BAD_IMAGE);
	}
	/* The last file's bytes up to the very end, with no room for a trailer. */
	a.len = a.n = 0;
	ar_file(&a, "init", "abcd");
	struct image img = ar_image(&a, a.len);
	assert_int_equal(walk(img, &s), KEEL_ERR_BAD_IMAGE);
	assert_int_equal(find(img, "init", &f), KEEL_OK);
	assert_int_equal(find(img, "other", &f), KEEL_ERR_BAD_IMAGE);
	free(img.bytes);
	/* Its bytes one short of their padding. */
	a.len = a.n = 0;
	ar_file(&a, "init", "abc");
	assert_int_equal(walk_free(ar_image(&a, a.len - 1), &s), KEEL_ERR_BAD_IMAGE);
}

/* --------------------------------------------------------------------------
 * Seeded random mutations: nothing visited may lie outside the archive.
 */

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_mutations_stay_inside_the_archive(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789abcdefABCDEF0000fffgx\0/.";
	const uint64_t seed0 = 0x6b65656c2d637069ULL; /* "keel-cpi" */
	uint64_t seed = seed0;
	static struct ar a;
	unsigned ok = 0, bad = 0;
	struct seen s;

	print_message("# random mutations: seed %#llx, 20000 archives\n",
	              (unsigned long long)seed0);
	for (unsigned i = 0; i < 20000; i++) {
		uint64_t r = next_random(&seed);
		size_t size;

		ar_good(&a);
		size = a.len;
		for (unsigned k = 0; k <= r % 4; k++) {
			uint64_t m = next_random(&seed);
			size_t at = (m >> 8) % a.len;
			a.bytes[at] =
			    m % 2 ? (unsigned char)(m >> 40)
			          : (unsigned char)alphabet[(m >> 40) % (sizeof(alphabet) - 1)];
		}
		if (r % 16 == 0)
			size = (r >> 8) % a.len;
		if (walk_free(ar_image(&a, size), &s) == KEEL_OK)
			ok++;
		else
			bad++;
	}
	print_message("# %u accepted, %u refused\n", ok, bad);
	assert_true(ok > 1000 && bad > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(visits_every_regular_file_in_order),
	    cmocka_unit_test(finds_each_file_with_its_bytes),
	    cmocka_unit_test(what_is_not_a_file_is_not_found),
	    cmocka_unit_test(the_walk_stops_when_asked),
	    cmocka_unit_test(an_archive_of_only_a_trailer_is_empty),
	    cmocka_unit_test(an_archive_at_any_alignment),
	    cmocka_unit_test(null_and_empty_archives_are_refused),
	    cmocka_unit_test(every_truncation_is_refused),
	    cmocka_unit_test(a_wrong_magic_is_refused),
	    cmocka_unit_test(a_non_hex_digit_in_any_field_is_refused),
	    cmocka_unit_test(a_name_must_end_in_its_one_nul),
	    cmocka_unit_test(sizes_that_run_past_the_end_are_refused),
	    cmocka_unit_test(random_mutations_stay_inside_the_archive),
	};

	return cmocka_run_group_tests_name("bootfs", tests, NULL, NULL);
}
