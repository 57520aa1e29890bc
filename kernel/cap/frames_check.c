/*
 * frames_check.c - how many runs of frames are alive, for the tests and
 * the monitor's reports. Debug code: linked into test images only.
 */
#include <keel/cap.h>

#include "cap_internal.h"

unsigned cap_frames_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FRAMES_MAX; i++)
		n += frames_pool[i].id != 0;
	return n;
}
