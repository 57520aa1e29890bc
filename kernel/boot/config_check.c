/*
 * config_check.c - the configuration said back: config_format() writes
 * the value a key has in a kernel_config_t, for the monitor's `info`.
 *
 * Only the monitor and the tests read a configuration back, so this is
 * debug code, linked into test images only (see the Makefile). Pure like
 * config.c: the host unit tests compile the two together.
 */
#include <keel/config.h>
#include <keel/kprintf.h>

const char *config_format(const kernel_config_t *cfg, const struct config_key *key, char *buf,
                          size_t size)
{
	const char *field = (const char *)cfg + key->offset;

	switch (key->type) {
	case CONFIG_BOOL:
		ksnprintf(buf, size, "%s", *(const bool *)field ? "on" : "off");
		break;
	case CONFIG_UINT:
		ksnprintf(buf, size, "%u", *(const unsigned *)field);
		break;
	case CONFIG_ENUM:
		ksnprintf(buf, size, "%s", key->names[*(const int *)field]);
		break;
	case CONFIG_STRING:
		ksnprintf(buf, size, "%s", field);
		break;
	}
	return buf;
}
