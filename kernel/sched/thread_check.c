/*
 * thread_check.c - the thread table as reports see it: how many slots
 * are in use, and the name of each state. Only the monitor and the tests
 * ask, so this is debug code, linked into test images only.
 */
#include <keel/thread.h>

const char *thread_state_name(enum thread_state s)
{
	static const char *const names[] = {"FREE",    "READY",    "RUNNING",
	                                    "BLOCKED", "SLEEPING", "DEAD"};
	return s <= THREAD_DEAD ? names[s] : "?";
}

unsigned thread_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < THREAD_MAX; i++)
		n += thread_slot(i)->state != THREAD_FREE;
	return n;
}
