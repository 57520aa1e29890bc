/*
 * cap_internal.h - what the files of kernel/cap/ share: the memory
 * objects (frames.c) and the revocation the system calls and the hooks
 * use (space.c).
 */
#ifndef KEEL_CAP_INTERNAL_H
#define KEEL_CAP_INTERNAL_H

#include <keel/cap.h>
#include <keel/pmm.h>
#include <keel/task.h>

/** The one memory object's id: free memory is one thing. */
#define MEMORY_ID 1
/** The one archive object's id: the boot archive. */
#define ARCHIVE_ID 1
/** Runs of frames that can exist at once. */
#define FRAMES_MAX 128

/* A run of 2^order frames: the object a frames capability names. */
struct frames {
	uint32_t id;     /* slot | generation << 8; 0 when free */
	uint32_t gen;    /* the slot's last generation */
	paddr_t base;    /* its first frame */
	unsigned order;  /* 2^order frames */
	owner_t charged; /* whose account pays for it: its allocator's */
};

extern struct frames frames_pool[FRAMES_MAX];

/* The live run @p id names, or NULL (destroyed since). sched_lock held. */
struct frames *frames_lookup(uint32_t id);

/* Allocate a zeroed run of @p pages (a power of two, 1 to
 * KEEL_FRAMES_PAGES_MAX) charged to @p t; publish it as an original
 * capability in @p t's table with every right. No lock held.
 * Returns the handle, or KEEL_ERR_INVALID, KEEL_ERR_LIMIT (@p t's frame
 * limit, or its table is full, or no run object is free), KEEL_ERR_NO_MEMORY;
 * what handle_get() says of @p memory, checked again when the run is
 * published (the capability may have been revoked while it was zeroed). */
int32_t frames_alloc(struct task *t, keel_handle_t memory, uint32_t pages);

/* Map the capability in @p s at @p va of its holder @p t's space, with
 * @p prot (enum keel_prot). sched_lock held. */
kstatus_t frames_map(struct task *t, struct handle_slot *s, uintptr_t va, uint32_t prot);

/* A capability is being deleted (closed, revoked, or its task ending):
 * undo its mapping, and destroy a run whose original it is. sched_lock held. */
void frames_deleting(struct handle_slot *s);

/* Route slice 5's call numbers to syscall_cap.c (from space.c's start-up). */
void cap_syscalls_install(void);

#endif
