/*
 * status.c - names for the status codes, for reports and tests.
 */
#include <keel/status.h>

const char *kstatus_name(kstatus_t s)
{
	static const char *const names[] = {
	    "KEEL_OK",
	    "KEEL_ERR_INVALID",
	    "KEEL_ERR_NO_MEMORY",
	    "KEEL_ERR_NOT_FOUND",
	    "KEEL_ERR_EXISTS",
	    "KEEL_ERR_NOT_IMPLEMENTED",
	    "KEEL_ERR_BUSY",
	    "KEEL_ERR_TIMED_OUT",
	    "KEEL_ERR_DENIED",
	    "KEEL_ERR_RANGE",
	    "KEEL_ERR_ALIGN",
	    "KEEL_ERR_FREED",
	    "KEEL_ERR_CORRUPT",
	};
	int i = -(int)s;

	if (i < 0 || i >= (int)(sizeof(names) / sizeof(names[0])))
		return "KEEL_ERR_?";
	return names[i];
}
