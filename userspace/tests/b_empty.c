/*
 * b_empty.c - a program that does nothing: `make bench` times spawning
 * it and waiting for it (loading, one thread's life, the teardown).
 */
#include <keel_user.h>

int main(uint32_t arg)
{
	(void)arg;
	return 0;
}
