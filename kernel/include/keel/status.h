/**
 * @file status.h
 * @brief The kernel's name for the error codes of the ABI.
 *
 * Every action in Keel returns a kstatus_t: KEEL_OK on success, a negative
 * code naming what went wrong otherwise. Predicates return bool instead.
 * The codes, their numbers and their meanings are the ABI's (keel/abi.h,
 * KEEL_ERRORS): the kernel and user programs share one list, and the
 * numbers never change once given out.
 */
#ifndef KEEL_STATUS_H
#define KEEL_STATUS_H

#include <keel/abi.h>

/** @brief Result of a kernel action: an enum keel_error. */
typedef enum keel_error kstatus_t;

/**
 * @brief The name of a status code, for reports ("KEEL_ERR_INVALID").
 * @param s any value, including ones outside the enum.
 * @return a static string; "KEEL_ERR_?" for an unknown value. Any context.
 */
const char *kstatus_name(kstatus_t s);

/**
 * @brief The one-line meaning of a status code ("the handle is out of
 * range, empty or stale"), the same words user space prints.
 * @return a static string; "unknown error" for an unknown value. Any context.
 */
const char *kstatus_meaning(kstatus_t s);

#endif
