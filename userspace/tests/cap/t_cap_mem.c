/*
 * t_cap_mem.c - memory as capabilities: runs of frames, mapped, shared,
 * revoked.
 *
 * A run of frames is taken from a memory capability (this program, which
 * the kernel spawns itself, holds KEEL_ROOT_MEMORY) and charged to the
 * task; its capability maps it with no more rights than it carries;
 * another task shares it by being given a derived capability, perhaps to
 * a part of it and read-only; revoking that capability unmaps it from
 * the other task at once (its next read faults); closing the original
 * gives the frames back. Every misuse is refused with a clear error and
 * changes nothing: bad sizes, a memory capability without the right to
 * take, rights a mapping would need but the capability lacks, W^X, a
 * second mapping of one capability, a range outside the run, and the
 * space's own calls (MEM_UNMAP, MEM_PROTECT) on a capability's pages.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "cap_test.h"

#define M KEEL_ROOT_MEMORY

/* Write the pattern into the first word of each page of @pages at @at. */
static void fill_pattern(uint32_t at, uint32_t pages)
{
	volatile uint32_t *p = (volatile uint32_t *)at;

	for (uint32_t i = 0; i < pages * 1024; i += 1024)
		p[i] = PATTERN(i);
}

/* A run is zeroed, mapped where asked, charged to us, and given back. */
static void case_alloc_map(void)
{
	uint32_t frames = cap_frames_now(), before = ipc_handles_now();
	int32_t f = keel_frames_alloc(M, 4);
	volatile uint32_t *p = (volatile uint32_t *)MAP_AT;
	struct keel_cap_info i;

	if (!CHECK(f > 0))
		return;
	CHECK(cap_frames_now() >= frames + 4);
	i = cap_info(f);
	CHECK_EQ(i.type, KEEL_OBJ_FRAMES);
	CHECK_EQ(i.rights, KEEL_RIGHT_ALL);
	CHECK_EQ(i.range, KEEL_RANGE(0, 4));
	CHECK_EQ(i.pages, 4);
	CHECK_EQ(i.mapped, 0);
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, KEEL_PROT_WRITE), 0);
	CHECK_EQ(cap_info(f).mapped, MAP_AT);
	for (uint32_t w = 0; w < 4 * 1024; w += 512)
		CHECK_EQ(p[w], 0); /* zeroed */
	fill_pattern(MAP_AT, 4);
	CHECK_EQ(p[1024], PATTERN(1024));
	CHECK_EQ(keel_frames_unmap(f), 0);
	CHECK_EQ(keel_frames_unmap(f), KEEL_ERR_NOT_FOUND);
	CHECK_EQ(keel_frames_map(f, (void *)MAP_OTHER, 0), 0);           /* elsewhere, read-only */
	CHECK_EQ(((volatile uint32_t *)MAP_OTHER)[1024], PATTERN(1024)); /* the same frames */
	CHECK_EQ(keel_handle_close(f), 0); /* unmaps, and frees the run */
	CHECK_EQ(ipc_handles_now(), before);
	CHECK_EQ(keel_mem_map((void *)MAP_OTHER, 4096, KEEL_PROT_WRITE), 0); /* the range is free */
	CHECK_EQ(keel_mem_unmap((void *)MAP_OTHER, 4096), 0);
}

/* Every bad request is refused and leaves nothing behind. */
static void case_bad_requests(void)
{
	uint32_t before = ipc_handles_now();
	int32_t weak = keel_cap_derive(M, KEEL_RIGHT_READ | KEEL_RIGHT_GRANT, 0), f;

	CHECK_EQ(keel_frames_alloc(M, 0), KEEL_ERR_INVALID);
	CHECK_EQ(keel_frames_alloc(M, 3), KEEL_ERR_INVALID); /* a run is 2^k frames */
	CHECK_EQ(keel_frames_alloc(M, KEEL_FRAMES_PAGES_MAX * 2), KEEL_ERR_INVALID);
	CHECK_EQ(keel_frames_alloc(weak, 1), KEEL_ERR_DENIED); /* no WRITE: may not take */
	CHECK_EQ(keel_frames_alloc(KEEL_SELF, 1), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_frames_alloc(M, 256), KEEL_ERR_LIMIT); /* beyond the task's frame limit */
	f = keel_frames_alloc(M, 2);
	if (!CHECK(f > 0))
		return;
	CHECK_EQ(keel_frames_map(f, (void *)(MAP_AT + 8), 0), KEEL_ERR_ALIGN);
	CHECK_EQ(keel_frames_map(f, (void *)0xC0000000u, 0), KEEL_ERR_RANGE);
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, 4), KEEL_ERR_INVALID);
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, KEEL_PROT_WRITE | KEEL_PROT_EXEC),
	         KEEL_ERR_DENIED);
	CHECK_EQ(keel_frames_map(KEEL_SELF, (void *)MAP_AT, 0), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_cap_derive(f, KEEL_RIGHT_ALL, KEEL_RANGE(1, 2)), KEEL_ERR_RANGE);
	CHECK_EQ(keel_cap_derive(f, KEEL_RIGHT_ALL, KEEL_RANGE(2, 1)), KEEL_ERR_RANGE);
	CHECK_EQ(keel_cap_derive(f, KEEL_RIGHT_ALL, KEEL_RANGE(0, 0) | 1u << 16), KEEL_ERR_RANGE);
	/* Over something mapped already: refused, and what was there stays. */
	CHECK_EQ(keel_mem_map((void *)MAP_AT, 4096, KEEL_PROT_WRITE), 0);
	*(volatile uint32_t *)MAP_AT = 7;
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, 0), KEEL_ERR_EXISTS);
	CHECK_EQ(*(volatile uint32_t *)MAP_AT, 7);
	CHECK_EQ(cap_info(f).mapped, 0);
	CHECK_EQ(keel_mem_unmap((void *)MAP_AT, 4096), 0);
	CHECK_EQ(keel_handle_close(f), 0);
	CHECK_EQ(keel_handle_close(weak), 0);
	CHECK_EQ(ipc_handles_now(), before);
}

/* A mapping has no right its capability lacks; the space's calls cannot change it. */
static void case_map_rights(void)
{
	int32_t f = keel_frames_alloc(M, 1), ro, nomap, twice;

	if (!CHECK(f > 0))
		return;
	ro = keel_cap_derive(f, KEEL_RIGHT_READ | KEEL_RIGHT_MAP, 0);
	nomap = keel_cap_derive(f, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE, 0);
	CHECK_EQ(keel_frames_map(ro, (void *)MAP_AT, KEEL_PROT_WRITE), KEEL_ERR_DENIED);
	CHECK_EQ(keel_frames_map(nomap, (void *)MAP_AT, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_frames_map(ro, (void *)MAP_AT, 0), 0);
	CHECK_EQ(keel_frames_map(ro, (void *)MAP_OTHER, 0), KEEL_ERR_BUSY); /* once each */
	/* The space's own calls may not touch it: no write by MEM_PROTECT, no unmap. */
	CHECK_EQ(keel_mem_protect((void *)MAP_AT, 4096, KEEL_PROT_WRITE), KEEL_ERR_DENIED);
	CHECK_EQ(keel_mem_unmap((void *)MAP_AT, 4096), KEEL_ERR_DENIED);
	CHECK_EQ(cap_info(ro).mapped, MAP_AT);
	/* Another capability to the same run maps it again, elsewhere. */
	twice = keel_cap_derive(f, KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_WRITE, 0);
	CHECK_EQ(keel_frames_map(twice, (void *)MAP_OTHER, KEEL_PROT_WRITE), 0);
	*(volatile uint32_t *)MAP_OTHER = 0x1234;
	CHECK_EQ(*(volatile uint32_t *)MAP_AT, 0x1234);
	CHECK_EQ(keel_cap_revoke(f), 0); /* unmaps both */
	CHECK_EQ(cap_info(f).mapped, 0);
	CHECK_EQ(keel_mem_map((void *)MAP_AT, 4096, 0), 0); /* free again */
	CHECK_EQ(keel_mem_unmap((void *)MAP_AT, 4096), 0);
	CHECK_EQ(keel_handle_close(f), 0);
}

/* Shared memory: a child maps a read-only part; writing through it faults. */
static void case_share(void)
{
	int32_t f = keel_frames_alloc(M, 4), part, child;

	if (!CHECK(f > 0))
		return;
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, KEEL_PROT_WRITE), 0);
	fill_pattern(MAP_AT, 4);
	/* Pages 2 and 3 only, read and map only: the child sees page 2 as its first. */
	part = keel_cap_derive(f, KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_GRANT,
	                       KEEL_RANGE(2, 2));
	CHECK_EQ(cap_info(part).range, KEEL_RANGE(2, 2));
	/* The child checks PATTERN(i) at word i of its mapping: shift ours to match. */
	volatile uint32_t *p = (volatile uint32_t *)MAP_AT;
	p[2048] = PATTERN(0);
	p[3072] = PATTERN(1024);
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_MAP_READ, 2), part,
	                  KEEL_RIGHT_READ | KEEL_RIGHT_MAP);
	CHECK_EQ(ipc_reap(child), 0);
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_WRITE_RO, 0), part,
	                  KEEL_RIGHT_READ | KEEL_RIGHT_MAP);
	CHECK_EQ(ipc_reap(child), KEEL_FAULT_STATUS | 14); /* a page fault ended it */
	/* A child given write cannot grow its range or rights either. */
	CHECK_EQ(ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_MAP_READ, 2), part, KEEL_RIGHT_ALL),
	         KEEL_ERR_DENIED);
	CHECK_EQ(cap_derived(f), 1); /* the children's copies went with them */
	CHECK_EQ(keel_handle_close(f), 0);
}

/* Revoking a capability unmaps it from the task using it, at once. */
static void case_revoke_unmaps(void)
{
	int32_t f = keel_frames_alloc(M, 1), ep = keel_endpoint_create(NULL), child;
	struct keel_msg m = {0};

	if (!CHECK(f > 0 && ep > 0))
		return;
	CHECK_EQ(keel_frames_map(f, (void *)MAP_AT, KEEL_PROT_WRITE), 0);
	uint32_t frames = cap_frames_now(); /* the run, and a page table that stays */
	fill_pattern(MAP_AT, 1);
	child = ipc_spawn("t_cap_peer", PEER_ARG(CAPPEER_READ_LOOP, 0), ep, KEEL_RIGHT_RECV);
	m.nhandles = 1;
	m.handle[0] = f;
	m.rights[0] = KEEL_RIGHT_READ | KEEL_RIGHT_MAP;
	CHECK_EQ(keel_call(ep, &m, IPC_WAIT_US), 0); /* the reply: it has mapped its copy */
	CHECK_EQ(cap_derived(f), 1);
	CHECK_EQ(keel_cap_revoke(f), 0);
	CHECK_EQ(ipc_reap(child), KEEL_FAULT_STATUS | 14);
	CHECK_EQ(*(volatile uint32_t *)MAP_AT, PATTERN(0)); /* ours is untouched */
	CHECK_EQ(keel_handle_close(f), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
	CHECK_EQ(cap_frames_now(), frames - 1); /* the run came back */
}

/* A task that ends gives back the runs it took; what it mapped of others' goes. */
static void case_end_gives_back(void)
{
	int32_t f = keel_frames_alloc(M, 8), d;

	if (!CHECK(f > 0))
		return;
	d = keel_cap_derive(f, KEEL_RIGHT_ALL, KEEL_RANGE(0, 8));
	CHECK_EQ(keel_frames_map(d, (void *)MAP_AT, KEEL_PROT_WRITE), 0);
	uint32_t frames = cap_frames_now(); /* the run, and page tables that stay */
	CHECK_EQ(keel_handle_close(f), 0);  /* d goes first, unmapped, then the run */
	CHECK(!cap_live(d));
	CHECK_EQ(keel_mem_map((void *)MAP_AT, 4096, 0), 0);
	CHECK_EQ(keel_mem_unmap((void *)MAP_AT, 4096), 0);
	CHECK_EQ(cap_frames_now(), frames - 8);
	/* Left mapped at exit: the kernel's books must balance after (programs.c checks). */
	f = keel_frames_alloc(M, 2);
	CHECK_EQ(keel_frames_map(f, (void *)MAP_OTHER, KEEL_PROT_WRITE), 0);
}

/* A run's original stays with the task charged for it (it frees the run
 * when it ends); copies move freely. The memory capability's original
 * stays too. What the system has free is told only to READ. */
static void case_originals_stay(void)
{
	struct keel_msg m = {0};
	int32_t ep = keel_endpoint_create(NULL), f = keel_frames_alloc(M, 1), copy;
	int32_t blind = keel_cap_derive(M, KEEL_RIGHT_GRANT, 0);

	if (!CHECK(ep > 0 && f > 0 && blind > 0))
		return;
	m.nhandles = 1;
	m.flags = KEEL_MSG_MOVE;
	m.handle[0] = f;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_DENIED);
	m.handle[0] = M;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_DENIED);
	m.handle[0] = KEEL_ROOT_ARCHIVE;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_DENIED);
	copy = keel_cap_derive(f, KEEL_RIGHT_ALL, 0);
	m.handle[0] = copy;
	CHECK_EQ(keel_send(ep, &m, 0), KEEL_ERR_TIMED_OUT); /* allowed: nobody receives */
	CHECK(cap_info(M).pages > 0);
	CHECK_EQ(cap_info(blind).pages, 0);
	CHECK_EQ(keel_handle_close(f), 0);
	CHECK(!cap_live(copy));
	CHECK_EQ(keel_handle_close(blind), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
}

static const struct utest_case cases[] = {
    {"alloc_map", case_alloc_map},           {"bad_requests", case_bad_requests},
    {"map_rights", case_map_rights},         {"share", case_share},
    {"revoke_unmaps", case_revoke_unmaps},   {"end_gives_back", case_end_gives_back},
    {"originals_stay", case_originals_stay},
};

int main(uint32_t which)
{
	return utest_run("t_cap_mem", cases, sizeof(cases) / sizeof(cases[0]), which);
}
