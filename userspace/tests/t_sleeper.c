/*
 * t_sleeper.c - a child that never ends by itself.
 *
 * t_spawn kills it (TASK_KILL must end a task that is asleep in the
 * kernel) and fills the task table with copies of it. It sleeps in a
 * loop, so it costs no CPU while it waits to be killed.
 */
#include <keel_user.h>

int main(uint32_t arg)
{
	(void)arg;
	for (;;)
		keel_sleep_us(100000);
}
