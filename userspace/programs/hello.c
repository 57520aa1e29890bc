/*
 * hello.c - the smallest user program: it says hello and names its task.
 *
 * The root task spawns it at boot to show the whole path working: the
 * loader found it in the boot archive, the kernel entered ring 3 at
 * _start, and two system calls came back (TASK_INFO on KEEL_SELF, the
 * handle every task holds to itself, and printf, which goes through the
 * console server when root gave hello its endpoint, else DEBUG_WRITE).
 */
#include <keel_console.h>

int main(uint32_t arg)
{
	struct keel_task_info info;
	int32_t err;

	(void)console_attach(arg); /* print through the console server, if given it */
	err = keel_task_info(KEEL_SELF, &info);
	if (err < 0) {
		printf("hello: TASK_INFO failed: %s\n", keel_strerror(err));
		return 1;
	}
	printf("hello from user mode (task %u)\n", info.id);
	return 0;
}
