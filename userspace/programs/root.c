/*
 * root.c - the root task: the first program the kernel starts.
 *
 * The kernel spawns "root" from the boot archive once it is up (unless it
 * boots to run tests). In slice 3 the root task shows that user mode
 * works end to end: it spawns hello, waits for it with a timeout (every
 * blocking call takes one) and reports how it ended. Later slices make it
 * the start of user space: it will start the servers and hand them their
 * capabilities.
 */
#include <keel_user.h>

/* How long root waits for hello: far more than it needs, but bounded. */
#define ROOT_WAIT_US 5000000u

int main(uint32_t arg)
{
	int32_t child, err;
	int status = 0;

	(void)arg;
	printf("root: Keel's first user task, running in ring 3\n");
	child = keel_spawn("hello", 0);
	if (child < 0) {
		printf("root: cannot spawn hello: %s\n", keel_strerror(child));
		return 1;
	}
	err = keel_task_wait(child, &status, ROOT_WAIT_US);
	if (err < 0) {
		printf("root: waiting for hello failed: %s\n", keel_strerror(err));
		return 1;
	}
	printf("root: hello exited with status %d\n", status);
	keel_handle_close(child);
	return 0;
}
