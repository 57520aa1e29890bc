/*
 * error.c - error codes in words.
 *
 * Both functions are generated from abi.h's KEEL_ERRORS, the same list the
 * kernel prints its own errors from, so a code reads the same on either
 * side of the system-call boundary.
 */
#include <keel_user.h>

const char *keel_strerror(int err)
{
	switch (err) {
#define KEEL_USER_MEANING_(name, value, meaning)                                                   \
	case (value):                                                                              \
		return meaning;
		KEEL_ERRORS(KEEL_USER_MEANING_)
#undef KEEL_USER_MEANING_
	}
	return "unknown error";
}

const char *keel_errname(int err)
{
	switch (err) {
#define KEEL_USER_NAME_(name, value, meaning)                                                      \
	case (value):                                                                              \
		return #name;
		KEEL_ERRORS(KEEL_USER_NAME_)
#undef KEEL_USER_NAME_
	}
	return "?";
}

bool keel_is_error_code(int32_t value)
{
	return value <= 0 && value >= KEEL_ERR_MIN;
}
