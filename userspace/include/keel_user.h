/**
 * @file keel_user.h
 * @brief Keel's user library: the system calls as C functions, and the
 * few pieces of a C library a program needs to print and compare.
 *
 * A user program includes this header and nothing of the kernel but
 * <keel/abi.h>, which it pulls in: the contract is that one header. Each
 * wrapper below passes its arguments in the registers abi.h names and
 * returns what the kernel put in eax: zero or a positive value on
 * success, a negative enum keel_error on failure (keel_strerror() says it
 * in words). The library enters the kernel through `int 0x80` unless the
 * program asks for `sysenter` with keel_use_sysenter(); both reach the
 * same dispatcher and must give the same results.
 *
 * The library is linked into every program (userspace/lib/); the program
 * starts in lib/start.S, which calls main(arg) and ends the task with
 * main's return value as its exit status.
 */
#ifndef KEEL_USER_H
#define KEEL_USER_H

#include <keel/abi.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief A program's entry: @p arg is what its spawner passed (struct keel_spawn). */
int main(uint32_t arg);

/** @brief The size of a page, as the kernel maps memory. */
#define KEEL_PAGE_SIZE 4096u
/** @brief The priority the kernel gives user threads; a thread may ask for no more. */
#define KEEL_PRIO_USER 100u

/* -- Entering the kernel ------------------------------------------------ */

/**
 * @brief Make the raw call @p word (KEEL_CALL()) with arguments @p a0..a3
 * in ebx, esi, edi, ebp, through the entry keel_use_sysenter() chose.
 * For tests and the fuzzer: it sends anything at all, malformed or not.
 * @return eax as the kernel left it.
 */
int32_t keel_syscall(uint32_t word, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);
/** @brief keel_syscall() through `int 0x80`, whatever was chosen. */
int32_t keel_syscall_int(uint32_t word, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);
/** @brief keel_syscall() through `sysenter`, whatever was chosen. */
int32_t keel_syscall_sysenter(uint32_t word, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);
/** @brief Use `sysenter` (true) or `int 0x80` (false, the default) from now on. */
void keel_use_sysenter(bool on);
/** @brief Whether the library uses `sysenter` now. */
bool keel_using_sysenter(void);

/* -- The system calls, one wrapper each (abi.h's KEEL_SYSCALLS) ---------- */

int32_t keel_null(void);
int32_t keel_debug_write(const char *buf, uint32_t len);
int32_t keel_thread_create(uint32_t entry, uint32_t stack_top, uint32_t arg, uint32_t prio);
__attribute__((noreturn)) void keel_thread_exit(int code);
int32_t keel_yield(void);
int32_t keel_sleep_us(uint32_t us);
int32_t keel_task_spawn(const char *name, uint32_t len, const struct keel_spawn *opts);
__attribute__((noreturn)) void keel_task_exit(int status);
int32_t keel_task_wait(keel_handle_t task, int *status, uint32_t timeout_us);
int32_t keel_task_kill(keel_handle_t task);
int32_t keel_clock_us(uint64_t *us);
int32_t keel_mem_map(void *addr, uint32_t size, uint32_t prot);
int32_t keel_mem_unmap(void *addr, uint32_t size);
int32_t keel_mem_protect(void *addr, uint32_t size, uint32_t prot);
int32_t keel_handle_close(keel_handle_t h);
int32_t keel_handle_query(keel_handle_t h, struct keel_handle_info *info);
int32_t keel_task_info(keel_handle_t task, struct keel_task_info *info);
int32_t keel_endpoint_create(const struct keel_ipc_limits *limits);
int32_t keel_send(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_recv(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_call(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_reply(const struct keel_msg *msg);
int32_t keel_reply_recv(keel_handle_t ep, struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_notify_create(void);
int32_t keel_notify_signal(keel_handle_t n, uint32_t bits);
int32_t keel_notify_wait(keel_handle_t n, uint32_t *bits, uint32_t timeout_us);
int32_t keel_notify_bind(keel_handle_t n);
int32_t keel_channel_create(uint32_t depth, uint32_t max_len, const struct keel_ipc_limits *limits);
int32_t keel_channel_send(keel_handle_t ch, const struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_channel_recv(keel_handle_t ch, struct keel_msg *msg, uint32_t timeout_us);
int32_t keel_cap_derive(keel_handle_t h, uint32_t rights, uint32_t range);
int32_t keel_cap_revoke(keel_handle_t h);
int32_t keel_cap_info(keel_handle_t h, struct keel_cap_info *info);
int32_t keel_frames_alloc(keel_handle_t memory, uint32_t pages);
int32_t keel_frames_map(keel_handle_t frames, void *addr, uint32_t prot);
int32_t keel_frames_unmap(keel_handle_t frames);
int32_t keel_irq_bind(keel_handle_t irq, keel_handle_t notification, uint32_t bits);
int32_t keel_irq_ack(keel_handle_t irq);
int32_t keel_ioport_enable(keel_handle_t ioport);
int32_t keel_device_map(keel_handle_t device, void *addr, uint32_t prot);
int32_t keel_device_unmap(keel_handle_t device);
int32_t keel_task_notify(keel_handle_t task, keel_handle_t notification, uint32_t bits);

/* -- Conveniences on top of the calls ----------------------------------- */

/** @brief Spawn program @p name (a C string) with argument @p arg; a task handle or an error. */
int32_t keel_spawn(const char *name, uint32_t arg);
/** @brief The clock in microseconds, or 0 if it cannot be read. */
uint64_t keel_now_us(void);

/** @brief How a thread started by keel_thread_start() begins: fn(arg), then it exits. */
struct keel_thread_start {
	int (*fn)(uint32_t arg); /**< Runs in the new thread; its result is the exit code. */
	uint32_t arg;            /**< Passed to @p fn. */
};

/**
 * @brief Start a thread running st->fn(st->arg) on the stack ending at
 * @p stack_top (16-byte aligned). @p st must stay valid until the thread
 * has started (a static is simplest).
 * @return a thread handle, or an error from THREAD_CREATE.
 */
int32_t keel_thread_start(const struct keel_thread_start *st, void *stack_top);
/** @brief The entry keel_thread_start() gives the kernel: eax holds the start. */
void keel_thread_entry(void);

/* -- Errors --------------------------------------------------------------- */

/** @brief The meaning of @p err (abi.h's words), or "unknown error". */
const char *keel_strerror(int err);
/** @brief The name of @p err without its prefix ("FAULT"), or "?". */
const char *keel_errname(int err);
/** @brief Whether @p value is 0 or one of the enum keel_error codes. */
bool keel_is_error_code(int32_t value);

/* -- Strings and printing ------------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/**
 * @brief printf's conversions %d %i %u %x %X %s %c %p %% with the l and ll
 * sizes, a width and the flags 0, - and # (0x before %x). Writes at most
 * @p size bytes with the NUL.
 * @return the length the whole output would have had.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** @brief Print to the debug console (DEBUG_WRITE), in chunks. @return bytes printed. */
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief Print @p s and a newline. */
int puts(const char *s);

#endif
