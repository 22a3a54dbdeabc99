/*
 * cpuwork.h: real computation for work = cpu. It burns the processor until
 * a deadline, checking the clock only every few microseconds of work, so
 * it is computing (not sleeping) for all but a sliver of the time.
 */
#ifndef DISHRACK_CPUWORK_H
#define DISHRACK_CPUWORK_H

#include <stdint.h>

/* Compute until the monotonic clock reaches deadline_ns. */
uint64_t	cpuwork_until(int64_t deadline_ns);

#endif
