/*
 * cpuwork.h: real computation for work = cpu. It burns the processor until
 * the calling thread has used a given amount of CPU time (its own thread
 * clock), so four computing threads on two cores take twice as long as
 * one on each, as real work would.
 */
#ifndef DISHRACK_CPUWORK_H
#define DISHRACK_CPUWORK_H

#include <stdint.h>

/* CPU time the calling thread has used, in ns. */
int64_t		cpuwork_thread_ns(void);

/* Compute until the calling thread has used ns more CPU time. */
uint64_t	cpuwork_for(int64_t ns);

#endif
