/*
 * cpuwork.c: busy work that the compiler cannot remove.
 */
#include "config.h"

#include "cpuwork.h"

#include "clock.h"

static volatile uint64_t cpuwork_sink;

uint64_t
cpuwork_until(int64_t deadline_ns)
{
	uint64_t	x = 0x9E3779B97F4A7C15ULL;
	int		i;

	while (clock_mono_ns() < deadline_ns) {
		/* About a microsecond of integer work between clock reads. */
		for (i = 0; i < 256; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	cpuwork_sink = x;
	return (x);
}
