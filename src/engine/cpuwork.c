/*
 * cpuwork.c: busy work that the compiler cannot remove, measured on the
 * thread's own CPU clock.
 */
#include "config.h"

#include "cpuwork.h"

#include <time.h>

#include "clock.h"

/* Each thread its own: threads computing at once (no GIL) share nothing. */
static _Thread_local volatile uint64_t cpuwork_sink;

int64_t
cpuwork_thread_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec);
}

uint64_t
cpuwork_for(int64_t ns)
{
	uint64_t	x = 0x9E3779B97F4A7C15ULL;
	int64_t		end;
	int		i;

	end = cpuwork_thread_ns() + ns;
	while (cpuwork_thread_ns() < end) {
		/* A few microseconds of integer work between clock reads. */
		for (i = 0; i < 2048; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	cpuwork_sink = x;
	return (x);
}
