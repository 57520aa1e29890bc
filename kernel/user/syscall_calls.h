/*
 * syscall_calls.h - the handlers syscall.c's table sends each call to.
 * Each takes the call's arguments (a[0] first, as many as the ABI says)
 * and returns the value for the caller: >= 0, or a negative
 * enum keel_error. They are grouped by what they act on, one file each.
 */
#ifndef KEEL_USER_SYSCALL_CALLS_H
#define KEEL_USER_SYSCALL_CALLS_H

#include <keel/handle.h>
#include <keel/task.h>
#include <stdint.h>

/* syscall_thread.c */
int32_t sys_null(const uint32_t *a);
int32_t sys_debug_write(const uint32_t *a);
int32_t sys_thread_create(const uint32_t *a);
int32_t sys_thread_exit(const uint32_t *a);
int32_t sys_thread_yield(const uint32_t *a);
int32_t sys_thread_sleep(const uint32_t *a);
int32_t sys_clock_read(const uint32_t *a);

/* syscall_task.c */
int32_t sys_task_spawn(const uint32_t *a);
int32_t sys_task_exit(const uint32_t *a);
int32_t sys_task_wait(const uint32_t *a);
int32_t sys_task_kill(const uint32_t *a);
int32_t sys_task_info(const uint32_t *a);
int32_t sys_handle_close(const uint32_t *a);
int32_t sys_handle_query(const uint32_t *a);

/* syscall_mem.c */
int32_t sys_mem_map(const uint32_t *a);
int32_t sys_mem_unmap(const uint32_t *a);
int32_t sys_mem_protect(const uint32_t *a);

/* Take a handle of @type in the caller's table for an object about to be
 * made (its object id 0 until then); KEEL_ERR_LIMIT if the table is full. */
kstatus_t syscall_handle_reserve(unsigned type, keel_handle_t *h);

/* Settle reserved handle @h: name @object if @s is KEEL_OK, else free it.
 * Returns @h on success, else @s: the value for the caller. */
int32_t syscall_handle_settle(keel_handle_t h, uint32_t object, kstatus_t s);

#endif
