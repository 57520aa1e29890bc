/**
 * @file abi.h
 * @brief The system-call contract: the one header the kernel and every
 * user program include, unchanged.
 *
 * Everything a user program may ask of the kernel is here: the call
 * numbers, how arguments travel, the error codes with their meanings, and
 * the structures copied across. Nothing else in kernel/ is visible to user
 * space, and nothing here depends on a kernel header, so a user program
 * compiles against this file alone.
 *
 * How a call travels (i386). The caller puts a call word in eax and up to
 * four arguments in ebx, esi, edi and ebp, then enters the kernel through
 * `int 0x80` or `sysenter`; both reach the same dispatcher. The call word
 * is the call's number in bits 0-7 and the number of arguments passed in
 * bits 8-11 (KEEL_CALL()); bits 12-31 are reserved and must be zero. The
 * result comes back in eax: zero or a positive value on success, a
 * negative enum keel_error on failure. ecx and edx are clobbered (sysenter
 * uses them for the return stack and address); every other register is
 * preserved.
 *
 * Every call checks its call word first: an unknown number gives
 * KEEL_ERR_NO_SYSCALL, a wrong argument count KEEL_ERR_ARGS, a reserved bit
 * KEEL_ERR_INVALID. Then its arguments: a pointer that is not wholly in
 * the caller's user space, or not mapped with the access the call needs,
 * gives KEEL_ERR_FAULT; a handle that is out of range, empty, stale or of
 * the wrong type gives KEEL_ERR_BAD_HANDLE or KEEL_ERR_WRONG_TYPE. Nothing
 * a program passes can stop the kernel; on any error, nothing changed.
 *
 * The memory calls (MEM_MAP, MEM_UNMAP, MEM_PROTECT) work on whole pages
 * of the caller's own space: an address or size that is not a page
 * multiple gives KEEL_ERR_ALIGN, a range not wholly in user space
 * KEEL_ERR_RANGE, write with execute KEEL_ERR_DENIED (W^X).
 *
 * Timeouts are 32-bit microsecond counts; KEEL_TIMEOUT_NEVER waits for
 * ever, 0 does not wait at all.
 */
#ifndef KEEL_ABI_H
#define KEEL_ABI_H

#include <stdint.h>

/* [abi_errors] */
/**
 * @brief Every error code, its value and its one-line meaning:
 * X(name, value, meaning). The kernel's kstatus_t and user space's
 * keel_strerror() are both generated from this list, so the two always
 * print the same words. Values are part of the ABI and never change.
 */
#define KEEL_ERRORS(X)                                                                             \
	X(OK, 0, "success")                                                                        \
	X(INVALID, -1, "an argument is malformed or out of range")                                 \
	X(NO_MEMORY, -2, "a pool or allocator is exhausted")                                       \
	X(NOT_FOUND, -3, "the named object does not exist")                                        \
	X(EXISTS, -4, "the object already exists")                                                 \
	X(NOT_IMPLEMENTED, -5, "the operation is not built in")                                    \
	X(BUSY, -6, "the object is in use")                                                        \
	X(TIMED_OUT, -7, "the timeout expired first")                                              \
	X(DENIED, -8, "the caller lacks the right to do this")                                     \
	X(RANGE, -9, "a value does not fit where it must go")                                      \
	X(ALIGN, -10, "an address or size is not aligned as required")                             \
	X(FREED, -11, "the object was already free")                                               \
	X(CORRUPT, -12, "a check found memory overwritten")                                        \
	X(NO_SYSCALL, -13, "no system call has this number")                                       \
	X(ARGS, -14, "wrong number of arguments for this system call")                             \
	X(FAULT, -15, "a pointer names memory the caller may not use that way")                    \
	X(BAD_HANDLE, -16, "the handle is out of range, empty or stale")                           \
	X(WRONG_TYPE, -17, "the handle names an object of another type")                           \
	X(LIMIT, -18, "the task has reached one of its limits")                                    \
	X(BAD_IMAGE, -19, "the program image is malformed")                                        \
	X(INTERRUPTED, -20, "the wait was ended early: the task is being killed")                  \
	X(GONE, -21, "the other side is gone: its task ended or the object was destroyed")         \
	X(OVER_RATE, -22, "the sender is over the rate limit set for this object")
/* [abi_errors] */

/** @brief The error codes as an enum: KEEL_OK, KEEL_ERR_INVALID, ... */
enum keel_error {
/** @brief One enumerator from an entry of KEEL_ERRORS (undefined right after). */
#define KEEL_ABI_ENUM_(name, value, meaning) KEEL_ERR_##name = (value),
	KEEL_ERRORS(KEEL_ABI_ENUM_)
#undef KEEL_ABI_ENUM_
	    KEEL_OK = KEEL_ERR_OK,
	KEEL_ERR_MIN = KEEL_ERR_OVER_RATE, /**< The most negative code. */
};

/* [abi_calls] */
/** @brief The system calls: X(name, number, argument count). */
#define KEEL_SYSCALLS(X)                                                                           \
	X(NULL, 0, 0)          /* nothing: measures the way in and out */                          \
	X(DEBUG_WRITE, 1, 2)   /* (const char *buf, uint32_t len <= 4096) -> len */                \
	X(THREAD_CREATE, 2, 4) /* (entry, stack_top, arg, prio) -> thread handle */                \
	X(THREAD_EXIT, 3, 1)   /* (int code) -> does not return */                                 \
	X(THREAD_YIELD, 4, 0)  /* () -> 0 */                                                       \
	X(THREAD_SLEEP, 5, 1)  /* (uint32_t us) -> 0 */                                            \
	X(TASK_SPAWN, 6, 3)    /* (const char *name, uint32_t len, struct keel_spawn *) -> task */ \
	X(TASK_EXIT, 7, 1)     /* (int status) -> does not return */                               \
	X(TASK_WAIT, 8, 3)     /* (task handle, int *status, uint32_t timeout_us) -> 0 */          \
	X(TASK_KILL, 9, 1)     /* (task handle) -> 0 */                                            \
	X(CLOCK_READ, 10, 1)   /* (uint64_t *us) -> 0 */                                           \
	X(MEM_MAP, 11, 3)      /* (void *addr, uint32_t size, uint32_t prot) -> 0 */               \
	X(MEM_UNMAP, 12, 2)    /* (void *addr, uint32_t size) -> 0 */                              \
	X(MEM_PROTECT, 13, 3)  /* (void *addr, uint32_t size, uint32_t prot) -> 0 */               \
	X(HANDLE_CLOSE, 14, 1) /* (handle) -> 0 */                                                 \
	X(HANDLE_QUERY, 15, 2) /* (handle, struct keel_handle_info *) -> 0 */                      \
	X(TASK_INFO, 16, 2)    /* (task handle or KEEL_SELF, struct keel_task_info *) -> 0 */      \
	X(ENDPOINT_CREATE, 17, 1) /* (const struct keel_ipc_limits *) -> endpoint handle */        \
	X(IPC_SEND, 18, 3)        /* (endpoint, struct keel_msg *, timeout_us) -> 0 */             \
	X(IPC_RECV, 19, 3)        /* (endpoint, struct keel_msg *, timeout_us) -> 0 */             \
	X(IPC_CALL, 20, 3)        /* (endpoint, struct keel_msg *, timeout_us) -> 0, the reply */  \
	X(IPC_REPLY, 21, 1)       /* (const struct keel_msg *) -> 0 */                             \
	X(IPC_REPLY_RECV, 22, 3)  /* (endpoint, struct keel_msg *, timeout_us) -> 0, the next */   \
	X(NOTIFY_CREATE, 23, 0)   /* () -> notification handle */                                  \
	X(NOTIFY_SIGNAL, 24, 2)   /* (notification, uint32_t bits) -> 0 */                         \
	X(NOTIFY_WAIT, 25, 3)     /* (notification, uint32_t *bits, timeout_us) -> 0 */            \
	X(NOTIFY_BIND, 26, 1)     /* (notification, or -1 to unbind) -> 0 */                       \
	X(CHANNEL_CREATE, 27, 3)  /* (depth, max_len, const struct keel_ipc_limits *) -> handle */ \
	X(CHANNEL_SEND, 28, 3)    /* (channel, const struct keel_msg *, timeout_us) -> 0 */        \
	X(CHANNEL_RECV, 29, 3)    /* (channel, struct keel_msg *, timeout_us) -> 0 */              \
	X(CAP_DERIVE, 30, 3)      /* (handle, rights, range) -> the new handle */                  \
	X(CAP_REVOKE, 31, 1)      /* (handle) -> 0, once all derived from it are deleted */        \
	X(CAP_INFO, 32, 2)        /* (handle, struct keel_cap_info *) -> 0 */                      \
	X(FRAMES_ALLOC, 33, 2)    /* (memory handle, uint32_t pages) -> frames handle */           \
	X(FRAMES_MAP, 34, 3)      /* (frames handle, void *addr, uint32_t prot) -> 0 */            \
	X(FRAMES_UNMAP, 35, 1)    /* (frames handle) -> 0 */                                       \
	X(IRQ_BIND, 36, 3)        /* (irq handle, notification, uint32_t bits) -> 0 */             \
	X(IRQ_ACK, 37, 1)         /* (irq handle) -> 0: the line may interrupt again */            \
	X(IOPORT_ENABLE, 38, 1)   /* (ioport handle) -> 0: in/out on its ports */                  \
	X(DEVICE_MAP, 39, 3)      /* (device handle, void *addr, uint32_t prot) -> 0 */            \
	X(DEVICE_UNMAP, 40, 1)    /* (device handle) -> 0 */                                       \
	X(TASK_NOTIFY, 41, 3)     /* (task handle, notification, uint32_t bits) -> 0 */
/* [abi_calls] */

/** @brief System-call numbers: KEEL_SYS_NULL, KEEL_SYS_DEBUG_WRITE, ... */
enum keel_syscall {
/** @brief One enumerator from an entry of KEEL_SYSCALLS (undefined right after). */
#define KEEL_ABI_SYS_(name, number, nargs) KEEL_SYS_##name = (number),
	KEEL_SYSCALLS(KEEL_ABI_SYS_)
#undef KEEL_ABI_SYS_
	    KEEL_SYS_COUNT = 42, /**< One past the highest number. */
};

/** @brief The interrupt vector of the `int` entry. */
#define KEEL_SYSCALL_VECTOR 0x80
/** @brief Arguments a call can take (ebx, esi, edi, ebp). */
#define KEEL_SYSCALL_ARGS_MAX 4
/** @brief The call word for call @p nr with @p nargs arguments. */
#define KEEL_CALL(nr, nargs) ((uint32_t)(nr) | ((uint32_t)(nargs) << 8))
/** @brief The call number in a call word. */
#define KEEL_CALL_NR(word) ((word)&0xffu)
/** @brief The argument count in a call word. */
#define KEEL_CALL_NARGS(word) (((word) >> 8) & 0xfu)
/** @brief The reserved bits of a call word: must be zero. */
#define KEEL_CALL_RESERVED 0xfffff000u

/** @brief A timeout that never expires. */
#define KEEL_TIMEOUT_NEVER 0xffffffffu

/* [abi_handles] */
/**
 * @brief A handle: a task's name for a kernel object, an index into its
 * own handle table. Non-negative; the low KEEL_HANDLE_INDEX_BITS bits are
 * the slot, the bits above it the slot's generation, so a handle that was
 * closed is refused even after its slot is reused.
 */
typedef int32_t keel_handle_t;
/** @brief Bits of a handle that name the slot. */
#define KEEL_HANDLE_INDEX_BITS 12
/** @brief The most slots a task's handle table may have (keel_spawn.slots). */
#define KEEL_HANDLES_MAX (1 << KEEL_HANDLE_INDEX_BITS)
/** @brief The slots of a task's handle table unless its spawner asks otherwise. */
#define KEEL_HANDLES_DEFAULT 64
/** @brief The handle every task holds to itself, in slot 0. */
#define KEEL_SELF 0

/** @brief What a handle names. */
enum keel_object_type {
	KEEL_OBJ_NONE = 0,         /**< An empty slot. */
	KEEL_OBJ_TASK = 1,         /**< A task. */
	KEEL_OBJ_THREAD = 2,       /**< A thread. */
	KEEL_OBJ_ENDPOINT = 3,     /**< An IPC endpoint (slice 4). */
	KEEL_OBJ_NOTIFICATION = 4, /**< A notification word (slice 4). */
	KEEL_OBJ_CHANNEL = 5,      /**< A bounded message queue (slice 4). */
	KEEL_OBJ_MEMORY = 6,       /**< Free memory: frames may be taken from it (slice 5). */
	KEEL_OBJ_FRAMES = 7,       /**< A run of physical frames (slice 5). */
	KEEL_OBJ_ARCHIVE = 8,      /**< The boot archive: programs to spawn (slice 5). */
	KEEL_OBJ_IRQ = 9,          /**< Interrupt lines (slice 6). */
	KEEL_OBJ_IOPORT = 10,      /**< I/O ports (slice 6). */
	KEEL_OBJ_DEVICE = 11,      /**< Device memory: physical pages that are not RAM (slice 6). */
	KEEL_OBJ_LAST = 11,        /**< The highest type. */
};

/** @brief Rights a handle carries; a call checks the one it needs. */
enum keel_rights {
	KEEL_RIGHT_READ = 1u << 0,   /**< Query the object. */
	KEEL_RIGHT_WRITE = 1u << 1,  /**< Change it. */
	KEEL_RIGHT_WAIT = 1u << 2,   /**< Wait for it to end. */
	KEEL_RIGHT_KILL = 1u << 3,   /**< End it. */
	KEEL_RIGHT_SEND = 1u << 4,   /**< Send, call or signal through it. */
	KEEL_RIGHT_RECV = 1u << 5,   /**< Receive or wait on it. */
	KEEL_RIGHT_GRANT = 1u << 6,  /**< Pass it on in a message or to a spawned task. */
	KEEL_RIGHT_DERIVE = 1u << 7, /**< Derive a capability from it (slice 5). */
	KEEL_RIGHT_MAP = 1u << 8,    /**< Map it, with execute allowed (memory, slice 5). */
	KEEL_RIGHT_ALL = 0x1ffu,     /**< Every right above. */
};
/* [abi_handles] */

/* [abi_needs] */
/**
 * @brief What each call needs of the handle it takes first: X(call,
 * type, rights). The kernel's lookup for a call names the call's entry
 * (KEEL_NEED_TYPE_<call>, KEEL_NEED_RIGHTS_<call>), and every lookup is
 * one function (handle_get()), which refuses a handle of another type
 * (KEEL_ERR_WRONG_TYPE; KEEL_OBJ_NONE: any type) or without every one of
 * those rights (KEEL_ERR_DENIED). A handle passed on, in a message or at
 * spawn (keel_spawn.give), needs KEEL_RIGHT_GRANT. The calls not listed
 * take no handle: they act on the caller itself (its threads, its own
 * address space within its frame limit, the objects it creates) or, for
 * IPC_REPLY, on the reply right its thread holds.
 */
#define KEEL_CALL_NEEDS(X)                                                                         \
	X(TASK_WAIT, KEEL_OBJ_TASK, KEEL_RIGHT_WAIT)                                               \
	X(TASK_KILL, KEEL_OBJ_TASK, KEEL_RIGHT_KILL)                                               \
	X(TASK_INFO, KEEL_OBJ_TASK, KEEL_RIGHT_READ)                                               \
	X(HANDLE_CLOSE, KEEL_OBJ_NONE, 0)                                                          \
	X(HANDLE_QUERY, KEEL_OBJ_NONE, 0)                                                          \
	X(IPC_SEND, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_SEND)                                            \
	X(IPC_RECV, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_RECV)                                            \
	X(IPC_CALL, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_SEND)                                            \
	X(IPC_REPLY_RECV, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_RECV)                                      \
	X(NOTIFY_SIGNAL, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SEND)                                   \
	X(NOTIFY_WAIT, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_RECV)                                     \
	X(NOTIFY_BIND, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_RECV)                                     \
	X(CHANNEL_SEND, KEEL_OBJ_CHANNEL, KEEL_RIGHT_SEND)                                         \
	X(CHANNEL_RECV, KEEL_OBJ_CHANNEL, KEEL_RIGHT_RECV)                                         \
	X(CAP_DERIVE, KEEL_OBJ_NONE, KEEL_RIGHT_DERIVE)                                            \
	X(CAP_REVOKE, KEEL_OBJ_NONE, 0)                                                            \
	X(CAP_INFO, KEEL_OBJ_NONE, 0)                                                              \
	X(FRAMES_ALLOC, KEEL_OBJ_MEMORY, KEEL_RIGHT_WRITE)                                         \
	X(FRAMES_MAP, KEEL_OBJ_FRAMES, KEEL_RIGHT_MAP)                                             \
	X(FRAMES_UNMAP, KEEL_OBJ_FRAMES, 0)                                                        \
	X(IRQ_BIND, KEEL_OBJ_IRQ, KEEL_RIGHT_WRITE)                                                \
	X(IRQ_ACK, KEEL_OBJ_IRQ, KEEL_RIGHT_WRITE)                                                 \
	X(IOPORT_ENABLE, KEEL_OBJ_IOPORT, KEEL_RIGHT_WRITE)                                        \
	X(DEVICE_MAP, KEEL_OBJ_DEVICE, KEEL_RIGHT_MAP)                                             \
	X(DEVICE_UNMAP, KEEL_OBJ_DEVICE, 0)                                                        \
	X(TASK_NOTIFY, KEEL_OBJ_TASK, KEEL_RIGHT_WAIT)

/** @brief KEEL_NEED_TYPE_<call> and KEEL_NEED_RIGHTS_<call> from KEEL_CALL_NEEDS. */
enum keel_call_needs {
/** @brief Two enumerators from an entry of KEEL_CALL_NEEDS (undefined right after). */
#define KEEL_ABI_NEED_(name, type, rights)                                                         \
	KEEL_NEED_TYPE_##name = (type), KEEL_NEED_RIGHTS_##name = (rights),
	KEEL_CALL_NEEDS(KEEL_ABI_NEED_)
#undef KEEL_ABI_NEED_
};
/* [abi_needs] */

/** @brief What HANDLE_QUERY tells. Every byte is written (padding is zero). */
struct keel_handle_info {
	uint32_t type;     /**< enum keel_object_type. */
	uint32_t rights;   /**< enum keel_rights. */
	uint32_t id;       /**< The object's kernel id, for reports only. */
	uint32_t reserved; /**< Zero. */
};

/** @brief What TASK_INFO tells about a task. Every byte is written. */
struct keel_task_info {
	uint32_t id;           /**< The task's kernel id, for reports only. */
	uint32_t threads;      /**< Threads alive. */
	uint32_t frames;       /**< Frames it holds (pages, page tables). */
	uint32_t frame_limit;  /**< Most frames it may hold. */
	uint32_t thread_limit; /**< Most threads it may have. */
	uint32_t handles;      /**< Handle slots in use. */
	char name[16];         /**< Its program's name, NUL-terminated. */
};

/** @brief Options for TASK_SPAWN; a NULL pointer takes every default. */
struct keel_spawn {
	uint32_t frame_limit;  /**< Frames the child may hold; 0: the default. */
	uint32_t thread_limit; /**< Threads it may have; 0: the default. */
	uint32_t arg;          /**< Passed to its first thread (main's argument). */
	uint32_t flags;        /**< Must be 0 (reserved). */
	keel_handle_t give;    /**< A handle of the spawner's (with KEEL_RIGHT_GRANT) to copy
	                            into the child as KEEL_SPAWN_GIVEN; 0: none. */
	uint32_t give_rights;  /**< The rights the child's copy keeps (a subset of give's). */
	uint32_t slots;        /**< Slots of its handle table, 2 to KEEL_HANDLES_MAX; 0: the
	                            default (KEEL_HANDLES_DEFAULT). */
	keel_handle_t archive; /**< From slice 5: the archive capability (KEEL_RIGHT_READ) the
	                            program is found through; 0: KEEL_ROOT_ARCHIVE. */
};

/**
 * @brief The handle in which a spawned task finds what keel_spawn.give
 * named: slot 1 of a fresh table, at its first generation.
 */
#define KEEL_SPAWN_GIVEN (1 | (1 << KEEL_HANDLE_INDEX_BITS))

/** @brief Memory rights for MEM_MAP and MEM_PROTECT: read is implied. */
enum keel_prot {
	KEEL_PROT_WRITE = 1u << 0, /**< Writable. Never with KEEL_PROT_EXEC (W^X). */
	KEEL_PROT_EXEC = 1u << 1,  /**< Executable. */
};

/** @brief A task's exit status when a fault killed it: KEEL_FAULT_STATUS | vector. */
#define KEEL_FAULT_STATUS 0x40000000
/** @brief A task's exit status when TASK_KILL ended it. */
#define KEEL_KILLED_STATUS 0x20000000

/* [abi_caps] */
/**
 * @name Capabilities (slice 5)
 *
 * Every handle is a capability: the holder may do to the object what its
 * rights allow, and nothing else. CAP_DERIVE makes a new capability in
 * the caller's table to the same object with no more rights (it needs
 * KEEL_RIGHT_DERIVE); a handle copied in a message or given at spawn is
 * derived the same way (it needs KEEL_RIGHT_GRANT). The kernel records
 * what was derived from what: CAP_REVOKE deletes every capability derived
 * from one, directly or not, in every task that holds one, and closing a
 * handle first revokes it. So nothing derived outlives its source, and an
 * object, which dies when the handle it was made with is closed, leaves no
 * capability behind. A revoked handle is stale: KEEL_ERR_BAD_HANDLE.
 * A derivation tree is at most KEEL_CAP_DEPTH_MAX deep (KEEL_ERR_LIMIT).
 *
 * Memory. A task given a KEEL_OBJ_MEMORY capability (the root task holds
 * the original, KEEL_ROOT_MEMORY) may take runs of frames from it with
 * FRAMES_ALLOC, charged to its own frame limit. A frames capability maps
 * with FRAMES_MAP at one place in its holder's space (KEEL_RIGHT_MAP; a
 * writable mapping needs KEEL_RIGHT_WRITE as well; W^X holds); a derived
 * one may name a part of the run (CAP_DERIVE's range). Two tasks share
 * memory by mapping capabilities to the same run; revoking or closing a
 * capability unmaps what it mapped, and the frames return to their
 * allocator's account when the capability FRAMES_ALLOC gave is closed.
 * MEM_UNMAP and MEM_PROTECT refuse (KEEL_ERR_DENIED) pages mapped this way.
 *
 * Programs. TASK_SPAWN finds the program through an archive capability
 * with KEEL_RIGHT_READ: keel_spawn.archive, or KEEL_ROOT_ARCHIVE when that
 * is 0. The root task holds the original; a task it does not give one to
 * cannot spawn (KEEL_ERR_BAD_HANDLE, or KEEL_ERR_DENIED without READ).
 * @{
 */
/** @brief CAP_INFO counts what was derived up to this many (the walk is bounded). */
#define KEEL_CAP_INFO_DERIVED_MAX 4096
/** @brief The deepest a capability can be in its derivation tree. */
#define KEEL_CAP_DEPTH_MAX 0xfffe
/** @brief The most pages in one run of frames (a power of two). */
#define KEEL_FRAMES_PAGES_MAX 1024
/** @brief A range for CAP_DERIVE of a frames capability: @p pages from page @p first. */
#define KEEL_RANGE(first, pages) ((uint32_t)(first) << 16 | (uint32_t)(pages))
/** @brief The root task's capability to all free memory (slot 2). */
#define KEEL_ROOT_MEMORY (2 | (1 << KEEL_HANDLE_INDEX_BITS))
/**
 * @brief The root task's capability to the boot archive, which TASK_SPAWN
 * finds programs through (slot 63, the last of a default table, out of
 * the way of the handles a program makes).
 */
#define KEEL_ROOT_ARCHIVE (63 | (1 << KEEL_HANDLE_INDEX_BITS))

/** @brief What CAP_INFO tells. Every byte is written. */
struct keel_cap_info {
	uint32_t type;    /**< enum keel_object_type. */
	uint32_t rights;  /**< enum keel_rights. */
	uint32_t id;      /**< The object's kernel id, for reports only. */
	uint32_t depth;   /**< Its depth in its derivation tree: 0 for an original. */
	uint32_t derived; /**< How many capabilities were derived from it, directly or not,
	                       counted up to KEEL_CAP_INFO_DERIVED_MAX. */
	uint32_t range;   /**< Frames: KEEL_RANGE(first, pages) of the run it names; interrupt
	                       lines, I/O ports, device memory: KEEL_RANGE(first, count). */
	uint32_t mapped;  /**< Frames, device memory: where it is mapped, or 0. */
	uint32_t pages;   /**< Frames: pages in the whole run; memory: free frames now. */
};
/** @} */
/* [abi_caps] */

/* [abi_dev] */
/**
 * @name Hardware (slice 6)
 *
 * Drivers are user tasks. The root task holds the originals: KEEL_ROOT_IRQ
 * (the interrupt lines), KEEL_ROOT_IOPORT (I/O ports) and KEEL_ROOT_DEVICE
 * (device memory: 0xA0000 to 0xFFFFF). Each names KEEL_RANGE(first, count)
 * of lines, ports or pages; CAP_DERIVE with a range names a part.
 *
 * IRQ_BIND binds a capability to one line (KEEL_RANGE(line, 1)) to a
 * notification (KEEL_RIGHT_SEND): at each interrupt the kernel masks the
 * line and signals the bits given; the line stays masked until IRQ_ACK.
 * Lines the kernel drives itself are KEEL_ERR_DENIED, a bound one BUSY.
 * IOPORT_ENABLE lets the caller use in and out on the capability's ports
 * (x86: its I/O permission bitmap); any other port faults the task
 * (KEEL_FAULT_STATUS | 13); ranges may not overlap (BUSY); the interrupt
 * controllers' and timer's ports are never given (DENIED). DEVICE_MAP maps
 * device memory uncached like FRAMES_MAP (MAP; WRITE to write; never
 * executable: DENIED). Deleting (closing, revoking, a task's end) or moving
 * a hardware capability masks and frees its line, takes its ports back
 * and unmaps its memory. TASK_NOTIFY signals a notification (SEND) when a
 * task (WAIT) ends: one a task; a second replaces it, bits 0 cancels.
 * @{
 */
/** @brief Interrupt lines (x86: the two 8259 controllers' 16). */
#define KEEL_IRQ_LINES 16
/** @brief The root task's capability to every interrupt line it may use (slot 60). */
#define KEEL_ROOT_IRQ (60 | (1 << KEEL_HANDLE_INDEX_BITS))
/** @brief The root task's capability to I/O ports 0 to 0xfffe (slot 61). */
#define KEEL_ROOT_IOPORT (61 | (1 << KEEL_HANDLE_INDEX_BITS))
/** @brief The root task's capability to device memory (slot 62). */
#define KEEL_ROOT_DEVICE (62 | (1 << KEEL_HANDLE_INDEX_BITS))
/** @brief The physical address of the first page KEEL_ROOT_DEVICE names. */
#define KEEL_DEVICE_BASE 0xA0000u
/** @brief How many pages KEEL_ROOT_DEVICE names (to 0xFFFFF). */
#define KEEL_DEVICE_PAGES 96u
/**
 * @brief A bit of the root task's argument: the kernel monitor reads the
 * serial line's input after boot (a debugging build's `make run`), so a
 * serial driver should take only its output.
 */
#define KEEL_ROOT_ARG_MONITOR 1u
/** @brief A bit of the root task's argument: the kernel started it at boot
 *  (it stays up); without it, a test runs it, and it cleans up and ends. */
#define KEEL_ROOT_ARG_BOOT 2u
/** @} */
/* [abi_dev] */

/* [abi_ipc] */
/**
 * @name Messages (slice 4)
 *
 * One struct keel_msg describes a message both ways: the sender fills it,
 * the kernel fills the receiver's. The head (label, flags, len, nhandles,
 * the words) is always copied; the buffer and the handles only when len
 * or nhandles says there are some, so a register-sized message costs the
 * head alone. The kernel never reads the label or the words: their
 * meaning is the protocol's between the two sides.
 *
 * Endpoints are rendezvous points: a send or call waits until a receiver
 * takes the message, and nothing is queued in the kernel but the waiting
 * threads, first come first served. IPC_CALL sends and then waits for the
 * reply; the receiver gets a one-time right to reply, kept with its
 * thread (one per thread) until IPC_REPLY or IPC_REPLY_RECV uses it, and
 * while it holds it the thread runs at least at the caller's priority.
 * Channels queue up to a fixed number of messages (no handles); a
 * notification is a word of bits that NOTIFY_SIGNAL ORs in and
 * NOTIFY_WAIT takes. Every wait takes a timeout: 0 polls
 * (KEEL_ERR_TIMED_OUT at once if it would wait), KEEL_TIMEOUT_NEVER waits
 * for ever; a call's timeout covers both its send and its wait for the
 * reply, and cannot be 0 (KEEL_ERR_INVALID): a call always waits.
 * @{
 */
/** @brief Words of a message carried without a buffer. */
#define KEEL_MSG_WORDS 4
/** @brief Handles one message can carry. */
#define KEEL_MSG_HANDLES 4
/** @brief The longest buffer one message can carry, in bytes. */
#define KEEL_MSG_BUF_MAX 256
/** @brief The deepest channel (messages it can hold). */
#define KEEL_CHANNEL_DEPTH_MAX 64

/** @brief Flags of keel_msg.flags. */
enum keel_msg_flags {
	KEEL_MSG_MOVE = 1u << 0, /**< Send: move the handles (the sender loses them), not copy. */
	KEEL_MSG_TRUNCATED = 1u << 8, /**< Received: len > cap; only cap bytes were written. */
	KEEL_MSG_NOTIFIED = 1u << 9,  /**< Received: not a message but the bound notification's
	                                   bits, in word[0]. */
	KEEL_MSG_CALL = 1u << 10, /**< Received: a call: the receiver now holds its reply right. */
	/** The flags a receive sets: ignored when a message goes out (so a
	 *  server can reply with the struct it received into); any other
	 *  bit but KEEL_MSG_MOVE is KEEL_ERR_INVALID. */
	KEEL_MSG_RECEIVED = KEEL_MSG_TRUNCATED | KEEL_MSG_NOTIFIED | KEEL_MSG_CALL,
};

/** @brief A message, as a sender gives it and a receiver gets it. */
struct keel_msg {
	uint32_t label;    /**< Sender's: what the message is (never read by the kernel). */
	uint32_t flags;    /**< enum keel_msg_flags: in, MOVE; out, what arrived. */
	uint32_t len;      /**< Bytes in buf: sent (<= KEEL_MSG_BUF_MAX), or that came. */
	uint32_t nhandles; /**< Handles in handle[]: to pass, or that came. */
	uint32_t word[KEEL_MSG_WORDS]; /**< Data words, carried like registers. */
	uint32_t sender;               /**< Received: the sending task's id (reports, tests). */
	void *buf;                     /**< The bytes to send, or where received ones go. */
	uint32_t cap;                  /**< Receiving: room at buf. */
	keel_handle_t
	    handle[KEEL_MSG_HANDLES]; /**< Yours to pass, or the new ones in your table. */
	uint32_t
	    rights[KEEL_MSG_HANDLES]; /**< Rights to pass (no more than yours), or that came. */
};

/** @brief Optional limits for a new endpoint or channel; a NULL pointer: none. */
struct keel_ipc_limits {
	uint32_t rate;     /**< Messages per second a token bucket lets through; 0: no limit. */
	uint32_t burst;    /**< The bucket's depth (messages at once); 0 with a rate: 1. */
	uint32_t reserved; /**< Zero. */
};
/** @} */
/* [abi_ipc] */

/** @brief The lowest user address (i386): page 0 is never mapped. */
#define KEEL_USER_BASE 0x00001000u
/** @brief One past the highest user address (i386): the kernel's half begins here. */
#define KEEL_USER_END 0xC0000000u

#endif
