/*
 * status.c - names and meanings of the status codes, for reports.
 *
 * Both tables are generated from the ABI's one list (KEEL_ERRORS in
 * keel/abi.h), so a code added there is named here without an edit, and
 * the kernel prints the same meaning a user program's keel_strerror() does.
 */
#include <keel/status.h>

/* [status_tables] */
#define NAME_(name, value, meaning)    [-(value)] = (value) == 0 ? "KEEL_OK" : "KEEL_ERR_" #name,
#define MEANING_(name, value, meaning) [-(value)] = meaning,

static const char *const names[] = {KEEL_ERRORS(NAME_)};
static const char *const meanings[] = {KEEL_ERRORS(MEANING_)};
/* [status_tables] */

/* The table index of @p s, or -1 outside the list. */
static int status_index(kstatus_t s)
{
	int i = -(int)s;

	if (i < 0 || i >= (int)(sizeof(names) / sizeof(names[0])) || names[i] == 0)
		return -1;
	return i;
}

const char *kstatus_name(kstatus_t s)
{
	int i = status_index(s);

	return i < 0 ? "KEEL_ERR_?" : names[i];
}

const char *kstatus_meaning(kstatus_t s)
{
	int i = status_index(s);

	return i < 0 ? "unknown error" : meanings[i];
}
