/**
 * @file bootfs.h
 * @brief The boot archive: the user programs the boot loader brought.
 *
 * The archive is a cpio file in the "newc" format (what `cpio -o -H newc`
 * writes), handed over as a Multiboot module. bootfs_find() looks a file
 * up by name in such an archive; it is pure (bytes in, a pointer into
 * them out) so the host tests drive it with corrupt archives too, and it
 * never reads outside the archive it is given. bootfs_lookup() finds the
 * archive among the boot modules (the first that starts with BOOTFS_MAGIC)
 * and searches it. Only regular files are seen; a leading "./" in an
 * archive's names (as `find . | cpio` writes them) is not part of a name.
 */
#ifndef KEEL_BOOTFS_H
#define KEEL_BOOTFS_H

#include <keel/status.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief The first six bytes of a newc archive (and of each of its headers). */
#define BOOTFS_MAGIC "070701"

/** @brief The longest file name looked up, without its NUL. */
#define BOOTFS_NAME_MAX 31

/** @brief A file in an archive: a pointer into the archive's bytes. */
struct bootfs_file {
	const char *name; /**< Its name (not NUL-terminated: name_len bytes). */
	size_t name_len;  /**< Bytes in name. */
	const void *data; /**< Its contents. */
	size_t size;      /**< Bytes in data. */
};

/**
 * @brief Visit the files of the newc archive @p archive (@p size bytes) in
 * order, calling @p fn on each until it returns false.
 * @return KEEL_OK at the trailer; KEEL_ERR_BAD_IMAGE if a header is
 *         malformed or a file runs past the end (files before it were
 *         visited). Pure.
 */
kstatus_t bootfs_each(const void *archive, size_t size,
                      bool (*fn)(const struct bootfs_file *f, void *ctx), void *ctx);

/**
 * @brief Find file @p name (@p len bytes, no NUL needed) in @p archive.
 * @return KEEL_OK and *out; KEEL_ERR_NOT_FOUND; KEEL_ERR_BAD_IMAGE for a
 *         malformed archive. Pure.
 */
kstatus_t bootfs_find(const void *archive, size_t size, const char *name, size_t len,
                      struct bootfs_file *out);

/**
 * @brief Find file @p name in the running kernel's boot archive.
 * @return as bootfs_find(); KEEL_ERR_NOT_FOUND if there is no archive.
 */
kstatus_t bootfs_lookup(const char *name, size_t len, struct bootfs_file *out);

/**
 * @brief The running kernel's boot archive: the first boot module that
 * starts with the newc magic and lies wholly in the direct map.
 * @return true and its bytes in *@p archive and *@p size; false if no
 *         module is one.
 */
bool bootfs_archive(const void **archive, size_t *size);

/**
 * @brief Print each file of the boot archive and its size (`bootfs`).
 * (Debug code: test images and the monitor only.)
 */
void bootfs_print(void);

#endif
