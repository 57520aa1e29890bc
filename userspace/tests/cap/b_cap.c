/*
 * b_cap.c - times slice 5's capability calls from ring 3 for `make bench`.
 *
 * The kernel's benchmark cases (tests/bench/cap/cap.c) spawn this program
 * with the operation to time as its argument:
 *   1  FRAMES_MAP + FRAMES_UNMAP of a frames capability to a 1-page run
 *   2  the same with a 16-page run
 *   3  CAP_DERIVE of an endpoint capability + HANDLE_CLOSE of the new one
 *   4  the same with the 1-page frames capability, whose closing also
 *      looks for a mapping to undo
 * The runs come from KEEL_ROOT_MEMORY, which a task the kernel spawns
 * holds. Each sample is one round between the serialised timestamp pair
 * of ubench.h, net of the pair's own cost, printed in the runner's
 * "# bench samples" lines.
 */
#include <ubench.h>

/* Where the runs are mapped: far from the program and its stack. */
#define MAP_AT ((void *)0x40000000)

/* What the rounds act on: a frames or an endpoint capability. */
static int32_t target_handle;

/* One round of operation @op on target_handle. */
static bool one_round(uint32_t op)
{
	int32_t h = target_handle, d;

	switch (op) {
	case 1:
	case 2:
		return keel_frames_map(h, MAP_AT, KEEL_PROT_WRITE) == 0 &&
		       keel_frames_unmap(h) == 0;
	default:
		d = keel_cap_derive(h, KEEL_RIGHT_READ, 0);
		return d >= 0 && keel_handle_close(d) == 0;
	}
}

static int32_t target(uint32_t op)
{
	if (op == 3)
		return keel_endpoint_create(NULL);
	return keel_frames_alloc(KEEL_ROOT_MEMORY, op == 2 ? 16 : 1);
}

int main(uint32_t op)
{
	if (op < 1 || op > 4)
		return 1;
	target_handle = target(op);
	if (target_handle < 0) {
		printf("# b_cap: no capability to time (%s)\n", keel_strerror(target_handle));
		return 1;
	}
	return ubench_run("b_cap", one_round, op);
}
