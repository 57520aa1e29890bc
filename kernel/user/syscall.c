/*
 * syscall.c - the dispatcher: every system call enters here.
 *
 * The port's entry has already put the call word and the arguments in a
 * struct syscall_args; what comes in is still only what the program put
 * in its registers. The dispatcher checks the call word itself (reserved
 * bits, the number, the argument count) and hands the arguments to the
 * call's handler, which checks the rest. The table is indexed by the
 * number, so dispatch is O(1), and it is built from the ABI's own list
 * (KEEL_SYSCALLS), so a handler cannot disagree with the ABI on how many
 * arguments its call takes. A call whose slice is not built has no
 * handler: it answers KEEL_ERR_NO_SYSCALL, like a number never assigned.
 */
#include <keel/panic.h>
#include <keel/syscall.h>

#include "syscall_calls.h"

uint64_t syscall_count;

/* [syscall_table] */
typedef int32_t (*syscall_fn)(const uint32_t *a);

/* Slice 3's calls; later slices add theirs with syscall_install() as they
 * start, before any user program runs. */
static syscall_fn handlers[KEEL_SYS_COUNT] = {
    [KEEL_SYS_NULL] = sys_null,
    [KEEL_SYS_DEBUG_WRITE] = sys_debug_write,
    [KEEL_SYS_THREAD_CREATE] = sys_thread_create,
    [KEEL_SYS_THREAD_EXIT] = sys_thread_exit,
    [KEEL_SYS_THREAD_YIELD] = sys_thread_yield,
    [KEEL_SYS_THREAD_SLEEP] = sys_thread_sleep,
    [KEEL_SYS_TASK_SPAWN] = sys_task_spawn,
    [KEEL_SYS_TASK_EXIT] = sys_task_exit,
    [KEEL_SYS_TASK_WAIT] = sys_task_wait,
    [KEEL_SYS_TASK_KILL] = sys_task_kill,
    [KEEL_SYS_CLOCK_READ] = sys_clock_read,
    [KEEL_SYS_MEM_MAP] = sys_mem_map,
    [KEEL_SYS_MEM_UNMAP] = sys_mem_unmap,
    [KEEL_SYS_MEM_PROTECT] = sys_mem_protect,
    [KEEL_SYS_HANDLE_CLOSE] = sys_handle_close,
    [KEEL_SYS_HANDLE_QUERY] = sys_handle_query,
    [KEEL_SYS_TASK_INFO] = sys_task_info,
};

/* The argument count and name of each call, from the ABI's list. */
#define NARGS_(name, nr, nargs) [nr] = nargs,
#define NAME_(name, nr, nargs)  [nr] = #name,
static const uint8_t nargs_of[KEEL_SYS_COUNT] = {KEEL_SYSCALLS(NARGS_)};
static const char *const names[KEEL_SYS_COUNT] = {KEEL_SYSCALLS(NAME_)};
/* [syscall_table] */

void syscall_install(unsigned nr, int32_t (*fn)(const uint32_t *a))
{
	assert(nr < KEEL_SYS_COUNT && handlers[nr] == NULL && fn != NULL);
	handlers[nr] = fn;
}

bool syscall_built(unsigned nr)
{
	return nr < KEEL_SYS_COUNT && handlers[nr] != NULL;
}

const char *syscall_name(unsigned nr)
{
	return nr < KEEL_SYS_COUNT && names[nr] ? names[nr] : "?";
}

/* [syscall_dispatch] */
int32_t syscall_dispatch(const struct syscall_args *a)
{
	uint32_t word = a->word;
	unsigned nr = KEEL_CALL_NR(word);

	syscall_count++;
	/* LAB 3: check the call word, then call the handler */
	if (word & KEEL_CALL_RESERVED)
		return KEEL_ERR_INVALID;
	if (nr >= KEEL_SYS_COUNT || handlers[nr] == NULL)
		return KEEL_ERR_NO_SYSCALL;
	if (KEEL_CALL_NARGS(word) != nargs_of[nr])
		return KEEL_ERR_ARGS;
	return handlers[nr](a->arg);
	/* LAB 3 STUB
	(void)word;
	(void)nr;
	(void)handlers;
	(void)nargs_of;
	return KEEL_ERR_NOT_IMPLEMENTED;
	LAB 3 END */
}
/* [syscall_dispatch] */
