/*
 * cap_test.h - what slice 5's test programs share: a capability's facts
 * in one call, a peer task in a role, and the addresses the memory cases
 * map at. The IPC helpers (threads, spawning with a handle, waiting) come
 * from slice 4's ipc_test.h.
 */
#ifndef CAP_TEST_H
#define CAP_TEST_H

#include "../ipc/ipc_test.h"

/* Where the memory cases map runs of frames: far from the program and its stacks. */
#define MAP_AT    0x40000000u
#define MAP_OTHER 0x48000000u
/* What a shared page holds, word by word: a pattern both sides can check. */
#define PATTERN(i) (0x5a5a0000u + (uint32_t)(i))

/* The roles of t_cap_peer (its argument: PEER_ARG(role, param)). */
enum cap_peer_role {
	CAPPEER_USE = 1,      /* signal GIVEN (a notification) until refused; exit with the error */
	CAPPEER_MAP_READ = 2, /* map GIVEN (frames) read-only, check the pattern, exit 0 */
	CAPPEER_WRITE_RO = 3, /* map GIVEN read-only and write to it: a fault must end it */
	CAPPEER_READ_LOOP = 4, /* take a call on GIVEN with a frames capability, map it
	                          read-only, reply, read it until a fault ends it */
	CAPPEER_FORGE = 5,     /* try handle param (the spawner's), its neighbours and small
	                          numbers on every call: all refused */
	CAPPEER_RECV_USE = 6,  /* receive a notification on GIVEN, signal it until refused */
	CAPPEER_NO_MEMORY = 7, /* without a memory capability, try to take frames */
	CAPPEER_SPAWN = 8,     /* spawn hello through GIVEN; param: the status to expect */
};

/* The type of what @h names, its rights, depth and derived count (CAP_INFO). */
static inline struct keel_cap_info cap_info(keel_handle_t h)
{
	struct keel_cap_info i;

	memset(&i, 0xff, sizeof(i));
	CHECK_EQ(keel_cap_info(h, &i), 0);
	return i;
}

/* How many capabilities were derived from @h (-1 if it is not live). */
static inline int32_t cap_derived(keel_handle_t h)
{
	struct keel_cap_info i;

	return keel_cap_info(h, &i) == 0 ? (int32_t)i.derived : -1;
}

/* Is @h a live handle? */
static inline bool cap_live(keel_handle_t h)
{
	struct keel_cap_info i;

	return keel_cap_info(h, &i) == 0;
}

/* Frames this task holds now (pages, page tables, runs of frames). */
static inline uint32_t cap_frames_now(void)
{
	struct keel_task_info ti;

	return keel_task_info(KEEL_SELF, &ti) < 0 ? 0 : ti.frames;
}

#endif
