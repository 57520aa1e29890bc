/*
 * bootfs.c - reading the boot archive: user programs in a cpio "newc" file.
 *
 * The boot loader brings the user programs as one Multiboot module, a cpio
 * archive in the "newc" format, the one `cpio -o -H newc` writes and Linux
 * unpacks its initramfs from. It is a list of entries, each a 110-byte
 * header of ASCII text (the magic "070701", then 13 fields of 8 hex
 * digits), the entry's name with its NUL, padded so that header and name
 * end on a multiple of 4 bytes, then the file's bytes, padded to 4 again.
 * An entry named "TRAILER!!!" ends the list.
 *
 * The idea is to walk it as untrusted input: every field is 8 hex digits
 * or the archive is refused, a name must end in its one NUL, and every
 * length is compared with what is left of the archive before anything
 * past it is touched, so no bad size can send a read outside the archive
 * nor wrap a sum. Only regular files are visited; directories and links
 * are checked and skipped. A leading "./" (what `find . | cpio` writes)
 * is not part of a name. Nothing here knows where the archive lies:
 * bootfs_boot.c finds it among the boot modules. Slice 3 ("user"): the
 * spawn path looks a program up here, then elf.c checks it.
 */
#include <keel/bootfs.h>
#include <keel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A newc header: the magic, then 13 fields of 8 hex digits, in this order. */
enum newc_field {
	NEWC_INO,
	NEWC_MODE,
	NEWC_UID,
	NEWC_GID,
	NEWC_NLINK,
	NEWC_MTIME,
	NEWC_FILESIZE,
	NEWC_DEVMAJOR,
	NEWC_DEVMINOR,
	NEWC_RDEVMAJOR,
	NEWC_RDEVMINOR,
	NEWC_NAMESIZE, /* with the NUL */
	NEWC_CHECK,
	NEWC_FIELDS
};

#define NEWC_MAGIC_LEN 6
#define NEWC_HEADER    (NEWC_MAGIC_LEN + 8 * NEWC_FIELDS) /* 110 bytes */
#define NEWC_TYPE      0170000u                           /* the file type bits of the mode */
#define NEWC_REGULAR   0100000u

_Static_assert(sizeof(BOOTFS_MAGIC) - 1 == NEWC_MAGIC_LEN, "the newc magic is 6 bytes");

static const char newc_trailer[] = "TRAILER!!!";

/* One entry of an archive, as newc_read() found it well-formed. */
struct newc_entry {
	struct bootfs_file file; /* its name (without a leading "./") and its bytes */
	bool regular;            /* a regular file (not a directory, a link, ...) */
	bool trailer;            /* the entry that ends the archive; nothing else is set */
	size_t next;             /* where the next entry starts: 4-aligned, maybe the end */
};

/* The value of the 8 hex digits at @p p, into *out; false if one is not a hex digit. */
static bool hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 8; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16u;
		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Move *@p pos on past @p n bytes and the padding to 4; false if that passes @p size. */
static bool skip(size_t *pos, size_t n, size_t size)
{
	size_t pad;

	if (n > size - *pos)
		return false;
	*pos += n;
	pad = (4 - *pos % 4) % 4;
	if (pad > size - *pos)
		return false;
	*pos += pad;
	return true;
}

/* The name of entry @p e as a file: without its NUL, nor a leading "./". */
static void newc_name(struct newc_entry *e, const char *name, uint32_t namesize)
{
	e->file.name = name;
	e->file.name_len = namesize - 1;
	if (e->file.name_len >= 2 && name[0] == '.' && name[1] == '/') {
		e->file.name += 2;
		e->file.name_len -= 2;
	}
}

/* The fields of the header at @p pos into @p f; false if it is cut short or not newc. */
static bool newc_header(const unsigned char *a, size_t size, size_t pos, uint32_t *f)
{
	if (size - pos < NEWC_HEADER || memcmp(a + pos, BOOTFS_MAGIC, NEWC_MAGIC_LEN) != 0)
		return false;
	for (unsigned i = 0; i < NEWC_FIELDS; i++)
		if (!hex8((const char *)a + pos + NEWC_MAGIC_LEN + 8 * i, &f[i]))
			return false;
	return true;
}

/*
 * The entry whose header starts at @p pos of archive @p a: pos is 4-aligned and at most
 * @p size, so size - pos is what is left.
 * @return KEEL_OK and *e; KEEL_ERR_BAD_IMAGE if it is malformed or runs past the end.
 */
static kstatus_t newc_read(const unsigned char *a, size_t size, size_t pos, struct newc_entry *e)
{
	uint32_t f[NEWC_FIELDS];
	size_t at = pos + NEWC_HEADER;
	const char *name;

	if (!newc_header(a, size, pos, f))
		return KEEL_ERR_BAD_IMAGE;
	/* The name must fit, and its one NUL must be its last byte. */
	name = (const char *)a + at;
	if (f[NEWC_NAMESIZE] == 0 || f[NEWC_NAMESIZE] > size - at ||
	    strnlen(name, f[NEWC_NAMESIZE]) != f[NEWC_NAMESIZE] - 1)
		return KEEL_ERR_BAD_IMAGE;
	*e = (struct newc_entry){.regular = (f[NEWC_MODE] & NEWC_TYPE) == NEWC_REGULAR};
	if (f[NEWC_NAMESIZE] == sizeof(newc_trailer) &&
	    memcmp(name, newc_trailer, sizeof(newc_trailer)) == 0) {
		e->trailer = true; /* nothing after the trailer's name is read, not even padding */
		return KEEL_OK;
	}
	newc_name(e, name, f[NEWC_NAMESIZE]);
	/* Then the name's padding, the file's bytes and theirs: all inside the archive. */
	if (!skip(&at, f[NEWC_NAMESIZE], size))
		return KEEL_ERR_BAD_IMAGE;
	e->file.data = a + at;
	e->file.size = f[NEWC_FILESIZE];
	if (!skip(&at, f[NEWC_FILESIZE], size))
		return KEEL_ERR_BAD_IMAGE;
	e->next = at;
	return KEEL_OK;
}

/* [bootfs_each] */
kstatus_t bootfs_each(const void *archive, size_t size,
                      bool (*fn)(const struct bootfs_file *f, void *ctx), void *ctx)
{
	struct newc_entry e;
	size_t pos = 0;

	if (archive == NULL)
		return KEEL_ERR_BAD_IMAGE;
	/* Each entry takes at least a header: the walk ends within size / 110 steps. */
	for (;;) {
		if (newc_read(archive, size, pos, &e) != KEEL_OK)
			return KEEL_ERR_BAD_IMAGE;
		if (e.trailer)
			return KEEL_OK;
		if (e.regular && !fn(&e.file, ctx))
			return KEEL_OK;
		pos = e.next;
	}
}
/* [bootfs_each] */

/* What bootfs_find() looks for, and what it found. */
struct bootfs_search {
	const char *name;
	size_t len;
	struct bootfs_file *out;
	bool found;
};

static bool bootfs_match(const struct bootfs_file *f, void *ctx)
{
	struct bootfs_search *s = ctx;

	if (f->name_len != s->len || memcmp(f->name, s->name, s->len) != 0)
		return true;
	*s->out = *f;
	s->found = true;
	return false; /* the first match: stop */
}

kstatus_t bootfs_find(const void *archive, size_t size, const char *name, size_t len,
                      struct bootfs_file *out)
{
	struct bootfs_search s = {.name = name, .len = len, .out = out};
	kstatus_t status = bootfs_each(archive, size, bootfs_match, &s);

	if (status != KEEL_OK)
		return status;
	return s.found ? KEEL_OK : KEEL_ERR_NOT_FOUND;
}
