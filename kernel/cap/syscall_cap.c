/*
 * syscall_cap.c - the capability system calls: CAP_DERIVE, CAP_REVOKE,
 * CAP_INFO, and the memory calls FRAMES_ALLOC, FRAMES_MAP, FRAMES_UNMAP.
 *
 * Each takes the handle it acts on first and looks it up once, under
 * sched_lock, for the type and rights abi.h's KEEL_CALL_NEEDS gives for
 * the call.
 */
#include <keel/frame.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

#include "cap_internal.h"

/* The caller's slot @p h names, of @p type (NONE: any) with @p rights. sched_lock held. */
static kstatus_t cap_arg(keel_handle_t h, unsigned type, unsigned rights, struct handle_slot **out)
{
	const struct handle_slot *s;
	kstatus_t st = handle_get(&task_current()->handles, h, type, rights, &s);

	*out = (struct handle_slot *)s;
	return st;
}

/* The badge of a capability derived from @p from asking for @p range: a
 * part of what a ranged capability (cap_range_types) names; nothing for
 * any other type. */
static kstatus_t derived_badge(const struct handle_slot *from, uint32_t range, uint32_t *badge)
{
	uint32_t first = range >> 16, pages = range & 0xffffu;

	if (!(cap_range_types & (1u << from->type))) {
		*badge = from->badge;
		return range == 0 ? KEEL_OK : KEEL_ERR_INVALID;
	}
	if (range == 0) {
		*badge = from->badge; /* the whole of what it names */
		return KEEL_OK;
	}
	if (pages == 0 || first + pages > range_pages(from))
		return KEEL_ERR_RANGE; /* no more than its source names */
	*badge = KEEL_RANGE(range_first(from) + first, pages);
	return KEEL_OK;
}

/* [sys_cap_derive] */
static int32_t sys_cap_derive(const uint32_t *a)
{
	struct handle_slot *from;
	keel_handle_t h = KEEL_ERR_INVALID;
	uint32_t badge = 0;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t s = cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_CAP_DERIVE,
	                      KEEL_NEED_RIGHTS_CAP_DERIVE, &from);

	if (s == KEEL_OK)
		s = derived_badge(from, a[2], &badge);
	if (s == KEEL_OK)
		s = cap_derive(from, &task_current()->handles, a[1], badge, &h);
	spin_unlock(&sched_lock, flags);
	return s == KEEL_OK ? h : s;
}
/* [sys_cap_derive] */

/* [sys_cap_revoke] */
/* CAP_REVOKE_STEP deletions at a time, under the lock; between two
 * batches a better thread that became ready runs (sched_preempt), so
 * revoking a large tree delays nobody by more than one batch. */
static int32_t sys_cap_revoke(const uint32_t *a)
{
	for (;;) {
		struct handle_slot *s;
		unsigned n = 0;
		spinflags_t flags = spin_lock(&sched_lock);
		kstatus_t st = cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_CAP_REVOKE,
		                       KEEL_NEED_RIGHTS_CAP_REVOKE, &s);
		if (st == KEEL_OK)
			n = cap_revoke(s, CAP_REVOKE_STEP);
		spin_unlock(&sched_lock, flags);
		if (st != KEEL_OK || n < CAP_REVOKE_STEP)
			return st; /* a handle closed meanwhile: stale, and nothing is left */
		sched_preempt();
	}
}
/* [sys_cap_revoke] */

/* What CAP_INFO tells about @p s; sched_lock held. */
static struct keel_cap_info info_of(const struct handle_slot *s)
{
	struct keel_cap_info i;
	const struct frames *f = frames_lookup(s->object);

	i = (struct keel_cap_info){.type = s->type,
	                           .rights = s->rights,
	                           .id = s->object,
	                           .depth = s->depth,
	                           .derived = cap_derived_upto(s, KEEL_CAP_INFO_DERIVED_MAX)};
	if (cap_range_types & (1u << s->type)) {
		i.range = s->badge;
		i.mapped = s->mapped;
	}
	if (s->type == KEEL_OBJ_FRAMES) {
		i.pages = f ? 1u << f->order : 0;
	} else if (s->type == KEEL_OBJ_MEMORY && (s->rights & KEEL_RIGHT_READ)) {
		i.pages =
		    frame_free_count(); /* the system's free memory: to those who may read it */
	}
	return i;
}

static int32_t sys_cap_info(const uint32_t *a)
{
	struct keel_cap_info info;
	struct handle_slot *s;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st =
	    cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_CAP_INFO, KEEL_NEED_RIGHTS_CAP_INFO, &s);

	if (st == KEEL_OK)
		info = info_of(s);
	spin_unlock(&sched_lock, flags);
	return st == KEEL_OK ? copy_to_user(a[1], &info, sizeof(info)) : st;
}

static int32_t sys_frames_alloc(const uint32_t *a)
{
	struct handle_slot *mem;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_FRAMES_ALLOC,
	                       KEEL_NEED_RIGHTS_FRAMES_ALLOC, &mem);

	spin_unlock(&sched_lock, flags);
	return st == KEEL_OK ? frames_alloc(task_current(), (keel_handle_t)a[0], a[1]) : st;
}

static int32_t sys_frames_map(const uint32_t *a)
{
	struct handle_slot *s;
	uintptr_t va = a[1];

	if (va & (PAGE_BYTES - 1))
		return KEEL_ERR_ALIGN;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_FRAMES_MAP,
	                       KEEL_NEED_RIGHTS_FRAMES_MAP, &s);
	if (st == KEEL_OK)
		st = frames_map(task_current(), s, va, a[2]);
	spin_unlock(&sched_lock, flags);
	return st;
}

static int32_t sys_frames_unmap(const uint32_t *a)
{
	struct handle_slot *s;
	spinflags_t flags = spin_lock(&sched_lock);
	kstatus_t st = cap_arg((keel_handle_t)a[0], KEEL_NEED_TYPE_FRAMES_UNMAP,
	                       KEEL_NEED_RIGHTS_FRAMES_UNMAP, &s);

	if (st == KEEL_OK)
		st = frames_unmap(s);
	spin_unlock(&sched_lock, flags);
	return st;
}

void cap_syscalls_install(void)
{
	syscall_install(KEEL_SYS_CAP_DERIVE, sys_cap_derive);
	syscall_install(KEEL_SYS_CAP_REVOKE, sys_cap_revoke);
	syscall_install(KEEL_SYS_CAP_INFO, sys_cap_info);
	syscall_install(KEEL_SYS_FRAMES_ALLOC, sys_frames_alloc);
	syscall_install(KEEL_SYS_FRAMES_MAP, sys_frames_map);
	syscall_install(KEEL_SYS_FRAMES_UNMAP, sys_frames_unmap);
}
