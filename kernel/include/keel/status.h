/**
 * @file status.h
 * @brief The one set of error codes shared by the kernel and its ABI.
 *
 * Every action in Keel returns a kstatus_t: KEEL_OK on success, a negative
 * code naming what went wrong otherwise. Predicates return bool instead.
 * The numbers are part of the ABI and never change once given out.
 */
#ifndef KEEL_STATUS_H
#define KEEL_STATUS_H

/** @brief Result of a kernel action. */
typedef enum kstatus {
	KEEL_OK = 0,                   /**< Success. */
	KEEL_ERR_INVALID = -1,         /**< An argument is malformed or out of range. */
	KEEL_ERR_NO_MEMORY = -2,       /**< A pool or allocator is exhausted. */
	KEEL_ERR_NOT_FOUND = -3,       /**< The named object does not exist. */
	KEEL_ERR_EXISTS = -4,          /**< The object already exists. */
	KEEL_ERR_NOT_IMPLEMENTED = -5, /**< The operation is not built in (or is a lab stub). */
	KEEL_ERR_BUSY = -6,            /**< The object is in use. */
	KEEL_ERR_TIMED_OUT = -7,       /**< A timeout expired before the operation completed. */
	KEEL_ERR_DENIED = -8,          /**< The caller lacks the right to do this. */
	KEEL_ERR_RANGE = -9,           /**< A value does not fit where it must go. */
	KEEL_ERR_ALIGN = -10,          /**< An address or size is not aligned as required. */
	KEEL_ERR_FREED = -11,          /**< The object was already free (a double free). */
	KEEL_ERR_CORRUPT = -12, /**< A check found memory overwritten (a red zone, poison). */
} kstatus_t;

/**
 * @brief The name of a status code, for reports ("KEEL_ERR_INVALID").
 * @param s any value, including ones outside the enum.
 * @return a static string; "KEEL_ERR_?" for an unknown value. Any context.
 */
const char *kstatus_name(kstatus_t s);

#endif
